"""The households of the scale data: the demo's own, then copies of them at every operator.

The demo's households (``demo.households``) are stored the slow way, through the forms and
the services, at its three operators. The scale data needs ten times as many at three
hundred operators: it copies the stored ones with ``bulk_create`` — case file, contact
attempts, documents (whose stored answers the answer form checked when the demo filed them)
and their status changes — under a fresh reference at each other operator, so the copies
pass their forms as the originals did and the counters and lists see the same stories.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models

from forms_app.households.services import REFERENCE_ALPHABET
from forms_app.models import ContactAttempt, Household, Submission, SubmissionTransition
from portal.models import Membership, Organisation, OrganisationKind, Role, User

HOUSEHOLDS_SEED = 2024
REFERENCE_LENGTH = 6
BATCH = 2000


@dataclass
class CopyCounts:
    households: int = 0
    contacts: int = 0
    documents: int = 0
    transitions: int = 0


def row_copy(instance: models.Model, **changes: Any) -> models.Model:
    """An unsaved copy of ``instance`` (every concrete column but the key) with ``changes``."""
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return model(**values)


def households_copy(*, target_total: int, progress) -> CopyCounts:
    """Copies the existing households to the operators that have none, until there are
    ``target_total`` households in all, spread evenly; ``progress(text)`` hears each step."""
    sources = list(Household.objects.order_by("operator_id", "pk"))
    empty = list(
        Organisation.objects.filter(kind=OrganisationKind.OPERATEUR, households__isnull=True)
        .select_related("territory")
        .order_by("territory__code", "name")
    )
    missing = target_total - len(sources)
    counts = CopyCounts()
    if not sources or not empty or missing <= 0:
        return counts
    rng = random.Random(HOUSEHOLDS_SEED)  # noqa: S311 - reproducible fake data
    references = set(Household.objects.values_list("reference", flat=True))
    agents = _operator_agents()
    plan: list[tuple[Organisation, Household]] = []
    for index in range(missing):
        plan.append((empty[index % len(empty)], sources[index % len(sources)]))
    for start in range(0, len(plan), BATCH):
        _batch_copy(
            plan=plan[start : start + BATCH],
            rng=rng,
            references=references,
            agents=agents,
            counts=counts,
        )
        progress(f"  ménages copiés : {counts.households} / {missing}")
    return counts


def _batch_copy(
    *,
    plan: list[tuple[Organisation, Household]],
    rng: random.Random,
    references: set[str],
    agents: dict[int, User | None],
    counts: CopyCounts,
) -> None:
    copies = [
        row_copy(
            source,
            operator_id=operator.pk,
            territory_id=operator.territory_id,
            reference=_reference(rng=rng, code=operator.territory.code, taken=references),
            created_by=agents.get(operator.pk),
            creation_token=None,
        )
        for operator, source in plan
    ]
    Household.objects.bulk_create(copies)
    source_ids = {source.pk for _, source in plan}
    contacts = defaultdict(list)
    for contact in ContactAttempt.objects.filter(household_id__in=source_ids).order_by("pk"):
        contacts[contact.household_id].append(contact)
    documents = defaultdict(list)
    for document in Submission.objects.filter(household_id__in=source_ids).order_by("pk"):
        documents[document.household_id].append(document)
    new_contacts, new_documents, document_sources = [], [], []
    for copy, (operator, source) in zip(copies, plan, strict=True):
        agent = agents.get(operator.pk)
        new_contacts += [
            row_copy(c, household_id=copy.pk, created_by=agent, creation_token=None)
            for c in contacts[source.pk]
        ]
        for document in documents[source.pk]:
            new_documents.append(
                row_copy(
                    document,
                    household_id=copy.pk,
                    organisation_id=operator.pk,
                    territory_id=operator.territory_id,
                    updated_by=agent,
                    creation_token=None,
                )
            )
            document_sources.append(document.pk)
    ContactAttempt.objects.bulk_create(new_contacts, batch_size=BATCH)
    Submission.objects.bulk_create(new_documents, batch_size=BATCH)
    counts.transitions += _transitions_copy(
        pairs=list(zip(document_sources, (d.pk for d in new_documents), strict=True))
    )
    counts.households += len(copies)
    counts.contacts += len(new_contacts)
    counts.documents += len(new_documents)


def _transitions_copy(*, pairs: list[tuple[int, int]]) -> int:
    """Copies the status changes of the documents copied ((source pk, copy's pk) pairs);
    several copies of one source document each get theirs."""
    by_source = defaultdict(list)
    sources = {source_id for source_id, _ in pairs}
    for transition in SubmissionTransition.objects.filter(submission_id__in=sources).order_by("pk"):
        by_source[transition.submission_id].append(transition)
    rows = [
        row_copy(transition, submission_id=copy_id)
        for source_id, copy_id in pairs
        for transition in by_source[source_id]
    ]
    SubmissionTransition.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _operator_agents() -> dict[int, User | None]:
    """Each operator's first agent: the writer of its copied households."""
    agents: dict[int, User | None] = {}
    for organisation_id, user in (
        (m.organisation_id, m.user)
        for m in Membership.objects.filter(
            role=Role.AGENT, organisation__kind=OrganisationKind.OPERATEUR
        )
        .select_related("user")
        .order_by("pk")
    ):
        agents.setdefault(organisation_id, user)
    return agents


def _reference(*, rng: random.Random, code: str, taken: set[str]) -> str:
    """A fresh reference in the services' shape (« 38-K7M2QX »), never one already taken."""
    while True:
        token = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        reference = f"{code}-{token}"
        if reference not in taken:
            taken.add(reference)
            return reference
