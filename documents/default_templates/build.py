"""Regenerate with `.venv/bin/python -m documents.default_templates.build` (from the
checkout's root), then commit the scripts and the five `<slug>.docx` beside them together.

Writes the portal's default Word templates, one per form of ``forms_app/content/forms.yaml``:
docxtpl templates (rendered by ``documents.rendering.isolation.render_docx`` in the
portal's sandbox) in the
State's official layout — A4, the « République française » block in text, the issuer (the
préfecture or the operator), title, date, the form's sections as headings, answers as
paragraphs and tables, repeatable groups as table rows, signature blocks and a numbered
footer. They use only the form's keys and the meta keys of ``documents.rendering`` (the
context gives every answer already in French: dates in words, amounts in euros, Oui/Non,
labels of choices); the raw values under ``brut`` serve only the computed figures.

The templates are built by ``campaign`` and ``household`` from the parts of ``blocks`` and
the python-docx helpers of ``docx_helpers``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx.document import Document as DocumentObject

from documents.default_templates.campaign import bilan_d_etape, lettre_de_prefiguration
from documents.default_templates.household import (
    contrat_d_engagement,
    diagnostic_social_et_financier,
    veille_sociale_post_intervention,
)

TEMPLATES: dict[str, Callable[[], DocumentObject]] = {
    "lettre-de-prefiguration": lettre_de_prefiguration,
    "bilan-d-etape": bilan_d_etape,
    "diagnostic-social-et-financier": diagnostic_social_et_financier,
    "contrat-d-engagement": contrat_d_engagement,
    "veille-sociale-post-intervention": veille_sociale_post_intervention,
}


def build_all(directory: Path) -> list[Path]:
    """Writes ``<slug>.docx`` for each form into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for slug, build in TEMPLATES.items():
        path = directory / f"{slug}.docx"
        build().save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent):
        print(written)
