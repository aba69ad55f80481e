"""Second factor, recent authentication and sessions, through HTTP as a person acts."""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.test import Client

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_totp_code
from documents.models import DocumentExport
from portal import permissions
from portal.models import Organisation, Role
from portal.services import membership_set
from tests.factories import seeded_answer
from tests.signing import SECOND_FACTOR_PATH, sign_in, signed_in

ACTIVATE = "/accounts/2fa/totp/activate/"
PREFECTURE_38 = "Préfecture de l'Isère"
NEW_PASSWORD = "Un-nouveau-mot-de-passe-solide-2026"


def _person(email: str, organisation: str | None, role: Role = Role.AGENT, **extra):
    user = get_user_model().objects.create_user(
        email=email, password=DEMO_PASSWORD, first_name="Nouvelle", last_name="Personne", **extra
    )
    if organisation is not None:
        membership_set(
            organisation=Organisation.objects.get(name=organisation), user=user, role=role
        )
    return user


def _password_only(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def _activate_totp(client: Client) -> None:
    page = client.get(ACTIVATE, follow=True)
    if page.redirect_chain:  # allauth asks for the password again before MFA changes
        assert page.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
        page = client.post(page.redirect_chain[-1][0], {"password": DEMO_PASSWORD}, follow=True)
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()  # the QR code to scan
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE, {"code": demo_totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]


def _age_authentication(client: Client, *, seconds: int) -> None:
    """Moves every authentication of the session ``seconds`` into the past."""
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] = time.time() - seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


# --- Who must enrol -----------------------------------------------------------------------


def test_roles_that_must_enrol(demo_accounts):
    must = {
        a.email
        for a in DEMO_ACCOUNTS
        if permissions.must_enrol_mfa(get_user_model().objects.get(email=a.email))
    }
    assert must == {
        "dihal@demo.test",
        "operateur38a@demo.test",
        "operateur38b@demo.test",
        "operateur93a@demo.test",
    }
    superuser = _person("technique@demo.test", None, is_superuser=True, is_staff=True)
    assert permissions.must_enrol_mfa(superuser)


def test_every_demo_account_has_a_second_factor_and_recovery_codes(demo_accounts):
    for account in DEMO_ACCOUNTS:
        kinds = set(
            Authenticator.objects.filter(user__email=account.email).values_list("type", flat=True)
        )
        assert kinds == {"totp", "recovery_codes"}, account.email


