"""Access matrix of the whole portal.

1. Every URL pattern of the project is classified in an explicit table: the portal's own
   patterns one by one with their rule, third-party trees (Wagtail admin, allauth, Wagtail
   documents, Wagtail page serving) as groups. A new pattern without a row fails.
2. Every role (anonymous and the six demo accounts) is tried on every portal pattern with
   its own and foreign objects, GET and POST, and the outcome is compared with the rule.
   Each request runs in a savepoint rolled back afterwards, so requests do not depend on one
   another; the four answers are reloaded after every request to catch any foreign write.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.db.models.fields.files import FieldFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils.html import escape
from openpyxl import load_workbook
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtailstreamforms.models import Form

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from demo.loader import demo_data_load
from documents.exports.campaign_zips import exports_storage
from documents.models import DocumentExport
from documents.rendering.pdf import pdf_available
from forms_app.form_builder import answer_form, input_items
from forms_app.households.services import (
    contact_attempt_add,
    household_create,
    household_document_open,
)
from forms_app.lifecycle import (
    submission_attach_file,
    submission_save_draft,
    submission_start,
    submission_submit,
)
from forms_app.models import Campaign, Household, Submission, SubmissionStatus
from home.content_loader import portal_content_load
from portal.models import Membership, Organisation, OrganisationKind, Role, User
from tests.forms_app.builders import valid_input
from tests.signing import SECOND_FACTOR_PATH, sign_in

HOUSEHOLD_FORMS = ("diagnostic-social-et-financier", "contrat-d-engagement")
LOGIN_PATH = "/accounts/login/"
PERSONAL_SPACE = "/mon-espace/"
BILAN_2021 = "Bilan d'étape 2021"
LETTRE = "Lettre de préfiguration"
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
OWN_PACKAGES = frozenset({"portal", "home", "forms_app"})
# documents' own routes (namespace "documents"); its editors' pages live under /admin/.
OWN_NAMESPACES = frozenset({"portal", "home", "forms_app", "documents"})
REGEX_MARKS = "<>()[]{}\\.*+?|^$"


# ---------------------------------------------------------------------------------------
# Who asks
# ---------------------------------------------------------------------------------------

DEMO_ORGANISATION = {account.email: account.organisation for account in DEMO_ACCOUNTS}


@dataclass(frozen=True)
class Persona:
    """A role of the matrix: anonymous, or one demo account with its organisation."""

    key: str
    email: str | None = None
    kind: str = "anonymous"  # anonymous, dihal, prefecture or operateur
    territory: str | None = None

    @property
    def organisation(self) -> str | None:
        return DEMO_ORGANISATION.get(self.email or "")


PERSONAS: tuple[Persona, ...] = (
    Persona("anonymous"),
    Persona("dihal", "dihal@demo.test", "dihal"),
    Persona("prefecture38", "prefecture38@demo.test", "prefecture", "38"),
    Persona("prefecture93", "prefecture93@demo.test", "prefecture", "93"),
    Persona("operateur38a", "operateur38a@demo.test", "operateur", "38"),
    Persona("operateur38b", "operateur38b@demo.test", "operateur", "38"),
    Persona("operateur93a", "operateur93a@demo.test", "operateur", "93"),
)


@dataclass(frozen=True)
class OrgRef:
    pk: int
    name: str
    kind: str
    territory: str


class Relation(Enum):
    """How a persona stands to an organisation's answer (computed here, not by the app)."""

    ANONYMOUS = "anonymous"
    RESPONDENT = "member of the answering organisation"
    VALIDATOR = "DIHAL editor"
    READER = "prefecture of the answer's territory"
    STRANGER = "foreign"


def relation(persona: Persona, owner: OrgRef) -> Relation:
    if persona.kind == "anonymous":
        return Relation.ANONYMOUS
    if persona.kind == "dihal":
        return Relation.VALIDATOR
    if persona.organisation == owner.name:
        return Relation.RESPONDENT
    if persona.kind == "prefecture" and persona.territory == owner.territory:
        return Relation.READER
    return Relation.STRANGER


READERS = (Relation.RESPONDENT, Relation.VALIDATOR, Relation.READER)


def may_read(persona: Persona, owner: OrgRef, *, household: bool = False) -> bool:
    """Household documents are read by the operator that follows the household only."""
    if household:
        return relation(persona, owner) is Relation.RESPONDENT
    return relation(persona, owner) in READERS


# ---------------------------------------------------------------------------------------
# What they should get
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """An expected response. ``location`` is a template over the target's URLs (``{login}``,
    ``{detail}``, ``{edit}``, ``{campaign_answers}``); ``writes`` means the target answer is
    meant to change; ``refusal`` means nothing must be shown or changed."""

    label: str
    statuses: frozenset[int]
    location: str | None = None
    writes: bool = False
    refusal: bool = False


def _outcome(label: str, *statuses: int, **options: Any) -> Outcome:
    return Outcome(label, frozenset(statuses), **options)


SERVED = _outcome("200", 200)
FILE = _outcome("200 file", 200)
HIDDEN = _outcome("403/404", 403, 404, refusal=True)
FORBIDDEN = _outcome("403", 403, refusal=True)
NOT_ALLOWED = _outcome("405", 405, refusal=True)
TO_LOGIN = _outcome("302 → login", 302, location="{login}", refusal=True)
TO_ALLAUTH_LOGIN = _outcome("302 → allauth login", 302, location=f"{LOGIN_PATH}?next=/admin/")
TO_ALLAUTH_LOGIN_HOME = _outcome("302 → allauth login", 302, location=f"{LOGIN_PATH}?next=%2F")
TO_PERSONAL_SPACE = _outcome("302 → personal space", 302, location=PERSONAL_SPACE)
TO_DETAIL = _outcome("302 → answer page (unchanged)", 302, location="{detail}")
TO_EDIT = _outcome("302 → fill page", 302, location="{edit}")
DRAFT_SAVED = _outcome("302 → fill page, draft saved", 302, location="{edit}", writes=True)
JSON_SAVED = _outcome("200 JSON, draft saved", 200, writes=True)
RETURNED = _outcome("302 → campaign, returned", 302, location="{campaign_answers}", writes=True)
ACCEPTED = _outcome("302 → campaign, accepted", 302, location="{campaign_answers}", writes=True)
TO_TRACKER = _outcome("302 → campaign tracker", 302, location="{tracker}")
TO_HOUSEHOLD = _outcome("302 → household page", 302, location="{household}", writes=True)
TO_DOCUMENT = _outcome("302 → the household's document", 302)
HOUSEHOLD_FORM_ERRORS = _outcome("400, the form with its errors", 400)
DOWNLOAD = _outcome("200 download", 200)
TO_EXPORT = _outcome("302 → export page", 302)
REOPENED = _outcome("302 → fill page, reopened", 302, location="{edit}", writes=True)


@dataclass(frozen=True)
class ByStatus:
    """An outcome that depends on whether the answer is still editable (draft/returned)."""

    editable: Outcome
    transmitted: Outcome


@dataclass(frozen=True)
class AnswerRef:
    key: str
    pk: int
    owner: OrgRef
    campaign_id: int | None
    editable: bool
    household: bool = False  # a document of a household's case file

    @property
    def detail_url(self) -> str:
        return reverse("forms_app:answer_detail", kwargs={"pk": self.pk})


@dataclass(frozen=True)
class HouseholdRef:
    key: str
    pk: int
    owner: OrgRef

    @property
    def url(self) -> str:
        return reverse("forms_app:household_detail", kwargs={"pk": self.pk})


