"""Which template renders a form, its uploaded versions, and a submission's document.

A form is rendered with its active uploaded version, else with the template shipped for it
in ``documents/default_templates/<slug>.docx``, else with a generic one listing every
answer — so every submission of every form always has its Word document.

The consolidated report of a form's campaigns (purpose « rapport ») has versions of its own,
kept the same way, and falls back on ``documents/default_templates/rapport-consolide.docx``.
A template of a purpose other than « document » renders something else than an answer: its
variables and its sample context come from the provider registered for that purpose
(``template_samples_register``; the report registers itself from ``DocumentsConfig.ready``),
so that this module never imports what renders the report.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from docx import Document
from docx.shared import Pt
from wagtailstreamforms.models import Form

from documents.rendering.context import submission_context
from documents.rendering.isolation import render_docx
from documents.rendering.models import TemplatePurpose, WordTemplate
from documents.rendering.template_checks.check import TemplateCheck, template_check
from documents.rendering.template_checks.sample import sample_context
from portal.models import User

DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "default_templates"
REPORT_TEMPLATE = DEFAULT_TEMPLATES_DIR / "rapport-consolide.docx"
# The media type every Word download says it is.
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ActiveTemplate:
    data: bytes
    label: str  # « version 3 », « modèle fourni avec le portail »…
    version: WordTemplate | None = None


def default_template_path(*, form: Form) -> Path | None:
    path = DEFAULT_TEMPLATES_DIR / f"{form.slug}.docx"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=1)
def generic_template() -> bytes:
    """A plain template for a form without its own: title, who, then every answer."""
    document = Document()
    document.core_properties.title = "{{ formulaire }}"
    heading = document.add_paragraph()
    heading.add_run("RÉPUBLIQUE FRANÇAISE").bold = True
    document.add_paragraph("Liberté\nÉgalité\nFraternité").runs[0].font.size = Pt(8)
    document.add_heading("{{ formulaire }}", level=1)
    document.add_paragraph("{{ organisation }}{% if territoire %} — {{ territoire }}{% endif %}")
    document.add_paragraph("{% if campagne %}{{ campagne }} · {% endif %}{{ date_document }}")
    document.add_paragraph("{%p for ligne in reponses %}")
    document.add_paragraph(
        "{% if ligne.section %}{{ ligne.section }}{% else %}{{ ligne.libelle }} : "
        "{{ ligne.valeur }}{% endif %}"
    )
    document.add_paragraph("{%p endfor %}")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def active_template(
    *, form: Form, purpose: TemplatePurpose = TemplatePurpose.DOCUMENT
) -> ActiveTemplate:
    """The template that renders ``form``'s answers (or its campaigns' report) now."""
    version = WordTemplate.objects.filter(form=form, purpose=purpose, is_active=True).first()
    if version is not None:
        with version.file.open("rb") as handle:
            return ActiveTemplate(handle.read(), f"version {version.number}", version)
    if purpose == TemplatePurpose.RAPPORT:
        return ActiveTemplate(REPORT_TEMPLATE.read_bytes(), "modèle fourni avec le portail")
    path = default_template_path(form=form)
    if path is not None:
        return ActiveTemplate(path.read_bytes(), "modèle fourni avec le portail")
    return ActiveTemplate(generic_template(), "modèle générique (toutes les réponses)")


def submission_document(*, submission) -> bytes:
    """The Word document of one answer, on its form's active template."""
    template = active_template(form=submission.form_version.form)
    return render_docx(template=template.data, context=submission_context(submission=submission))


def document_filename(*, submission, extension: str = "docx") -> str:
    """« bilan-d-etape-2021-38-prefecture-de-l-isere.docx »; a household document is
    named by its pseudonymous reference, never by the household's name."""
    if submission.household_id:
        parts = [submission.form_version.form.slug, submission.household.reference]
    else:
        parts = [submission.campaign.title, submission.territory.code, submission.organisation.name]
    slug = "-".join(filename_part(part) for part in parts if part)
    return f"{slug}.{extension}"