def test_the_password_alone_opens_nothing_and_a_wrong_code_is_refused(client, demo_accounts):
    response = client.post(
        "/accounts/login/", {"login": "operateur38a@demo.test", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == SECOND_FACTOR_PATH
    assert client.get("/menages/").status_code == 302
    refused = client.post(SECOND_FACTOR_PATH, {"code": "000000"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/menages/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("email", "organisation", "role"),
    [
        ("nouvel.agent@demo.test", "Association Aller-Vers 93 (démo)", Role.AGENT),
        (
            "nouvelle.editrice@demo.test",
            "DIHAL — Pôle national de prévention des expulsions locatives",
            Role.EDITEUR,
        ),
    ],
)
def test_who_must_enrol_reaches_no_page_before_enrolling(demo_accounts, email, organisation, role):
    _person(email, organisation, role)
    client = _password_only(email)
    for path in ("/mon-espace/", "/menages/", "/suivi/campagnes/", "/admin/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE, path
    assert (
        "activez la double authentification" in client.get(ACTIVATE, follow=True).content.decode()
    )
    _activate_totp(client)
    assert client.get("/mon-espace/").status_code == 200
    assert Authenticator.objects.filter(user__email=email, type="recovery_codes").exists()


def test_a_superuser_without_organisation_must_enrol(demo_accounts):
    _person("technique@demo.test", None, is_superuser=True, is_staff=True)
    client = _password_only("technique@demo.test")
    assert client.get("/admin/")["Location"] == ACTIVATE


def test_a_prefecture_is_offered_the_second_factor(demo_accounts):
    _person("agent.prefecture@demo.test", "Préfecture de l'Isère", Role.AGENT)
    client = _password_only("agent.prefecture@demo.test")
    space = client.get("/mon-espace/")
    assert space.status_code == 200
    html = space.content.decode()
    assert 'id="double-authentification-proposee"' in html and ACTIVATE in html
    _activate_totp(client)
    assert (
        'id="double-authentification-proposee"' not in client.get("/mon-espace/").content.decode()
    )


def test_who_must_have_a_second_factor_cannot_remove_it(client, login):
    login("operateur38a@demo.test")
    response = client.post("/accounts/2fa/totp/deactivate/", follow=True)
    if response.redirect_chain and "reauthenticate" in response.redirect_chain[-1][0]:
        response = client.post(
            response.redirect_chain[-1][0], {"password": DEMO_PASSWORD}, follow=True
        )
    assert Authenticator.objects.filter(user__email="operateur38a@demo.test", type="totp").exists()
    assert "vous ne pouvez pas la désactiver" in response.content.decode()


# --- Recent authentication before sensitive operations ------------------------------------


def test_a_bulk_export_asks_for_a_recent_authentication(
    demo_accounts, django_capture_on_commit_callbacks, exports_dir
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    client = signed_in("dihal@demo.test")
    _age_authentication(client, seconds=11 * 60)
    response = client.post(f"/suivi/campagnes/{campaign.pk}/documents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not DocumentExport.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        resumed = client.post(response["Location"], {"password": DEMO_PASSWORD})
    assert DocumentExport.objects.count() == 1  # the suspended POST ran after the password
    assert resumed.status_code == 302


def test_rerunning_a_failed_zip_asks_for_a_recent_authentication(
    demo_accounts, django_capture_on_commit_callbacks, exports_dir
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    client = signed_in("dihal@demo.test")
    export = DocumentExport.objects.create(
        campaign=campaign,
        requested_by=get_user_model().objects.get(email="dihal@demo.test"),
        status="echouee",
        error="La production des documents a échoué : panne",
    )
    _age_authentication(client, seconds=11 * 60)
    response = client.post(f"/exports/{export.pk}/relancer/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    export.refresh_from_db()
    assert (export.status, export.attempt) == ("echouee", 0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"password": DEMO_PASSWORD})
    export.refresh_from_db()
    assert (export.status, export.attempt) == ("terminee", 1)


def test_within_ten_minutes_of_signing_in_no_second_question(
    demo_accounts, django_capture_on_commit_callbacks, exports_dir
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    client = signed_in("dihal@demo.test")
    _age_authentication(client, seconds=9 * 60)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/suivi/campagnes/{campaign.pk}/documents/")
    assert response["Location"].startswith("/exports/")


@pytest.mark.parametrize(
    "path_of",
    [
        lambda: "/admin/users/new/",
        lambda: (
            f"/admin/users/edit/{get_user_model().objects.get(email='operateur38a@demo.test').pk}/"
        ),
        lambda: "/admin/snippets/portal/organisation/add/",
        lambda: (
            "/admin/snippets/portal/organisation/edit/"
            f"{Organisation.objects.get(name=PREFECTURE_38).pk}/"
        ),
        lambda: "/admin/modeles-word/",
    ],
    ids=["user-add", "user-edit", "organisation-add", "organisation-edit", "templates"],
)
def test_accounts_memberships_and_templates_ask_for_a_recent_authentication(demo_accounts, path_of):
    client = signed_in("dihal@demo.test")
    path = path_of()
    if path == "/admin/modeles-word/":
        from wagtailstreamforms.models import Form

        path = f"/admin/modeles-word/formulaire/{Form.objects.order_by('pk').first().pk}/"
    assert client.get(path).status_code == 200, path
    _age_authentication(client, seconds=11 * 60)
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/reauthenticate/"), path
    back = client.post(response["Location"], {"password": DEMO_PASSWORD})
    assert back["Location"] == path
    assert client.get(path).status_code == 200


def test_a_code_also_reauthenticates(demo_accounts):
    client = signed_in("dihal@demo.test")
    _age_authentication(client, seconds=11 * 60)
    response = client.get("/admin/users/new/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    code_page = response["Location"].replace(
        "/accounts/reauthenticate/", "/accounts/2fa/reauthenticate/"
    )
    from tests.signing import totp_code_for

    back = client.post(code_page, {"code": totp_code_for("dihal@demo.test")})
    assert back["Location"] == "/admin/users/new/"
    assert client.get("/admin/users/new/").status_code == 200


# --- Sessions ---------------------------------------------------------------------------


def test_each_person_sees_their_sessions(demo_accounts):
    first = signed_in("prefecture38@demo.test", HTTP_USER_AGENT="Navigateur du bureau")
    signed_in("prefecture38@demo.test", HTTP_USER_AGENT="Téléphone")
    page = first.get("/accounts/sessions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Navigateur du bureau" in html and "Téléphone" in html
    assert UserSession.objects.filter(user__email="prefecture38@demo.test").count() == 2


def test_a_password_change_ends_the_other_sessions(demo_accounts):
    mine = signed_in("prefecture38@demo.test")
    other = signed_in("prefecture38@demo.test")
    response = mine.post(
        "/accounts/password/change/",
        {"oldpassword": DEMO_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert mine.get("/mon-espace/").status_code == 200
    assert other.get("/mon-espace/")["Location"].startswith("/accounts/login/")
    assert UserSession.objects.filter(user__email="prefecture38@demo.test").count() == 1


def test_a_second_factor_change_ends_the_other_sessions(
    demo_accounts, django_capture_on_commit_callbacks
):
    mine = signed_in("operateur38a@demo.test")
    other = signed_in("operateur38a@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = mine.post("/accounts/2fa/recovery-codes/generate/", follow=True)
        if response.redirect_chain and "reauthenticate" in response.redirect_chain[-1][0]:
            mine.post(response.redirect_chain[-1][0], {"password": DEMO_PASSWORD})
            mine.post("/accounts/2fa/recovery-codes/generate/")
    assert mine.get("/mon-espace/").status_code == 200
    assert other.get("/mon-espace/")["Location"].startswith("/accounts/login/")


def test_the_readme_and_make_run_give_every_demo_secret(demo_accounts, capsys):
    from pathlib import Path

    from django.core.management import call_command

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    call_command("load_demo_data")
    printed = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert account.totp_secret in readme, account.email
        assert account.totp_secret in printed, account.email
    assert "oathtool --totp -b" in readme and "oathtool --totp -b" in printed


def test_a_signed_in_person_signs_in_as_the_readme_says(client, demo_accounts):
    """What a newcomer does: password, then `oathtool --totp -b <clé>`."""
    account = next(a for a in DEMO_ACCOUNTS if a.email == "dihal@demo.test")
    response = sign_in(client, account.email)
    assert response["Location"] == "/mon-espace/"


def test_the_audit_export_asks_for_a_recent_authentication(demo_accounts):
    client = signed_in("dihal@demo.test")
    assert client.get("/admin/journal-des-acces/export.csv").status_code == 200
    _age_authentication(client, seconds=11 * 60)
    response = client.get("/admin/journal-des-acces/export.csv")
    assert response["Location"].startswith("/accounts/reauthenticate/")
