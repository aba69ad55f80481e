"""Synthetic demo households for local development (never under production settings).

Each demo operator account follows invented households (``households.yaml`` says how many of
each kind): referred, reached, met, diagnosed, accompanied or closed, most of them in 2021–2022
and some recent, whose follow-up is due in the coming days or overdue. The plans are drawn by
``demo/household_plans.py`` with a fixed random seed, so the data is the same on
every machine (except the references, drawn by the service). This module stores them the way
an operator makes them: the case-file and contact forms, then each document opened from the
case file (so it is prefilled), typed on top, checked by the answer form and filed through
the lifecycle service. Statuses and follow-up dates are the services' own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from demo.accounts import DEMO_ACCOUNTS
from demo.household_content import household_content
from demo.household_documents import Agent
from demo.household_plans import DocumentPlan, HouseholdPlan, household_plans
from forms_app.form_builder import answer_form
from forms_app.households.forms import ContactAttemptForm, HouseholdForm
from forms_app.households.services import (
    contact_attempt_add,
    household_create,
    household_document_open,
    household_forms,
    household_role,
    household_status_set,
)
from forms_app.lifecycle import submission_save_draft, submission_submit
from forms_app.models import (
    ContactAttempt,
    Household,
    HouseholdStatus,
    Submission,
    SubmissionTransition,
)
from portal.models import Organisation, User

DEMO_SEED = 2021
GROUP_TOTAL = "-TOTAL_FORMS"


def demo_household_surnames() -> tuple[str, ...]:
    """Every surname the demo households may carry (a privacy test looks for them)."""
    return tuple(household_content().people.surnames)


DEMO_HOUSEHOLD_NAMES = demo_household_surnames()


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


@transaction.atomic
def demo_households_load() -> int:
    """Creates the demo households of the operators that have none; returns how many.

    Refuses to run unless the settings allow demo data (never in production).
    """
    if not getattr(settings, "PORTAL_DEMO_DATA_ENABLED", False):
        raise ImproperlyConfigured("Demo data is disabled by these settings.")
    plans = household_plans(
        rng=random.Random(DEMO_SEED),  # noqa: S311 - reproducible fake data
        today=timezone.localdate(),
        agents=demo_agents(),
    )
    forms = {household_role(form): form for form in household_forms()}
    moments = _Moments()
    created = 0
    for email, operator, user in _operators():
        if operator.households.exists():
            continue
        for plan in plans:
            if plan.operator_email == email:
                _household_store(
                    plan=plan, operator=operator, user=user, forms=forms, moments=moments
                )
                created += 1
    moments.store()
    return created


def demo_agents() -> dict[str, Agent]:
    """The demo accounts as the writers of their operator's documents."""
    return {
        account.email: Agent(f"{account.first_name} {account.last_name}", account.email)
        for account in DEMO_ACCOUNTS
    }


def _operators() -> list[tuple[str, Organisation, User]]:
    """The demo operators that exist, with the account that works there."""
    found = []
    names = {account.email: account.organisation for account in DEMO_ACCOUNTS}
    for email in household_content().operators:
        operator = Organisation.objects.filter(name=names.get(email)).select_related("territory")
        user = User.objects.filter(email=email).first()
        if operator.exists() and user is not None:
            found.append((email, operator.get(), user))
    return found


# ---------------------------------------------------------------------------------------
# Storing a plan through the services
# ---------------------------------------------------------------------------------------


def _household_store(
    *,
    plan: HouseholdPlan,
    operator: Organisation,
    user: User,
    forms: dict[str, Any],
    moments: _Moments,
) -> Household:
    case_file = HouseholdForm(data=plan.fields)
    if not case_file.is_valid():
        raise ValueError(f"Invalid demo household {plan.fields['nom']}: {case_file.errors}")
    household = household_create(operator=operator, user=user, fields=case_file.cleaned_data)
    for contact in plan.contacts:
        attempt = ContactAttemptForm(data=contact.post)
        if not attempt.is_valid():
            raise ValueError(f"Invalid demo contact for {household}: {attempt.errors}")
        stored = contact_attempt_add(household=household, user=user, **attempt.cleaned_data)
        stored.created_at = contact.at
        moments.contacts.append(stored)
    for document in plan.documents:
        # Filing updates the case file through the document's own copy of it: read it again
        # before the next document is prefilled from it.
        household.refresh_from_db()
        stored = _document_store(
            household=household, plan=document, form=forms[document.role], user=user
        )
        stored.created_at, stored.updated_at = document.opened_at, document.saved_at
        stored.submitted_at = document.saved_at if document.filed else None
        moments.documents.append(stored)
    if plan.closed_by_hand:
        household_status_set(household=household, status=HouseholdStatus.CLOS)
    household.created_at = plan.referred_at
    moments.households.append(household)
    return household


def _document_store(*, household: Household, plan: DocumentPlan, form, user: User) -> Submission:
    """Opens the document from the case file (prefilled), types the plan on top, then files
    it once the answer form accepts it, or keeps it as a draft."""
    document = household_document_open(household=household, form=form, user=user)
    typed = _typed_on_prefill(prefilled=document.draft_input, post=plan.post)
    if not plan.filed:
        return submission_save_draft(
            submission=document, user=user, draft_input=typed, expected_revision=document.revision
        )
    checked = answer_form(schema=document.form_version.schema, data=MultiValueDict(typed))
    if not checked.is_valid():
        raise ValueError(f"Invalid demo {plan.role} for {household}: {checked.errors_by_key()}")
    return submission_submit(
        submission=document,
        user=user,
        data=checked.cleaned_json(),
        draft_input=typed,
        expected_revision=document.revision,
    )


@dataclass
class _Moments:
    """The rows whose timestamps move from today to the story's time, written at the end in
    a few queries (one per row would double the load's time)."""

    households: list[Household] = field(default_factory=list)
    contacts: list[ContactAttempt] = field(default_factory=list)
    documents: list[Submission] = field(default_factory=list)

    def store(self) -> None:
        Household.objects.bulk_update(self.households, ["created_at"])
        ContactAttempt.objects.bulk_update(self.contacts, ["created_at"])
        Submission.objects.bulk_update(self.documents, ["created_at", "updated_at", "submitted_at"])
        filed_at = {document.pk: document.submitted_at for document in self.documents}
        transitions = list(SubmissionTransition.objects.filter(submission_id__in=filed_at))
        for transition in transitions:
            transition.at = filed_at[transition.submission_id]
        SubmissionTransition.objects.bulk_update(transitions, ["at"])


def _typed_on_prefill(*, prefilled: dict[str, Any], post: dict[str, Any]) -> dict[str, list]:
    """The prefilled input with the plan typed over it, every value a list as the page keeps
    it; a group the plan types replaces the prefilled rows."""
    groups = [key.removesuffix(GROUP_TOTAL) for key in post if key.endswith(GROUP_TOTAL)]
    typed = {
        key: values
        for key, values in prefilled.items()
        if not any(key.startswith(f"{group}-") for group in groups)
    }
    typed.update(
        {key: value if isinstance(value, list) else [value] for key, value in post.items()}
    )
    return typed
