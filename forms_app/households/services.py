"""Writes on households: the case file, its contact attempts and its documents.

The status only moves forward on its own (a contact reached, a diagnostic or a contract
filed, a follow-up that closes the case); the operator may still set it by hand. The date
of the last exchange and the follow-up due 15 days later are recomputed after every change
by ``household_follow_up_refresh``, so that lists filter and sort on stored columns.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from wagtailstreamforms.models import Form

from forms_app import idempotency
from forms_app.households.prefill import prefill_input
from forms_app.models import (
    ContactAttempt,
    Household,
    HouseholdRole,
    HouseholdStatus,
    Scope,
    Submission,
    SubmissionStatus,
)
from forms_app.models.households import EXCHANGE_RESULTS, STATUS_ORDER
from forms_app.versions import form_version_freeze
from portal.models import Organisation, User

VEILLE_DELAY = datetime.timedelta(days=15)
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud safely

# Keys of the seeded household forms that the case file reads, tolerant of their absence:
# the date a document records an exchange on, and the follow-up's outcome.
EXCHANGE_DATE_KEYS = {
    HouseholdRole.DIAGNOSTIC: "date_entretien",
    HouseholdRole.CONTRAT: "date_signature",
}
VEILLE_COVERS_KEY = "date_dernier_echange"
VEILLE_ISSUE_KEY = "issue"
CLOSING_ISSUES = frozenset({"cloture", "orientation_droit_commun"})
STATUS_WHEN_FILED = {
    HouseholdRole.DIAGNOSTIC: HouseholdStatus.DIAGNOSTIQUE,
    HouseholdRole.CONTRAT: HouseholdStatus.ACCOMPAGNE,
}
STATUS_AFTER_CONTACT = {"rencontre": HouseholdStatus.RENCONTRE}


class NotAHouseholdForm(Exception):
    """The form is not answered per household."""


def _new_reference(territory_code: str) -> str:
    token = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{territory_code}-{token}"


class StaleHousehold(Exception):
    """The case file changed since the person loaded it (another tab, another colleague)."""


def household_create(
    *,
    operator: Organisation,
    user: User | None,
    fields: dict[str, Any],
    creation_token: uuid.UUID | None = None,
) -> Household:
    """Opens a household's case file at ``operator`` with a fresh pseudonymous reference.
    A second request with the same ``creation_token`` (forms_app.idempotency), even a
    concurrent one, gets the household the first one opened."""
    household, _created = idempotency.create_once(
        scope=Household.objects.filter(operator=operator),
        token=creation_token,
        create=lambda token: _household_insert(
            operator=operator, user=user, fields=fields, creation_token=token
        ),
    )
    return household


@transaction.atomic
def _household_insert(
    *, operator: Organisation, user: User | None, fields: dict[str, Any], creation_token
) -> Household:
    for _ in range(5):
        try:
            with transaction.atomic():
                household = Household.objects.create(
                    operator=operator,
                    territory_id=operator.territory_id,
                    reference=_new_reference(operator.territory.code),
                    created_by=user,
                    creation_token=creation_token,
                    **fields,
                )
        except IntegrityError:
            if creation_token and Household.objects.filter(creation_token=creation_token).exists():
                raise  # a request with the same token won: forms_app.idempotency reads it
            continue  # the reference was taken: draw another
        return household  # nothing exchanged yet: no follow-up to compute
    raise IntegrityError("No free household reference after five draws.")


def _conditional_update(*, household: Household, expected_revision: int, **changes: Any) -> None:
    """One UPDATE … WHERE revision = expected: of two saves built on one revision, exactly
    one goes through; the other raises StaleHousehold and changes nothing."""
    updated = Household.objects.filter(pk=household.pk, revision=expected_revision).update(
        revision=F("revision") + 1, updated_at=timezone.now(), **changes
    )
    if updated == 0:
        raise StaleHousehold
    household.refresh_from_db(fields=[*changes, "revision", "updated_at"])


@transaction.atomic
def household_update(
    *, household: Household, fields: dict[str, Any], expected_revision: int
) -> Household:
    """Changes the case file's facts or identity (never its operator or reference); refuses
    (StaleHousehold) a save built on an older revision."""
    _conditional_update(household=household, expected_revision=expected_revision, **fields)
    return household_follow_up_refresh(household=household)


RETENTION_FIELDS = ["status", "closed_at", "purge_notice_sent_at", "updated_at"]


@transaction.atomic
def household_status_set(
    *, household: Household, status: str, expected_revision: int | None = None
) -> Household:
    """The operator's own choice of status (closing a case, reopening it…). Closing starts
    the retention period (``closed_at``); any other status stops it. Refuses
    (StaleHousehold) a choice made on a page older than ``expected_revision`` (a status
    moved on since by a colleague or a filed document); ``None`` (code, not a page) applies
    it to the current revision."""
    if expected_revision is None:
        household.refresh_from_db(fields=[*RETENTION_FIELDS, "revision"])
        expected_revision = household.revision
    closed_at, notice_sent_at = None, None
    if status == HouseholdStatus.CLOS:
        closed_at, notice_sent_at = household.closed_at, household.purge_notice_sent_at
        if household.status != HouseholdStatus.CLOS or household.closed_at is None:
            closed_at, notice_sent_at = timezone.now(), None
    # The values above were read with the household at ``household.revision``: if it
    # changed since, the conditional UPDATE below writes nothing.
    if household.revision != expected_revision:
        raise StaleHousehold
    _conditional_update(
        household=household,
        expected_revision=expected_revision,
        status=status,
        closed_at=closed_at,
        purge_notice_sent_at=notice_sent_at,
    )
    return household_follow_up_refresh(household=household)


def _advance(household: Household, status: str) -> None:
    """Moves the status forward to ``status``, never back: one conditional UPDATE, so that a
    page loaded before a colleague's change cannot take the case back a step."""
    behind = [earlier for earlier, rank in STATUS_ORDER.items() if rank < STATUS_ORDER[status]]
    now = timezone.now()
    closing = {"closed_at": now} if status == HouseholdStatus.CLOS else {}
    Household.objects.filter(pk=household.pk, status__in=behind).update(
        status=status, updated_at=now, revision=F("revision") + 1, **closing
    )
    household.refresh_from_db(fields=[*RETENTION_FIELDS, "revision"])


