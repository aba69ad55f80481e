"""Time to render one document from the default bilan and contrat templates: plain docxtpl
(load, render, save) against the compiled path (``documents.rendering.compiled``) in this
process, and against the path the portal takes (``documents.rendering.isolation.render_docx``:
the compiled path in a worker process), in the same run, on the same answers, one after
the other so that all see the same machine load. "Alone" is one document on a fresh pool
(worker start, template sent and compiled); the batch is a zip's documents on warm workers.

    .venv/bin/python bench/render_docs.py [--documents 300]

Answers are made from the forms' schemas in ``forms_app/content/forms.yaml`` (no database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from documents.exports.campaign_zips import RENDER_BATCH  # noqa: E402
from documents.rendering import isolation  # noqa: E402
from documents.rendering.compiled import compiled_template, render_docx_fast  # noqa: E402
from documents.rendering.context import answers_context  # noqa: E402
from documents.rendering.engine import render_docx_plain  # noqa: E402
from documents.rendering.isolation import render_docx, render_docx_many  # noqa: E402
from forms_app.form_builder import input_items  # noqa: E402
from forms_app.seed import block_value, read_form_specs  # noqa: E402

TEMPLATE_SLUGS = ("bilan-d-etape", "contrat-d-engagement")
META = {
    "formulaire": "Formulaire",
    "campagne": "Campagne 2022",
    "organisation": "Préfecture de l'Isère",
    "territoire": "Isère",
    "departement": "38",
    "region": "Auvergne-Rhône-Alpes",
    "statut": "Transmise",
    "date_transmission": "1 juillet 2022",
    "menage": "M-38-0042",
    "date_document": "2 juillet 2022",
}


def form_schemas() -> dict[str, list[dict]]:
    """Each seeded form's fields as its first version stores them, by slug."""
    schemas = {}
    for spec in read_form_specs(ROOT / "forms_app" / "content" / "forms.yaml"):
        schemas[spec["slug"]] = [
            {"type": field["type"], "value": block_value(field)} for field in spec["fields"]
        ]
    return schemas


def template_bytes(slug: str) -> bytes:
    """The shipped default template, or the tests' representative one until it exists."""
    path = ROOT / "documents" / "default_templates" / f"{slug}.docx"
    if path.exists():
        return path.read_bytes()
    from tests.documents import test_fast

    print(f"({path.name} absent: the tests' representative template is used)")
    builders = {"bilan-d-etape": test_fast.bilan_template}
    return builders.get(slug, test_fast.contrat_template)()


def _answer(kind: str, value: dict[str, Any], number: int) -> Any:
    if kind == "short_text":
        return f"Réponse {number} à « {value['label'][:30]} »"
    if kind == "long_text":
        return f"Premier paragraphe de la réponse {number}.\nSecond paragraphe, plus court."
    if kind == "choice":
        return value["choices"][number % len(value["choices"])]["value"]
    if kind == "multi_choice":
        return [choice["value"] for choice in value["choices"][: 1 + number % 3]]
    return {
        "integer": 10 + number % 90,
        "decimal": f"{number % 7}.25",
        "money": f"{1000 + number * 17}.50",
        "percent": f"{number % 100}.5",
        "date": f"2022-{1 + number % 12:02d}-{1 + number % 28:02d}",
        "yes_no": number % 2 == 0,
        "email": f"contact{number}@example.gouv.fr",
        "phone": "01 23 45 67 89",
        "file": {"name": f"piece-{number}.pdf"},
    }[kind]


def sample_answers(schema: list[dict], *, number: int, rows: int = 3) -> dict[str, Any]:
    """Answers of document ``number`` to every field, ``rows`` rows in each group."""
    data: dict[str, Any] = {}
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        if kind == "group":
            data[value["key"]] = [
                {
                    child["value"]["key"]: _answer(child["type"], child["value"], number + row)
                    for child in value["fields"]
                }
                for row in range(rows)
            ]
        else:
            data[value["key"]] = _answer(kind, value, number)
    return data


def document_context(schema: list[dict], number: int) -> dict[str, Any]:
    context = answers_context(schema=schema, data=sample_answers(schema, number=number))
    context.update(META)
    return context


def _timed(function, **kwargs) -> float:
    started = time.perf_counter()
    function(**kwargs)
    return time.perf_counter() - started


def _figures(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300, help="documents per template")
    documents = parser.parse_args().documents
    schemas = form_schemas()
    print(f"{documents} documents per template; times per document in ms")
    for slug in TEMPLATE_SLUGS:
        template = template_bytes(slug)
        started = time.perf_counter()
        compiled = compiled_template(template)
        compile_ms = (time.perf_counter() - started) * 1000
        contexts = [document_context(schemas[slug], number) for number in range(documents)]
        isolation.shutdown_pool()
        alone_ms = _timed(render_docx, template=template, context=contexts[0]) * 1000
        plain, fast, isolated = [], [], []
        for context in contexts:
            plain.append(_timed(render_docx_plain, template=template, context=context))
            fast.append(_timed(render_docx_fast, template=template, context=context))
            isolated.append(_timed(render_docx, template=template, context=context))
        batched = 0.0
        for start in range(0, len(contexts), RENDER_BATCH):
            batched += _timed(
                render_docx_many, template=template, contexts=contexts[start : start + RENDER_BATCH]
            )
        (plain_median, plain_p95), (fast_median, fast_p95) = _figures(plain), _figures(fast)
        isolated_median, isolated_p95 = _figures(isolated)
        mode = "parsed again" if compiled.body_needs_docxtpl_fixes else "written directly"
        print(f"\n{slug} (compiled once in {compile_ms:.0f} ms; body {mode})")
        print(f"  plain docxtpl  median {plain_median:7.2f}   p95 {plain_p95:7.2f}")
        print(f"  compiled       median {fast_median:7.2f}   p95 {fast_p95:7.2f}")
        print(
            f"  ratio          median {plain_median / fast_median:6.1f}×  "
            f"p95 {plain_p95 / fast_p95:6.1f}×"
        )
        print(f"  isolated       median {isolated_median:7.2f}   p95 {isolated_p95:7.2f}")
        print(
            f"  ratio plain/isolated  median {plain_median / isolated_median:6.1f}×  "
            f"batch {sum(plain) / sum(isolated):6.1f}×  (batch of {documents}: "
            f"{sum(isolated) * 1000 / documents:.2f} ms/document isolated, "
            f"{sum(fast) * 1000 / documents:.2f} in-process)"
        )
        print(
            f"  isolated, zip batches of {RENDER_BATCH}: "
            f"{batched * 1000 / documents:.2f} ms/document, "
            f"ratio plain/isolated {sum(plain) / batched:6.1f}×"
        )
        print(
            f"  one document alone, fresh worker: {alone_ms:.0f} ms "
            f"(plain/alone {plain_median / alone_ms:.2f}×)"
        )
    isolation.shutdown_pool()


if __name__ == "__main__":
    main()
