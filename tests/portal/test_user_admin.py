"""Accounts in the Wagtail admin: editors manage people, never superuser status or passwords."""

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from demo.accounts import DEMO_PASSWORD, demo_second_factor_enrol
from portal.user_admin import NEW_ACCOUNT_HELP_TEXT

EDITOR = "dihal@demo.test"
NEW_PASSWORD = "Un-tout-autre-mot-de-passe-2025"


def form_post_data(form) -> dict:
    """The POST a browser would send for this form as displayed (its initial values)."""
    data = {}
    for name in form.fields:
        bound_field = form[name]
        value = bound_field.value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif value is None:
            continue
        else:
            data[name] = value
    return data


def add_url():
    return reverse("wagtailusers_users:add")


def edit_url(user):
    return reverse("wagtailusers_users:edit", args=[user.pk])


@pytest.fixture(autouse=True)
def rate_limits_reset():
    """allauth counts logins per IP (30/min) in the cache: leave no count to later tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(demo_accounts):
    user = get_user_model().objects.create_superuser(
        email="technique@demo.test",
        password=DEMO_PASSWORD,
        first_name="Équipe",
        last_name="Technique",
    )
    demo_second_factor_enrol(user=user, secret=generate_totp_secret())  # superusers must
    return user


def test_editor_edit_form_has_no_superuser_nor_password_field(login):
    client = login(EDITOR)
    target = get_user_model().objects.get(email="prefecture93@demo.test")
    response = client.get(edit_url(target))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="password1"' not in html
    assert 'name="password2"' not in html
    form = response.context["form"]
    assert not {"is_superuser", "password1", "password2"} & set(form.fields)


def test_editor_cannot_make_a_superuser_nor_set_a_password(login):
    client = login(EDITOR)
    target = get_user_model().objects.get(email="prefecture93@demo.test")
    data = form_post_data(client.get(edit_url(target)).context["form"])
    data.update(
        {
            "last_name": "Renommée",
            "is_superuser": "on",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        }
    )

    response = client.post(edit_url(target), data)

    assert response.status_code == 302, response.context["form"].errors
    target.refresh_from_db()
    assert target.last_name == "Renommée"  # the edit itself went through
    assert target.is_superuser is False
    assert target.check_password(DEMO_PASSWORD)
    assert not target.check_password(NEW_PASSWORD)


def test_editor_create_form_has_no_superuser_nor_password_field(login):
    client = login(EDITOR)
    response = client.get(add_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="password1"' not in html
    assert 'name="password2"' not in html
    assert "Mot de passe oublié ?" in html
    assert response.context["form"].fields["email"].help_text == NEW_ACCOUNT_HELP_TEXT


def test_account_created_by_an_editor_has_no_password_and_no_privilege(client, login):
    editor_client = login(EDITOR)
    data = form_post_data(editor_client.get(add_url()).context["form"])
    data.update(
        {
            "email": "nouvelle.personne@example.org",
            "first_name": "Nouvelle",
            "last_name": "Personne",
            "is_superuser": "on",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        }
    )

    response = editor_client.post(add_url(), data)

    assert response.status_code == 302, response.context["form"].errors
    user = get_user_model().objects.get(email="nouvelle.personne@example.org")
    assert user.is_superuser is False
    assert user.has_usable_password() is False
    assert not user.check_password(NEW_PASSWORD)

    # The person sets a password through allauth's « Mot de passe oublié ? ».
    editor_client.post("/accounts/logout/")
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_editor_cannot_edit_a_superuser(login, superuser):
    """Else an editor could put their own address on it and reset its password."""
    client = login(EDITOR)
    # Wagtail's admin turns PermissionDenied into a redirect to its home with a message.
    response = client.get(edit_url(superuser))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    response = client.post(edit_url(superuser), {"email": "editeur.pirate@example.org"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    superuser.refresh_from_db()
    assert superuser.email == "technique@demo.test"


def test_superuser_keeps_the_full_forms(login, superuser):
    client = login(superuser.email)
    target = get_user_model().objects.get(email="prefecture93@demo.test")
    edit_html = client.get(edit_url(target)).content.decode()
    assert 'name="is_superuser"' in edit_html
    assert 'name="password1"' in edit_html
    create_html = client.get(add_url()).content.decode()
    assert 'name="is_superuser"' in create_html
    assert 'name="password1"' in create_html
    assert "Administrateur" in create_html  # Wagtail's French label

    data = form_post_data(client.get(edit_url(target)).context["form"])
    data.update({"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.post(edit_url(target), data)
    assert response.status_code == 302, response.context["form"].errors
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
