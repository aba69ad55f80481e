"""The access trail: one row per download, export, template change and membership change;
the DIHAL administrators' « Journal des accès » (filters, CSV export), an operator's
responsable's page of their households' rows; rows never edited nor deleted."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from wagtailstreamforms.models import Form

from demo.accounts import DEMO_PASSWORD, demo_second_factor_enrol
from documents.models import DocumentExport
from forms_app import lifecycle
from forms_app.households import services as households
from forms_app.models import Submission, SubmissionStatus
from portal.models import (
    AuditAction,
    AuditEntry,
    AuditEntryImmutable,
    Membership,
    Organisation,
    Role,
)
from tests.documents.builders import docx_bytes
from tests.factories import seeded_answer
from tests.signing import signed_in

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
ADMIN_LOG = "/admin/journal-des-acces/"
ADMIN_CSV = "/admin/journal-des-acces/export.csv"
OPERATOR_LOG = "/mon-espace/journal-des-acces/"


def _client(email: str) -> Client:
    return signed_in(email)


def _new_rows(since: int):
    return list(AuditEntry.objects.filter(pk__gt=since).order_by("pk"))


def _last_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _household(operator_email: str, name: str):
    operator = Organisation.objects.get(memberships__user__email=operator_email)
    household = households.household_create(
        operator=operator,
        user=None,
        fields={
            "nom": name,
            "source": "ccapex",
            "referred_on": datetime.date(2021, 2, 1),
            "stage": "cdp",
        },
    )
    form = Form.objects.get(slug="diagnostic-social-et-financier")
    document = households.household_document_open(household=household, form=form, user=None)
    lifecycle.submission_submit(
        submission=document,
        user=None,
        data={"date_entretien": "2021-02-10"},
        draft_input={},
        expected_revision=document.revision,
    )
    household.document = document
    return household


def _make_responsable(email: str) -> None:
    membership = Membership.objects.get(user__email=email, organisation__kind="operateur")
    membership.role = Role.RESPONSABLE
    membership.save()


# --- One row per journey ----------------------------------------------------------------


def test_a_word_download_leaves_one_document_row_with_who_and_where(demo_accounts):
    seeded_answer("Bilan d'étape 2021", "38")
    answer = Submission.objects.filter(territory__code="38", status__in=FILED).first()
    client = _client("prefecture38@demo.test")
    since = _last_pk()
    response = client.get(f"/reponses/{answer.pk}/word/", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    [row] = _new_rows(since)
    assert row.action == AuditAction.DOCUMENT
    assert row.user_email == "prefecture38@demo.test"
    assert row.ip == "203.0.113.7"
    assert row.role == "Responsable (valide et signe)"
    assert row.organisation == "Préfecture de l'Isère"
    assert row.territory_code == "38"
    assert (row.object_type, row.submission_id) == ("document Word", answer.pk)
    assert row.path == f"/reponses/{answer.pk}/word/"


def test_a_refused_download_leaves_no_row(demo_accounts):
    seeded_answer("Bilan d'étape 2021", "38")
    answer = Submission.objects.filter(territory__code="38", status__in=FILED).first()
    since = _last_pk()
    assert _client("prefecture93@demo.test").get(f"/reponses/{answer.pk}/word/").status_code == 404
    assert _new_rows(since) == []


def test_a_zip_export_and_its_download_leave_one_row_each(
    demo_accounts, exports_dir, django_capture_on_commit_callbacks
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    client = _client("dihal@demo.test")
    since = _last_pk()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/suivi/campagnes/{campaign.pk}/documents/").status_code == 302
    export = DocumentExport.objects.latest("pk")
    client.get(f"/exports/{export.pk}/")  # the progress page is no download
    response = client.get(f"/exports/{export.pk}/telecharger/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    rows = _new_rows(since)
    assert [(r.action, r.object_type) for r in rows] == [
        (AuditAction.EXPORT, "export des documents"),
        (AuditAction.DOWNLOAD, "export des documents"),
    ]
    assert all(f"export {export.pk}, campagne {campaign.pk}" in r.object_reference for r in rows)


def test_each_consolidated_file_leaves_one_row_naming_campaign_and_format(demo_accounts):
    campaign = seeded_answer("Bilan d'étape 2022", "93").campaign
    client = _client("dihal@demo.test")
    since = _last_pk()
    client.get(f"/suivi/campagnes/{campaign.pk}/tableaux/")  # the page: no row
    base = f"/suivi/campagnes/{campaign.pk}/tableaux/"
    responses = [
        client.get(f"/suivi/campagnes/{campaign.pk}/tableaux.xlsx?region=Île-de-France"),
        client.get(f"{base}departements.csv"),
        client.get(f"{base}rapport.docx"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200], [r.status_code for r in responses]
    rows = _new_rows(since)
    assert [(r.action, r.object_type) for r in rows] == [
        (AuditAction.DOWNLOAD, "tableau consolidé")
    ] * 3
    assert "classeur XLSX (region Île-de-France)" in rows[0].object_reference
    assert "tableau « departements » en CSV (national)" in rows[1].object_reference
    assert "rapport Word" in rows[2].object_reference
    assert all(f"campagne {campaign.pk}" in r.object_reference for r in rows)


def test_template_upload_download_and_activation_leave_rows(login):
    editor = login("dihal@demo.test")
    bilan = Form.objects.get(slug="bilan-d-etape")
    since = _last_pk()
    response = editor.post(
        f"/admin/modeles-word/formulaire/{bilan.pk}/",
        {"file": SimpleUploadedFile("m.docx", docx_bytes("{{ territoire }}"), DOCX)},
    )
    assert response.status_code == 200
    version = bilan.word_templates.get()
    assert editor.get(f"/admin/modeles-word/version/{version.pk}/").status_code == 200
    assert editor.post(f"/admin/modeles-word/version/{version.pk}/activer/").status_code == 302
    rows = _new_rows(since)
    assert [r.action for r in rows] == [
        AuditAction.TEMPLATE_UPLOAD,
        AuditAction.DOWNLOAD,
        AuditAction.TEMPLATE_ACTIVATION,
    ]
    assert all(r.object_type == "modèle Word" for r in rows)
    assert all(f"({bilan.pk}), modèle, version 1" in r.object_reference for r in rows)
    assert {r.user_email for r in rows} == {"dihal@demo.test"}


def test_a_role_changed_in_the_admin_leaves_one_membership_row(login, demo_accounts):
    editor = login("dihal@demo.test")
    membership = Membership.objects.get(user__email="operateur38a@demo.test")
    operator = membership.organisation
    since = _last_pk()
    response = editor.post(
        f"/admin/snippets/portal/organisation/edit/{operator.pk}/",
        {
            "name": operator.name,
            "kind": operator.kind,
            "territory": operator.territory_id,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-user": membership.user_id,
            "memberships-0-role": Role.RESPONSABLE,
        },
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert membership.role == Role.RESPONSABLE
    [row] = [r for r in _new_rows(since) if r.action == AuditAction.MEMBERSHIP]
    assert row.user_email == "dihal@demo.test"
    assert row.ip == "198.51.100.4"
    assert row.object_reference == (
        f"operateur38a@demo.test — {operator.name} : "
        "rôle : Agent (remplit les formulaires) → Responsable (valide et signe)"
    )


def test_adding_and_removing_a_member_and_a_group_leave_rows(demo_accounts):
    from django.contrib.auth.models import Group

    from portal.models import User

    user = User.objects.get(email="operateur38b@demo.test")
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="93")
    since = _last_pk()
    membership = Membership.objects.create(user=user, organisation=prefecture, role=Role.AGENT)
    membership.delete()
    group = Group.objects.create(name="Relecteurs")
    user.groups.add(group)
    user.groups.remove(group)
    user.is_staff = True
    user.save()
    references = [r.object_reference for r in _new_rows(since)]
    assert references == [
        f"operateur38b@demo.test — {prefecture.name} : ajout (Agent (remplit les formulaires))",
        f"operateur38b@demo.test — {prefecture.name} : retrait (Agent (remplit les formulaires))",
        "operateur38b@demo.test : ajout au groupe « Relecteurs »",
        "operateur38b@demo.test : retrait du groupe « Relecteurs »",
        "operateur38b@demo.test : équipe accordé",
    ]
    # The portal acting (no request): the rows carry no person.
    assert {r.user_email for r in _new_rows(since)} == {""}


def test_a_sign_in_changes_no_privilege_and_leaves_no_membership_row(demo_accounts):
    since = _last_pk()
    _client("operateur38a@demo.test")
    assert [r for r in _new_rows(since) if r.action == AuditAction.MEMBERSHIP] == []


# --- The DIHAL administrators' journal ---------------------------------------------------


@pytest.fixture
def trail(demo_accounts):
    """Three rows by three people of three organisations and territories, on three days."""
    isere_household = _household("operateur38a@demo.test", "Ombrevallier")
    other_household = _household("operateur38b@demo.test", "Clairbois")
    seine_household = _household("operateur93a@demo.test", "Hautemer")
    _client("operateur38a@demo.test").get(f"/menages/{isere_household.pk}/")
    _client("operateur38b@demo.test").get(f"/reponses/{other_household.document.pk}/word/")
    _client("operateur93a@demo.test").get(f"/menages/{seine_household.pk}/")
    return {"38a": isere_household, "38b": other_household, "93a": seine_household}


def _listed_references(response) -> list[str]:
    return [
        reference
        for reference in ("Ombrevallier", "Clairbois", "Hautemer")
        if reference in response.content.decode()
    ]


def _households_in_page(response, trail) -> set[str]:
    page = response.content.decode()
    return {key for key, household in trail.items() if household.reference in page}


def test_the_admin_journal_filters_by_person_organisation_territory_action_period(login, trail):
    editor = login("dihal@demo.test")
    everything = editor.get(ADMIN_LOG)
    assert everything.status_code == 200
    assert _households_in_page(everything, trail) == {"38a", "38b", "93a"}
    assert _listed_references(everything) == []  # names never appear, references only
    by_person = editor.get(ADMIN_LOG, {"personne": "operateur38B"})
    assert _households_in_page(by_person, trail) == {"38b"}
    operator_b = Organisation.objects.get(memberships__user__email="operateur38b@demo.test")
    by_organisation = editor.get(ADMIN_LOG, {"organisation": operator_b.name})
    assert _households_in_page(by_organisation, trail) == {"38b"}
    by_territory = editor.get(ADMIN_LOG, {"territoire": "93"})
    assert _households_in_page(by_territory, trail) == {"93a"}
    by_action = editor.get(ADMIN_LOG, {"action": AuditAction.DOCUMENT})
    assert _households_in_page(by_action, trail) == {"38b"}
    # A row of May 2020 (``at`` is set on creation: written in SQL here).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portal_auditentry (at, user_email, role, organisation, territory_code,"
            " action, household_reference, object_type, object_reference, path)"
            " VALUES (%s, 'ancien@demo.test', '', '', '38', 'lecture', 'ANCIEN', '', '', '')",
            [datetime.datetime(2020, 5, 4, 10, tzinfo=datetime.UTC)],
        )
    in_may = editor.get(ADMIN_LOG, {"du": "2020-05-04", "au": "2020-05-04"})
    assert "ANCIEN" in in_may.content.decode()
    assert _households_in_page(in_may, trail) == set()
    since_may = editor.get(ADMIN_LOG, {"du": "2020-05-05"})
    assert "ANCIEN" not in since_may.content.decode()
    assert _households_in_page(since_may, trail) == {"38a", "38b", "93a"}


def test_the_admin_journal_offers_no_edit_nor_delete(login, trail):
    page = login("dihal@demo.test").get(ADMIN_LOG).content.decode()
    assert "Exporter (CSV)" in page
    assert "Supprimer" not in page and "Modifier" not in page
    assert "/admin/snippets/portal/auditentry/" not in page


def test_the_journal_is_the_dihal_administrators_only(login, trail):
    for email in ("prefecture38@demo.test", "operateur38a@demo.test"):
        assert _client(email).get(ADMIN_LOG).status_code == 403
        assert _client(email).get(ADMIN_CSV).status_code == 403
    assert Client().get(ADMIN_LOG).status_code == 302  # to the login
    menu = login("dihal@demo.test").get("/admin/").content.decode()
    assert ADMIN_LOG in menu  # the menu item, under Paramètres


def test_the_csv_export_holds_the_filtered_rows_and_leaves_its_own_row(login, trail):
    editor = login("dihal@demo.test")
    since = _last_pk()
    response = editor.get(ADMIN_CSV, {"territoire": "38"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "Date et heure",
        "Personne",
        "Rôle",
        "Organisation",
        "Territoire",
        "Action",
    ]
    references = {row[6] for row in rows[1:]}
    assert trail["38a"].reference in references and trail["38b"].reference in references
    assert trail["93a"].reference not in references
    assert {row[4] for row in rows[1:]} == {"38"}
    [export] = _new_rows(since)
    assert (export.action, export.object_type) == (AuditAction.EXPORT, "journal des accès")
    assert export.object_reference == "territoire=38"
    assert export.user_email == "dihal@demo.test"


# --- An operator's responsable ------------------------------------------------------------


def test_a_responsable_sees_their_own_households_rows_only(trail):
    _make_responsable("operateur38a@demo.test")
    _make_responsable("operateur38b@demo.test")
    own = _client("operateur38a@demo.test")
    space = own.get("/mon-espace/").content.decode()
    assert OPERATOR_LOG in space
    page = own.get(OPERATOR_LOG)
    assert page.status_code == 200
    assert _households_in_page(page, trail) == {"38a"}
    other = _client("operateur38b@demo.test").get(OPERATOR_LOG)
    assert _households_in_page(other, trail) == {"38b"}
    filtered = own.get(OPERATOR_LOG, {"action": AuditAction.DOCUMENT})
    assert _households_in_page(filtered, trail) == set()
    assert "organisation" not in own.get(OPERATOR_LOG).context["filters"].fields


def test_agents_prefectures_and_dihal_do_not_get_the_responsable_page(trail):
    for email in ("operateur38a@demo.test", "prefecture38@demo.test", "dihal@demo.test"):
        client = _client(email)
        assert client.get(OPERATOR_LOG).status_code == 403, email
        assert OPERATOR_LOG not in client.get("/mon-espace/").content.decode()
    assert Client().get(OPERATOR_LOG).status_code == 302


# --- Append-only ------------------------------------------------------------------------


def test_the_orm_refuses_to_edit_or_delete_a_row(trail):
    row = AuditEntry.objects.first()
    row.action = AuditAction.EDIT
    with pytest.raises(AuditEntryImmutable):
        row.save()
    with pytest.raises(AuditEntryImmutable):
        row.delete()
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=row.pk).update(action=AuditAction.EDIT)
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    ["UPDATE portal_auditentry SET action = 'modification'", "DELETE FROM portal_auditentry"],
)
def test_postgresql_refuses_a_raw_update_or_delete(trail, statement):
    assert AuditEntry.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_privileges_granted_in_the_admin_user_form_leave_rows_with_the_actor(login):
    from django.contrib.auth.models import Group
    from django.core.cache import cache

    from portal.models import User
    from tests.portal.test_user_admin import form_post_data

    cache.clear()  # allauth's sign-in counts
    superuser = User.objects.create_superuser(
        email="technique@demo.test", password=DEMO_PASSWORD, first_name="É", last_name="T"
    )
    demo_second_factor_enrol(user=superuser, secret=generate_totp_secret())
    client = login("technique@demo.test")
    target = User.objects.get(email="prefecture93@demo.test")
    group = Group.objects.order_by("pk").first()
    url = f"/admin/users/edit/{target.pk}/"
    data = form_post_data(client.get(url).context["form"])
    data.update({"is_superuser": "on", "groups": [group.pk]})
    since = _last_pk()
    response = client.post(url, data, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302, response.context["form"].errors
    rows = [r for r in _new_rows(since) if r.action == AuditAction.MEMBERSHIP]
    assert sorted(r.object_reference for r in rows) == [
        "prefecture93@demo.test : ajout au groupe « " + group.name + " »",
        "prefecture93@demo.test : superutilisateur accordé",
    ]
    assert {(r.user_email, r.ip) for r in rows} == {("technique@demo.test", "192.0.2.9")}
    assert {r.role for r in rows} == {"Superutilisateur"}
