"""Validators' and followers' pages: deciding on a transmitted answer (return, accept),
the campaigns followed, their tracker and reminders. Thin: access via portal.permissions,
writes via forms_app.lifecycle and forms_app.reminders, reads via forms_app.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from forms_app import lifecycle, reminders, selectors, tracker
from forms_app.revisions import posted_revision
from forms_app.tracker_map import territory_map_html
from forms_app.views import visible_submission
from portal import permissions

CHANGED_SINCE_READ = (
    "Cette réponse a changé depuis que vous l'avez ouverte, ou n'est plus en attente de "
    "validation : relisez-la avant de décider."
)


def _decide(request, pk: int, *, decision, done: str, **arguments):
    """Runs a validator's decision on the answer they read, then goes back to the campaign."""
    submission = visible_submission(request, pk)
    if not permissions.can_validate_submission(request.user, submission):
        raise PermissionDenied
    try:
        decision(
            submission=submission,
            user=request.user,
            expected_revision=posted_revision(request),
            **arguments,
        )
    except (lifecycle.WrongStatus, lifecycle.StaleSubmission):
        messages.info(request, CHANGED_SINCE_READ)
        return redirect("forms_app:answer_detail", pk=pk)
    messages.success(request, done)
    return redirect("forms_app:campaign_answers", pk=submission.campaign_id)


@login_required
@require_POST
def answer_return(request, pk: int):
    """Sends the answer back for correction, with the comment its authors will read."""
    # A multi-line comment: what is typed before it (a tab, a line break) is kept.
    comment = request.POST.get("comment", "").rstrip()
    if not comment.strip():
        if not permissions.can_validate_submission(request.user, visible_submission(request, pk)):
            raise PermissionDenied
        messages.error(request, "Indiquez ce qui est à corriger : le commentaire est obligatoire.")
        return redirect("forms_app:answer_detail", pk=pk)
    return _decide(
        request,
        pk,
        decision=lifecycle.submission_return,
        done="Réponse renvoyée pour correction.",
        comment=comment,
    )


@login_required
@require_POST
def answer_accept(request, pk: int):
    """Accepts the answer."""
    return _decide(request, pk, decision=lifecycle.submission_accept, done="Réponse acceptée.")


@login_required
def campaign_list(request):
    """DIHAL and prefectures: the campaigns they follow, with answer counts."""
    if not permissions.can_follow_campaigns(request.user):
        raise PermissionDenied
    campaigns = selectors.campaign_summaries(user=request.user)
    return TemplateResponse(request, "forms_app/campaign_list.html", {"campaigns": campaigns})


@login_required
def campaign_answers(request, pk: int):
    """The campaign tracker: counts, the map and the rows of the person's territories."""
    if not permissions.can_follow_campaigns(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(selectors.campaigns_followed_by(user=request.user), pk=pk)
    followed = tracker.campaign_tracker(campaign=campaign, user=request.user)
    return TemplateResponse(
        request,
        "forms_app/campaign_answers.html",
        {
            "campaign": campaign,
            "tracker": followed,
            "map_html": territory_map_html(shown=followed),
            "can_remind": permissions.can_remind_campaign(request.user, campaign),
            "today": selectors.today(),
        },
    )


@login_required
@require_POST
def campaign_remind(request, pk: int):
    """« Relancer les retardataires »: e-mails the late respondents the person follows."""
    if not permissions.can_follow_campaigns(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(selectors.campaigns_followed_by(user=request.user), pk=pk)
    report = reminders.campaign_remind_late(campaign=campaign, user=request.user)
    notify = messages.success if report.reminded else messages.info
    notify(request, reminders.report_message(report))
    return redirect("forms_app:campaign_answers", pk=campaign.pk)
