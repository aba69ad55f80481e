"""The editors' pages for Word templates, in the Wagtail admin: each form's versions,
upload with checks and preview, download to edit in Word, activation — for the documents of
the answers and, for a form opened in campaigns, for its consolidated report (the same
views, with a ``purpose``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtailstreamforms.models import Form

from documents.consolidation.report import report_keys
from documents.rendering import store
from documents.rendering.models import TemplatePurpose, WordTemplate
from documents.rendering.sandbox import RenderLimitExceeded
from documents.rendering.store import DOCX_TYPE
from portal import permissions
from portal.accounts import sensitive_operation
from portal.audit import AuditAction, audit_record
from portal.downloads import private_download


def _record(request, action: str, form: Form, purpose: str, version: int | str) -> None:
    """A row naming the form, the template's purpose and its version (a number, or
    « en service », « fourni avec le portail »)."""
    what = "modèle du rapport consolidé" if purpose == TemplatePurpose.RAPPORT else "modèle"
    number = f"version {version}" if isinstance(version, int) else version
    audit_record(
        user=request.user,
        action=action,
        request=request,
        object_type="modèle Word",
        object_reference=f"formulaire « {form.title} » ({form.pk}), {what}, {number}",
    )


def _editors_only(request) -> None:
    if not permissions.can_access_cms_admin(request.user):
        raise PermissionDenied


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label="Nouveau modèle (.docx)",
        help_text="Un document Word dont les balises {{ clé }} reprennent les clés du formulaire.",
        error_messages={"required": "Choisissez un fichier .docx."},
    )

    def __init__(self, *args, purpose: str = TemplatePurpose.DOCUMENT, **kwargs) -> None:
        if purpose == TemplatePurpose.RAPPORT:
            kwargs.setdefault("auto_id", "id_rapport_%s")
        super().__init__(*args, **kwargs)
        if purpose == TemplatePurpose.RAPPORT:
            self.fields["file"].label = "Nouveau modèle du rapport consolidé (.docx)"
            self.fields["file"].help_text = (
                "Un document Word dont les balises {{ clé }} reprennent les variables du "
                "rapport (ci-dessous), pas les clés du formulaire."
            )


def _purpose(purpose: str, form: Form) -> str:
    """The purpose of the request, a report only for a form opened in campaigns."""
    if purpose not in TemplatePurpose.values:
        raise Http404
    if purpose == TemplatePurpose.RAPPORT and not permissions.form_has_consolidation(form):
        raise Http404
    return purpose


def templates_index(request):
    """Every form with the templates that render it now."""
    _editors_only(request)
    rows = [
        {
            "form": form,
            "active": store.active_template(form=form).label,
            "report": (
                store.active_template(form=form, purpose=TemplatePurpose.RAPPORT).label
                if permissions.form_has_consolidation(form)
                else ""
            ),
            "versions": form.word_templates.count(),
        }
        for form in Form.objects.select_related("advanced_settings").order_by("title")
    ]
    return TemplateResponse(request, "documents/admin/index.html", {"rows": rows})


def _section(form: Form, purpose: str, upload: TemplateUploadForm) -> dict:
    """What the form's page shows of one purpose's templates, and where its buttons go."""
    versions = form.word_templates.filter(purpose=purpose).select_related("uploaded_by")
    report = purpose == TemplatePurpose.RAPPORT
    prefix = "report" if report else "template"
    return {
        "purpose": purpose,
        "versions": versions,
        "active": store.active_template(form=form, purpose=purpose),
        "upload": upload,
        "upload_url": reverse(
            f"documents_admin:{'report' if report else 'form'}_templates",
            kwargs={"form_id": form.pk},
        ),
        "current_url": reverse(f"documents_admin:{prefix}_current", kwargs={"form_id": form.pk}),
        "defaults_url": reverse(
            f"documents_admin:{'report_' if report else ''}use_defaults",
            kwargs={"form_id": form.pk},
        ),
        "errors_id": "erreurs-modele-rapport" if report else "erreurs-modele",
    }


@sensitive_operation
def form_templates(request, form_id: int, purpose: str = TemplatePurpose.DOCUMENT):
    """A form's versions — of its answers' document and, for a form opened in campaigns, of
    its consolidated report — and the upload of a new one (checked, kept inactive)."""
    _editors_only(request)
    form = get_object_or_404(Form, pk=form_id)
    purpose = _purpose(purpose, form)
    upload = TemplateUploadForm(request.POST or None, request.FILES or None, purpose=purpose)
    check, version, status = None, None, 200
    if request.method == "POST" and upload.is_valid():
        try:
            version, check = store.word_template_upload(
                form=form,
                uploaded=upload.cleaned_data["file"],
                user=request.user,
                purpose=purpose,
            )
        except store.TemplateRefused as refused:
            for error in refused.errors:
                upload.add_error("file", error)
            status = 400
        else:
            _record(request, AuditAction.TEMPLATE_UPLOAD, form, purpose, version.number)
            messages.success(
                request,
                f"Version {version.number} déposée : vérifiez l'aperçu, puis mettez-la en service.",
            )
    elif request.method == "POST":
        status = 400
    sections = {
        TemplatePurpose.DOCUMENT: _section(form, TemplatePurpose.DOCUMENT, TemplateUploadForm()),
    }
    if permissions.form_has_consolidation(form):
        sections[TemplatePurpose.RAPPORT] = _section(
            form, TemplatePurpose.RAPPORT, TemplateUploadForm(purpose=TemplatePurpose.RAPPORT)
        )
    sections[purpose].update(upload=upload, check=check, new_version=version)
    document = sections[TemplatePurpose.DOCUMENT]
    return TemplateResponse(
        request,
        "documents/admin/form_templates.html",
        {
            "form": form,
            "purpose": purpose,
            "document": document,
            "report": sections.get(TemplatePurpose.RAPPORT),
            "versions": document["versions"],
            "active": document["active"],
            "upload": upload,
            "check": check,
            "new_version": version,
            "known_keys": sorted(form.versions.order_by("-number").first().input_keys),
            "report_keys": report_keys(),
        },
        status=status,
    )


def template_download(request, pk: int):
    """An uploaded version, as it was uploaded."""
    _editors_only(request)
    version = get_object_or_404(WordTemplate, pk=pk)
    with version.file.open("rb") as handle:
        content = handle.read()
    _record(request, AuditAction.DOWNLOAD, version.form, version.purpose, version.number)
    return private_download(
        content,
        filename=f"{_stem(version.form, version.purpose)}-v{version.number}.docx",
        content_type=DOCX_TYPE,
    )


def _stem(form: Form, purpose: str) -> str:
    """« bilan-d-etape-modele », « bilan-d-etape-modele-rapport »."""
    return f"{form.slug}-modele" + ("-rapport" if purpose == TemplatePurpose.RAPPORT else "")


def template_current(request, form_id: int, purpose: str = TemplatePurpose.DOCUMENT):
    """The template in service (uploaded or shipped), to edit in Word or LibreOffice."""
    _editors_only(request)
    form = get_object_or_404(Form, pk=form_id)
    purpose = _purpose(purpose, form)
    _record(request, AuditAction.DOWNLOAD, form, purpose, "en service")
    return private_download(
        store.active_template(form=form, purpose=purpose).data,
        filename=f"{_stem(form, purpose)}.docx",
        content_type=DOCX_TYPE,
    )


def template_preview(request, pk: int):
    """A version rendered with a sample answer of its form."""
    _editors_only(request)
    version = get_object_or_404(WordTemplate, pk=pk)
    try:
        content = store.template_preview(template=version)
    except RenderLimitExceeded as error:
        messages.error(request, str(error))
        return _form_page(version.form_id, version.purpose)
    _record(request, AuditAction.DOWNLOAD, version.form, version.purpose, version.number)
    kind = "apercu-rapport" if version.purpose == TemplatePurpose.RAPPORT else "apercu"
    return private_download(
        content,
        filename=f"{version.form.slug}-{kind}-v{version.number}.docx",
        content_type=DOCX_TYPE,
    )


def _form_page(form_id: int, purpose: str) -> HttpResponse:
    """The form's page, at the section of ``purpose``."""
    url = reverse("documents_admin:form_templates", kwargs={"form_id": form_id})
    return redirect(url + ("#rapport" if purpose == TemplatePurpose.RAPPORT else ""))


@require_POST
@sensitive_operation
def template_activate(request, pk: int) -> HttpResponse:
    _editors_only(request)
    version = get_object_or_404(WordTemplate, pk=pk)
    store.word_template_activate(template=version)
    _record(request, AuditAction.TEMPLATE_ACTIVATION, version.form, version.purpose, version.number)
    what = "du rapport consolidé " if version.purpose == TemplatePurpose.RAPPORT else ""
    messages.success(request, f"Version {version.number} {what}mise en service.")
    return _form_page(version.form_id, version.purpose)


@require_POST
@sensitive_operation
def templates_use_defaults(
    request, form_id: int, purpose: str = TemplatePurpose.DOCUMENT
) -> HttpResponse:
    _editors_only(request)
    form = get_object_or_404(Form, pk=form_id)
    purpose = _purpose(purpose, form)
    store.word_templates_use_defaults(form=form, purpose=purpose)
    _record(request, AuditAction.TEMPLATE_ACTIVATION, form, purpose, "fourni avec le portail")
    messages.success(request, "Le modèle fourni avec le portail est de nouveau en service.")
    return _form_page(form.pk, purpose)
