"""Downloads of Word documents and of a campaign's zip. Thin: access via
portal.permissions, documents via documents.rendering.store and documents.exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.exports import campaign_zips
from documents.exports.models import DocumentExport, ExportStatus
from documents.rendering import pdf
from documents.rendering.sandbox import RenderLimitExceeded
from documents.rendering.store import DOCX_TYPE, document_filename, submission_document
from forms_app import selectors as forms_selectors
from portal import permissions
from portal.accounts import sensitive_operation
from portal.audit import AuditAction, audit_record
from portal.downloads import private_download


def _readable_submission(request, pk: int, *, kind: str):
    """The answer whose ``kind`` of document (« document Word », « document PDF ») the
    person downloads; each download leaves a row."""
    submission = forms_selectors.submission_with_history(submission_id=pk, user=request.user)
    if submission is None or not permissions.can_download_submission_document(
        request.user, submission
    ):
        raise Http404
    audit_record(
        user=request.user,
        action=AuditAction.DOCUMENT,
        household=submission.household if submission.household_id else None,
        submission=submission,
        request=request,
        object_type=kind,
        object_reference=f"réponse {submission.pk}",
    )
    return submission


@login_required
def submission_word(request, pk: int):
    """The answer as a Word document, on its form's active template."""
    submission = _readable_submission(request, pk, kind="document Word")
    try:
        content = submission_document(submission=submission)
    except RenderLimitExceeded as error:
        messages.error(request, str(error))
        return redirect("forms_app:answer_detail", pk=pk)
    return private_download(
        content,
        filename=document_filename(submission=submission),
        content_type=DOCX_TYPE,
    )


@login_required
def submission_pdf(request, pk: int):
    """The same document in PDF, when LibreOffice is installed."""
    if not pdf.pdf_available():
        raise Http404
    submission = _readable_submission(request, pk, kind="document PDF")
    try:
        content = pdf.docx_to_pdf(data=submission_document(submission=submission))
    except pdf.PdfUnavailable as error:
        messages.error(request, f"{error} Téléchargez le document Word.")
        return redirect("forms_app:answer_detail", pk=pk)
    except RenderLimitExceeded as error:
        messages.error(request, str(error))
        return redirect("forms_app:answer_detail", pk=pk)
    return private_download(
        content,
        filename=document_filename(submission=submission, extension="pdf"),
        content_type="application/pdf",
    )


@login_required
@require_POST
@sensitive_operation
def campaign_export_start(request, pk: int):
    """Queues the zip of the campaign's documents within the person's territories."""
    if not permissions.can_export_campaign_documents(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(forms_selectors.campaigns_followed_by(user=request.user), pk=pk)
    export = campaign_zips.campaign_export_request(campaign=campaign, user=request.user)
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        request=request,
        object_type="export des documents",
        object_reference=f"export {export.pk}, campagne {campaign.pk} « {campaign} »",
    )
    return redirect("documents:export_detail", pk=export.pk)


def _own_export(request, pk: int) -> DocumentExport:
    export = get_object_or_404(DocumentExport.objects.select_related("campaign"), pk=pk)
    if not permissions.can_download_export(request.user, export):
        raise Http404
    return export


def _export_page_state(export: DocumentExport) -> dict:
    """What the export page and its polling show: the state (« interrompue » included), its
    French label and message, and whether « Relancer » applies."""
    now = timezone.now()
    state = campaign_zips.export_state(export=export, now=now)
    label = "Interrompue" if state == campaign_zips.INTERRUPTED else export.get_status_display()
    error = campaign_zips.INTERRUPTED_ERROR if state == campaign_zips.INTERRUPTED else export.error
    return {
        "state": state,
        "label": label,
        "error": error,
        "working": state in (ExportStatus.PENDING, ExportStatus.RUNNING),
        "may_rerun": campaign_zips.export_may_rerun(export=export, now=now),
    }


@login_required
def export_detail(request, pk: int):
    """Progress of the zip (the page refreshes itself until it is ready), then its link; a
    failed or interrupted build, with « Relancer »."""
    export = _own_export(request, pk)
    return TemplateResponse(
        request,
        "documents/export_detail.html",
        {"export": export, **_export_page_state(export)},
    )


@login_required
def export_progress(request, pk: int):
    export = _own_export(request, pk)
    state = _export_page_state(export)
    return JsonResponse(
        {
            "status": state["state"],
            "label": state["label"],
            "done": export.done,
            "total": export.total,
            "percent": export.percent,
            "may_rerun": state["may_rerun"],
        }
    )


@login_required
@require_POST
@sensitive_operation
def export_retry(request, pk: int):
    """« Relancer »: the same export, reset and queued again, when it failed or its worker
    died; a second click (or a build that came back) changes nothing."""
    export = _own_export(request, pk)
    if campaign_zips.export_rerun(export=export, now=timezone.now()):
        audit_record(
            user=request.user,
            action=AuditAction.EXPORT,
            request=request,
            object_type="export des documents",
            object_reference=f"export {export.pk} relancé, campagne {export.campaign.pk} "
            f"« {export.campaign} »",
        )
    else:
        messages.info(
            request, "Cette production n'est pas à relancer : elle est en cours ou terminée."
        )
    return redirect("documents:export_detail", pk=export.pk)


@login_required
def export_download(request, pk: int):
    """The complete zip, streamed from the exports storage; nothing while it is built."""
    export = _own_export(request, pk)
    stored = campaign_zips.export_file(export=export)
    if stored is None:
        raise Http404
    audit_record(
        user=request.user,
        action=AuditAction.DOWNLOAD,
        request=request,
        object_type="export des documents",
        object_reference=f"export {export.pk}, campagne {export.campaign.pk} « {export.campaign} »",
    )
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=f"documents-{export.campaign.pk}-{export.created_at:%Y%m%d-%H%M}.zip",
    )
    response["Cache-Control"] = "no-store"
    return response
