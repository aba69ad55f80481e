"""Passwords: stored with the portal's Argon2id; one stored before (PBKDF2, or Argon2 with
other parameters) still opens the account and is rewritten at that sign-in."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from demo.accounts import DEMO_PASSWORD
from portal.models import User
from portal.settings import base
from tests.factories import PersonFactory
from tests.signing import SECOND_FACTOR_PATH, sign_in

PORTAL_ARGON2_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def portal_hashers(settings):
    """The hashers every environment but the tests' runs with (the tests use MD5)."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


@pytest.mark.parametrize(
    "stored",
    [
        lambda: make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256"),
        lambda: Argon2PasswordHasher().encode(DEMO_PASSWORD, Argon2PasswordHasher().salt()),
    ],
    ids=["pbkdf2", "argon2-django-defaults"],
)
def test_an_older_hash_signs_in_and_is_rewritten(client, portal_content, portal_hashers, stored):
    person = PersonFactory()
    User.objects.filter(pk=person.pk).update(password=stored())

    response = sign_in(client, person.email)

    assert response.status_code == 302
    assert not response["Location"].startswith(SECOND_FACTOR_PATH)
    assert "_auth_user_id" in client.session
    person.refresh_from_db()
    assert person.password.startswith(PORTAL_ARGON2_PREFIX)
    assert person.check_password(DEMO_PASSWORD)


def test_a_wrong_password_leaves_the_old_hash(client, portal_content, portal_hashers):
    person = PersonFactory()
    old = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=person.pk).update(password=old)

    response = sign_in(client, person.email, password="pas-le-bon-mot-de-passe")

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.password == old


def test_a_new_password_is_stored_with_the_portal_argon2(db, portal_hashers):
    assert make_password(DEMO_PASSWORD).startswith(PORTAL_ARGON2_PREFIX)
