"""Reads of campaigns and answers, always through the permissions module's querysets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from forms_app.models import Campaign, Filler, Submission, SubmissionStatus
from portal import permissions
from portal.models import Organisation, OrganisationKind, User

FILLER_KIND = {
    Filler.PREFECTURE: OrganisationKind.PREFECTURE,
    Filler.OPERATEUR: OrganisationKind.OPERATEUR,
}


def today() -> datetime.date:
    return timezone.localdate()


def campaign_respondents(*, campaign: Campaign) -> QuerySet[Organisation]:
    """The organisations expected to answer: the campaign's list, or by default every
    prefecture (or every operator) according to who fills the form."""
    chosen = campaign.expected.all()
    if chosen.exists():
        return chosen.select_related("territory")
    filler = getattr(
        getattr(campaign.form, "advanced_settings", None), "filled_by", Filler.PREFECTURE
    )
    return Organisation.objects.filter(kind=FILLER_KIND[filler]).select_related("territory")


@dataclass(frozen=True)
class ExpectedAnswer:
    campaign: Campaign
    organisation: Organisation
    submission: Submission | None

    @property
    def status_label(self) -> str:
        return self.submission.get_status_display() if self.submission else "À commencer"

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "a_commencer"

    @property
    def is_done(self) -> bool:
        return self.submission is not None and not self.submission.is_editable

    @property
    def is_late(self) -> bool:
        return not self.is_done and self.campaign.due_on < today()

    @property
    def is_open(self) -> bool:
        return self.campaign.opens_on <= today()

    @property
    def submitted_late(self) -> bool:
        submitted_at = self.submission.submitted_at if self.submission else None
        return submitted_at is not None and timezone.localdate(submitted_at) > self.campaign.due_on

    @property
    def days_left(self) -> int:
        return (self.campaign.due_on - today()).days


def expected_answers_for(*, user: User) -> list[ExpectedAnswer]:
    """What a prefecture or operator person has to answer, late ones first."""
    organisations = list(permissions.respondent_organisations(user).select_related("territory"))
    if not organisations:
        return []
    campaigns = Campaign.objects.select_related("form__advanced_settings").prefetch_related(
        "expected"
    )
    submissions = {
        (submission.campaign_id, submission.organisation_id): submission
        for submission in Submission.objects.filter(
            organisation__in=organisations, campaign__isnull=False
        ).only("pk", "campaign_id", "organisation_id", "status", "submitted_at")
    }
    rows = []
    for campaign in campaigns:
        chosen = {organisation.pk for organisation in campaign.expected.all()}
        settings_ = getattr(campaign.form, "advanced_settings", None)
        filler = settings_.filled_by if settings_ else Filler.PREFECTURE
        for organisation in organisations:
            expected = (
                organisation.pk in chosen if chosen else organisation.kind == FILLER_KIND[filler]
            )
            if expected:
                rows.append(
                    ExpectedAnswer(
                        campaign=campaign,
                        organisation=organisation,
                        submission=submissions.get((campaign.pk, organisation.pk)),
                    )
                )
    return sorted(rows, key=lambda row: (row.is_done, not row.is_late, row.campaign.due_on))


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    expected: int
    counts: dict[str, int]

    @property
    def transmitted(self) -> int:
        """Answers transmitted, accepted ones included."""
        return self.counts[SubmissionStatus.SUBMITTED] + self.counts[SubmissionStatus.ACCEPTED]

    @property
    def late(self) -> int:
        """Answers not transmitted although the due date has passed."""
        return self.expected - self.transmitted if self.campaign.due_on < today() else 0


def campaign_summaries(*, user: User) -> list[CampaignSummary]:
    """Every followed campaign with its expected and per-status counts, in a fixed number of
    queries whatever the number of campaigns."""
    territories = permissions.territories_followed_by(user)
    campaigns = list(
        campaigns_followed_by(user=user)
        .select_related("form__advanced_settings")
        .annotate(
            chosen_any=Count("expected", distinct=True),
            chosen_followed=Count(
                "expected", filter=Q(expected__territory__in=territories), distinct=True
            ),
        )
    )
    respondents_by_kind = dict(
        Organisation.objects.filter(territory__in=territories)
        .values_list("kind")
        .annotate(total=Count("pk"))
    )
    statuses: dict[int, dict[str, int]] = {}
    visible = permissions.submissions_visible_to(user).filter(campaign__in=campaigns)
    for campaign_id, status, total in visible.values_list("campaign_id", "status").annotate(
        total=Count("pk")
    ):
        statuses.setdefault(campaign_id, {})[status] = total
    return [
        _summary(campaign, respondents_by_kind, statuses.get(campaign.pk, {}))
        for campaign in campaigns
    ]


def _summary(campaign, respondents_by_kind: dict, statuses: dict[str, int]) -> CampaignSummary:
    if campaign.chosen_any:
        expected = campaign.chosen_followed
    else:
        settings_ = getattr(campaign.form, "advanced_settings", None)
        filler = settings_.filled_by if settings_ else Filler.PREFECTURE
        expected = respondents_by_kind.get(FILLER_KIND[filler], 0)
    counts = {status: 0 for status in ("a_commencer", *SubmissionStatus.values)}
    counts.update(statuses)
    counts["a_commencer"] = max(expected - sum(statuses.values()), 0)
    return CampaignSummary(campaign=campaign, expected=expected, counts=counts)


def campaigns_followed_by(*, user: User) -> QuerySet[Campaign]:
    if not permissions.can_follow_campaigns(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("form")


def campaign_answers(*, campaign: Campaign, user: User) -> list[ExpectedAnswer]:
    """Each expected respondent the person follows, with its answer if any."""
    territories = permissions.territories_followed_by(user)
    respondents = campaign_respondents(campaign=campaign).filter(territory__in=territories)
    # Where each answer stands, never what it says: the answers' data stay in the database
    # (the largest columns by far; decoding them was most of the tracker's reading).
    visible = (
        permissions.submissions_visible_to(user)
        .filter(campaign=campaign)
        .defer("data", "draft_input")
    )
    submissions = {submission.organisation_id: submission for submission in visible}
    return [
        ExpectedAnswer(
            campaign=campaign,
            organisation=organisation,
            submission=submissions.get(organisation.pk),
        )
        for organisation in respondents.order_by("territory__code", "name")
    ]


def submission_with_history(*, submission_id: int, user: User) -> Submission | None:
    """One answer the person may see, with its campaign, form version and transitions."""
    return (
        permissions.submissions_visible_to(user)
        .select_related(
            "campaign__form__advanced_settings",
            "organisation",
            "territory",
            "form_version__form",
            "household",
        )
        .prefetch_related(Prefetch("transitions"), "files")
        .filter(pk=submission_id)
        .first()
    )


def status_counts(answers: list[ExpectedAnswer]) -> dict[str, int]:
    counts = {status: 0 for status in ("a_commencer", *SubmissionStatus.values)}
    for answer in answers:
        counts[answer.status] += 1
    return counts
