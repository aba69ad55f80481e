"""Respondents' pages for an answer: start it, fill it (autosave, review, transmit), read it
as filed, download its files. Thin: access via portal.permissions, writes via
forms_app.lifecycle, reads via forms_app.selectors. The « Reprendre… » pages are in
forms_app.reprise_views, the validators' decisions and campaign pages in
forms_app.campaign_views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from forms_app import idempotency, lifecycle, selectors
from forms_app.answering import (
    as_post,
    bound_answer_form,
    file_keys,
    holds_an_answer,
    typed_input,
)
from forms_app.complete_body import (
    INCOMPLETE_AUTOSAVE_MESSAGE,
    INCOMPLETE_PAGE_MESSAGE,
    body_is_complete,
)
from forms_app.form_builder import with_room_for_rows
from forms_app.households import indicators
from forms_app.models import Campaign, SubmissionFile, SubmissionStatus
from forms_app.presentation import answer_rows
from forms_app.revisions import posted_revision, stale_message
from portal import permissions
from portal.audit import AuditAction, audit_record
from portal.models import Organisation

ALL_ERRORS = frozenset({"*"})  # marker: show every field's errors
# The fill page's « Reprendre… » buttons: the draft is saved, then their confirmation page.
REPRISE_PAGES = {
    "indicators": "forms_app:answer_copy_indicators",
    "refill": "forms_app:household_document_refill",
}

ALREADY_SENT_MESSAGE = "Cette réponse a déjà été transmise : rien n'a été modifié."


STALE_MESSAGE = stale_message("Cette réponse a été modifiée")


def visible_submission(request, pk: int):
    """The answer if the person may see it (not found otherwise); a household document's
    access is traced. Every answer page starts with it."""
    submission = selectors.submission_with_history(submission_id=pk, user=request.user)
    if submission is None:
        raise Http404
    if submission.household_id:
        audit_record(
            user=request.user,
            action=AuditAction.READ if request.method == "GET" else AuditAction.EDIT,
            household=submission.household,
            submission=submission,
            request=request,
        )
    return submission


@login_required
@require_POST
def answer_start(request, campaign_id: int, organisation_id: int):
    """Opens (or reopens) the organisation's answer to a campaign."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not permissions.can_answer_for(request.user, organisation):
        raise PermissionDenied
    expected = selectors.campaign_respondents(campaign=campaign).filter(pk=organisation.pk)
    if not expected.exists():
        raise PermissionDenied
    if campaign.opens_on > selectors.today():
        messages.info(
            request, f"Cette campagne ouvre le {campaign.opens_on:%d/%m/%Y} : revenez à cette date."
        )
        return redirect("portal:mon_espace")
    submission = lifecycle.submission_start(
        campaign=campaign,
        organisation=organisation,
        user=request.user,
        creation_token=idempotency.posted_token(request),
    )
    return redirect("forms_app:answer_edit", pk=submission.pk)


@login_required
@never_cache
def answer_detail(request, pk: int):
    """The answer as filed, read-only, with its history and the validators' actions."""
    submission = visible_submission(request, pk)
    return TemplateResponse(
        request,
        "forms_app/answer_detail.html",
        {
            "submission": submission,
            "rows": answer_rows(submission),
            "transitions": submission.transitions.all(),
            "can_edit": permissions.can_edit_submission(request.user, submission),
            "can_reopen": permissions.can_reopen_submission(request.user, submission),
            "can_validate": permissions.can_validate_submission(request.user, submission)
            and submission.status == SubmissionStatus.SUBMITTED,
        },
    )


