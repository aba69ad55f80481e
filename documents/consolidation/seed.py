"""The consolidation rules of the data file's forms, declared once at setup
(``forms_app/content/forms.yaml``, the ``consolidation`` entry of each form), held to the
admin's checks. A service: imports ``documents.models`` (never imported by it).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction
from wagtailstreamforms.models import Form

from documents.consolidation.models import ConsolidationRules


@transaction.atomic
def consolidation_rules_seed(*, path: Path) -> list[str]:
    """Declares the rules of the data file's forms that have none yet; returns their titles."""
    with path.open(encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["forms"]
    created = []
    for spec in specs:
        entries = spec.get("consolidation")
        form = Form.objects.filter(slug=spec["slug"]).first()
        if not entries or form is None or ConsolidationRules.objects.filter(form=form).exists():
            continue
        stream = []
        for entry in entries:
            entry = dict(entry)
            stream.append((entry.pop("regle"), entry))
        declaration = ConsolidationRules(form=form, rules=stream)
        declaration.full_clean()  # the data file is held to the admin's checks
        declaration.save()
        created.append(form.title)
    return created
