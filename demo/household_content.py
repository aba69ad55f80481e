"""The demo households' content, read from ``households.yaml`` into typed, read-only sections.

As for the demo answers (``answer_content.py``), each dataclass mirrors one mapping of the YAML file
field for field, so a missing or unknown key fails when the file is read.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from demo.answer_content import typed_yaml_read

CONTENT_FILE = Path(__file__).with_name("households.yaml")

# [low, high], both included.
Range = list[float]
IntRange = list[int]
# value → relative weight.
Weights = dict[str, int]


@dataclass(frozen=True)
class MixEntry:
    """``count`` cases of one kind and era (and, for recent interventions, veille timing)."""

    kind: str
    era: str
    count: int
    veille: str = ""


@dataclass(frozen=True)
class OperatorContent:
    territory: str
    communes: list[str]
    mix: list[MixEntry]


@dataclass(frozen=True)
class TerritoryContent:
    landline_prefix: str
    rent_factor: float
    partners: dict[str, str]
    relay: list[str]


@dataclass(frozen=True)
class CaseContent:
    stages: Weights
    sources: dict[str, Weights]
    known_to_social_services: Weights


@dataclass(frozen=True)
class CalendarContent:
    past_referred_between: list[datetime.date]
    recent_days_ago: dict[str, IntRange]
    office_hours: IntRange
    office_minutes: list[int]
    first_attempt_after_referral: IntRange
    between_attempts: IntRange
    meeting_after_appointment: IntRange
    interview_at_meeting_chance: float
    interview_after_meeting: IntRange
    filed_after_event: IntRange
    contract_after_interview: IntRange
    veille_after_exchange: IntRange
    veille_before_contract_chance: float
    contract_after_first_veille: IntRange
    contract_months: IntRange
    engagement_due_days: IntRange


@dataclass(frozen=True)
class DraftsContent:
    diagnostic_when_met: float
    contract_when_diagnosed: float
    veille_when_accompanied: float
    diagnostic_share: Range


@dataclass(frozen=True)
class FirstNames:
    female: list[str]
    male: list[str]


@dataclass(frozen=True)
class PeopleContent:
    surnames: list[str]
    first_names: FirstNames
    female_share: float
    born_between: list[datetime.date]
    email_share: float
    mobile_prefix: str
    mobile_share: float
    street_numbers: IntRange
    streets: list[str]
    address_details: list[str]
    landlord_surnames: list[str]
    landlord_companies: list[str]
    private_companies: list[str]
    agencies: list[str]


@dataclass(frozen=True)
class Amount:
    """A monthly amount in ``between``, present with probability ``chance``."""

    between: Range
    chance: float = 1.0


@dataclass(frozen=True)
class SituationContent:
    name: str
    weight: int
    family: Weights
    adults: IntRange
    children: IntRange
    work: str
    incomes: dict[str, Amount]
    causes: Weights


@dataclass(frozen=True)
class Typology:
    rent: IntRange
    surface: IntRange


@dataclass(frozen=True)
class HousingContent:
    typologies: dict[str, Typology]
    by_people: dict[int, list[str]]
    furnished_chance: float
    lived_there_years: IntRange
    charges: dict[str, Amount]
    landlord_types: Weights
    direct_payment_chance: float
    indecency_chance: float


@dataclass(frozen=True)
class DebtContent:
    months_by_stage: dict[str, IntRange]
    paid_share: Range
    amount: IntRange
    amount_margin: IntRange
    contested_chance: float
    other_debts_chance: float
    other_debts: list[str]


@dataclass(frozen=True)
class DiagnosticContent:
    writer_roles: Weights
    places: Weights
    tenant_present_chance: float
    deed_checked: Weights
    deed_observations: list[str]
    ccapex_recommendations: list[str]
    legal_aid_chance: float
    lawyer_chance: float
    rent_resumed_chance: float
    relocation_rent_share: float
    relocation_aval_chance: float
    step_chances: dict[str, float]
    steps_max: int
    preconisations: dict[str, list[str]]
    observations_redacteur: list[str]
    observations_locataire: list[str]
    observations_bailleur: list[str]


@dataclass(frozen=True)
class StepContent:
    porteur: str
    modalite: str
    objectifs: list[str]


@dataclass(frozen=True)
class ContractContent:
    landlord_informed_chance: float
    line_started_chance: float
    steps: dict[str, StepContent]


@dataclass(frozen=True)
class VeilleContent:
    modes: Weights
    relay_before_contact: IntRange
    line_statuses: dict[str, Weights]
    arrears_cleared: dict[str, float]
    outcomes: dict[str, Weights]
    comments: dict[str, list[str]]


@dataclass(frozen=True)
class ContactsContent:
    unanswered_modes: Weights
    unanswered_before_reaching: IntRange
    unanswered_unreached_recent: IntRange
    unanswered_unreachable: IntRange
    appointment_chance: float
    reached_modes: Weights
    unanswered_notes: dict[str, list[str]]
    notes: dict[str, list[str]]


@dataclass(frozen=True)
class HouseholdContent:
    """Everything ``households.yaml`` holds, one field per top-level section."""

    operators: dict[str, OperatorContent]
    territories: dict[str, TerritoryContent]
    case: CaseContent
    calendar: CalendarContent
    drafts: DraftsContent
    people: PeopleContent
    situations: list[SituationContent]
    housing: HousingContent
    debt: DebtContent
    diagnostic: DiagnosticContent
    contract: ContractContent
    veille: VeilleContent
    contacts: ContactsContent


@functools.cache
def household_content() -> HouseholdContent:
    """The content of ``households.yaml``, read once per process."""
    return typed_yaml_read(path=CONTENT_FILE, hint=HouseholdContent)