@login_required
@never_cache
def answer_edit(request, pk: int):
    """The fill page: draft saved on demand (and by the page's script), check, confirm."""
    submission = visible_submission(request, pk)
    if not permissions.can_edit_submission(request.user, submission):
        if permissions.can_view_submission(request.user, submission):
            if request.method == "POST":
                # A second click (or a second tab) arriving after the answer left the draft.
                messages.info(request, ALREADY_SENT_MESSAGE)
            return redirect("forms_app:answer_detail", pk=pk)
        raise PermissionDenied
    if request.method != "POST":
        return _render_edit(request, submission, bound_answer_form(submission))

    if not body_is_complete(request):
        return incomplete_page(request, submission)
    action = request.POST.get("action", "draft")
    revision = posted_revision(request)
    if action == "submit":  # the confirmation page sends no answer: it transmits the draft
        return _confirm_submit(request, submission, revision)
    sent = {**typed_input(request.POST), **{key: [] for key in request.FILES}}
    if _would_empty_the_draft(submission, sent):  # a file alone is an answer too
        return incomplete_page(request, submission)
    form = bound_answer_form(submission, data=request.POST, files=request.FILES)
    form.is_valid()
    keys = file_keys(submission)
    uploads = {key: request.FILES[key] for key in keys if key in request.FILES}
    rejected = {key for key in uploads if key in form.form.errors}
    try:
        submission = lifecycle.submission_keep_input(
            submission=submission,
            user=request.user,
            draft_input=typed_input(request.POST),
            uploads={key: file for key, file in uploads.items() if key not in rejected},
            expected_revision=revision,
        )
    except lifecycle.StaleSubmission:
        return stale_page(request, submission, form=form)
    except lifecycle.NotEditable:
        return redirect("forms_app:answer_detail", pk=pk)
    if (
        action in REPRISE_PAGES
        and not rejected
        and (action == "indicators" or submission.household_id)
    ):
        return redirect(REPRISE_PAGES[action], pk=pk)
    if action == "review":
        if form.is_valid() and not rejected:
            return _render_review(request, submission, form)
        messages.error(
            request, "Certaines réponses sont à corriger : voir les messages sous les champs."
        )
        return _render_edit(request, submission, form, error_keys=ALL_ERRORS)
    if rejected:
        messages.error(
            request, "Brouillon enregistré, sauf le fichier refusé : voir le message sous le champ."
        )
        return _render_edit(request, submission, form, error_keys=rejected)
    messages.success(request, "Brouillon enregistré.")
    return redirect("forms_app:answer_edit", pk=pk)


def stale_page(request, submission, *, form=None):
    """The fill page after a refused stale save: what was posted stays on the page (409)."""
    messages.error(request, STALE_MESSAGE)
    if form is None:
        form = bound_answer_form(submission, data=request.POST, files=request.FILES)
    return _render_edit(
        request, submission, form, revision=posted_revision(request), stale=True, status=409
    )


def _would_empty_the_draft(submission, typed: dict[str, list[str]]) -> bool:
    """A body with no answer of the form (only the page's controls, its row counts, keys it
    does not know) never replaces a saved draft: it is what a cut connection leaves."""
    return bool(submission.draft_input) and not holds_an_answer(
        schema=submission.form_version.schema, typed=typed
    )


def incomplete_page(request, submission):
    """The fill page after a refused incomplete body (cut connection, missing closing
    boundary): nothing is saved; what arrived is shown over the saved draft, with automatic
    saving off so that a later save is the person's own click (400)."""
    messages.error(request, INCOMPLETE_PAGE_MESSAGE)
    arrived = typed_input(request.POST)  # empty after a parse error
    shown = {**(submission.draft_input or {}), **arrived}
    schema = submission.form_version.schema
    form = bound_answer_form(
        submission, data=with_room_for_rows(schema, as_post(shown)) if shown else None
    )
    return _render_edit(
        request, submission, form, revision=posted_revision(request), autosave=False, status=400
    )


def _confirm_submit(request, submission, revision):
    form = bound_answer_form(submission)
    if not form.form.is_bound or not form.is_valid():
        messages.error(request, "Certaines réponses sont à corriger avant la transmission.")
        return _render_edit(request, submission, form, error_keys=ALL_ERRORS)
    try:
        lifecycle.submission_submit(
            submission=submission,
            user=request.user,
            data=form.cleaned_json(),
            draft_input=submission.draft_input,
            expected_revision=revision,
        )
    except lifecycle.NotEditable:
        messages.info(request, ALREADY_SENT_MESSAGE)
        return redirect("forms_app:answer_detail", pk=submission.pk)
    except lifecycle.StaleSubmission:
        messages.error(request, STALE_MESSAGE)
        return redirect("forms_app:answer_edit", pk=submission.pk)
    if submission.household_id:
        messages.success(request, "Document finalisé.")
        return redirect("forms_app:household_detail", pk=submission.household_id)
    messages.success(request, "Réponse transmise. Merci !")
    return redirect("forms_app:answer_detail", pk=submission.pk)


