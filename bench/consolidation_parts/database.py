"""The consolidation bench's throwaway database: the portal's content, one operator per
territory, the bilans d'étape 2021 and 2022 and the household documents, saved in bulk."""

from __future__ import annotations

import datetime
import random
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtailstreamforms.models import Form

from bench.consolidation_parts.answers import (
    FIRST_NAMES,
    STREETS,
    bilan_answers,
    invented_surname,
    random_day,
    schema_answers,
)
from forms_app.households.services import household_forms, household_role
from forms_app.models import (
    Campaign,
    FormVersion,
    Household,
    HouseholdRole,
    HouseholdSource,
    HouseholdStatus,
    ProcedureStage,
    Submission,
    SubmissionStatus,
)
from home.content_loader import portal_content_load
from portal.models import Organisation, OrganisationKind, Role, Territory, User
from portal.services import membership_set, organisation_create

SEED = 2022
BILAN_SLUG = "bilan-d-etape"


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def latest_version(form) -> FormVersion:
    return FormVersion.objects.filter(form=form).order_by("-number").first()


def _people() -> tuple[User, dict[int, Organisation], dict[int, User]]:
    """The DIHAL reader, and one operator (with one agent) per territory."""
    dihal = User.objects.create_user(email="dihal@bench.test", password=None)
    membership_set(
        organisation=Organisation.objects.get(kind=OrganisationKind.DIHAL),
        user=dihal,
        role=Role.RESPONSABLE,
    )
    operators, agents = {}, {}
    for territory in Territory.objects.order_by("code"):
        operator = organisation_create(
            name=f"Équipe mobile {territory.name} (banc d'essai)",
            kind=OrganisationKind.OPERATEUR,
            territory=territory,
        )
        agent = User.objects.create_user(email=f"agent{territory.code}@bench.test", password=None)
        membership_set(organisation=operator, user=agent, role=Role.AGENT)
        operators[territory.pk], agents[territory.pk] = operator, agent
    return dihal, operators, agents


def _bilans(rng: random.Random, *, user_by_territory: dict[int, User]) -> list[Submission]:
    form = Form.objects.get(slug=BILAN_SLUG)
    version = latest_version(form)
    keys = set(version.input_keys)
    prefectures = {
        organisation.territory_id: organisation
        for organisation in Organisation.objects.filter(kind=OrganisationKind.PREFECTURE)
    }
    previous: dict[int, dict[str, int]] = {}
    rows = []
    for campaign in Campaign.objects.filter(form=form).order_by("period_start"):
        for territory in Territory.objects.order_by("code"):
            data = bilan_answers(
                rng, territory=territory, campaign=campaign, previous=previous.get(territory.pk)
            )
            if set(data) != keys:
                raise RuntimeError(f"bilan keys differ from the form's: {set(data) ^ keys}")
            previous[territory.pk] = {k: v for k, v in data.items() if k.endswith("_n")}
            rows.append(
                Submission(
                    campaign=campaign,
                    organisation=prefectures[territory.pk],
                    territory=territory,
                    form_version=version,
                    data=data,
                    status=rng.choice((SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)),
                    submitted_at=_aware(random_day(rng, campaign.opens_on, 35), 14),
                    updated_by=user_by_territory[territory.pk],
                )
            )
    return rows


def _household(
    rng: random.Random, *, territory: Territory, index: int, operator: Organisation, agent: User
) -> Household:
    """An invented household of ``territory``, referred between May 2021 and June 2022."""
    referred = random_day(rng, datetime.date(2021, 5, 1), 395)
    nom, prenom = invented_surname(rng), rng.choice(FIRST_NAMES)
    return Household(
        reference=f"{territory.code}-B{index:06d}",
        operator=operator,
        territory=territory,
        source=rng.choice(list(HouseholdSource.values)),
        referred_on=referred,
        stage=rng.choice(list(ProcedureStage.values)),
        known_to_social_services=rng.random() < 0.6,
        nom=nom,
        prenom=prenom,
        adresse_logement=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
        telephone=f"06{rng.randrange(10**8):08d}",
        email=f"{prenom.lower()}.{nom.lower()}@example.org",
        created_by=agent,
    )


def _documents_plan(
    rng: random.Random, *, referred: datetime.date
) -> list[tuple[str, str, datetime.date]]:
    """A household's documents as (role, date key, day): its diagnostic, then three times
    in four a contract and up to two veilles, each some days after the one before."""
    day = referred + datetime.timedelta(days=rng.randint(5, 30))
    plan = [(HouseholdRole.DIAGNOSTIC, "date_entretien", day)]
    if rng.random() < 0.75:
        day += datetime.timedelta(days=rng.randint(7, 30))
        plan.append((HouseholdRole.CONTRAT, "date_signature", day))
        for _ in range(rng.choice((0, 1, 1, 2))):
            day += datetime.timedelta(days=rng.randint(15, 60))
            plan.append((HouseholdRole.VEILLE, "date_contact", day))
    return plan