@dataclass(frozen=True)
class Target:
    """One URL the matrix requests, with the object behind it (if any)."""

    label: str
    url: str
    owner: OrgRef | None = None
    answer: AnswerRef | None = None
    forced: Outcome | None = None  # the outcome for every signed-in persona
    listed: tuple[AnswerRef, ...] = ()  # answers whose rows the page may show
    campaign_id: int | None = None  # the campaign of a campaign page
    household: HouseholdRef | None = None


Decide = Callable[[Persona, Target], Outcome | None]  # None: not requested for this persona


def everyone(outcome: Outcome) -> Decide:
    def decide(persona: Persona, target: Target) -> Outcome:
        return outcome

    return decide


def by_kind(**outcomes: Outcome | None) -> Decide:
    """Keys: anonymous, dihal, prefecture, operateur."""

    def decide(persona: Persona, target: Target) -> Outcome | None:
        return outcomes[persona.kind]

    return decide


def by_relation(rules: Mapping[Relation, Outcome | ByStatus]) -> Decide:
    """The rule of the persona's relation to the target's owner; a household document has
    no validator and no reader: the operator's own, a stranger's for everyone else."""

    def decide(persona: Persona, target: Target) -> Outcome:
        assert target.owner is not None
        stands = relation(persona, target.owner)
        if target.answer is not None and target.answer.household:
            stands = stands if stands is Relation.RESPONDENT else Relation.STRANGER
        rule = rules[stands]
        if isinstance(rule, ByStatus):
            assert target.answer is not None
            return rule.editable if target.answer.editable else rule.transmitted
        return rule

    return decide


def answer_start_rule(persona: Persona, target: Target) -> Outcome:
    """Only members of an expected respondent (the prefectures, for these campaigns) start."""
    assert target.owner is not None
    is_member = relation(persona, target.owner) is Relation.RESPONDENT
    return TO_EDIT if is_member and target.owner.kind == "prefecture" else FORBIDDEN


def household_documents_only(rules: Mapping[Relation, Outcome | ByStatus]) -> Decide:
    """Routes for household documents: a campaign answer is not found there by anyone."""
    inner = by_relation(rules)

    def decide(persona: Persona, target: Target) -> Outcome:
        assert target.answer is not None
        return inner(persona, target) if target.answer.household else HIDDEN

    return decide


def following_operator(outcome: Outcome) -> Decide:
    """A household's own routes: the operator that follows it, not found for anyone else."""

    def decide(persona: Persona, target: Target) -> Outcome:
        assert target.household is not None
        return outcome if persona.organisation == target.household.owner.name else HIDDEN

    return decide


# The demo operators' accounts are agents; the world makes this one its operator's
# responsable, who reads the access trail of the operator's households.
OPERATOR_RESPONSABLE = "operateur38b@demo.test"


def operator_responsable_only(outcome: Outcome) -> Decide:
    """An operator's responsable; refused to agents, prefectures and DIHAL."""

    def decide(persona: Persona, target: Target) -> Outcome:
        return outcome if persona.email == OPERATOR_RESPONSABLE else FORBIDDEN

    return decide


def requester_only(outcome: Outcome) -> Decide:
    """An export is its requester's (the DIHAL account here); not found for anyone else."""

    def decide(persona: Persona, target: Target) -> Outcome:
        return outcome if persona.key == "dihal" else HIDDEN

    return decide


ADMIN_PUBLIC_ASSETS = frozenset({"admin/sprite/", "admin/jsi18n/"})
ADMIN_DISABLED = frozenset({"admin/password_reset/done/", "admin/password_reset/complete/"})


def admin_sweep_rule(persona: Persona, target: Target) -> Outcome | None:
    """Every argument-free admin page: refused to non-editors, a login for anonymous."""
    if persona.kind == "dihal":
        return None  # the editors' pages are checked by the sample
    if persona.kind != "anonymous":
        return FORBIDDEN
    if target.label in ADMIN_PUBLIC_ASSETS:
        return SERVED
    if target.label in ADMIN_DISABLED:
        return HIDDEN
    return TO_LOGIN


@dataclass(frozen=True)
class PatternRule:
    """Who may use a pattern. ``targets`` names the objects plugged in (World.targets) or
    ``paths`` gives fixed URLs; ``verbs`` maps "GET", "POST", "POST draft"… to a decision;
    ``signed_in`` patterns send anonymous visitors to the login page; ``arguments`` are
    fixed URL arguments besides the target's own (a CSV table's name)."""

    rule: str
    verbs: Mapping[str, Decide]
    targets: str = "none"
    paths: tuple[str, ...] = ()
    signed_in: bool = True
    arguments: Mapping[str, str] = field(default_factory=dict)  # more URL arguments


ANSWER_READERS: dict[Relation, Outcome | ByStatus] = {
    Relation.RESPONDENT: SERVED,
    Relation.VALIDATOR: SERVED,
    Relation.READER: SERVED,
    Relation.STRANGER: HIDDEN,
}
ANSWER_WRITERS_PAGE: dict[Relation, Outcome | ByStatus] = {
    Relation.RESPONDENT: ByStatus(SERVED, TO_DETAIL),
    Relation.VALIDATOR: TO_DETAIL,
    Relation.READER: TO_DETAIL,
    Relation.STRANGER: HIDDEN,
}


def validators(done: Outcome) -> dict[Relation, Outcome | ByStatus]:
    """DIHAL editors validate these forms (validated_by = dihal); a draft stays unchanged."""
    return {
        Relation.VALIDATOR: ByStatus(TO_DETAIL, done),
        Relation.RESPONDENT: HIDDEN,
        Relation.READER: HIDDEN,
        Relation.STRANGER: HIDDEN,
    }


# A login door under /admin/: allauth's login for those who may use the admin, a refusal
# for the signed-in others (the /admin/ prefix refuses non-editors before any view).
ADMIN_LOGIN_DOOR = {
    "GET": by_kind(
        anonymous=TO_ALLAUTH_LOGIN,
        dihal=TO_ALLAUTH_LOGIN,
        prefecture=FORBIDDEN,
        operateur=FORBIDDEN,
    )
}
# Admin pages, the user pages of portal.user_admin included: DIHAL editors only.
EDITORS_ONLY = {
    "GET": by_kind(anonymous=TO_LOGIN, dihal=SERVED, prefecture=FORBIDDEN, operateur=FORBIDDEN)
}