@transaction.atomic
def contact_attempt_add(
    *,
    household: Household,
    user: User | None,
    date: datetime.date,
    mode: str,
    result: str,
    note: str = "",
    creation_token: uuid.UUID | None = None,
) -> ContactAttempt:
    """Records an attempt to reach the household; reaching it moves it on to « contacté »
    (« rencontré » when met). A second request with the same ``creation_token``
    (forms_app.idempotency), even a concurrent one, gets the attempt the first one
    recorded."""
    attempt, created = idempotency.create_once(
        scope=ContactAttempt.objects.filter(household=household),
        token=creation_token,
        create=lambda token: ContactAttempt.objects.create(
            household=household,
            date=date,
            mode=mode,
            result=result,
            note=note,
            created_by=user,
            creation_token=token,
        ),
    )
    if not created:
        return attempt
    if result in EXCHANGE_RESULTS:
        _advance(household, STATUS_AFTER_CONTACT.get(result, HouseholdStatus.CONTACTE))
    household_follow_up_refresh(household=household)
    return attempt


def household_role(form: Form) -> str:
    settings_ = getattr(form, "advanced_settings", None)
    return settings_.household_role if settings_ else ""


def household_forms():
    """The forms answered per household, in the case's order (diagnostic, contract, veille)."""
    order = {role: rank for rank, role in enumerate(HouseholdRole.values)}
    forms = Form.objects.filter(advanced_settings__scope=Scope.MENAGE).select_related(
        "advanced_settings"
    )
    return sorted(forms, key=lambda form: (order.get(household_role(form), 99), form.pk))


def _role_documents(household: Household, role: str, *, filed: bool):
    documents = Submission.objects.filter(
        household=household, form_version__form__advanced_settings__household_role=role
    )
    if filed:
        documents = documents.exclude(status__in=[SubmissionStatus.DRAFT])
    return documents.order_by("-submitted_at", "-pk")


def household_sources(*, household: Household, role: str) -> list[dict[str, Any]]:
    """What a new document of ``role`` is prefilled from, first source first."""
    facts = {name: getattr(household, name) for name in Household.PERSONAL_FIELDS}
    facts["stade"] = household.stage
    if household.last_exchange_on:
        facts[VEILLE_COVERS_KEY] = household.last_exchange_on.isoformat()
    # The latest word first: a follow-up takes the previous follow-up's statuses, then the
    # contract's; a contract takes the diagnostic's corrections over the case file's facts.
    earlier = {
        HouseholdRole.CONTRAT: [HouseholdRole.DIAGNOSTIC],
        HouseholdRole.VEILLE: [
            HouseholdRole.VEILLE,
            HouseholdRole.CONTRAT,
            HouseholdRole.DIAGNOSTIC,
        ],
    }.get(role, [])
    sources = []
    for earlier_role in earlier:
        document = _role_documents(household, earlier_role, filed=True).first()
        if document is not None:
            data = dict(document.data)
            if earlier_role == HouseholdRole.VEILLE:
                data.pop(VEILLE_COVERS_KEY, None)  # the new follow-up covers a newer exchange
            sources.append(data)
    return [*sources, facts]


