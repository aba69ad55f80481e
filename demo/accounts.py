"""Demo accounts, operators and their TOTP secrets (never under production settings).

The data is synthetic: the operators are invented associations; only the territories and
the prefectures are the scheme's real ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from portal.models import Organisation, OrganisationKind, Role, Territory, User
from portal.services import membership_set, organisation_create

DEMO_PASSWORD = "portail-demo-2020"  # noqa: S105 - documented demo password, dev only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    organisation: str
    role: Role
    description: str
    # The account's TOTP secret (base32): add it to an authenticator app, or type
    # ``oathtool --totp -b <secret>``. Published in the README: demo accounts only.
    totp_secret: str


DEMO_OPERATORS = [
    ("Association Alpes Prévention Logement (démo)", "38"),
    ("Collectif Isère Accès aux Droits (démo)", "38"),
    ("Association Aller-Vers 93 (démo)", "93"),
]

DEMO_ACCOUNTS = [
    DemoAccount(
        "dihal@demo.test",
        "Camille",
        "Martin",
        "DIHAL — Pôle national de prévention des expulsions locatives",
        Role.EDITEUR,
        "éditrice DIHAL (administration Wagtail)",
        "RZTY5JRCJYVU4F4M2I3IFYCW7TXL2KMI",
    ),
    DemoAccount(
        "prefecture38@demo.test",
        "Julien",
        "Bernard",
        "Préfecture de l'Isère",
        Role.RESPONSABLE,
        "préfecture de l'Isère (38)",
        "WOF24GG4YIFVJZALRPSTDLIA3XYCFH3N",
    ),
    DemoAccount(
        "prefecture93@demo.test",
        "Nadia",
        "Haddad",
        "Préfecture de la Seine-Saint-Denis",
        Role.RESPONSABLE,
        "préfecture de la Seine-Saint-Denis (93)",
        "OXFLUYCZWVBPEFZQU3IZJVFVVAWDGF6V",
    ),
    DemoAccount(
        "operateur38a@demo.test",
        "Léa",
        "Moreau",
        DEMO_OPERATORS[0][0],
        Role.AGENT,
        "opérateur A en Isère",
        "RZ46M2CXJNVY4FV7VJRYJMYVTCLOW5HP",
    ),
    DemoAccount(
        "operateur38b@demo.test",
        "Karim",
        "Benali",
        DEMO_OPERATORS[1][0],
        Role.AGENT,
        "opérateur B en Isère",
        "RORFWUO43SPLLUVTUK5ARGSOYVCXCKBD",
    ),
    DemoAccount(
        "operateur93a@demo.test",
        "Sophie",
        "Lefèvre",
        DEMO_OPERATORS[2][0],
        Role.AGENT,
        "opérateur en Seine-Saint-Denis",
        "67CFP7SVFAH63O5L5OBBS4YR23QYWG5V",
    ),
]


@transaction.atomic
def demo_accounts_load() -> int:
    """Creates the demo operators and accounts that are missing; returns how many."""
    if not getattr(settings, "PORTAL_DEMO_DATA_ENABLED", False):
        raise ImproperlyConfigured("Demo data is disabled by these settings.")
    created = 0
    for name, code in DEMO_OPERATORS:
        if not Organisation.objects.filter(name=name).exists():
            organisation_create(
                name=name,
                kind=OrganisationKind.OPERATEUR,
                territory=Territory.objects.get(code=code),
            )
            created += 1
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
            )
            created += 1
        organisation = Organisation.objects.get(name=account.organisation)
        if not user.memberships.filter(organisation=organisation).exists():
            membership_set(organisation=organisation, user=user, role=account.role)
            created += 1
        created += demo_second_factor_enrol(user=user, secret=account.totp_secret)
    return created


def demo_second_factor_enrol(*, user: User, secret: str) -> int:
    """Enrols ``user`` with the published TOTP ``secret`` and recovery codes, as a person
    does on /accounts/2fa/; returns how many authenticators were created."""
    created = 0
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
        created += 1
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
        created += 1
    return created


def demo_totp_code(secret: str, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for ``secret`` now (or at ``at``)."""
    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))