# The portal's own patterns, one by one (key: the full name, or the route when unnamed).
PORTAL_PATTERNS: dict[str, PatternRule] = {
    "portal:mon_espace": PatternRule("any signed-in person", {"GET": everyone(SERVED)}),
    "portal:audit_log": PatternRule(
        "an operator's responsable (their households' access trail); 403 for anyone else",
        {"GET": operator_responsable_only(SERVED)},
    ),
    "portal_audit:index": PatternRule(
        "« Journal des accès » in the admin: DIHAL administrators only",
        EDITORS_ONLY,
        signed_in=False,
    ),
    "portal_audit:export": PatternRule(
        "« Journal des accès » CSV export: DIHAL administrators only",
        {
            "GET": by_kind(
                anonymous=TO_LOGIN, dihal=DOWNLOAD, prefecture=FORBIDDEN, operateur=FORBIDDEN
            )
        },
        signed_in=False,
    ),
    "home:territories": PatternRule("public", {"GET": everyone(SERVED)}, signed_in=False),
    "healthz": PatternRule(
        "public, for load balancers: the state of each part in JSON, nothing secret",
        {"GET": everyone(SERVED)},
        signed_in=False,
    ),
    "home:load_test_base": PatternRule(
        "load test's bare page: 404 unless settings.PORTAL_LOAD_TEST_VIEW (off here)",
        {"GET": everyone(HIDDEN)},
        signed_in=False,
    ),
    "cms_admin_login": PatternRule(
        "login door → allauth login (the /admin/ prefix refuses signed-in non-editors)",
        ADMIN_LOGIN_DOOR,
        paths=("/admin/login/?next=/admin/",),
        signed_in=False,
    ),
    "admin/password_reset/": PatternRule(
        "login door → allauth login (the /admin/ prefix refuses signed-in non-editors)",
        ADMIN_LOGIN_DOOR,
        paths=("/admin/password_reset/?next=/admin/",),
        signed_in=False,
    ),
    "wagtailusers_users:add": PatternRule(
        "Wagtail's user pages (portal.user_admin): DIHAL editors, no superuser/password fields",
        EDITORS_ONLY,
        signed_in=False,
    ),
    "wagtailusers_users:edit": PatternRule(
        "Wagtail's user pages (portal.user_admin): DIHAL editors, no superuser/password fields",
        EDITORS_ONLY,
        paths=("/admin/users/edit/{user}/",),
        signed_in=False,
    ),
    "_util/login/": PatternRule(
        "Wagtail's front-end login door → allauth login, for everyone",
        {"GET": everyone(TO_ALLAUTH_LOGIN_HOME), "POST": everyone(TO_ALLAUTH_LOGIN_HOME)},
        paths=("/_util/login/?next=/",),
        signed_in=False,
    ),
    r"admin/wagtailstreamforms/\d+/submissions/": PatternRule(
        "never served (wagtailstreamforms' own submission list and deletion)",
        {"GET": everyone(HIDDEN), "POST": everyone(HIDDEN)},
        paths=(
            "/admin/wagtailstreamforms/{form}/submissions/",
            "/admin/wagtailstreamforms/{form}/submissions/delete/",
        ),
        signed_in=False,
    ),
    "forms_app:answer_start": PatternRule(
        "members of an expected respondent organisation (POST only)",
        {"GET": everyone(NOT_ALLOWED), "POST": answer_start_rule},
        targets="start",
    ),
    "forms_app:answer_detail": PatternRule(
        "DIHAL all; a prefecture its territory's; an operator its own",
        {"GET": by_relation(ANSWER_READERS)},
        targets="answer",
    ),
    "forms_app:answer_edit": PatternRule(
        "members of the answer's organisation while draft/returned; readers → answer page",
        {
            "GET": by_relation(ANSWER_WRITERS_PAGE),
            "POST draft": by_relation(
                {**ANSWER_WRITERS_PAGE, Relation.RESPONDENT: ByStatus(DRAFT_SAVED, TO_DETAIL)}
            ),
            # The saved draft is incomplete: the page comes back with errors, unchanged.
            "POST submit": by_relation(ANSWER_WRITERS_PAGE),
        },
        targets="answer",
    ),
    "forms_app:answer_autosave": PatternRule(
        "members of the answer's organisation while draft/returned (POST only)",
        {
            "GET": everyone(NOT_ALLOWED),
            "POST": by_relation(
                {
                    Relation.RESPONDENT: ByStatus(JSON_SAVED, HIDDEN),
                    Relation.VALIDATOR: HIDDEN,
                    Relation.READER: HIDDEN,
                    Relation.STRANGER: HIDDEN,
                }
            ),
        },
        targets="answer",
    ),
    "forms_app:answer_file": PatternRule(
        "whoever may see the answer; a file asked under another answer is not found",
        {"GET": by_relation({**ANSWER_READERS, **dict.fromkeys(READERS, FILE)})},
        targets="file",
    ),
    "forms_app:answer_return": PatternRule(
        "DIHAL editors, on a transmitted answer (POST only)",
        {"GET": everyone(NOT_ALLOWED), "POST": by_relation(validators(RETURNED))},
        targets="answer",
    ),
    "forms_app:answer_accept": PatternRule(
        "DIHAL editors, on a transmitted answer (POST only)",
        {"GET": everyone(NOT_ALLOWED), "POST": by_relation(validators(ACCEPTED))},
        targets="answer",
    ),
    "forms_app:answer_copy_indicators": PatternRule(
        "members of the answer's organisation while draft/returned (GET: typed beside "
        "computed, POST: replaces the ticked fields); these forms have no computed "
        "counters: back to the fill page, unchanged",
        {
            "GET": by_relation(
                {
                    Relation.RESPONDENT: ByStatus(TO_EDIT, TO_DETAIL),
                    Relation.VALIDATOR: FORBIDDEN,
                    Relation.READER: FORBIDDEN,
                    Relation.STRANGER: HIDDEN,
                }
            ),
            "POST": by_relation(
                {
                    Relation.RESPONDENT: ByStatus(TO_EDIT, TO_DETAIL),
                    Relation.VALIDATOR: FORBIDDEN,
                    Relation.READER: FORBIDDEN,
                    Relation.STRANGER: HIDDEN,
                }
            ),
        },
        targets="answer",
    ),
    "forms_app:household_document_refill": PatternRule(
        "the operator following the household, on its draft documents (GET: typed beside "
        "the case file's, POST: replaces the ticked fields, none ticked: nothing written)",
        {
            "GET": household_documents_only(
                {
                    Relation.RESPONDENT: ByStatus(SERVED, TO_DETAIL),
                    Relation.STRANGER: HIDDEN,
                }
            ),
            "POST": household_documents_only(
                {
                    Relation.RESPONDENT: ByStatus(TO_EDIT, TO_DETAIL),
                    Relation.STRANGER: HIDDEN,
                }
            ),
        },
        targets="answer",
    ),
    "forms_app:household_document_reopen": PatternRule(
        "the operator following the household, on its finalised documents (POST only)",
        {
            "GET": everyone(NOT_ALLOWED),
            "POST": household_documents_only(
                {Relation.RESPONDENT: ByStatus(TO_DETAIL, REOPENED), Relation.STRANGER: HIDDEN}
            ),
        },
        targets="answer",
    ),
    "forms_app:household_list": PatternRule(
        "operators (their own households)",
        {"GET": by_kind(dihal=FORBIDDEN, prefecture=FORBIDDEN, operateur=SERVED)},
    ),
    "forms_app:household_create": PatternRule(
        "operators; an empty form comes back with its errors",
        {
            "GET": by_kind(dihal=FORBIDDEN, prefecture=FORBIDDEN, operateur=SERVED),
            "POST": by_kind(dihal=FORBIDDEN, prefecture=FORBIDDEN, operateur=SERVED),
        },
    ),
    "forms_app:veilles_to_do": PatternRule(
        "operators (their own households)",
        {"GET": by_kind(dihal=FORBIDDEN, prefecture=FORBIDDEN, operateur=SERVED)},
    ),
    "forms_app:household_overview": PatternRule(
        "DIHAL all territories, a prefecture its own: counts and pseudonymised rows",
        {"GET": by_kind(dihal=SERVED, prefecture=SERVED, operateur=FORBIDDEN)},
    ),
    "forms_app:household_detail": PatternRule(
        "the operator following the household; not found for anyone else",
        {"GET": following_operator(SERVED)},
        targets="household",
    ),
    "forms_app:household_edit": PatternRule(
        "the operator following the household; an empty form comes back with its errors",
        {"GET": following_operator(SERVED), "POST": following_operator(SERVED)},
        targets="household",
    ),
    "forms_app:household_contact_add": PatternRule(
        "the operator following the household (POST only); an empty attempt is refused",
        {"GET": everyone(NOT_ALLOWED), "POST": following_operator(HOUSEHOLD_FORM_ERRORS)},
        targets="household",
    ),
    "forms_app:household_status": PatternRule(
        "the operator following the household (POST only)",
        {"GET": everyone(NOT_ALLOWED), "POST": following_operator(TO_HOUSEHOLD)},
        targets="household",
    ),
    "forms_app:household_document_open": PatternRule(
        "the operator following the household (POST only): opens its existing diagnostic",
        {"GET": everyone(NOT_ALLOWED), "POST": following_operator(TO_DOCUMENT)},
        targets="household_document",
    ),
    "forms_app:campaign_list": PatternRule(
        "DIHAL and prefectures",
        {"GET": by_kind(dihal=SERVED, prefecture=SERVED, operateur=FORBIDDEN)},
    ),
    "forms_app:campaign_answers": PatternRule(
        "DIHAL all rows; a prefecture its territory's rows only",
        {"GET": by_kind(dihal=SERVED, prefecture=SERVED, operateur=FORBIDDEN)},
        targets="campaign",
    ),
    "documents:submission_word": PatternRule(
        "whoever may read the answer (a household document: its operator only)",
        {"GET": by_relation({**ANSWER_READERS, **dict.fromkeys(READERS, DOWNLOAD)})},
        targets="answer",
    ),
    "documents:submission_pdf": PatternRule(
        "whoever may read the answer, when LibreOffice is installed (else not found)",
        {
            "GET": by_relation(
                {
                    **ANSWER_READERS,
                    **dict.fromkeys(READERS, DOWNLOAD if pdf_available() else HIDDEN),
                }
            )
        },
        targets="answer",
    ),
    "documents:campaign_export_start": PatternRule(
        "DIHAL and prefectures (their territories), POST only",
        {
            "GET": everyone(NOT_ALLOWED),
            "POST": by_kind(dihal=TO_EXPORT, prefecture=TO_EXPORT, operateur=FORBIDDEN),
        },
        targets="campaign",
    ),
    "documents:export_detail": PatternRule(
        "the export's requester only",
        {"GET": requester_only(SERVED)},
        targets="export",
    ),
    "documents:export_progress": PatternRule(
        "the export's requester only",
        {"GET": requester_only(SERVED)},
        targets="export",
    ),
    "documents:export_download": PatternRule(
        "the export's requester only, once the zip is complete",
        {"GET": requester_only(DOWNLOAD)},
        targets="export",
    ),
    "documents:export_retry": PatternRule(
        "the export's requester only, POST only; a finished export is left as it is",
        {"GET": everyone(NOT_ALLOWED), "POST": requester_only(TO_EXPORT)},
        targets="export",
    ),
    "documents:consolidation": PatternRule(
        "DIHAL national, by region or département; a prefecture its territory only",
        {"GET": by_kind(dihal=SERVED, prefecture=SERVED, operateur=FORBIDDEN)},
        targets="campaign_tables",
    ),
    "documents:consolidation_xlsx": PatternRule(
        "DIHAL and prefectures, within the territories they follow",
        {"GET": by_kind(dihal=DOWNLOAD, prefecture=DOWNLOAD, operateur=FORBIDDEN)},
        targets="campaign_tables",
    ),
    "documents:consolidation_csv": PatternRule(
        "DIHAL and prefectures, within the territories they follow",
        {"GET": by_kind(dihal=DOWNLOAD, prefecture=DOWNLOAD, operateur=FORBIDDEN)},
        targets="campaign_tables",
        arguments={"table": "departements"},
    ),
    "documents:consolidation_docx": PatternRule(
        "DIHAL and prefectures, within the territories they follow",
        {"GET": by_kind(dihal=DOWNLOAD, prefecture=DOWNLOAD, operateur=FORBIDDEN)},
        targets="campaign_tables",
    ),
    "forms_app:campaign_remind": PatternRule(
        "DIHAL and prefectures (their territory's late respondents), POST only",
        {
            "GET": everyone(NOT_ALLOWED),
            "POST": by_kind(dihal=TO_TRACKER, prefecture=TO_TRACKER, operateur=FORBIDDEN),
        },
        targets="campaign",
    ),
}

