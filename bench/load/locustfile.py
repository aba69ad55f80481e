"""The portal's people at work, for locust (`make load`): prefectures on « Mon espace » and
their drafts, operators on their households, DIHAL on the tracker and the consolidated
tables; each simulated person signs in with password and TOTP code first.

Accounts come from LOAD_ACCOUNTS_FILE (var/prod-local/accounts.json by default), taken in
turn per role; the host must be http://127.0.0.1 (anything else stops the run).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.exception import StopUser

from bench.load import pages
from bench.load.portal_client import (
    ACCOUNTS_PASSWORD,
    Account,
    PortalClient,
    PortalError,
    TotpSlots,
    loopback_only,
)

ACCOUNTS_FILE = Path(os.environ.get("LOAD_ACCOUNTS_FILE", "var/prod-local/accounts.json"))
AJAX = {"X-Requested-With": "XMLHttpRequest"}
REFUSED_SAVES = frozenset({400, 409})
# What the page's script is told when a colleague on the same account saved the draft
# meanwhile (409) or transmitted it (403): expected answers, not failures.
DRAFT_GONE = frozenset({403, 409})
SLOTS = TotpSlots()
CLIENT_NUMBERS = itertools.count(1)
# Which page a simulated person opens next: no secret rides on it.
PICK = random.Random()  # noqa: S311
# « Au travail »: 5–15 s between a person's actions; the capacity scenario shortens them.
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", 5)), float(os.environ.get("LOAD_WAIT_MAX", 15))
)


def accounts_by_role(path: Path) -> dict[str, itertools.cycle]:
    """Each role's accounts, handed out in turn to the simulated people."""
    groups = json.loads(path.read_text(encoding="utf-8"))
    return {
        role: itertools.cycle(
            [Account(item["email"], ACCOUNTS_PASSWORD, item["totp_secret"]) for item in items]
        )
        for role, items in groups.items()
    }


ACCOUNTS: dict[str, itertools.cycle] = {}


@events.init.add_listener
def refuse_other_hosts(environment, **_kwargs) -> None:
    """Stops before any request unless the target is this machine."""
    loopback_only(environment.host or "")
    ACCOUNTS.update(accounts_by_role(ACCOUNTS_FILE))


def client_ip(number: int) -> str:
    """The ``number``-th simulated person's address (the proxy's X-Forwarded-For)."""
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def client_ip_next() -> str:
    """A distinct address per simulated person."""
    return client_ip(next(CLIENT_NUMBERS))


class PortalUser(HttpUser):
    """A person of ``role``: signs in at start, signs out and in again now and then."""

    abstract = True
    role = ""
    wait_time = WAIT

    def on_start(self) -> None:
        self.account: Account = next(ACCOUNTS[self.role])
        self.portal = PortalClient(self.client, base_url=self.host, client_ip=client_ip_next())
        self.sign_in()
        self.discover()

    def sign_in(self) -> None:
        """Password then code; three tries (each failure is reported), then this simulated
        person stops rather than wander signed out."""
        for attempt in range(3):
            try:
                self.portal.sign_in(self.account, slots=SLOTS)
                return
            except PortalError as error:
                events.user_error.fire(user_instance=self, exception=error, tb=error.__traceback__)
                if attempt == 2:
                    raise StopUser() from None

    def discover(self) -> None:
        """Reads the links this person will follow (overridden per role)."""

    @task(1)
    def sign_out_and_in(self) -> None:
        self.portal.sign_out()
        self.sign_in()

    def get(self, path: str, name: str):
        return self.portal.get(path, name=name)


class PrefectureUser(PortalUser):
    """A prefecture: « Mon espace », its drafts (opened, saved as typed), its documents."""

    role = "prefecture"
    weight = 4

    def discover(self) -> None:
        space = self.get("/mon-espace/", "Mon espace").text
        self.drafts = pages.draft_paths(space)
        self.answers = pages.answer_paths(space)

    @task(6)
    def my_space(self) -> None:
        self.discover()

    @task(8)
    def draft_autosave(self) -> None:
        if not self.drafts:
            return
        draft = PICK.choice(self.drafts)
        edit = self.get(draft, "brouillon (ouvrir)").text
        autosave = pages.autosave_path(edit)
        if autosave is None:  # no longer a draft (transmitted by a colleague)
            return
        fields = pages.autosave_fields(edit)
        for _ in range(PICK.randint(1, 3)):  # a few pauses in the typing, a save each
            response = self.portal.request(
                "POST",
                autosave,
                name="brouillon (enregistrement auto)",
                data=fields,
                headers=AJAX,
                accept=DRAFT_GONE,
            )
            if response.status_code in DRAFT_GONE:
                return
            fields = pages.with_revision(fields, response.json()["revision"])

    @task(1)
    def transmit(self) -> None:
        """« Vérifier et transmettre »: the full validation of the draft (the page comes back
        with its errors while the draft is incomplete), then the confirmation if offered."""
        if not self.drafts:
            return
        draft = PICK.choice(self.drafts)
        edit = self.get(draft, "brouillon (ouvrir)").text
        if pages.autosave_path(edit) is None:
            return
        fields = [*pages.form_fields(edit, mark='id="formulaire-reponse"'), ("action", "review")]
        # 400: the page with its errors (incomplete draft); 409: a colleague saved meanwhile.
        review = self.portal.request(
            "POST", draft, name="transmettre (vérifier)", data=fields, accept=REFUSED_SAVES
        )
        confirm = pages.submit_fields(review.text, edit_path=draft)
        if confirm:
            self.portal.request(
                "POST", draft, name="transmettre (confirmer)", data=confirm, accept=REFUSED_SAVES
            )

    @task(3)
    def word_document(self) -> None:
        if self.answers:
            self.get(pages.word_path(PICK.choice(self.answers)), "document Word")


class OperatorUser(PortalUser):
    """An operator: its households' list and pages, a contact attempt now and then."""

    role = "operateur"
    weight = 5

    def discover(self) -> None:
        self.households = pages.household_paths(self.get("/menages/", "ménages (liste)").text)

    @task(5)
    def household_list(self) -> None:
        self.discover()

    @task(8)
    def household_page(self) -> None:
        if self.households:
            self.get(PICK.choice(self.households), "ménage (page)")

    @task(2)
    def contact_attempt(self) -> None:
        if not self.households:
            return
        household = PICK.choice(self.households)
        page = self.get(household, "ménage (page)").text
        self.portal.request(
            "POST",
            pages.contact_path(household),
            name="tentative de contact",
            data=pages.contact_fields(page, note="Appel sans réponse (test de charge)."),
        )


class DihalUser(PortalUser):
    """DIHAL: the campaigns' tracker and their consolidated tables."""

    role = "dihal"
    weight = 1

    def discover(self) -> None:
        listing = self.get("/suivi/campagnes/", "suivi (liste des campagnes)").text
        self.campaigns = pages.campaign_pks(listing)

    @task(5)
    def tracker(self) -> None:
        if self.campaigns:
            self.get(pages.tracker_path(PICK.choice(self.campaigns)), "suivi d'une campagne")

    @task(3)
    def consolidation(self) -> None:
        if self.campaigns:
            pk = PICK.choice(self.campaigns)
            self.get(pages.consolidation_path(pk), "tableaux consolidés")

    @task(1)
    def campaigns(self) -> None:
        self.discover()
