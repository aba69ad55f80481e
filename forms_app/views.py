"""Respondents' and DIHAL's pages for answers. Thin: access via portal.permissions, writes
via forms_app.lifecycle, reads via forms_app.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from forms_app import lifecycle, selectors
from forms_app.answering import bound_answer_form, file_keys, typed_input
from forms_app.models import Campaign, SubmissionFile
from forms_app.presentation import answer_rows
from portal import permissions
from portal.models import Organisation

STALE_MESSAGE = (
    "Cette réponse a été modifiée entre-temps (dans un autre onglet ou par un collègue). "
    "Votre saisie n'a pas été enregistrée : rechargez la page pour repartir de la dernière "
    "version, puis reportez vos changements."
)


def _visible_submission(request, pk: int):
    submission = selectors.submission_with_history(submission_id=pk, user=request.user)
    if submission is None:
        raise Http404
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
    submission = lifecycle.submission_start(
        campaign=campaign, organisation=organisation, user=request.user
    )
    return redirect("forms_app:answer_edit", pk=submission.pk)


@login_required
def answer_detail(request, pk: int):
    """The answer as filed, read-only, with its history and the validators' actions."""
    submission = _visible_submission(request, pk)
    return TemplateResponse(
        request,
        "forms_app/answer_detail.html",
        {
            "submission": submission,
            "rows": answer_rows(submission),
            "transitions": submission.transitions.all(),
            "can_edit": permissions.can_edit_submission(request.user, submission),
            "can_validate": permissions.can_validate_submission(request.user, submission)
            and submission.status == "soumise",
        },
    )


@login_required
def answer_edit(request, pk: int):
    """The fill page: draft saved on demand (and by the page's script), check, confirm."""
    submission = _visible_submission(request, pk)
    if not permissions.can_edit_submission(request.user, submission):
        if permissions.can_view_submission(request.user, submission):
            return redirect("forms_app:answer_detail", pk=pk)
        raise PermissionDenied
    if request.method != "POST":
        return _render_edit(request, submission, bound_answer_form(submission), show_errors=False)

    action = request.POST.get("action", "draft")
    revision = int(request.POST.get("revision") or 0)
    if action == "submit":
        return _confirm_submit(request, submission, revision)
    form = bound_answer_form(submission, data=request.POST, files=request.FILES)
    try:
        submission = _keep_input(request, submission, form, revision)
    except lifecycle.StaleSubmission:
        messages.error(request, STALE_MESSAGE)
        return _render_edit(request, submission, form, show_errors=False, status=409)
    except lifecycle.NotEditable:
        return redirect("forms_app:answer_detail", pk=pk)
    if action == "review":
        if form.is_valid():
            return _render_review(request, submission, form)
        messages.error(
            request, "Certaines réponses sont à corriger : voir les messages sous les champs."
        )
        return _render_edit(request, submission, form, show_errors=True)
    messages.success(request, "Brouillon enregistré.")
    return redirect("forms_app:answer_edit", pk=pk)


def _keep_input(request, submission, form, revision):
    """Saves the typed input as the draft and stores every valid uploaded file."""
    submission = lifecycle.submission_save_draft(
        submission=submission,
        user=request.user,
        draft_input=typed_input(request.POST),
        expected_revision=revision,
    )
    form.form.is_valid()
    for key in file_keys(submission):
        uploaded = request.FILES.get(key)
        if uploaded is not None and key not in form.form.errors:
            lifecycle.submission_attach_file(
                submission=submission, user=request.user, key=key, uploaded=uploaded
            )
    return submission


def _confirm_submit(request, submission, revision):
    form = bound_answer_form(submission)
    if form.form.is_bound is False or not form.is_valid():
        messages.error(request, "Certaines réponses sont à corriger avant la transmission.")
        return _render_edit(request, submission, form, show_errors=True)
    try:
        lifecycle.submission_submit(
            submission=submission,
            user=request.user,
            data=form.cleaned_json(),
            draft_input=submission.draft_input,
            expected_revision=revision,
        )
    except lifecycle.NotEditable:
        messages.info(request, "Cette réponse a déjà été transmise.")
        return redirect("forms_app:answer_detail", pk=submission.pk)
    except lifecycle.StaleSubmission:
        messages.error(request, STALE_MESSAGE)
        return redirect("forms_app:answer_edit", pk=submission.pk)
    messages.success(request, "Réponse transmise. Merci !")
    return redirect("forms_app:answer_detail", pk=submission.pk)