ADMIN_RULE = "Wagtail admin: DIHAL editors only; other signed-in people 403; anonymous → login"
ACCOUNTS_RULE = "allauth: public pages, or the signed-in person's own account"
DOCUMENTS_RULE = "Wagtail documents: public documents for everyone"
PAGES_RULE = "Wagtail page serving: public CMS pages (and Wagtail's page-privacy helpers)"

# Third-party trees, classified by route prefix as a group.
THIRD_PARTY_PREFIXES: dict[str, str] = {
    "admin/": ADMIN_RULE,
    "accounts/": ACCOUNTS_RULE,
    "documents/": DOCUMENTS_RULE,
    "_util/": PAGES_RULE,
}
THIRD_PARTY_NAMES: dict[str, str] = {"wagtail_serve": PAGES_RULE}

# Spot checks of the third-party groups, through the same matrix.
GROUP_CHECKS: dict[str, PatternRule] = {
    "admin/ (editors' pages)": PatternRule(
        ADMIN_RULE,
        EDITORS_ONLY,
        paths=(
            "/admin/",
            "/admin/pages/",
            "/admin/pages/{home}/edit/",
            "/admin/snippets/forms_app/campaign/",
            "/admin/snippets/forms_app/campaign/edit/{campaign}/",
            "/admin/wagtailstreamforms/form/",
        ),
        signed_in=False,
    ),
    "admin/ (every page without arguments)": PatternRule(
        ADMIN_RULE, {"GET": admin_sweep_rule}, targets="admin_sweep", signed_in=False
    ),
    "accounts/ (public)": PatternRule(
        ACCOUNTS_RULE,
        {
            "GET": by_kind(
                anonymous=SERVED,
                dihal=TO_PERSONAL_SPACE,
                prefecture=TO_PERSONAL_SPACE,
                operateur=TO_PERSONAL_SPACE,
            )
        },
        paths=(LOGIN_PATH, "/accounts/signup/"),
        signed_in=False,
    ),
    "accounts/ (own account)": PatternRule(
        ACCOUNTS_RULE,
        {"GET": everyone(SERVED)},
        paths=("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"),
    ),
    "documents/": PatternRule(
        DOCUMENTS_RULE, {"GET": everyone(FILE)}, paths=("{document}",), signed_in=False
    ),
    "wagtail_serve": PatternRule(
        PAGES_RULE, {"GET": everyone(SERVED)}, targets="pages", signed_in=False
    ),
}


# ---------------------------------------------------------------------------------------
# The URL patterns of the project
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundPattern:
    route: str  # the joined route; regex parts without their ^ and $ anchors
    name: str | None  # with namespaces, e.g. "forms_app:answer_detail"
    module: str  # the view's module

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def is_own(self) -> bool:
        namespace = self.name.split(":", 1)[0] if self.name and ":" in self.name else None
        return self.module.split(".", 1)[0] in OWN_PACKAGES or namespace in OWN_NAMESPACES


