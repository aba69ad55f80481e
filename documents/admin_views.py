"""The editors' pages for Word templates, in the Wagtail admin: each form's versions,
upload with checks and preview, download to edit in Word, activation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST
from wagtailstreamforms.models import Form

from documents import templates_store
from documents.models import WordTemplate
from documents.views import DOCX_TYPE, _private_download
from portal import permissions


def _editors_only(request) -> None:
    if not permissions.can_access_cms_admin(request.user):
        raise PermissionDenied


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label="Nouveau modèle (.docx)",
        help_text="Un document Word dont les balises {{ clé }} reprennent les clés du formulaire.",
        error_messages={"required": "Choisissez un fichier .docx."},
    )


def templates_index(request):
    """Every form with the template that renders it now."""
    _editors_only(request)
    rows = [
        {
            "form": form,
            "active": templates_store.active_template(form=form).label,
            "versions": form.word_templates.count(),
        }
        for form in Form.objects.order_by("title")
    ]
    return TemplateResponse(request, "documents/admin/index.html", {"rows": rows})


def form_templates(request, form_id: int):
    """A form's versions, and the upload of a new one (checked, kept inactive)."""
    _editors_only(request)
    form = get_object_or_404(Form, pk=form_id)
    upload = TemplateUploadForm(request.POST or None, request.FILES or None)
    check, version, status = None, None, 200
    if request.method == "POST" and upload.is_valid():
        try:
            version, check = templates_store.word_template_upload(
                form=form, uploaded=upload.cleaned_data["file"], user=request.user
            )
        except templates_store.TemplateRefused as refused:
            for error in refused.errors:
                upload.add_error("file", error)
            status = 400
        else:
            messages.success(
                request,
                f"Version {version.number} déposée : vérifiez l'aperçu, puis mettez-la en service.",
            )
    elif request.method == "POST":
        status = 400
    known_keys = sorted(form.versions.order_by("-number").first().input_keys)
    return TemplateResponse(
        request,
        "documents/admin/form_templates.html",
        {
            "form": form,
            "versions": form.word_templates.select_related("uploaded_by"),
            "active": templates_store.active_template(form=form),
            "upload": upload,
            "check": check,
            "new_version": version,
            "known_keys": known_keys,
        },
        status=status,
    )


def template_download(request, pk: int):
    """An uploaded version, as it was uploaded."""
    _editors_only(request)
    version = get_object_or_404(WordTemplate, pk=pk)
    with version.file.open("rb") as handle:
        content = handle.read()
    return _private_download(
        content,
        filename=f"{version.form.slug}-modele-v{version.number}.docx",
        content_type=DOCX_TYPE,
    )


def template_current(request, form_id: int):
    """The template in service (uploaded or shipped), to edit in Word or LibreOffice."""
    _editors_only(request)
    form = get_object_or_404(Form, pk=form_id)
    return _private_download(
        templates_store.active_template(form=form).data,
        filename=f"{form.slug}-modele.docx",
        content_type=DOCX_TYPE,
    )


def template_preview(request, pk: int):
    """A version rendered with a sample answer of its form."""
    _editors_only(request)
    version = get_object_or_404(WordTemplate, pk=pk)
    content = templates_store.template_preview(template=version)
    return _private_download(
        content,
        filename=f"{version.form.slug}-apercu-v{version.number}.docx",
        content_type=DOCX_TYPE,
    )


@require_POST
def template_activate(request, pk: int) -> HttpResponse:
    _editors_only(request)
    version = get_object_or_404(WordTemplate, pk=pk)
    templates_store.word_template_activate(template=version)
    messages.success(request, f"Version {version.number} mise en service.")
    return redirect("documents_admin:form_templates", form_id=version.form_id)


@require_POST
def templates_use_defaults(request, form_id: int) -> HttpResponse:
    _editors_only(request)
    form = get_object_or_404(Form, pk=form_id)
    templates_store.word_templates_use_defaults(form=form)
    messages.success(request, "Le modèle fourni avec le portail est de nouveau en service.")
    return redirect("documents_admin:form_templates", form_id=form.pk)