def _render_edit(request, submission, form, *, show_errors: bool, status: int = 200):
    return TemplateResponse(
        request,
        "forms_app/answer_edit.html",
        {
            "submission": submission,
            "answer": form,
            "items": _items_with_fields(submission, form),
            "show_errors": show_errors,
            "stored_files": {stored.key: stored for stored in submission.files.all()},
            "last_return": submission.transitions.filter(to_status="renvoyee").last(),
        },
        status=status,
    )


def _render_review(request, submission, form):
    return TemplateResponse(
        request,
        "forms_app/answer_review.html",
        {"submission": submission, "rows": answer_rows(submission, data=form.cleaned_json())},
    )


def _items_with_fields(submission, form) -> list[dict]:
    """The schema's items with their bound field or formset, in order, for the template."""
    items = []
    for item in submission.form_version.schema:
        value = item["value"]
        entry = {"type": item["type"], "value": value}
        if item["type"] == "group":
            entry["formset"] = form.groups[value["key"]]
        elif "key" in value and value["key"] in form.form.fields:
            entry["field"] = form.form[value["key"]]
        items.append(entry)
    return items


@login_required
@require_POST
def answer_autosave(request, pk: int):
    """The page's script saves the draft as people type (no files): JSON in, JSON out."""
    submission = _visible_submission(request, pk)
    if not permissions.can_edit_submission(request.user, submission):
        return JsonResponse({"error": "Cette réponse n'est plus modifiable."}, status=403)
    try:
        submission = lifecycle.submission_save_draft(
            submission=submission,
            user=request.user,
            draft_input=typed_input(request.POST),
            expected_revision=int(request.POST.get("revision") or 0),
        )
    except lifecycle.StaleSubmission:
        return JsonResponse({"error": STALE_MESSAGE}, status=409)
    except lifecycle.NotEditable:
        return JsonResponse({"error": "Cette réponse n'est plus modifiable."}, status=403)
    return JsonResponse({"revision": submission.revision, "saved_at": submission.updated_at})


@login_required
def answer_file(request, pk: int, file_id: int):
    """A file of an answer, for those who may see the answer; never cached."""
    stored = get_object_or_404(SubmissionFile, pk=file_id, submission_id=pk)
    if not permissions.can_download_submission_file(request.user, stored):
        raise Http404
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def answer_return(request, pk: int):
    submission = _visible_submission(request, pk)
    if not permissions.can_validate_submission(request.user, submission):
        raise PermissionDenied
    comment = request.POST.get("comment", "").strip()
    if not comment:
        messages.error(request, "Indiquez ce qui est à corriger : le commentaire est obligatoire.")
        return redirect("forms_app:answer_detail", pk=pk)
    try:
        lifecycle.submission_return(submission=submission, user=request.user, comment=comment)
    except lifecycle.WrongStatus:
        messages.info(request, "Cette réponse n'est plus en attente de validation.")
        return redirect("forms_app:answer_detail", pk=pk)
    messages.success(request, "Réponse renvoyée pour correction.")
    return redirect("forms_app:campaign_answers", pk=submission.campaign_id)


@login_required
@require_POST
def answer_accept(request, pk: int):
    submission = _visible_submission(request, pk)
    if not permissions.can_validate_submission(request.user, submission):
        raise PermissionDenied
    try:
        lifecycle.submission_accept(submission=submission, user=request.user)
    except lifecycle.WrongStatus:
        messages.info(request, "Cette réponse n'est plus en attente de validation.")
        return redirect("forms_app:answer_detail", pk=pk)
    messages.success(request, "Réponse acceptée.")
    return redirect("forms_app:campaign_answers", pk=submission.campaign_id)


@login_required
def campaign_list(request):
    """DIHAL and prefectures: the campaigns they follow, with answer counts."""
    if not permissions.can_follow_campaigns(request.user):
        raise PermissionDenied
    campaigns = selectors.campaign_summaries(user=request.user)
    return TemplateResponse(request, "forms_app/campaign_list.html", {"campaigns": campaigns})


@login_required
def campaign_answers(request, pk: int):
    """The answers of one campaign within the person's territories, with their status."""
    campaign = get_object_or_404(selectors.campaigns_followed_by(user=request.user), pk=pk)
    answers = selectors.campaign_answers(campaign=campaign, user=request.user)
    return TemplateResponse(
        request,
        "forms_app/campaign_answers.html",
        {"campaign": campaign, "answers": answers, "counts": selectors.status_counts(answers)},
    )
