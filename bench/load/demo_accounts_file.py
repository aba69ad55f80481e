"""Writes the load test's accounts file from the demo accounts, under development settings.

Stand-in for the scale-data generator until it lands: the same JSON shape
(``{"dihal": [{"email", "totp_secret"}], "prefecture": [...], "operateur": [...]}``, every
password ``demo.accounts.DEMO_PASSWORD``). ``--copies N`` adds N clones of each demo account
(same organisations and roles, a TOTP secret of their own), because allauth refuses a TOTP
code used twice in its period: a hundred simulated people need more than six accounts.

    DJANGO_SETTINGS_MODULE=portal.settings.dev DATABASE_URL=… \
        python -m bench.load.demo_accounts_file --copies 12 var/prod-local/accounts.json
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
from pathlib import Path

import django

ROLE_GROUPS = {"editeur": "dihal", "responsable": "prefecture", "agent": "operateur"}


def clone_email(email: str, number: int) -> str:
    """``prefecture38@demo.test`` → ``prefecture38+charge03@demo.test``."""
    local, domain = email.split("@", 1)
    return f"{local}+charge{number:02d}@{domain}"


def accounts_write(*, path: Path, copies: int) -> dict[str, list[dict[str, str]]]:
    """Creates the clones missing and writes every account, grouped by role, to ``path``."""
    from django.db import transaction

    from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_second_factor_enrol
    from portal.models import Organisation, User
    from portal.services import membership_set

    groups: dict[str, list[dict[str, str]]] = {"dihal": [], "prefecture": [], "operateur": []}
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            group = groups[ROLE_GROUPS[str(account.role)]]
            group.append({"email": account.email, "totp_secret": account.totp_secret})
            organisation = Organisation.objects.get(name=account.organisation)
            for number in range(1, copies + 1):
                email = clone_email(account.email, number)
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email,
                        password=DEMO_PASSWORD,
                        first_name=account.first_name,
                        last_name=f"{account.last_name} {number:02d}",
                    )
                    membership_set(organisation=organisation, user=user, role=account.role)
                    secret = base64.b32encode(secrets.token_bytes(20)).decode()
                    demo_second_factor_enrol(user=user, secret=secret)
                group.append({"email": email, "totp_secret": clone_secret(user)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(groups, indent=2), encoding="utf-8")
    return groups


def clone_secret(user) -> str:
    """The TOTP secret a clone was enrolled with (read back from its authenticator)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--copies", type=int, default=0)
    arguments = parser.parse_args()
    django.setup()
    groups = accounts_write(path=arguments.path, copies=arguments.copies)
    counts = ", ".join(f"{name} {len(accounts)}" for name, accounts in groups.items())
    print(f"Comptes de charge écrits dans {arguments.path} : {counts}.")


if __name__ == "__main__":
    main()