def _render_edit(
    request,
    submission,
    form,
    *,
    error_keys=frozenset(),
    revision=None,
    stale=False,
    autosave=True,
    status=200,
):
    """The fill page; ``error_keys`` says whose errors to show (ALL_ERRORS after a check).

    After a refused stale save the page keeps the revision it was built on and its
    automatic saving is off, so that nothing newer is overwritten by a later click.
    """
    computed = indicators.indicators_for_answer(submission)
    return TemplateResponse(
        request,
        "forms_app/answer_edit.html",
        {
            "submission": submission,
            "answer": form,
            "items": _items_with_fields(submission, form, error_keys, computed),
            "show_errors": error_keys is ALL_ERRORS,
            "revision": submission.revision if revision is None else revision,
            "stale": stale,
            "autosave": autosave and not stale,
            "stored_files": lifecycle.latest_files(submission),
            "last_return": submission.transitions.filter(to_status="renvoyee").last(),
            "indicators": computed,
            "indicator_labels": {i.key: i.label for i in indicators.FIELD_INDICATORS},
        },
        status=status,
    )


def _render_review(request, submission, form):
    return TemplateResponse(
        request,
        "forms_app/answer_review.html",
        {"submission": submission, "rows": answer_rows(submission, data=form.cleaned_json())},
    )


def _items_with_fields(submission, form, error_keys, computed) -> list[dict]:
    """The schema's items with their bound field or formset, in order, for the template."""
    items = []
    for item in submission.form_version.schema:
        value = item["value"]
        key = value.get("key")
        entry = {
            "type": item["type"],
            "value": value,
            "show_errors": error_keys is ALL_ERRORS or key in error_keys,
            "computed": computed.get(key),
        }
        if item["type"] == "group":
            entry["formset"] = form.groups[key]
        elif key in form.form.fields:
            entry["field"] = form.form[key]
        items.append(entry)
    return items


@login_required
@never_cache
@require_POST
def answer_autosave(request, pk: int):
    """The page's script saves the draft as people type (no files): JSON in, JSON out."""
    submission = visible_submission(request, pk)
    if not permissions.can_edit_submission(request.user, submission):
        return JsonResponse({"error": "Cette réponse n'est plus modifiable."}, status=403)
    if not body_is_complete(request):
        return JsonResponse({"error": INCOMPLETE_AUTOSAVE_MESSAGE}, status=400)
    typed = typed_input(request.POST)
    if _would_empty_the_draft(submission, typed):
        return JsonResponse({"error": INCOMPLETE_AUTOSAVE_MESSAGE}, status=400)
    try:
        submission = lifecycle.submission_save_draft(
            submission=submission,
            user=request.user,
            draft_input=typed,
            expected_revision=posted_revision(request),
        )
    except lifecycle.StaleSubmission:
        return JsonResponse({"error": STALE_MESSAGE}, status=409)
    except lifecycle.NotEditable:
        return JsonResponse({"error": "Cette réponse n'est plus modifiable."}, status=403)
    return JsonResponse({"revision": submission.revision, "saved_at": submission.updated_at})


@login_required
def answer_file(request, pk: int, file_id: int):
    """A file of an answer, for those who may see the answer; never cached."""
    stored = get_object_or_404(
        SubmissionFile.objects.select_related("submission__household"), pk=file_id, submission_id=pk
    )
    if not permissions.can_download_submission_file(request.user, stored):
        raise Http404
    audit_record(
        user=request.user,
        action=AuditAction.DOWNLOAD,
        household=stored.submission.household if stored.submission.household_id else None,
        submission=stored.submission,
        request=request,
        object_type="fichier d'une réponse",
        object_reference=f"fichier {stored.pk} « {stored.original_name} »",
    )
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name
    )
    response["Cache-Control"] = "no-store"
    return response
