"""Territories, operators and accounts of the scale data (``generate_scale_data``).

At scale 10 the 26 territories of annexe 1 grow to the 101 départements listed in
``demo/data/departements.csv`` (with their région, spelled as the seed spells the régions it
shares with it: « Grand-Est », « Pays-de-la-Loire », « Réunion »), each with its prefecture
and three operators. The territories the seed does not list get 3 ETP (the annex's smallest
team, an assumption). Every account signs in with the demo password and a TOTP secret
derived from its address, so the load test can compute its codes; ``accounts_file_write``
writes them by role.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_second_factor_enrol
from demo.answer_content import demo_content
from portal.models import (
    BUDGET_PER_ETP,
    MAX_OPERATORS_PER_TERRITORY,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Territory,
    User,
)
from portal.services import membership_set

DEPARTEMENTS_FILE = Path(__file__).parent / "data" / "departements.csv"
NEW_TERRITORY_ETP = 3
SCALE_DOMAIN = "scale.test"
DIHAL_ACCOUNTS = 3


@dataclass(frozen=True)
class ScaleAccount:
    """An account the load test signs in with."""

    email: str
    totp_secret: str
    role: str  # "dihal", "prefecture" or "operateur": the accounts file's keys


def totp_secret_for(email: str) -> str:
    """A fixed base32 TOTP secret per address (32 characters, as allauth makes them)."""
    digest = hashlib.sha256(f"portail-echelle:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def departements_read() -> list[dict[str, str]]:
    """The 101 départements: code, name, région and the prefecture's name."""
    with DEPARTEMENTS_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def territories_extend() -> int:
    """Creates the départements and prefectures missing from the 101; returns how many
    territories were created."""
    existing = set(Territory.objects.values_list("code", flat=True))
    rows = [row for row in departements_read() if row["code"] not in existing]
    territories = Territory.objects.bulk_create(
        Territory(
            code=row["code"],
            name=row["departement"],
            region=row["region"],
            etp=NEW_TERRITORY_ETP,
            budget_2021=NEW_TERRITORY_ETP * BUDGET_PER_ETP,
        )
        for row in rows
    )
    names = {row["code"]: row["prefecture"] for row in rows}
    Organisation.objects.bulk_create(
        Organisation(name=names[t.code], kind=OrganisationKind.PREFECTURE, territory=t)
        for t in territories
    )
    return len(territories)


def operators_fill(*, territories: list[Territory]) -> int:
    """Gives each territory its three operators (the demo's own count); returns how many
    were created. Names come from the demo's operator templates."""
    templates = demo_content().teams.operators
    counts: dict[int, int] = {}
    for territory_id in Organisation.objects.filter(kind=OrganisationKind.OPERATEUR).values_list(
        "territory_id", flat=True
    ):
        counts[territory_id] = counts.get(territory_id, 0) + 1
    created = []
    for territory in territories:
        missing = MAX_OPERATORS_PER_TERRITORY - counts.get(territory.pk, 0)
        for template in templates[:missing]:
            created.append(
                Organisation(
                    name=template.name.format(territory=territory.name),
                    kind=OrganisationKind.OPERATEUR,
                    territory=territory,
                )
            )
    Organisation.objects.bulk_create(created)
    return len(created)


def scale_accounts_create(*, territories: list[Territory]) -> list[ScaleAccount]:
    """The DIHAL accounts, one prefecture account per territory, an agent and a
    responsable per operator (created when missing), with their second factor; returns
    every account the load test may use, the demo's own included."""
    wanted = _wanted_members(territories=territories)
    known = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    password = make_password(DEMO_PASSWORD)  # one hash for all: hashing is the slow part
    User.objects.bulk_create(
        User(email=email, password=password, first_name=first, last_name=last)
        for email, (_, _, first, last) in wanted.items()
        if email not in known
    )
    users = {user.email: user for user in User.objects.filter(email__in=wanted)}
    members = set(Membership.objects.filter(user__in=users.values()).values_list("user__email"))
    dihal_roles = []
    memberships = []
    for email, (organisation, role, _, _) in wanted.items():
        if (email,) in members:
            continue
        if organisation.kind == OrganisationKind.DIHAL:
            dihal_roles.append((organisation, users[email], role))
        else:
            memberships.append(Membership(organisation=organisation, user=users[email], role=role))
    Membership.objects.bulk_create(memberships)
    for organisation, user, role in dihal_roles:  # the editors' group goes with the role
        membership_set(organisation=organisation, user=user, role=role)
    for email, user in users.items():
        demo_second_factor_enrol(user=user, secret=totp_secret_for(email))
    return _demo_accounts() + [
        ScaleAccount(email, totp_secret_for(email), wanted[email][0].kind) for email in wanted
    ]


def _wanted_members(
    *, territories: list[Territory]
) -> dict[str, tuple[Organisation, Role, str, str]]:
    """E-mail → (organisation, role, first name, last name) of every scale account."""
    dihal = Organisation.objects.get(kind=OrganisationKind.DIHAL)
    wanted = {
        f"dihal-{n}@{SCALE_DOMAIN}": (dihal, Role.EDITEUR, "Agent", f"DIHAL {n}")
        for n in range(1, DIHAL_ACCOUNTS + 1)
    }
    organisations = Organisation.objects.filter(territory__in=territories).select_related(
        "territory"
    )
    numbers: dict[int, int] = {}
    for organisation in organisations.order_by("territory__code", "kind", "name"):
        code = organisation.territory.code.lower()
        if organisation.kind == OrganisationKind.PREFECTURE:
            wanted[f"prefecture-{code}@{SCALE_DOMAIN}"] = (
                organisation,
                Role.RESPONSABLE,
                "Responsable",
                f"préfecture {code}",
            )
            continue
        number = numbers[organisation.territory_id] = numbers.get(organisation.territory_id, 0) + 1
        for role in (Role.AGENT, Role.RESPONSABLE):
            wanted[f"operateur-{code}-{number}-{role.value}@{SCALE_DOMAIN}"] = (
                organisation,
                role,
                role.label.split(" ")[0],
                f"opérateur {code}-{number}",
            )
    return wanted


def _demo_accounts() -> list[ScaleAccount]:
    kinds = dict(Organisation.objects.values_list("name", "kind"))
    return [
        ScaleAccount(account.email, account.totp_secret, kinds[account.organisation])
        for account in DEMO_ACCOUNTS
        if account.organisation in kinds
    ]


def accounts_file_write(*, path: Path, accounts: list[ScaleAccount]) -> None:
    """Writes ``{"dihal": [...], "prefecture": [...], "operateur": [...]}``, each a list of
    ``{"email", "totp_secret"}`` (the load test's input); every account has the demo
    password."""
    by_role: dict[str, list[dict[str, str]]] = {kind: [] for kind in OrganisationKind.values}
    for account in accounts:
        by_role[account.role].append({"email": account.email, "totp_secret": account.totp_secret})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(by_role, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
