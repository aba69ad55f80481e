"""Reminders to a campaign's respondents: who is late, the record of each reminder (at
most one per respondent and day, held by the database's unique constraint) and the French
e-mail to the respondent's members, sent in the background by django-tasks. Reminders go
when someone clicks « Relancer les retardataires » and, every morning, automatically: the
campaign's ``reminder_days_before`` the due date to those who have not transmitted yet,
and ``reminder_days_after`` it to those still late (``scheduled_reminders_send``, a daily
job of portal.schedule).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from forms_app import selectors
from forms_app.models import Campaign, CampaignReminder, Submission, SubmissionStatus
from portal import permissions
from portal.models import Organisation, User

TRANSMITTED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


@dataclass(frozen=True)
class ReminderReport:
    """What one click on « Relancer les retardataires » did."""

    reminded: tuple[Organisation, ...]
    already_reminded: tuple[Organisation, ...]  # earlier today: nothing sent again
    without_recipients: tuple[Organisation, ...]  # no active member to write to

    @property
    def late(self) -> int:
        return len(self.reminded) + len(self.already_reminded) + len(self.without_recipients)


def late_respondents(*, campaign: Campaign, user: User) -> list[Organisation]:
    """The respondents the person follows whose answer is not transmitted by the due date."""
    return [
        answer.organisation
        for answer in selectors.campaign_answers(campaign=campaign, user=user)
        if answer.is_late
    ]


def active_members(organisation: Organisation):
    """The people a reminder writes to: the organisation's active members with an address."""
    return (
        User.objects.filter(memberships__organisation=organisation, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("email")
    )


def campaign_remind_late(*, campaign: Campaign, user: User) -> ReminderReport:
    """Reminds the campaign's late respondents that ``user`` follows (a prefecture: its
    territory's), once a day each: records a CampaignReminder per respondent and, once the
    records are committed, enqueues one task per respondent that e-mails its members.

    Respondents reminded earlier the same day, by anyone, are skipped; so is a respondent
    without an active member. Raises PermissionDenied for those who may not remind.
    """
    if not permissions.can_remind_campaign(user, campaign):
        raise PermissionDenied
    today = selectors.today()
    late = late_respondents(campaign=campaign, user=user)
    members = _active_member_counts([organisation.pk for organisation in late])
    done_today = set(
        CampaignReminder.objects.filter(
            campaign=campaign, sent_on=today, organisation__in=late
        ).values_list("organisation_id", flat=True)
    )
    reminded, already, unreachable = [], [], []
    for organisation in late:
        if organisation.pk in done_today:
            already.append(organisation)
        elif not members.get(organisation.pk):
            unreachable.append(organisation)
        elif (
            reminder := reminder_record(
                campaign=campaign,
                organisation=organisation,
                today=today,
                user=user,
                recipients=members[organisation.pk],
            )
        ) is None:
            already.append(organisation)  # another click recorded it in the meantime
        else:
            reminded.append(organisation)
            transaction.on_commit(partial(send_campaign_reminder.enqueue, reminder.pk))
    return ReminderReport(tuple(reminded), tuple(already), tuple(unreachable))


def _active_member_counts(organisation_ids: list[int]) -> dict[int, int]:
    if not organisation_ids:
        return {}
    return dict(
        Organisation.objects.filter(pk__in=organisation_ids)
        .annotate(
            active=Count(
                "memberships__user",
                filter=Q(memberships__user__is_active=True) & ~Q(memberships__user__email=""),
                distinct=True,
            )
        )
        .values_list("pk", "active")
    )


def reminder_record(
    *,
    campaign: Campaign,
    organisation: Organisation,
    today: datetime.date,
    user: User | None,
    recipients: int,
) -> CampaignReminder | None:
    """Today's reminder of the respondent, or None when it already exists (the unique
    constraint decides between two simultaneous clicks)."""
    try:
        with transaction.atomic():
            return CampaignReminder.objects.create(
                campaign=campaign,
                organisation=organisation,
                sent_on=today,
                sent_by=user,
                recipients=recipients,
            )
    except IntegrityError:
        return None


def scheduled_reminders_send(*, today: datetime.date) -> int:
    """Today's automatic reminders: for each opened campaign whose due date is its
    ``reminder_days_before`` ahead or its ``reminder_days_after`` behind, records a reminder
    (sent by no one) for each expected respondent that has not transmitted and has an
    active member, then enqueues its e-mail once committed. Returns how many were recorded;
    a respondent already reminded today (a click) gets nothing more."""
    recorded = 0
    for campaign in reminder_campaigns(today=today):
        transmitted = Submission.objects.filter(
            campaign=campaign, status__in=TRANSMITTED
        ).values_list("organisation_id", flat=True)
        waiting = list(
            selectors.campaign_respondents(campaign=campaign).exclude(pk__in=transmitted)
        )
        members = _active_member_counts([organisation.pk for organisation in waiting])
        for organisation in waiting:
            if not members.get(organisation.pk):
                continue
            reminder = reminder_record(
                campaign=campaign,
                organisation=organisation,
                today=today,
                user=None,
                recipients=members[organisation.pk],
            )
            if reminder is not None:
                recorded += 1
                transaction.on_commit(partial(send_campaign_reminder.enqueue, reminder.pk))
    return recorded


def reminder_campaigns(*, today: datetime.date) -> list[Campaign]:
    """The opened campaigns with an automatic reminder today (before or after the due
    date; a setting of 0 days means none)."""
    window = datetime.timedelta(days=60)  # the fields' maximum
    candidates = Campaign.objects.filter(
        opens_on__lte=today, due_on__range=(today - window, today + window)
    ).select_related("form__advanced_settings")
    return [
        campaign
        for campaign in candidates
        if (
            campaign.reminder_days_before
            and (campaign.due_on - today).days == campaign.reminder_days_before
        )
        or (
            campaign.reminder_days_after
            and (today - campaign.due_on).days == campaign.reminder_days_after
        )
    ]


@task()
def scheduled_reminders_task() -> int:
    """The automatic reminders of the day, as a daily job (portal.schedule)."""
    return scheduled_reminders_send(today=selectors.today())


@task()
def send_campaign_reminder(reminder_id: int) -> int:
    """Sends one recorded reminder: an e-mail to each active member of the respondent.
    Returns how many were sent; none when the answer was transmitted in the meantime."""
    reminder = (
        CampaignReminder.objects.select_related("campaign", "organisation")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:
        return 0
    submission = Submission.objects.filter(
        campaign=reminder.campaign, organisation=reminder.organisation
    ).first()
    recipients = (
        []
        if submission and submission.status in TRANSMITTED
        else list(active_members(reminder.organisation))
    )
    messages = [
        reminder_email(reminder=reminder, recipient=recipient, submission=submission)
        for recipient in recipients
    ]
    sent = get_connection().send_messages(messages) if messages else 0
    CampaignReminder.objects.filter(pk=reminder.pk).update(recipients=sent or 0)
    return sent or 0


def reminder_email(
    *, reminder: CampaignReminder, recipient: User, submission: Submission | None
) -> EmailMultiAlternatives:
    """The reminder as one person reads it, in French: campaign, due date, delay, link."""
    campaign = reminder.campaign
    context = {
        "campaign": campaign,
        "organisation": reminder.organisation,
        "recipient": recipient,
        "submission": submission,
        # Negative before the due date (a scheduled reminder): the e-mail says how many days
        # are left instead of how late the answer is.
        "days_late": (reminder.sent_on - campaign.due_on).days,
        "days_left": (campaign.due_on - reminder.sent_on).days,
        "personal_space_url": personal_space_url(),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    with translation.override("fr"):
        subject = render_to_string("forms_app/emails/campaign_reminder_subject.txt", context)
        text = render_to_string("forms_app/emails/campaign_reminder.txt", context)
        html = render_to_string("forms_app/emails/campaign_reminder.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[recipient.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def personal_space_url() -> str:
    """The absolute address of « Mon espace », where respondents answer."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:mon_espace")


def report_message(report: ReminderReport) -> str:
    """The French sentence shown after a click on « Relancer les retardataires »."""
    if not report.late:
        return "Aucune réponse en retard : personne à relancer."
    parts = []
    if report.reminded:
        parts.append(f"Relance envoyée à {_organisations(len(report.reminded))} en retard.")
    if report.already_reminded:
        count = len(report.already_reminded)
        parts.append(
            f"{_organisations(count)} déjà relancée{'s' if count > 1 else ''} aujourd'hui : "
            "pas de nouvel envoi."
        )
    if report.without_recipients:
        count = len(report.without_recipients)
        parts.append(
            f"{_organisations(count)} sans membre actif : aucun courriel possible, "
            f"contactez-{'les' if count > 1 else 'la'} directement."
        )
    return " ".join(part[0].upper() + part[1:] for part in parts)


def _organisations(count: int) -> str:
    return f"{count} organisation{'s' if count > 1 else ''}"