def filename_part(text: str) -> str:
    """``text`` as a piece of an ASCII file name: « Bilan d'étape » → « bilan-d-etape »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


@dataclass(frozen=True)
class TemplateSamples:
    """What a template of one purpose may use, and the sample it is checked and previewed
    with: ``known_keys()`` its variables, ``sample_context(form=…)`` a sample context."""

    known_keys: Callable[[], Iterable[str]]
    sample_context: Callable[..., dict[str, Any]]


_samples: dict[TemplatePurpose, TemplateSamples] = {}  # filled from DocumentsConfig.ready


def template_samples_register(
    *,
    purpose: TemplatePurpose,
    known_keys: Callable[[], Iterable[str]],
    sample_context: Callable[..., dict[str, Any]],
) -> None:
    """Registers the variables and the sample context of templates of ``purpose`` (any
    purpose but « document », whose templates are checked against their form)."""
    _samples[TemplatePurpose(purpose)] = TemplateSamples(known_keys, sample_context)


def template_samples(*, purpose: TemplatePurpose) -> TemplateSamples:
    """The registered samples of ``purpose``; raises ``LookupError`` when none is."""
    try:
        return _samples[TemplatePurpose(purpose)]
    except KeyError:
        raise LookupError(f"No template samples registered for purpose {purpose!r}.") from None


class TemplateRefused(Exception):
    """The uploaded template failed its checks: ``errors`` says why, in French."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@transaction.atomic
def word_template_upload(
    *,
    form: Form,
    uploaded,
    user: User | None,
    purpose: TemplatePurpose = TemplatePurpose.DOCUMENT,
) -> tuple[WordTemplate, TemplateCheck]:
    """Checks an uploaded template against the form (or, for a report, against the report's
    variables) and keeps it as a new, inactive version.

    Raises ``TemplateRefused`` with the French reasons; returns the version and the check
    (its unknown variables and its preview).
    """
    data = uploaded.read()
    if purpose != TemplatePurpose.DOCUMENT:
        samples = template_samples(purpose=purpose)
        check = template_check(
            data=data,
            filename=uploaded.name,
            known_keys=samples.known_keys(),
            context=samples.sample_context(form=form),
        )
    else:
        schema = form.versions.order_by("-number").first().schema
        check = template_check(data=data, schema=schema, filename=uploaded.name)
    if check.errors:
        raise TemplateRefused(check.errors)
    versions = WordTemplate.objects.filter(form=form, purpose=purpose)
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    stem = f"{form.slug}-rapport" if purpose == TemplatePurpose.RAPPORT else form.slug
    version = WordTemplate.objects.create(
        form=form,
        purpose=purpose,
        number=number,
        file=ContentFile(data, name=f"{stem}-v{number}.docx"),
        original_name=uploaded.name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        unknown_variables=list(check.unknown_variables),
        uploaded_by=user,
    )
    return version, check


@transaction.atomic
def word_template_activate(*, template: WordTemplate) -> WordTemplate:
    """Puts ``template`` in service for its form and purpose (the previous version stays,
    inactive)."""
    same = WordTemplate.objects.filter(form_id=template.form_id, purpose=template.purpose)
    list(same.select_for_update())
    same.filter(is_active=True).update(is_active=False)
    template.is_active = True
    template.activated_at = timezone.now()
    template.save(update_fields=["is_active", "activated_at"])
    return template


@transaction.atomic
def word_templates_use_defaults(
    *, form: Form, purpose: TemplatePurpose = TemplatePurpose.DOCUMENT
) -> None:
    """Takes every uploaded version out of service: the shipped template renders again."""
    WordTemplate.objects.filter(form=form, purpose=purpose, is_active=True).update(is_active=False)


def template_preview(*, template: WordTemplate) -> bytes:
    """``template`` rendered with a sample answer of its form's current fields (a report
    template: with a sample report): the same sample as the upload check, territory,
    région, campaign, status and dates included, under the form's own title."""
    if template.purpose != TemplatePurpose.DOCUMENT:
        context = template_samples(purpose=template.purpose).sample_context(form=template.form)
    else:
        schema = template.form.versions.order_by("-number").first().schema
        context = sample_context(schema)
        context["formulaire"] = template.form.title
    with template.file.open("rb") as handle:
        return render_docx(template=handle.read(), context=context)
