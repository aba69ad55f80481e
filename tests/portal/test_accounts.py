"""Accounts through HTTP: one login door (allauth), no sign-up, the admin for editors only."""

import pytest
from django.contrib.auth import get_user_model

from demo.accounts import DEMO_PASSWORD
from tests.signing import totp_code_for


def test_login_by_email_and_logout(client, demo_accounts):
    response = client.post(
        "/accounts/login/", {"login": "prefecture38@demo.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone opens nothing
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code_for("prefecture38@demo.test")}
    )
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"
    space = client.get("/mon-espace/")
    assert space.status_code == 200
    assert "Préfecture de l&#x27;Isère" in space.content.decode()
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/mon-espace/").status_code == 302


def test_wrong_password_is_refused_next_to_the_form(client, demo_accounts):
    response = client.post(
        "/accounts/login/", {"login": "prefecture38@demo.test", "password": "mauvais-mot"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "fr-alert--error" in response.content.decode()


def test_no_public_sign_up(client, portal_content):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "intrus@example.org",
            "password1": "Un-mot-de-passe-long",
            "password2": "Un-mot-de-passe-long",
        },
    )
    assert "Inscriptions fermées" in response.content.decode()
    assert not get_user_model().objects.filter(email="intrus@example.org").exists()


def test_admin_login_is_the_allauth_login(client, portal_content):
    response = client.get("/admin/login/?next=/admin/pages/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    assert 'name="login"' in response.content.decode()
    assert response.templates[0].name == "account/login.html"


def test_admin_login_form_post_gives_no_session(client, demo_accounts):
    """Posting a password to Wagtail's login URL does not sign anyone in."""
    client.post("/admin/login/", {"username": "dihal@demo.test", "password": DEMO_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_django_admin_is_not_mounted(client, portal_content):
    assert client.get("/django-admin/login/").status_code == 404


def test_anonymous_admin_goes_to_the_allauth_login(client, portal_content):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "email",
    [
        "prefecture38@demo.test",
        "prefecture93@demo.test",
        "operateur38a@demo.test",
        "operateur93a@demo.test",
    ],
)
def test_prefecture_and_operator_users_are_refused_the_admin(client, login, email):
    login(email)
    for url in ("/admin/", "/admin/pages/", "/admin/snippets/portal/territory/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "réservée aux éditeurs de la DIHAL" in response.content.decode()


def test_an_editor_gets_the_admin(client, login):
    login("dihal@demo.test")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/pages/").status_code == 200
    assert client.get("/admin/snippets/portal/territory/").status_code == 200


def test_the_wagtail_permission_alone_does_not_open_the_admin(client, login):
    """Access is decided by the permissions module (DIHAL editor), not a stray group."""
    from portal.services import editors_group_ensure

    user = get_user_model().objects.get(email="operateur38a@demo.test")
    user.groups.add(editors_group_ensure())
    login("operateur38a@demo.test")
    assert client.get("/admin/").status_code == 403


def test_password_reset_does_not_reveal_whether_an_account_exists(
    client, demo_accounts, mailoutbox
):
    known = client.post("/accounts/password/reset/", {"email": "prefecture38@demo.test"})
    unknown = client.post("/accounts/password/reset/", {"email": "personne@demo.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len([m for m in mailoutbox if "prefecture38@demo.test" in m.to]) == 1


def test_demo_accounts_exist_with_their_organisations(demo_accounts):
    users = get_user_model().objects.filter(email__endswith="@demo.test")
    assert sorted(users.values_list("email", flat=True)) == sorted(
        [
            "dihal@demo.test",
            "prefecture38@demo.test",
            "prefecture93@demo.test",
            "operateur38a@demo.test",
            "operateur38b@demo.test",
            "operateur93a@demo.test",
        ]
    )
    operator = users.get(email="operateur38b@demo.test").memberships.get().organisation
    assert (operator.kind, operator.territory.code) == ("operateur", "38")


def test_demo_data_is_refused_under_production_like_settings(portal_content, settings):
    from django.core.exceptions import ImproperlyConfigured

    from demo.loader import demo_data_load

    settings.PORTAL_DEMO_DATA_ENABLED = False
    with pytest.raises(ImproperlyConfigured):
        demo_data_load()
    assert not get_user_model().objects.exists()


def test_the_editor_reaches_documents_and_images(client, login):
    login("dihal@demo.test")
    assert client.get("/admin/documents/").status_code == 200
    assert client.get("/admin/images/").status_code == 200


def _attempt(client, email: str, password: str, address: str):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_from_a_stranger_do_not_lock_the_owner_out(client, demo_accounts):
    from django.test import Client

    from demo.accounts import DEMO_PASSWORD

    email = "operateur38a@demo.test"
    for _ in range(5):
        refused = _attempt(client, email, "pas-le-bon-mot", "203.0.113.9")
        assert refused.status_code == 200
    sixth = _attempt(client, email, DEMO_PASSWORD, "203.0.113.9")
    assert sixth.status_code == 200  # even the right password: that address is held back
    assert "cinq minutes" in sixth.content.decode()
    owner = _attempt(Client(), email, DEMO_PASSWORD, "198.51.100.20")
    assert owner.status_code == 302


def test_one_address_guessing_many_accounts_is_held_back(client, demo_accounts):
    emails = [
        "operateur38a@demo.test",
        "operateur38b@demo.test",
        "operateur93a@demo.test",
        "prefecture38@demo.test",
        "prefecture93@demo.test",
        "dihal@demo.test",
    ]
    for attempt in range(30):
        _attempt(client, emails[attempt % len(emails)], "pas-le-bon-mot", "203.0.113.9")
    from demo.accounts import DEMO_PASSWORD

    held = _attempt(client, "operateur93a@demo.test", DEMO_PASSWORD, "203.0.113.9")
    assert held.status_code == 429  # the right password too: that address is held back
