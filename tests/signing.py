"""Signing a demo account in as a person does: password, then the code of its authenticator
app (every demo account has a second factor, with the TOTP secret `make run` prints)."""

from __future__ import annotations

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.core.cache import cache
from django.test import Client

from demo.accounts import DEMO_PASSWORD, demo_totp_code

LOGIN_PATH = "/accounts/login/"
SECOND_FACTOR_PATH = "/accounts/2fa/authenticate/"
# A code read this close to its period's end may be checked in the next period (allauth
# accepts none but the current one): wait for the next period, as a person would.
PERIOD_MARGIN_S = 1


def totp_code_for(email: str) -> str:
    """The current code of an enrolled account (the demo's, or one a test enrolled).
    allauth refuses a code used twice in its period (replay): a test that signs the same
    person in twice forgets the first use, as the period's end would."""
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < PERIOD_MARGIN_S:
        time.sleep(left + 0.05)
    code = demo_totp_code(decrypt(authenticator.data["secret"]))
    cache.delete(TOTP(authenticator)._get_used_cache_key(code))
    return code


def sign_in(client: Client, email: str, *, password: str = DEMO_PASSWORD, **extra):
    """Posts the password, then the code when asked; returns the last response (a 302 to
    the page after sign-in when both were right)."""
    response = client.post(LOGIN_PATH, {"login": email, "password": password}, **extra)
    if response.status_code == 302 and response["Location"].startswith(SECOND_FACTOR_PATH):
        response = client.post(SECOND_FACTOR_PATH, {"code": totp_code_for(email)}, **extra)
    return response


def signed_in(email: str, **client_kwargs) -> Client:
    """A new client signed in as ``email`` (both factors)."""
    client = Client(**client_kwargs)
    response = sign_in(client, email)
    assert response.status_code == 302, f"{email} could not sign in: {response.content[:300]}"
    assert not response["Location"].startswith(SECOND_FACTOR_PATH), email
    return client