@transaction.atomic
def household_document_open(
    *,
    household: Household,
    form: Form,
    user: User | None,
    creation_token: uuid.UUID | None = None,
) -> Submission:
    """The household's document of ``form``: its existing one (a diagnostic, a contract), or
    a new draft prefilled from the case file. A follow-up is made anew each time, unless a
    draft one is waiting or the request repeats (same ``creation_token``,
    forms_app.idempotency) the one that made it."""
    if form.advanced_settings.scope != Scope.MENAGE:
        raise NotAHouseholdForm
    # One at a time per household: two clicks never make two documents.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    existing = Submission.objects.filter(household=household, form_version__form=form)
    if household_role(form) == HouseholdRole.VEILLE:
        existing = existing.filter(status=SubmissionStatus.DRAFT)
    if creation_token is not None:
        # The same button clicked again (a follow-up filed since, say): its document.
        clicked = Submission.objects.filter(
            household=household, form_version__form=form, creation_token=creation_token
        ).first()
        if clicked is not None:
            return clicked
    document = existing.order_by("-pk").first()
    if document is not None:
        return document
    version = form_version_freeze(form=form, user=user)
    draft_input = prefill_input(
        schema=version.schema,
        draft_input={},
        sources=household_sources(household=household, role=household_role(form)),
    )
    document, _created = idempotency.create_once(
        scope=Submission.objects.filter(household=household, form_version__form=form),
        token=creation_token,
        create=lambda token: Submission.objects.create(
            household=household,
            organisation_id=household.operator_id,
            territory_id=household.territory_id,
            form_version=version,
            draft_input=draft_input,
            updated_by=user,
            creation_token=token,
        ),
    )
    return document


def _stored_date(data: dict[str, Any], key: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(data.get(key or "")))
    except ValueError:
        return None


def household_document_filed(*, submission: Submission) -> Household:
    """Called when a household document is filed: the status moves on, a closing follow-up
    closes the case, and the next follow-up is recomputed."""
    household = submission.household
    role = household_role(submission.form_version.form)
    if role in STATUS_WHEN_FILED:
        _advance(household, STATUS_WHEN_FILED[role])
    if role == HouseholdRole.VEILLE and submission.data.get(VEILLE_ISSUE_KEY) in CLOSING_ISSUES:
        _advance(household, HouseholdStatus.CLOS)
    return household_follow_up_refresh(household=household)


def household_document_reopened(*, submission: Submission) -> Household:
    """Called when a filed household document goes back to draft: a case closed by this
    follow-up is open again (accompanied) until the follow-up is filed anew."""
    household = submission.household
    role = household_role(submission.form_version.form)
    closing = submission.data.get(VEILLE_ISSUE_KEY) in CLOSING_ISSUES
    if role == HouseholdRole.VEILLE and closing:
        Household.objects.filter(pk=household.pk, status=HouseholdStatus.CLOS).update(
            status=HouseholdStatus.ACCOMPAGNE,
            updated_at=timezone.now(),
            revision=F("revision") + 1,
            closed_at=None,
            purge_notice_sent_at=None,
        )
        household.refresh_from_db(fields=[*RETENTION_FIELDS, "revision"])
    return household_follow_up_refresh(household=household)


def household_follow_up_refresh(*, household: Household) -> Household:
    """Recomputes the last exchange (a reached contact, a filed diagnostic or contract) and
    the follow-up due 15 days after it: due once the household had an intervention, until a
    filed follow-up covers that exchange or the case is closed. Three queries."""
    exchanges = list(
        household.contact_attempts.filter(result__in=EXCHANGE_RESULTS).values_list(
            "date", flat=True
        )
    )
    filed = (
        Submission.objects.filter(household=household)
        .exclude(status=SubmissionStatus.DRAFT)
        .values_list(
            "form_version__form__advanced_settings__household_role", "data", "submitted_at"
        )
    )
    intervened, covered = False, []
    for role, data, submitted_at in filed:
        if role in EXCHANGE_DATE_KEYS:
            intervened = True
            exchanged_on = _stored_date(data, EXCHANGE_DATE_KEYS[role]) or (
                timezone.localdate(submitted_at) if submitted_at else None
            )
            if exchanged_on:
                exchanges.append(exchanged_on)
        elif role == HouseholdRole.VEILLE:
            covered.append(_stored_date(data, VEILLE_COVERS_KEY))
    last_exchange = max(exchanges, default=None)
    is_covered = last_exchange is not None and any(
        date is not None and date >= last_exchange for date in covered
    )
    due = (
        last_exchange + VEILLE_DELAY
        if intervened
        and last_exchange
        and not is_covered
        and household.status != HouseholdStatus.CLOS
        else None
    )
    Household.objects.filter(pk=household.pk).update(
        last_exchange_on=last_exchange, veille_due_on=due
    )
    household.last_exchange_on, household.veille_due_on = last_exchange, due
    return household
