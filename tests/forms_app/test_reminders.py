"""« Relancer les retardataires »: one French e-mail per member of each late respondent, at
most once a day, recorded; a prefecture reminds its territory only; operators cannot."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import Q

from forms_app import reminders, selectors
from forms_app.models import Campaign, CampaignReminder, Submission, SubmissionStatus
from portal.models import Organisation, OrganisationKind, Role, User
from tests.factories import PersonFactory, prefecture, seeded_answer

BILAN_2022 = "Bilan d'étape 2022"
FRENCH_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def _in_words(day: datetime.date) -> str:
    return f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"


def _late(campaign: Campaign, *, territory: str | None = None) -> list[Organisation]:
    """Prefectures whose answer is not transmitted, from the Submission rows."""
    transmitted = Submission.objects.filter(
        campaign=campaign, status__in=["soumise", "acceptee"]
    ).values("organisation_id")
    late = Organisation.objects.filter(kind=OrganisationKind.PREFECTURE).exclude(pk__in=transmitted)
    return list(late.filter(territory__code=territory) if territory else late)


def _addresses(organisations: list[Organisation]) -> list[str]:
    return sorted(
        User.objects.filter(memberships__organisation__in=organisations, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def bilan_2022(demo_accounts) -> Campaign:
    """Late answers of the demo prefectures (a draft in Isère, one returned in Seine-Saint-
    Denis) and, in the Rhône, a member whose prefecture's answer is accepted."""
    seeded_answer(BILAN_2022, "38", status=SubmissionStatus.DRAFT)
    seeded_answer(BILAN_2022, "93", status=SubmissionStatus.RETURNED)
    PersonFactory(organisation=prefecture("69"), role=Role.RESPONSABLE)
    seeded_answer(BILAN_2022, "69", status=SubmissionStatus.ACCEPTED)
    campaign = Campaign.objects.get(title=BILAN_2022)
    assert campaign.due_on < selectors.today()
    return campaign


def _remind(client, campaign: Campaign, capture):
    """One click on the button; the tasks run once the request's writes are committed."""
    with capture(execute=True):
        return client.post(f"/suivi/campagnes/{campaign.pk}/relancer/")