def _document_data(
    rng: random.Random,
    *,
    role: str,
    version: FormVersion,
    date_key: str,
    when: datetime.date,
    household: Household,
    contract_steps: list[str],
) -> dict[str, Any]:
    """A household document's answers, dated ``when``: the household's identity on the
    diagnostic and the contract, the contract's steps (``contract_steps``) on a veille."""
    data = schema_answers(rng, version.schema, around=when, rows=4)
    data[date_key] = when.isoformat()
    identity = {"nom": household.nom, "prenom": household.prenom}
    if role == HouseholdRole.DIAGNOSTIC:
        data.update(identity, adresse_logement=household.adresse_logement)
    elif role == HouseholdRole.CONTRAT:
        data.update(identity)
    else:
        data["engagements"] = [
            {"demarche": step, "statut": rng.choice(("en_cours", "realisee"))}
            for step in contract_steps
        ]
        data["impaye_resorbe"] = rng.random() < 0.35
    return data


def _household_documents(
    rng: random.Random,
    *,
    wanted: int,
    operators: dict[int, Organisation],
    agents: dict[int, User],
) -> tuple[list[Household], list[tuple[int, Submission]]]:
    """Households and their filed diagnostic, contract and veilles until ``wanted``
    documents exist, most of them dated within the bilan 2022's period (July 2021 to June
    2022). Documents are returned with their household's index (saved afterwards)."""
    versions = {household_role(form): latest_version(form) for form in household_forms()}
    territories = list(Territory.objects.order_by("code"))
    households: list[Household] = []
    documents: list[tuple[int, Submission]] = []
    while len(documents) < wanted:
        territory = rng.choice(territories)
        operator, agent, index = operators[territory.pk], agents[territory.pk], len(households)
        household = _household(
            rng, territory=territory, index=index, operator=operator, agent=agent
        )
        households.append(household)
        plan = _documents_plan(rng, referred=household.referred_on)
        household.status = (
            HouseholdStatus.DIAGNOSTIQUE if len(plan) == 1 else HouseholdStatus.ACCOMPAGNE
        )
        contract_steps: list[str] = []
        for role, date_key, when in plan[: wanted - len(documents)]:
            version = versions[role]
            data = _document_data(
                rng,
                role=role,
                version=version,
                date_key=date_key,
                when=when,
                household=household,
                contract_steps=contract_steps,
            )
            if role == HouseholdRole.CONTRAT:
                contract_steps = [line["demarche"] for line in data["engagements"]]
            submission = Submission(
                organisation=operator,
                territory=territory,
                form_version=version,
                data=data,
                status=SubmissionStatus.SUBMITTED,
                submitted_at=_aware(when, 17),
                updated_by=agent,
            )
            documents.append((index, submission))
    return households, documents


def database_build(*, submissions: int) -> dict[str, Any]:
    """Migrates the throwaway database, loads the portal's content and generates the
    answers; returns what the measured parts need."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    content_s = time.perf_counter() - started
    rng = random.Random(SEED)  # noqa: S311 - reproducible fake data
    started = time.perf_counter()
    with transaction.atomic():
        dihal, operators, agents = _people()
        bilans = _bilans(rng, user_by_territory=agents)
        households, documents = _household_documents(
            rng, wanted=submissions - len(bilans), operators=operators, agents=agents
        )
        Household.objects.bulk_create(households, batch_size=1000)
        for index, document in documents:
            document.household = households[index]
        Submission.objects.bulk_create(bilans, batch_size=500)
        Submission.objects.bulk_create([d for _, d in documents], batch_size=1000)
    campaign = Campaign.objects.filter(form__slug=BILAN_SLUG).order_by("-period_start").first()
    by_role = {
        role: Submission.objects.filter(
            form_version__form__advanced_settings__household_role=role
        ).count()
        for role in HouseholdRole.values
    }
    return {
        "content_s": content_s,
        "generate_s": time.perf_counter() - started,
        "dihal": dihal.pk,
        "campaign": campaign.pk,
        "campaign_title": campaign.title,
        "submissions": Submission.objects.count(),
        "bilans": Submission.objects.filter(campaign__form__slug=BILAN_SLUG).count(),
        "households": Household.objects.count(),
        "by_role": by_role,
    }
