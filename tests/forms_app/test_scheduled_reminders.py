"""Automatic reminders: N days before the due date to respondents who have not transmitted,
M days after it to those still late, once a day each (a click the same day counts), by no
one; and the daily schedule that enqueues them with the purge, once per day."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from forms_app import reminders, selectors
from forms_app.models import Campaign, CampaignReminder, Submission, SubmissionStatus
from portal.models import Organisation, OrganisationKind, Role, ScheduledRun
from portal.schedule import scheduled_jobs_run
from tests.factories import PersonFactory, prefecture, seeded_answer

BILAN_2022 = "Bilan d'étape 2022"


def _waiting_with_members(campaign: Campaign) -> set[int]:
    transmitted = Submission.objects.filter(
        campaign=campaign, status__in=["soumise", "acceptee"]
    ).values("organisation_id")
    waiting = Organisation.objects.filter(kind=OrganisationKind.PREFECTURE).exclude(
        pk__in=transmitted
    )
    return set(
        waiting.filter(memberships__user__is_active=True)
        .exclude(memberships__user__email="")
        .values_list("pk", flat=True)
    )


@pytest.fixture
def bilan(demo_accounts) -> Campaign:
    """The 2022 campaign, opened, with a draft in Isère and an accepted answer in the Rhône
    (whose member must hear nothing)."""
    seeded_answer(BILAN_2022, "38", status=SubmissionStatus.DRAFT)
    PersonFactory(organisation=prefecture("69"), role=Role.RESPONSABLE)
    seeded_answer(BILAN_2022, "69", status=SubmissionStatus.ACCEPTED)
    campaign = Campaign.objects.get(title=BILAN_2022)
    campaign.opens_on = selectors.today() - datetime.timedelta(days=30)
    campaign.save(update_fields=["opens_on"])
    return campaign


def _due_in(campaign: Campaign, days: int) -> None:
    campaign.due_on = selectors.today() + datetime.timedelta(days=days)
    campaign.save(update_fields=["due_on"])


def _run(capture) -> int:
    with capture(execute=True):
        return reminders.scheduled_reminders_send(today=selectors.today())


def test_before_the_due_date_those_not_transmitted_get_a_french_reminder(
    bilan, django_capture_on_commit_callbacks
):
    _due_in(bilan, bilan.reminder_days_before)
    expected = _waiting_with_members(bilan)
    assert expected and prefecture("69").pk not in expected

    recorded = _run(django_capture_on_commit_callbacks)

    rows = CampaignReminder.objects.filter(campaign=bilan)
    assert recorded == len(expected) == rows.count()
    assert set(rows.values_list("organisation_id", flat=True)) == expected
    assert set(rows.values_list("sent_by", flat=True)) == {None}
    rhone = set(prefecture("69").memberships.values_list("user__email", flat=True))
    assert mail.outbox and not rhone & {a for m in mail.outbox for a in m.to}
    for message in mail.outbox:
        assert message.subject.startswith("Rappel")
        assert "La date limite approche" in message.body
        assert f"dans {bilan.reminder_days_before} jours" in message.body
        assert "de retard" not in message.body
        assert "La date limite approche" in message.alternatives[0][0]


def test_after_the_due_date_the_late_ones_get_a_reminder_saying_how_late(
    bilan, django_capture_on_commit_callbacks
):
    _due_in(bilan, -bilan.reminder_days_after)

    recorded = _run(django_capture_on_commit_callbacks)

    assert recorded == len(_waiting_with_members(bilan))
    assert mail.outbox
    for message in mail.outbox:
        assert message.subject.startswith("Relance")
        assert f"{bilan.reminder_days_after} jours de retard" in message.body
        assert "approche" not in message.body


@pytest.mark.parametrize("days", [8, 6, 0, -2, -4])
def test_other_days_send_nothing(bilan, django_capture_on_commit_callbacks, days):
    _due_in(bilan, days)
    assert _run(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox and not CampaignReminder.objects.filter(campaign=bilan).exists()


def test_zero_days_means_no_automatic_reminder(bilan, django_capture_on_commit_callbacks):
    bilan.reminder_days_before = 0
    bilan.save(update_fields=["reminder_days_before"])
    _due_in(bilan, 0)
    assert _run(django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_a_respondent_reminded_by_a_click_today_gets_nothing_more(
    bilan, client, login, django_capture_on_commit_callbacks
):
    _due_in(bilan, -bilan.reminder_days_after)
    login("dihal@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/suivi/campagnes/{bilan.pk}/relancer/")
    sent, clicked = len(mail.outbox), CampaignReminder.objects.count()
    assert sent and clicked

    assert _run(django_capture_on_commit_callbacks) == 0

    assert len(mail.outbox) == sent and CampaignReminder.objects.count() == clicked
    assert not CampaignReminder.objects.filter(sent_by=None).exists()


def test_the_days_are_validated_next_to_their_field(bilan):
    bilan.reminder_days_after = 61
    with pytest.raises(ValidationError) as raised:
        bilan.full_clean()
    assert "reminder_days_after" in raised.value.message_dict
    assert "reminder_days_before" not in raised.value.message_dict


def _at(hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(selectors.today(), datetime.time(hour)))


def test_the_schedule_enqueues_the_day_jobs_once_after_the_hour(
    bilan, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_SCHEDULE_HOUR = 6
    _due_in(bilan, bilan.reminder_days_before)

    assert scheduled_jobs_run(now=_at(5)) == []
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = scheduled_jobs_run(now=_at(7))
    assert set(enqueued) == {"purge", "relances", "sessions"}
    assert set(ScheduledRun.objects.values_list("job", "day")) == {
        ("purge", selectors.today()),
        ("relances", selectors.today()),
        ("sessions", selectors.today()),
    }
    assert CampaignReminder.objects.filter(campaign=bilan, sent_by=None).exists()
    assert scheduled_jobs_run(now=_at(7)) == []
    assert scheduled_jobs_run(now=_at(23)) == []
    assert ScheduledRun.objects.count() == 3


def test_the_command_for_a_system_timer_runs_the_same_schedule(bilan, settings):
    settings.PORTAL_SCHEDULE_HOUR = 0
    call_command("run_scheduled_jobs")
    call_command("run_scheduled_jobs")
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == [
        "purge",
        "relances",
        "sessions",
    ]


def test_an_editor_sets_the_reminder_days_where_campaigns_are_edited(bilan, client, login):
    _due_in(bilan, 10)
    login("dihal@demo.test")
    url = f"/admin/snippets/forms_app/campaign/edit/{bilan.pk}/"
    page = client.get(url).content.decode()
    assert 'name="reminder_days_before"' in page and 'name="reminder_days_after"' in page
    fields = {
        "title": bilan.title,
        "form": bilan.form_id,
        "opens_on": f"{bilan.opens_on:%Y-%m-%d}",
        "due_on": f"{bilan.due_on:%Y-%m-%d}",
        "reminder_days_before": 0,
        "reminder_days_after": 5,
    }
    assert client.post(url, fields).status_code == 302
    bilan.refresh_from_db()
    assert (bilan.reminder_days_before, bilan.reminder_days_after) == (0, 5)
    refused = client.post(url, {**fields, "reminder_days_after": 90})
    assert refused.status_code == 200 and 'name="reminder_days_after"' in refused.content.decode()
    bilan.refresh_from_db()
    assert bilan.reminder_days_after == 5
