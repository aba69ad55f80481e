"""Retention, by time travel: each period (household 24 months after closing, notice 14
days before, drafts 6 months, exports 32 hours) checked a day (or a minute) either side,
on rows, stored files, e-mails, the audit trail and the bilan's counters."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from wagtailstreamforms.models import Form

from documents.consolidation.build import campaign_consolidation
from documents.exports.retention import purge_expired_exports
from documents.models import DocumentExport, ExportStatus
from forms_app import lifecycle
from forms_app.households import services as households
from forms_app.households.indicators import field_indicators, field_indicators_by_territory
from forms_app.households.retention import add_months, household_purge_due_at
from forms_app.models import (
    Campaign,
    ContactAttempt,
    Household,
    PurgedHouseholdCounts,
    Submission,
    SubmissionFile,
)
from forms_app.retention import purge_expired_data
from portal.models import AuditAction, AuditEntry, Organisation, User
from portal.permissions import purged_counts_for

D = datetime.date
UTC = datetime.UTC
CLOSED_AT = datetime.datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
DUE_AT = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=UTC)  # 24 months later
DAY = datetime.timedelta(days=1)
PERIOD = (D(2021, 1, 1), D(2021, 6, 30))
FORMS = {
    "diagnostic": "diagnostic-social-et-financier",
    "contrat": "contrat-d-engagement",
    "veille": "veille-sociale-post-intervention",
}


def _storage():
    return SubmissionFile._meta.get_field("file").storage


def _household(operator: Organisation, name: str) -> Household:
    return households.household_create(
        operator=operator,
        user=None,
        fields={"nom": name, "source": "ccapex", "referred_on": D(2021, 1, 10), "stage": "cdp"},
    )


def _document(household, role, data, *, filed=True, attach=None) -> Submission:
    form = Form.objects.get(slug=FORMS[role])
    document = households.household_document_open(household=household, form=form, user=None)
    if attach:
        lifecycle.submission_attach_file(
            submission=document,
            user=None,
            key=attach,
            uploaded=SimpleUploadedFile("piece.pdf", b"%PDF-1.4 piece", "application/pdf"),
        )
    if filed:
        lifecycle.submission_submit(
            submission=document,
            user=None,
            data=data,
            draft_input={},
            expected_revision=document.revision,
        )
    return document


def _close(household: Household, at: datetime.datetime = CLOSED_AT) -> None:
    households.household_status_set(household=household, status="clos")
    Household.objects.filter(pk=household.pk).update(closed_at=at)


def _operator(code: str, index: int = 0) -> Organisation:
    return Organisation.objects.filter(kind="operateur", territory__code=code).order_by("name")[
        index
    ]


def _figures() -> tuple[dict, dict]:
    """The consolidation's per-territory counters and operator A's bilan counters."""
    start, end = PERIOD
    a = _operator("38")
    return (
        field_indicators_by_territory(
            households=Household.objects.all(),
            purged=PurgedHouseholdCounts.objects.all(),
            start=start,
            end=end,
        ),
        field_indicators(
            households=Household.objects.filter(operator=a),
            purged=PurgedHouseholdCounts.objects.filter(operator=a),
            start=start,
            end=end,
        ),
    )


@pytest.fixture
def closed_case(demo_accounts):
    """Operator A's closed case (met, diagnosed, a contract with a signed PDF, a cleared
    debt) and an open one beside it."""
    a = _operator("38")
    closed = _household(a, "Dupont")
    households.contact_attempt_add(
        household=closed, user=None, date=D(2021, 2, 1), mode="visite", result="rencontre"
    )
    _document(closed, "diagnostic", {"date_entretien": "2021-02-10"})
    contract = {
        "date_signature": "2021-03-01",
        "engagements": [
            {"demarche": "mediation_bailleur", "statut": "a_faire"},
            {"demarche": "fsl", "statut": "a_faire"},
        ],
    }
    _document(closed, "contrat", contract, attach="contrat_signe")
    _document(closed, "veille", {"date_contact": "2021-03-20", "impaye_resorbe": True})
    _close(closed)
    still_open = _household(a, "Martin")
    _document(still_open, "diagnostic", {"date_entretien": "2021-05-05"})
    return Household.objects.get(pk=closed.pk), still_open


def test_a_closed_case_is_announced_two_weeks_before_then_purged_after_24_months(
    closed_case, django_capture_on_commit_callbacks
):
    closed, still_open = closed_case
    stored = SubmissionFile.objects.get(submission__household=closed)
    assert _storage().exists(stored.file.name)
    before = _figures()

    # 15 days before: too early to tell anyone.
    report = purge_expired_data(now=DUE_AT - 15 * DAY)
    assert (report.notices, report.households, len(mail.outbox)) == (0, 0, 0)

    # 14 days before: the operator's members hear of it, by reference, once.
    report = purge_expired_data(now=DUE_AT - 14 * DAY)
    assert report.notices == 1 and report.households == 0
    agents = set(
        User.objects.filter(memberships__organisation=closed.operator).values_list(
            "email", flat=True
        )
    )
    assert {address for message in mail.outbox for address in message.to} == agents
    body = mail.outbox[0].body
    assert closed.reference in body and "15 janvier 2026" in body
    assert "Dupont" not in body and still_open.reference not in body
    purge_expired_data(now=DUE_AT - 12 * DAY)
    assert len(mail.outbox) == len(agents)  # sent once

    # A day before: still there.
    assert purge_expired_data(now=DUE_AT - DAY).households == 0
    assert Household.objects.filter(pk=closed.pk).exists()

    # A day after: gone, with its documents, contacts and file; the counters hold.
    with django_capture_on_commit_callbacks(execute=True):
        report = purge_expired_data(now=DUE_AT + DAY)
    assert (report.households, report.documents, report.files) == (1, 3, 1)
    assert not Household.objects.filter(pk=closed.pk).exists()
    assert not Submission.objects.filter(household_id=closed.pk).exists()
    assert not ContactAttempt.objects.filter(household_id=closed.pk).exists()
    assert not _storage().exists(stored.file.name)
    assert Household.objects.filter(pk=still_open.pk).exists()
    assert PurgedHouseholdCounts.objects.filter(period_start=PERIOD[0]).count() == 1
    assert _figures() == before
    assert before[1]["nb_menages_accompagnes"] == 1 and before[1]["nb_dispositifs_apurement"] == 2
    entry = AuditEntry.objects.filter(action=AuditAction.PURGE).latest("pk")
    assert entry.user is None and entry.object_reference.startswith("1 ménage(s), 3 document(s)")


def test_a_case_past_its_period_but_never_announced_waits_two_weeks(closed_case):
    closed, _ = closed_case
    late = DUE_AT + 100 * DAY
    assert purge_expired_data(now=late).households == 0
    assert len(mail.outbox) >= 1
    assert household_purge_due_at(household=Household.objects.get(pk=closed.pk)) == late + 14 * DAY
    assert purge_expired_data(now=late + 14 * DAY - DAY).households == 0
    assert purge_expired_data(now=late + 14 * DAY).households == 1


def test_reopening_a_case_stops_its_clock(closed_case):
    closed, _ = closed_case
    purge_expired_data(now=DUE_AT - 13 * DAY)
    households.household_status_set(household=closed, status="accompagne")
    closed.refresh_from_db()
    assert closed.closed_at is None and closed.purge_notice_sent_at is None
    assert purge_expired_data(now=DUE_AT + 400 * DAY).households == 0


def test_a_form_kept_longer_keeps_the_whole_case_longer(closed_case):
    closed, _ = closed_case
    settings_ = Form.objects.get(slug=FORMS["contrat"]).advanced_settings
    settings_.retention_months = 36
    settings_.save()
    purge_expired_data(now=DUE_AT - 13 * DAY)
    assert purge_expired_data(now=DUE_AT + DAY).households == 0
    later = add_months(CLOSED_AT, 36)
    purge_expired_data(now=later - 13 * DAY)
    assert purge_expired_data(now=later + DAY).households == 1


def test_closing_dates_the_case(demo_accounts):
    household = _household(_operator("38"), "Durand")
    assert household.closed_at is None
    households.household_status_set(household=household, status="clos")
    assert household.closed_at is not None


def test_drafts_untouched_six_months_go_with_their_files(
    demo_accounts, django_capture_on_commit_callbacks
):
    a = _operator("38")
    case = _household(a, "Petit")
    draft = _document(case, "diagnostic", {}, filed=False, attach="piece_identite")
    reopened = _document(case, "contrat", {"date_signature": "2021-03-01"})
    lifecycle.submission_reopen(submission=reopened, user=None, expected_revision=reopened.revision)
    campaign_draft = lifecycle.submission_start(
        campaign=Campaign.objects.get(title="Bilan d'étape 2022"),
        organisation=Organisation.objects.get(kind="prefecture", territory__code="38"),
        user=None,
    )
    touched = datetime.datetime(2025, 3, 31, 9, 0, tzinfo=UTC)
    Submission.objects.filter(pk__in=[draft.pk, reopened.pk, campaign_draft.pk]).update(
        updated_at=touched
    )
    names = list(SubmissionFile.objects.filter(submission=draft).values_list("file", flat=True))
    assert names and all(_storage().exists(name) for name in names)

    limit = datetime.datetime(2025, 9, 30, 9, 0, tzinfo=UTC)  # 6 months later
    assert purge_expired_data(now=limit - DAY).drafts == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = purge_expired_data(now=limit + DAY)
    assert (report.drafts, report.files, report.households) == (2, len(names), 0)
    assert not Submission.objects.filter(pk__in=[draft.pk, campaign_draft.pk]).exists()
    assert Submission.objects.filter(pk=reopened.pk).exists()  # part of the case file
    assert Household.objects.filter(pk=case.pk).exists()
    assert not any(_storage().exists(name) for name in names)


def test_exports_go_after_32_hours_with_their_zip(demo_accounts, exports_dir):
    made = datetime.datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    export = DocumentExport.objects.create(
        campaign=Campaign.objects.get(title="Bilan d'étape 2021"),
        requested_by=User.objects.get(email="dihal@demo.test"),
        status=ExportStatus.DONE,
        file_name="documents-1-abc.zip",
    )
    DocumentExport.objects.filter(pk=export.pk).update(created_at=made)
    exports_dir.mkdir()
    (exports_dir / export.file_name).write_bytes(b"PK")
    minute = datetime.timedelta(minutes=1)
    assert purge_expired_exports(now=made + datetime.timedelta(hours=32) - minute) == 0
    assert purge_expired_data(now=made + datetime.timedelta(hours=32) + minute).exports == 1
    assert not DocumentExport.objects.filter(pk=export.pk).exists()
    assert not (exports_dir / export.file_name).exists()


def test_deleting_a_household_anywhere_deletes_its_files(
    closed_case, django_capture_on_commit_callbacks
):
    closed, _ = closed_case
    name = SubmissionFile.objects.get(submission__household=closed).file.name
    with django_capture_on_commit_callbacks(execute=True):
        closed.delete()  # as the admin or a cascade would
    assert not _storage().exists(name)


def test_the_command_dry_run_changes_nothing_then_the_run_purges(closed_case, capsys):
    closed, _ = closed_case
    Household.objects.filter(pk=closed.pk).update(
        closed_at=datetime.datetime(2020, 1, 1, tzinfo=UTC),
        purge_notice_sent_at=datetime.datetime(2021, 1, 1, tzinfo=UTC),
    )
    entries = AuditEntry.objects.count()
    call_command("purge_expired_data", "--dry-run")
    assert "1 ménage(s)" in capsys.readouterr().out
    assert Household.objects.filter(pk=closed.pk).exists()
    assert AuditEntry.objects.count() == entries
    assert not PurgedHouseholdCounts.objects.exists()
    call_command("purge_expired_data")
    assert not Household.objects.filter(pk=closed.pk).exists()
    assert AuditEntry.objects.count() == entries + 1


def _consolidated(email: str) -> dict:
    consolidation = campaign_consolidation(
        campaign=Campaign.objects.get(title="Bilan d'étape 2021"),
        user=User.objects.get(email=email),
        with_comparison=False,
    )
    return consolidation.field_counts.set_index("code").to_dict("index")


def test_the_consolidated_tables_and_each_scope_read_the_same_after_a_purge(closed_case):
    closed, _ = closed_case
    Household.objects.filter(pk=closed.pk).update(purge_notice_sent_at=DUE_AT - 14 * DAY)
    readers = ["dihal@demo.test", "prefecture38@demo.test"]
    before = {email: _consolidated(email) for email in readers}
    assert before["dihal@demo.test"]["38"]["nb_diagnostics"] == 2
    assert purge_expired_data(now=DUE_AT + DAY).households == 1
    assert {email: _consolidated(email) for email in readers} == before
    # Another operator's scope does not take operator A's purged counts.
    b = _operator("38", 1)
    assert purged_counts_for(User.objects.get(email="operateur38a@demo.test")).count() == 1
    assert not purged_counts_for(User.objects.filter(memberships__organisation=b).first()).exists()


def test_the_case_file_shows_when_a_closed_case_will_be_deleted(closed_case, login):
    closed, still_open = closed_case
    client = login("operateur38a@demo.test")
    page = client.get(reverse("forms_app:household_detail", args=[closed.pk]))
    assert page.status_code == 200
    assert "data-purge-due" in page.content.decode() and "15 janvier 2026" in page.content.decode()
    assert (
        "data-purge-due"
        not in client.get(
            reverse("forms_app:household_detail", args=[still_open.pk])
        ).content.decode()
    )


def test_the_command_can_hand_the_purge_to_the_task_runner(closed_case, capsys):
    closed, _ = closed_case
    Household.objects.filter(pk=closed.pk).update(
        closed_at=datetime.datetime(2020, 1, 1, tzinfo=UTC),
        purge_notice_sent_at=datetime.datetime(2021, 1, 1, tzinfo=UTC),
    )
    call_command("purge_expired_data", "--enqueue")  # the tests' runner is immediate
    assert "gestionnaire de tâches" in capsys.readouterr().out
    assert not Household.objects.filter(pk=closed.pk).exists()