def test_dihal_reminds_every_late_respondent_member_by_mail(
    client, login, bilan_2022, django_capture_on_commit_callbacks
):
    login("dihal@demo.test")
    late = _late(bilan_2022)
    assert _addresses(late), "the demo has late prefectures with members"

    response = _remind(client, bilan_2022, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == f"/suivi/campagnes/{bilan_2022.pk}/"
    assert _sent_to() == _addresses(late)
    assert all(len(message.to) == 1 for message in mail.outbox), "one e-mail per person"
    reached = [o for o in late if _addresses([o])]
    recorded = CampaignReminder.objects.filter(campaign=bilan_2022)
    assert sorted(recorded.values_list("organisation_id", flat=True)) == sorted(
        o.pk for o in reached
    )
    assert {r.sent_on for r in recorded} == {selectors.today()}
    assert {r.sent_by.email for r in recorded} == {"dihal@demo.test"}
    for reminder in recorded:
        assert reminder.recipients == len(_addresses([reminder.organisation]))
    page = client.get(response["Location"]).content.decode()
    assert page.count(f'data-reminded-on="{selectors.today():%Y-%m-%d}"') == len(reached)


def test_the_mail_is_french_and_names_the_campaign_due_date_and_delay(
    client, login, bilan_2022, django_capture_on_commit_callbacks
):
    login("dihal@demo.test")
    _remind(client, bilan_2022, django_capture_on_commit_callbacks)
    assert mail.outbox
    due = _in_words(bilan_2022.due_on)
    days_late = (selectors.today() - bilan_2022.due_on).days
    for message in mail.outbox:
        assert BILAN_2022 in message.subject and due in message.subject
        assert BILAN_2022 in message.body and due in message.body
        assert f"{days_late} jours" in message.body
        assert f"{settings.PORTAL_BASE_URL}/mon-espace/" in message.body
        assert "Bonjour" in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html" and due in html and 'lang="fr"' in html


def test_a_second_click_the_same_day_sends_and_records_nothing_more(
    client, login, bilan_2022, django_capture_on_commit_callbacks
):
    login("dihal@demo.test")
    _remind(client, bilan_2022, django_capture_on_commit_callbacks)
    sent, recorded = len(mail.outbox), CampaignReminder.objects.count()
    assert sent and recorded

    response = _remind(client, bilan_2022, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert len(mail.outbox) == sent
    assert CampaignReminder.objects.count() == recorded
    # Nor when the other follower of the territory clicks the same day.
    client.logout()
    login("prefecture93@demo.test")
    _remind(client, bilan_2022, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == sent
    assert CampaignReminder.objects.count() == recorded


def test_the_next_day_reminds_again(
    client, login, bilan_2022, django_capture_on_commit_callbacks, monkeypatch
):
    login("dihal@demo.test")
    _remind(client, bilan_2022, django_capture_on_commit_callbacks)
    sent, recorded = len(mail.outbox), CampaignReminder.objects.count()

    tomorrow = selectors.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(selectors, "today", lambda: tomorrow)
    _remind(client, bilan_2022, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2 * sent
    assert CampaignReminder.objects.count() == 2 * recorded
    assert CampaignReminder.objects.filter(sent_on=tomorrow).count() == recorded
    days_late = (tomorrow - bilan_2022.due_on).days
    assert f"{days_late} jours" in mail.outbox[-1].body


def test_a_prefecture_reminds_only_its_territory(
    client, login, bilan_2022, django_capture_on_commit_callbacks
):
    login("prefecture93@demo.test")
    late = _late(bilan_2022, territory="93")
    assert late

    _remind(client, bilan_2022, django_capture_on_commit_callbacks)

    assert _sent_to() == _addresses(late)
    assert set(
        CampaignReminder.objects.values_list("organisation__territory__code", flat=True)
    ) == {"93"}


@pytest.mark.parametrize("email", ["operateur38a@demo.test", "operateur93a@demo.test"])
def test_operators_cannot_remind(
    client, login, bilan_2022, django_capture_on_commit_callbacks, email
):
    login(email)
    response = _remind(client, bilan_2022, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not mail.outbox
    assert not CampaignReminder.objects.exists()


def test_reminding_is_a_post(client, login, bilan_2022):
    login("dihal@demo.test")
    assert client.get(f"/suivi/campagnes/{bilan_2022.pk}/relancer/").status_code == 405
    assert not CampaignReminder.objects.exists()


def test_nothing_is_sent_to_respondents_that_transmitted(
    client, login, bilan_2022, django_capture_on_commit_callbacks
):
    login("dihal@demo.test")
    _remind(client, bilan_2022, django_capture_on_commit_callbacks)
    on_time = Organisation.objects.filter(
        Q(submissions__campaign=bilan_2022, submissions__status__in=["soumise", "acceptee"])
    )
    assert not set(_sent_to()) & set(_addresses(list(on_time)))
    assert not CampaignReminder.objects.filter(organisation__in=on_time).exists()


# --- The service and the task ---------------------------------------------------------


def test_the_service_reports_who_was_reminded_skipped_or_unreachable(bilan_2022):
    dihal = User.objects.get(email="dihal@demo.test")
    late = _late(bilan_2022)

    first = reminders.campaign_remind_late(campaign=bilan_2022, user=dihal)
    second = reminders.campaign_remind_late(campaign=bilan_2022, user=dihal)

    reached = {o.pk for o in late if _addresses([o])}
    assert {o.pk for o in first.reminded} == reached
    assert {o.pk for o in first.without_recipients} == {o.pk for o in late} - reached
    assert first.already_reminded == ()
    assert second.reminded == ()
    assert {o.pk for o in second.already_reminded} == reached
    assert first.late == second.late == len(late)


def test_a_simultaneous_record_of_the_same_day_is_refused_by_the_constraint(bilan_2022):
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    today = selectors.today()
    once = dict(campaign=bilan_2022, organisation=isere, today=today, user=None, recipients=1)
    assert reminders.reminder_record(**once) is not None
    assert reminders.reminder_record(**once) is None
    assert CampaignReminder.objects.filter(organisation=isere).count() == 1


def test_the_task_sends_nothing_once_the_answer_is_transmitted(bilan_2022):
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    reminder = CampaignReminder.objects.create(
        campaign=bilan_2022, organisation=isere, sent_on=selectors.today(), recipients=1
    )
    Submission.objects.filter(campaign=bilan_2022, organisation=isere).update(status="soumise")

    result = reminders.send_campaign_reminder.enqueue(reminder.pk)

    assert result.return_value == 0
    assert not mail.outbox
    reminder.refresh_from_db()
    assert reminder.recipients == 0