def _route_part(entry: URLPattern | URLResolver) -> str:
    text = str(entry.pattern)
    if isinstance(entry.pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("$")
    return text


def url_patterns_walk(
    patterns: Sequence[URLPattern | URLResolver] | None = None,
    prefix: str = "",
    namespaces: tuple[str, ...] = (),
) -> Iterator[FoundPattern]:
    """Every pattern of the URLconf, with its full route and namespaced name."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + _route_part(entry)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from url_patterns_walk(entry.url_patterns, route, inner)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield FoundPattern(route, name, getattr(entry.callback, "__module__", ""))


def classify(pattern: FoundPattern) -> str | None:
    """The pattern's rule, or None when the table does not say."""
    if pattern.key in PORTAL_PATTERNS:
        return f"portal: {PORTAL_PATTERNS[pattern.key].rule}"
    if pattern.is_own:
        return None  # the portal's own patterns are listed one by one
    if pattern.name in THIRD_PARTY_NAMES:
        return THIRD_PARTY_NAMES[pattern.name]
    for prefix, rule in THIRD_PARTY_PREFIXES.items():
        if pattern.route.startswith(prefix):
            return rule
    return None


# ---------------------------------------------------------------------------------------
# The objects
# ---------------------------------------------------------------------------------------


@dataclass
class World:
    answers: list[AnswerRef]
    organisations: dict[str, OrgRef]  # by persona-like key: prefecture38, operateur93a…
    file_id: int
    campaigns: dict[str, int]  # title → pk
    placeholders: dict[str, str]  # for PatternRule.paths
    page_urls: list[str]
    admin_routes: list[str]
    households: list[HouseholdRef]
    diagnostic_form_id: int
    export_id: int
    # What nobody but the following operator may read, by operator name: names, phones…
    household_secrets: dict[str, set[str]]

    def answer(self, key: str) -> AnswerRef:
        return next(answer for answer in self.answers if answer.key == key)

    def targets(self, name: str, rule: PatternRule) -> list[Target]:
        if rule.paths:
            return [Target(path, path.format(**self.placeholders)) for path in rule.paths]
        if rule.targets == "none":
            return [Target(name, reverse(name))]
        if rule.targets == "answer":
            return [
                Target(a.key, reverse(name, kwargs={"pk": a.pk}), a.owner, a) for a in self.answers
            ]
        if rule.targets == "file":
            return self._file_targets(name)
        if rule.targets == "campaign":
            return [
                Target(
                    title,
                    reverse(name, kwargs={"pk": pk}),
                    listed=tuple(a for a in self.answers if a.campaign_id == pk),
                    campaign_id=pk,
                )
                for title, pk in self.campaigns.items()
            ]
        if rule.targets == "campaign_tables":
            # Consolidated tables cover the territories the person follows: totals by
            # territory, and one row per respondent in the « Réponses » sheet and
            # reponses.csv (test_consolidated_answers_hold_only_the_prefecture_territory).
            return [
                Target(
                    title,
                    reverse(name, kwargs={"pk": pk, **rule.arguments}),
                    campaign_id=pk,
                )
                for title, pk in self.campaigns.items()
            ]
        if rule.targets == "start":
            return self._start_targets(name)
        if rule.targets == "household":
            return [
                Target(h.key, reverse(name, kwargs={"pk": h.pk}), h.owner, household=h)
                for h in self.households
            ]
        if rule.targets == "export":
            return [Target("export of DIHAL", reverse(name, kwargs={"pk": self.export_id}))]
        if rule.targets == "household_document":
            return [
                Target(
                    h.key,
                    reverse(name, kwargs={"pk": h.pk, "form_id": self.diagnostic_form_id}),
                    h.owner,
                    household=h,
                )
                for h in self.households
            ]
        if rule.targets == "pages":
            return [Target(url, url) for url in self.page_urls]
        if rule.targets == "admin_sweep":
            return [Target(route, f"/{route}") for route in self.admin_routes]
        raise AssertionError(f"Unknown targets {rule.targets!r}")

    def _file_targets(self, name: str) -> list[Target]:
        owner_answer = self.answer("bilan38")
        targets = [
            Target(
                "bilan38 file",
                reverse(name, kwargs={"pk": owner_answer.pk, "file_id": self.file_id}),
                owner_answer.owner,
                owner_answer,
            )
        ]
        for other in self.answers:
            if other is not owner_answer:
                targets.append(
                    Target(
                        f"bilan38 file asked under {other.key}",
                        reverse(name, kwargs={"pk": other.pk, "file_id": self.file_id}),
                        other.owner,
                        other,
                        forced=HIDDEN,
                    )
                )
        return targets

    def _start_targets(self, name: str) -> list[Target]:
        campaign_id = self.campaigns[BILAN_2021]
        existing = {a.owner.pk: a for a in self.answers if a.campaign_id == campaign_id}
        return [
            Target(
                f"{BILAN_2021} for {key}",
                reverse(name, kwargs={"campaign_id": campaign_id, "organisation_id": org.pk}),
                org,
                existing.get(org.pk),
            )
            for key, org in self.organisations.items()
        ]


def _org_ref(organisation: Organisation) -> OrgRef:
    return OrgRef(
        organisation.pk, organisation.name, organisation.kind, organisation.territory.code
    )


def _submitted_answer(campaign: Campaign, organisation: Organisation) -> Submission:
    submission = submission_start(campaign=campaign, organisation=organisation, user=None)
    schema = submission.form_version.schema
    form = answer_form(schema=schema, data=valid_input(schema))
    assert form.is_valid(), form.errors_by_key()
    return submission_submit(
        submission=submission,
        user=None,
        data=form.cleaned_json(),
        draft_input={},
        expected_revision=submission.revision,
    )


def _with_filed_file(submission: Submission, stored) -> Submission:
    """The transmitted answer refers to the file, as one with a file field does."""
    Submission.objects.filter(pk=submission.pk).update(
        data={**submission.data, stored.key: stored.as_reference()}
    )
    submission.refresh_from_db()
    return submission


def _draft_answer(campaign: Campaign, organisation: Organisation) -> Submission:
    submission = submission_start(campaign=campaign, organisation=organisation, user=None)
    return submission_save_draft(
        submission=submission,
        user=None,
        draft_input={"signataire_prefet": ["Préfet de démonstration"]},
        expected_revision=submission.revision,
    )


def _household_with_documents(
    operator: Organisation, name: str, phone: str
) -> tuple[Household, dict]:
    """A household met, diagnosed (filed) and with a contract in progress (draft)."""
    household = household_create(
        operator=operator,
        user=None,
        fields={
            "nom": name,
            "prenom": "Ghislaine",
            "telephone": phone,
            "adresse_logement": f"7 impasse {name}",
            "source": "ccapex",
            "referred_on": datetime.date(2021, 2, 1),
            "stage": "cdp",
        },
    )
    contact_attempt_add(
        household=household,
        user=None,
        date=datetime.date(2021, 2, 8),
        mode="visite",
        result="rencontre",
    )
    forms = {slug: Form.objects.get(slug=slug) for slug in HOUSEHOLD_FORMS}
    diagnostic = household_document_open(
        household=household, form=forms["diagnostic-social-et-financier"], user=None
    )
    schema = diagnostic.form_version.schema
    form = answer_form(schema=schema, data=valid_input(schema, nom=name))
    assert form.is_valid(), form.errors_by_key()
    diagnostic = submission_submit(
        submission=diagnostic,
        user=None,
        data=form.cleaned_json(),
        draft_input={},
        expected_revision=diagnostic.revision,
    )
    contract = household_document_open(
        household=household, form=forms["contrat-d-engagement"], user=None
    )
    return household, {"diagnostic": diagnostic, "contract": contract}


def _admin_routes_without_arguments() -> list[str]:
    """The Wagtail admin's routes that take no argument, less those the portal overrides."""
    found = list(url_patterns_walk())
    own_routes = {p.route for p in found if p.is_own}
    return sorted(
        {
            p.route
            for p in found
            if p.route.startswith("admin/")
            and p.route not in own_routes
            and not any(mark in p.route for mark in REGEX_MARKS)
        }
    )


def _world_build() -> World:
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    demo_data_load()
    Membership.objects.filter(
        user__email=OPERATOR_RESPONSABLE, organisation__kind=OrganisationKind.OPERATEUR
    ).update(role=Role.RESPONSABLE)
    bilan = Campaign.objects.get(title=BILAN_2021)
    lettre = Campaign.objects.get(title=LETTRE)
    prefectures = {
        code: Organisation.objects.get(kind=OrganisationKind.PREFECTURE, territory__code=code)
        for code in ("38", "93")
    }
    # The demo data already answers these campaigns: replace them by answers we know.
    Submission.objects.filter(
        campaign__in=[bilan, lettre], organisation__in=prefectures.values()
    ).delete()
    bilan38 = _submitted_answer(bilan, prefectures["38"])
    stored = submission_attach_file(
        submission=bilan38,
        user=User.objects.get(email="prefecture38@demo.test"),
        key="piece_jointe",
        uploaded=SimpleUploadedFile("piece.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    built = {
        "bilan38": _with_filed_file(bilan38, stored),
        "bilan93": _submitted_answer(bilan, prefectures["93"]),
        "draft38": _draft_answer(lettre, prefectures["38"]),
        "draft93": _draft_answer(lettre, prefectures["93"]),
    }
    assert [s.status for s in built.values()] == ["soumise", "soumise", "brouillon", "brouillon"]
    households = []
    for persona_key, name, phone in (
        ("operateur38a", "Quenouillard", "06 39 98 00 38"),
        ("operateur93a", "Brisepierre", "06 39 98 00 93"),
    ):
        operator = Organisation.objects.get(name=DEMO_ORGANISATION[f"{persona_key}@demo.test"])
        household, documents = _household_with_documents(operator, name, phone)
        households.append(HouseholdRef(f"menage {persona_key}", household.pk, _org_ref(operator)))
        for kind, document in documents.items():
            built[f"{kind} {persona_key}"] = document
    answers = [
        AnswerRef(
            key,
            s.pk,
            _org_ref(s.organisation),
            s.campaign_id,
            s.is_editable,
            household=s.household_id is not None,
        )
        for key, s in built.items()
    ]
    secrets: dict[str, set[str]] = {}
    for household in Household.objects.select_related("operator"):
        values = {household.nom, household.telephone, household.adresse_logement}
        secrets.setdefault(household.operator.name, set()).update(v for v in values if v)
    organisations = {
        persona.key: _org_ref(Organisation.objects.get(name=persona.organisation))
        for persona in PERSONAS
        if persona.kind in {"prefecture", "operateur"}
    }
    document = get_document_model().objects.create(
        title="Note publique", file=ContentFile(PDF_BYTES, name="note-publique.pdf")
    )
    pages = Page.objects.live().public().specific()
    export = DocumentExport.objects.create(
        campaign=bilan,
        requested_by=User.objects.get(email="dihal@demo.test"),
        status="terminee",
        total=1,
        done=1,
        file_name=exports_storage().save("documents-matrice.zip", ContentFile(PDF_BYTES)),
    )
    return World(
        answers=answers,
        organisations=organisations,
        file_id=stored.pk,
        campaigns={BILAN_2021: bilan.pk, LETTRE: lettre.pk},
        placeholders={
            "form": str(bilan.form_id),
            "user": str(User.objects.get(email="prefecture93@demo.test").pk),
            "home": str(Page.objects.get(depth=2).pk),
            "campaign": str(bilan.pk),
            "document": document.url,
        },
        page_urls=[page.url for page in pages if page.url],
        admin_routes=_admin_routes_without_arguments(),
        households=households,
        diagnostic_form_id=Form.objects.get(slug="diagnostic-social-et-financier").pk,
        export_id=export.pk,
        household_secrets=secrets,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The content, demo accounts and the four answers, built once for the module and
    rolled back at its end (each test runs in its own savepoint inside)."""
    with (
        django_db_blocker.unblock(),
        tempfile.TemporaryDirectory() as exports,
        override_settings(PORTAL_EXPORTS_DIR=Path(exports)),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _world_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def no_local_path(stored: FieldFile) -> str:
    raise NotImplementedError("in-memory files have no local path")


def signed_in_client(persona: Persona) -> Client:
    client = Client(raise_request_exception=False)
    if persona.email is not None:
        response = sign_in(client, persona.email)
        assert response.status_code == 302, f"{persona.key} could not sign in"
        assert not response["Location"].startswith(SECOND_FACTOR_PATH), persona.key
    return client


# ---------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------

Snapshot = dict[str, tuple[Any, ...] | None]


def answers_snapshot(world: World) -> Snapshot:
    """Status, revision, data, draft input, transitions and files of the four answers."""
    rows = (
        Submission.objects.filter(pk__in=[a.pk for a in world.answers])
        .annotate(
            transition_count=Count("transitions", distinct=True),
            file_count=Count("files", distinct=True),
        )
        .values_list(
            "pk", "status", "revision", "data", "draft_input", "transition_count", "file_count"
        )
    )
    by_pk = {row[0]: tuple(row[1:]) for row in rows}
    snapshot: Snapshot = {answer.key: by_pk.get(answer.pk) for answer in world.answers}
    households = (
        Household.objects.filter(pk__in=[h.pk for h in world.households])
        .annotate(
            attempts=Count("contact_attempts", distinct=True),
            document_count=Count("documents", distinct=True),
        )
        .values_list("pk", "status", "nom", "stage", "attempts", "document_count")
    )
    by_household = {row[0]: tuple(row[1:]) for row in households}
    for household in world.households:
        snapshot[household.key] = by_household.get(household.pk)
    return snapshot


def response_body(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        # Consuming the stream closes the response through the test client's wrapper, which
        # keeps the database connection; closing it again here would end the connection
        # (close_old_connections) in the middle of the module's transaction on PostgreSQL.
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


def same_location(actual: str, expected: str) -> bool:
    got, wanted = urlsplit(actual), urlsplit(expected)
    return got.path == wanted.path and parse_qs(got.query) == parse_qs(wanted.query)


def mentions(body: str, text: str) -> bool:
    return text in body or escape(text) in body


def _first_text_key(schema: list[dict]) -> str:
    return next(
        item["value"]["key"]
        for item in input_items(schema)
        if item["type"] in ("short_text", "long_text")
    )


@dataclass
class Matrix:
    world: World
    clients: dict[str, Client]
    requests: int = 0
    foreign_reads: list[str] = field(default_factory=list)
    foreign_writes: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    covered: Counter[str] = field(default_factory=Counter)

    def run(self, name: str, rule: PatternRule) -> None:
        for target in self.world.targets(name, rule):
            for verb, decide in rule.verbs.items():
                for persona in PERSONAS:
                    if rule.signed_in and persona.kind == "anonymous":
                        outcome: Outcome | None = TO_LOGIN
                    elif target.forced is not None and persona.kind != "anonymous":
                        outcome = target.forced
                    else:
                        outcome = decide(persona, target)
                    if outcome is not None:
                        self.check(name, verb, persona, target, outcome)

    def check(
        self, name: str, verb: str, persona: Persona, target: Target, outcome: Outcome
    ) -> None:
        client = self.clients[persona.key]
        method = verb.split()[0]
        with transaction.atomic():
            before = answers_snapshot(self.world)
            count_before = Submission.objects.count()
            if method == "GET":
                response = client.get(target.url)
            else:
                response = client.post(target.url, self._post_data(verb, persona, target, before))
            body = response_body(response)
            after = answers_snapshot(self.world)
            count_after = Submission.objects.count()
            transaction.set_rollback(True)
        self.requests += 1
        self.covered[f"{name} {verb}"] += 1
        where = f"{persona.key:13} {verb:11} {target.url} [{name} · {target.label}]"
        self._judge_response(where, method, persona, target, outcome, response, body)
        self._judge_writes(where, persona, target, outcome, before, after)
        if count_after != count_before:
            self.foreign_writes.append(
                f"{where}: answers {count_before} → {count_after} (created or deleted)"
            )

    def _post_data(
        self, verb: str, persona: Persona, target: Target, before: Snapshot
    ) -> dict[str, str]:
        """The current revision, so that only the access check can stop the write."""
        snapshot = before.get(target.answer.key) if target.answer else None
        revision = snapshot[1] if snapshot else 0
        if not target.answer and target.household:
            household = Household.objects.filter(pk=target.household.pk).first()
            revision = household.revision if household else 0
        data = {
            "revision": str(revision),
            "intrusion": f"saisi par {persona.key}",
            "comment": f"renvoyée par {persona.key}",
            "status": "clos",
            "_fin": "1",  # the fill forms' closing marker: the body arrived whole
        }
        if target.answer:
            # One answer of the form itself: a body without any is refused as incomplete.
            answer = Submission.objects.filter(pk=target.answer.pk).first()
            if answer is not None:
                data[_first_text_key(answer.form_version.schema)] = f"saisi par {persona.key}"
        if verb.startswith("POST "):
            data["action"] = verb.split()[1]
        return data

    def _urls(self, target: Target) -> dict[str, str]:
        urls = {"login": f"{LOGIN_PATH}?{urlencode({'next': target.url})}"}
        if target.campaign_id is not None:
            urls["tracker"] = reverse(
                "forms_app:campaign_answers", kwargs={"pk": target.campaign_id}
            )
        if target.household is not None:
            urls["household"] = target.household.url
        if target.answer is not None:
            answer = target.answer
            urls["detail"] = answer.detail_url
            urls["edit"] = reverse("forms_app:answer_edit", kwargs={"pk": answer.pk})
            if answer.campaign_id is not None:
                urls["campaign_answers"] = reverse(
                    "forms_app:campaign_answers", kwargs={"pk": answer.campaign_id}
                )
        return urls

    def _judge_response(
        self,
        where: str,
        method: str,
        persona: Persona,
        target: Target,
        outcome: Outcome,
        response: HttpResponse,
        body: bytes,
    ) -> None:
        status = response.status_code
        location = response.get("Location", "")
        expected_location = (
            outcome.location.format(**self._urls(target)) if outcome.location else None
        )
        matches = status in outcome.statuses and (
            expected_location is None or same_location(location, expected_location)
        )
        if not matches:
            got = f"{status} {location}".strip()
            message = f"{where}: expected {outcome.label}, got {got}"
            to_login = status == 302 and urlsplit(location).path == LOGIN_PATH
            crossed = outcome.refusal and (200 <= status < 300 or (status == 302 and not to_login))
            if not crossed:
                self.mismatches.append(message)
            elif method == "GET":
                self.foreign_reads.append(message)
            else:
                self.foreign_writes.append(f"{message} (write attempt not refused)")
            return
        if status != 200:
            return
        if outcome is FILE:
            self._judge_file(where, target, response, body)
        if response.get("Content-Type", "").startswith("text/html"):
            self._judge_page(where, persona, target, body.decode())

    def _judge_file(self, where: str, target: Target, response: HttpResponse, body: bytes) -> None:
        if target.answer is None:
            return  # a public Wagtail document
        disposition = response.get("Content-Disposition", "")
        if body != PDF_BYTES or "attachment" not in disposition:
            self.mismatches.append(f"{where}: the file is not the stored PDF as attachment")
        if response.get("Cache-Control") != "no-store":
            self.mismatches.append(f"{where}: an answer's file may be cached")

    def _judge_page(self, where: str, persona: Persona, target: Target, body: str) -> None:
        """A served page links to no answer the persona may not read, and a campaign page
        lists exactly the rows of the territories the persona follows."""
        for answer in self.world.answers:
            readable = may_read(persona, answer.owner, household=answer.household)
            if not readable and answer.detail_url in body:
                self.foreign_reads.append(f"{where}: links to {answer.key} ({answer.detail_url})")
        for household in self.world.households:
            if persona.organisation != household.owner.name and household.url in body:
                self.foreign_reads.append(f"{where}: links to {household.key}")
        for operator, secrets in self.world.household_secrets.items():
            if persona.organisation == operator:
                continue
            for secret in sorted(secrets):
                if mentions(body, secret):
                    self.foreign_reads.append(f"{where}: shows {secret!r} of {operator}")
        for answer in target.listed:
            row = f'data-organisation="{answer.owner.pk}"'
            shown = row in body or mentions(body, answer.owner.name)
            if shown and not may_read(persona, answer.owner):
                self.foreign_reads.append(f"{where}: shows the row of {answer.owner.name}")
            if not shown and may_read(persona, answer.owner):
                self.mismatches.append(f"{where}: misses the row of {answer.owner.name}")

    def _judge_writes(
        self,
        where: str,
        persona: Persona,
        target: Target,
        outcome: Outcome,
        before: Snapshot,
        after: Snapshot,
    ) -> None:
        meant = set()
        if outcome.writes:
            meant = {target.answer.key} if target.answer else set()
            meant |= {target.household.key} if target.household else set()
        changed = {key for key in before if before[key] != after[key]}
        for key in sorted(changed - meant):
            self.foreign_writes.append(f"{where}: changed {key}: {before[key]} → {after[key]}")
        for key in sorted(meant - changed):
            self.mismatches.append(f"{where}: {outcome.label} but {key} did not change")

    def report(self) -> str:
        lines = [
            f"{self.requests} requests, {len(self.foreign_reads)} foreign reads, "
            f"{len(self.foreign_writes)} foreign writes, {len(self.mismatches)} other mismatches"
        ]
        for title, entries in (
            ("FOREIGN READS", self.foreign_reads),
            ("FOREIGN WRITES", self.foreign_writes),
            ("OTHER MISMATCHES", self.mismatches),
        ):
            lines += [f"{title}:", *(f"  {entry}" for entry in entries)] if entries else []
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------


def test_every_url_pattern_is_classified():
    found = list(url_patterns_walk())
    unclassified = [
        f"{p.route} (name={p.name}, view in {p.module})" for p in found if classify(p) is None
    ]
    assert not unclassified, "URL patterns missing from the access table:\n" + "\n".join(
        unclassified
    )
    stale = set(PORTAL_PATTERNS) - {p.key for p in found}
    assert not stale, f"Rows of the access table without a URL pattern: {sorted(stale)}"
    own = [p for p in found if p.is_own]
    assert {p.key for p in own} == set(PORTAL_PATTERNS)
    print(f"{len(found)} URL patterns: {len(own)} portal patterns listed one by one")


# The matrix in shards, so that parallel workers share its thousands of requests: every
# pattern and group check belongs to exactly one shard (each request runs in a rolled-back
# transaction, so the order of the patterns does not matter).
MATRIX_SHARDS = 4


def matrix_shard(shard: int) -> dict[str, PatternRule]:
    rules = {**PORTAL_PATTERNS, **GROUP_CHECKS}
    return {name: rules[name] for name in sorted(rules)[shard::MATRIX_SHARDS]}


def test_the_shards_hold_every_pattern_once():
    names = [name for shard in range(MATRIX_SHARDS) for name in matrix_shard(shard)]
    assert sorted(names) == sorted({**PORTAL_PATTERNS, **GROUP_CHECKS})


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(MATRIX_SHARDS))
def test_access_matrix(world: World, monkeypatch: pytest.MonkeyPatch, shard: int):
    # Test storage keeps files in memory: Wagtail must stream documents, not sendfile a path.
    monkeypatch.setattr(FieldFile, "path", property(no_local_path))
    clients = {persona.key: signed_in_client(persona) for persona in PERSONAS}
    matrix = Matrix(world, clients)
    rules = matrix_shard(shard)
    for name, rule in rules.items():
        matrix.run(name, rule)

    for name, rule in rules.items():
        if name not in PORTAL_PATTERNS:
            continue
        for verb in rule.verbs:
            assert matrix.covered[f"{name} {verb}"], f"{name} {verb} was never requested"
    print(matrix.report())
    assert not matrix.foreign_reads and not matrix.foreign_writes and not matrix.mismatches, (
        matrix.report()
    )


@pytest.mark.django_db
def test_operators_cannot_start_a_prefecture_campaign(world: World):
    campaign_id = world.campaigns[BILAN_2021]
    count = Submission.objects.count()
    for persona in PERSONAS:
        if persona.kind != "operateur":
            continue
        client = signed_in_client(persona)
        own = Organisation.objects.get(name=persona.organisation)
        prefecture = world.organisations[f"prefecture{persona.territory}"]
        for organisation_id in (own.pk, prefecture.pk):
            url = reverse(
                "forms_app:answer_start",
                kwargs={"campaign_id": campaign_id, "organisation_id": organisation_id},
            )
            assert client.post(url).status_code == 403, (persona.key, url)
    assert Submission.objects.count() == count


@pytest.mark.django_db
def test_campaign_answers_show_only_the_prefecture_territory(world: World):
    url = reverse("forms_app:campaign_answers", kwargs={"pk": world.campaigns[BILAN_2021]})
    isere, seine_saint_denis = (
        world.organisations["prefecture38"],
        world.organisations["prefecture93"],
    )
    pages = {
        persona.key: signed_in_client(persona).get(url).content.decode()
        for persona in PERSONAS
        if persona.key in {"dihal", "prefecture38", "prefecture93"}
    }
    assert mentions(pages["prefecture38"], isere.name)
    assert not mentions(pages["prefecture38"], seine_saint_denis.name)
    assert world.answer("bilan93").detail_url not in pages["prefecture38"]
    assert mentions(pages["prefecture93"], seine_saint_denis.name)
    assert not mentions(pages["prefecture93"], isere.name)
    assert world.answer("bilan38").detail_url not in pages["prefecture93"]
    assert mentions(pages["dihal"], isere.name) and mentions(pages["dihal"], seine_saint_denis.name)


def _answer_codes(content: bytes, *, kind: str) -> list[str]:
    """The « N° de département » of each row of the consolidated answers (CSV or XLSX)."""
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    else:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        rows = [list(row) for row in workbook["Réponses"].iter_rows(values_only=True)]
    index = list(rows[0]).index("N° de département")
    return sorted(str(row[index]) for row in rows[1:])


@pytest.mark.django_db
def test_consolidated_answers_hold_only_the_prefecture_territory(world: World):
    """reponses.csv and the workbook's « Réponses » sheet are one row per respondent: a
    prefecture reads its own territory's rows only, in both campaigns of the matrix, even
    when it asks for another département or region."""
    filed = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
    seen_by_dihal: set[str] = set()
    for title, pk in world.campaigns.items():
        answers = Submission.objects.filter(campaign_id=pk, status__in=filed)
        csv_url = reverse("documents:consolidation_csv", kwargs={"pk": pk, "table": "reponses"})
        xlsx_url = reverse("documents:consolidation_xlsx", kwargs={"pk": pk})
        for persona in PERSONAS:
            if persona.kind not in {"dihal", "prefecture"}:
                continue
            client = signed_in_client(persona)
            mine = (
                answers
                if persona.kind == "dihal"
                else answers.filter(territory__code=persona.territory)
            )
            expected = sorted(mine.values_list("territory__code", flat=True))
            queries = [""]
            if persona.kind == "prefecture":
                other = "93" if persona.territory == "38" else "38"
                queries += [f"?departement={other}", "?region=Île-de-France"]
            for query in queries:
                for url, kind in ((csv_url, "csv"), (xlsx_url, "xlsx")):
                    response = client.get(url + query)
                    assert response.status_code == 200, (persona.key, title, url + query)
                    codes = _answer_codes(response.content, kind=kind)
                    assert codes == expected, (persona.key, title, kind, query)
            if persona.kind == "dihal":
                seen_by_dihal |= set(expected)
    # The check could fail: DIHAL's files hold both prefectures' transmitted bilans.
    assert {"38", "93"} <= seen_by_dihal


@pytest.mark.django_db
def test_wagtail_front_end_login_is_not_a_second_door(world: World):
    """One login door: allauth's, with its two-factor step and its rate limit on failed
    logins. Wagtail's front-end login (``_util/login/``, Django's plain LoginView, served by
    ``include(wagtail_urls)``) must not sign anyone in."""
    wagtail_login = reverse("wagtailcore_login")
    problems: list[str] = []

    # Two-factor authentication: allauth asks for the code, the Wagtail door does not.
    with_totp = User.objects.get(email="prefecture38@demo.test")  # enrolled, as every demo account
    through_allauth = Client()
    response = through_allauth.post(
        LOGIN_PATH, {"login": with_totp.email, "password": DEMO_PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert through_allauth.get(PERSONAL_SPACE).status_code == 302  # not signed in yet
    through_wagtail = Client()
    through_wagtail.post(wagtail_login, {"username": with_totp.email, "password": DEMO_PASSWORD})
    if through_wagtail.get(PERSONAL_SPACE).status_code == 200:
        problems.append(
            f"POST {wagtail_login} signed in {with_totp.email} (TOTP enabled) on the password "
            "alone, skipping the second factor"
        )

    # Failed logins: allauth refuses after 5 (ACCOUNT_RATE_LIMITS), the Wagtail door does not.
    guessed = "prefecture93@demo.test"
    guesser = Client()
    for _attempt in range(20):
        guesser.post(wagtail_login, {"username": guessed, "password": "mot-de-passe-devine"})
    guesser.post(wagtail_login, {"username": guessed, "password": DEMO_PASSWORD})
    if guesser.get(PERSONAL_SPACE).status_code == 200:
        problems.append(
            f"POST {wagtail_login} signed in {guessed} after 20 failed attempts: allauth's "
            "rate limit on failed logins does not apply there"
        )
    assert not problems, "Second login door:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_sessions_are_each_persons_own(world: World):
    """/accounts/sessions/ lists the person's own sessions only, and ending « the other
    sessions » ends theirs, never another person's."""
    from allauth.usersessions.models import UserSession

    clients: dict[str, Client] = {}
    for persona in PERSONAS:
        if persona.email is None:
            continue
        client = Client(HTTP_USER_AGENT=f"Agent de {persona.key}")
        assert sign_in(client, persona.email).status_code == 302
        clients[persona.key] = client
    anonymous = Client().get("/accounts/sessions/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN_PATH)
    for key, client in clients.items():
        html = client.get("/accounts/sessions/").content.decode()
        foreign = [other for other in clients if other != key and f"Agent de {other}<" in html]
        assert f"Agent de {key}" in html and not foreign, (key, foreign)
    before = set(UserSession.objects.values_list("session_key", flat=True))
    clients["operateur38a"].post("/accounts/sessions/")
    after = set(UserSession.objects.values_list("session_key", flat=True))
    assert after == before, "ending one's other sessions ended someone else's"
    for key, client in clients.items():
        assert client.get(PERSONAL_SPACE).status_code == 200, key
