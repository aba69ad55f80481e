"""Synthetic demo answers for local development (never under production settings).

Every prefecture gets an answer to the lettre de préfiguration and to both bilans d'étape,
built as a person would type them, checked by the answer form, then stored through the
lifecycle services. The figures follow domain.md §6 scaled to a half-year; the operators
are invented associations and the signatories are titles, never real people's names.
A fixed random seed makes the data the same on every machine.

The content (texts, operators, ranges, outcomes) lives in ``demo/answers.yaml``; the plans
are drawn by ``lettre_plans``, ``bilan_plans``, ``teams`` and ``answer_plans`` beside this
module, which stores them.
"""

from __future__ import annotations

import random
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.datastructures import MultiValueDict

from demo.answer_content import demo_content
from demo.answer_plans import RETURN, SUBMIT, AnswerPlan, Step
from demo.bilan_plans import bilan_plans
from demo.lettre_plans import letter_pdf, lettre_plans
from demo.teams import team_profile_draw
from forms_app.form_builder import answer_form, input_items
from forms_app.lifecycle import (
    submission_accept,
    submission_attach_file,
    submission_return,
    submission_save_draft,
    submission_start,
    submission_submit,
)
from forms_app.models import Campaign, Submission, SubmissionTransition
from forms_app.selectors import campaign_respondents
from portal.models import OrganisationKind, User

DEMO_SEED = 2020
LETTRE_FILE_KEY = "lettre_signee_pdf"


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


@transaction.atomic
def demo_answers_load() -> int:
    """Creates the demo answers that are missing; returns how many were made.

    Refuses to run unless the settings allow demo data (never in production).
    """
    if not getattr(settings, "PORTAL_DEMO_DATA_ENABLED", False):
        raise ImproperlyConfigured("Demo data is disabled by these settings.")
    plans = _all_plans(rng=random.Random(DEMO_SEED))  # noqa: S311 - reproducible fake data
    reviewer = (
        User.objects.filter(memberships__organisation__kind=OrganisationKind.DIHAL)
        .order_by("pk")
        .first()
    )
    created = 0
    for plan in plans:
        exists = Submission.objects.filter(
            campaign=plan.campaign, organisation=plan.organisation
        ).exists()
        if not exists:
            _answer_create(plan=plan, reviewer=reviewer)
            created += 1
    return created


def _all_plans(*, rng: random.Random) -> list[AnswerPlan]:
    """Every answer's plan, drawn in a fixed order whatever already exists in the database."""
    campaigns = demo_content().campaigns
    lettre = Campaign.objects.filter(title=campaigns.lettre).first()
    bilans = {
        year: Campaign.objects.filter(title=title).first()
        for year, title in campaigns.bilans.items()
    }
    anchor = lettre or next((c for c in bilans.values() if c is not None), None)
    if anchor is None:
        return []
    respondents = sorted(campaign_respondents(campaign=anchor), key=lambda o: o.territory.code)
    teams = {org.pk: team_profile_draw(rng=rng, organisation=org) for org in respondents}
    plans: list[AnswerPlan] = []
    if lettre is not None:
        plans += lettre_plans(rng=rng, campaign=lettre, teams=teams)
    for year, campaign in bilans.items():
        if campaign is not None:
            plans += bilan_plans(rng=rng, campaign=campaign, year=year, teams=teams)
    return plans


# ---------------------------------------------------------------------------------------
# Storing a plan through the lifecycle services
# ---------------------------------------------------------------------------------------


def _answer_create(*, plan: AnswerPlan, reviewer: User | None) -> None:
    submission = submission_start(campaign=plan.campaign, organisation=plan.organisation, user=None)
    if plan.draft_share is not None:
        partial = _partial_post(submission=submission, post=plan.post, share=plan.draft_share)
        submission = submission_save_draft(
            submission=submission,
            user=None,
            draft_input=_typed(partial),
            expected_revision=submission.revision,
        )
    else:
        if plan.attach_letter:
            submission_attach_file(
                submission=submission,
                user=None,
                key=LETTRE_FILE_KEY,
                uploaded=letter_pdf(organisation=plan.organisation),
            )
        for step in plan.steps:
            submission = _step_apply(submission=submission, plan=plan, step=step, reviewer=reviewer)
    _dates_set(submission=submission, plan=plan)


def _step_apply(
    *, submission: Submission, plan: AnswerPlan, step: Step, reviewer: User | None
) -> Submission:
    if step.action == SUBMIT:
        typed = _typed(plan.post)
        return submission_submit(
            submission=submission,
            user=None,
            data=_checked_data(submission=submission, typed=typed, plan=plan),
            draft_input=typed,
            expected_revision=submission.revision,
        )
    if step.action == RETURN:
        return submission_return(
            submission=submission,
            user=reviewer,
            comment=step.comment,
            expected_revision=submission.revision,
        )
    return submission_accept(
        submission=submission,
        user=reviewer,
        comment=step.comment,
        expected_revision=submission.revision,
    )


def _checked_data(*, submission: Submission, typed: dict[str, list[str]], plan: AnswerPlan) -> dict:
    """The answer as stored JSON, after the same checks as the fill page makes."""
    files = (
        {LETTRE_FILE_KEY: letter_pdf(organisation=plan.organisation)}
        if plan.attach_letter
        else None
    )
    form = answer_form(
        schema=submission.form_version.schema, data=MultiValueDict(typed), files=files
    )
    if not form.is_valid():
        raise ValueError(f"Invalid demo answer for {plan.organisation}: {form.errors_by_key()}")
    return form.cleaned_json()


def _dates_set(*, submission: Submission, plan: AnswerPlan) -> None:
    """Moves the answer's dates to the campaign's time instead of today's."""
    transitions = list(submission.transitions.order_by("pk"))
    for transition, step in zip(transitions, plan.steps, strict=True):
        SubmissionTransition.objects.filter(pk=transition.pk).update(at=step.at)
    submits = [step.at for step in plan.steps if step.action == SUBMIT]
    last = plan.steps[-1].at if plan.steps else plan.draft_saved_at
    Submission.objects.filter(pk=submission.pk).update(
        created_at=plan.created_at,
        updated_at=last,
        submitted_at=submits[-1] if submits else None,
    )


def _typed(post: dict[str, Any]) -> dict[str, list[str]]:
    """A POST-like dict in the shape the fill page stores it: every value a list."""
    return {key: value if isinstance(value, list) else [value] for key, value in post.items()}


def _partial_post(*, submission: Submission, post: dict[str, Any], share: float) -> dict[str, Any]:
    """The first part of the answer, in the form's order: what a person typed so far."""
    keys = [item["value"]["key"] for item in input_items(submission.form_version.schema)]
    kept = set(keys[: max(1, round(len(keys) * share))])
    return {
        key: value for key, value in post.items() if key in kept or key.split("-", 1)[0] in kept
    }
