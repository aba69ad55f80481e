"""Demo households: each case's story, drawn entirely before anything is written.

``household_plans`` draws, for each demo operator of ``households.yaml``, its mix of cases.
A case's kind says where it stands in the end:

- ``unreached``: referred, not reached yet (« à contacter »);
- ``reached``: reached by telephone, not met yet (« contacté »);
- ``refused`` / ``unreachable``: refused, or never answered; closed by hand (« clos »);
- ``met``: met (« rencontré »), some with a diagnostic started; ``met_closed``: met, then
  closed by hand;
- ``diagnosed``: diagnostic filed (« diagnostiqué »); ``accompanied``: contract filed too
  (« accompagné »);
- ``closed``: diagnostic, contract and a follow-up that closes the case;
  ``closed_without_contract``: diagnostic and a follow-up that closes it.

Past cases are referred in 2021–2022 (the bilans' periods) and have their follow-up filed.
Recent ones are placed back from today, their last event ``recent_days_ago`` days before it:
the follow-up of an intervention is then due in the coming days or overdue. Every event
falls on a working day. Statuses and due follow-ups are not planned here: the services
compute them when the plans are stored (``demo.households``).
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from demo.household_content import (
    MixEntry,
    OperatorContent,
    TerritoryContent,
    household_content,
)
from demo.household_documents import (
    contract_post,
    diagnostic_post,
    draft_part,
    veille_post,
)
from demo.household_situation import (
    Agent,
    CaseFacts,
    Situation,
    situation_draw,
    weighted,
)
from demo.household_stories import (
    CONTRAT,
    DIAGNOSED_KINDS,
    DIAGNOSTIC,
    PAST,
    RECENT,
    Story,
    StoryDocument,
    story_draw,
)

PARIS = ZoneInfo("Europe/Paris")
CLOSED_BY_HAND = frozenset({"refused", "unreachable", "met_closed"})
RECENT_KINDS = frozenset({"unreached", "reached", "met", "diagnosed", "accompanied"})


@dataclass(frozen=True)
class ContactPlan:
    """One contact attempt: the contact form's POST and when it was recorded."""

    at: datetime.datetime
    post: dict[str, str]


@dataclass(frozen=True)
class DocumentPlan:
    """One document: what is typed on top of its prefill, filed or left as a draft."""

    role: str
    opened_at: datetime.datetime
    saved_at: datetime.datetime
    post: dict[str, Any]
    filed: bool = True


@dataclass(frozen=True)
class HouseholdPlan:
    """Everything needed to create one household, in the order it happens."""

    operator_email: str
    kind: str
    era: str
    referred_at: datetime.datetime
    fields: dict[str, str]  # the case-file form's POST
    contacts: list[ContactPlan] = field(default_factory=list)
    documents: list[DocumentPlan] = field(default_factory=list)
    closed_by_hand: bool = False


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------


def _working_day_back(day: datetime.date) -> datetime.date:
    """``day``, or the Friday before it on a weekend (never later: never in the future)."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def _calendar(
    rng: random.Random, entry: MixEntry, story: Story, today: datetime.date
) -> Callable[[int], datetime.date]:
    """The date of each day of the story: the referral drawn, or placed back from today."""
    calendar = household_content().calendar
    if entry.era == PAST:
        first, last = calendar.past_referred_between
        referral = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
    else:
        days_ago = calendar.recent_days_ago[entry.veille or entry.kind]
        target = today - datetime.timedelta(days=rng.randint(*days_ago))
        referral = target - datetime.timedelta(days=story.anchor)
    yesterday = today - datetime.timedelta(days=1)

    def on(day: int) -> datetime.date:
        return _working_day_back(min(referral + datetime.timedelta(days=day), yesterday))

    return on


def _moments(rng: random.Random, *days: datetime.date) -> list[datetime.datetime]:
    """Office-hours moments on ``days``, in order (two on the same day keep their order)."""
    calendar = household_content().calendar
    times = sorted(
        datetime.time(rng.randint(*calendar.office_hours), rng.choice(calendar.office_minutes))
        for _ in days
    )
    return sorted(
        datetime.datetime.combine(day, t, tzinfo=PARIS) for day, t in zip(days, times, strict=True)
    )


# ---------------------------------------------------------------------------------------
# Identity and case file
# ---------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "-").replace("'", "")


def _case_file(
    rng: random.Random,
    *,
    surname: str,
    stage: str,
    phone_suffix: int,
    operator: OperatorContent,
    territory: TerritoryContent,
) -> tuple[dict[str, str], str]:
    """The case-file form's POST for an invented household, and its commune."""
    content = household_content()
    people, case = content.people, content.case
    female = rng.random() < people.female_share
    first_name = rng.choice(people.first_names.female if female else people.first_names.male)
    commune = rng.choice(operator.communes)
    address = (
        f"{rng.choice(people.address_details)}{rng.randint(*people.street_numbers)} "
        f"{rng.choice(people.streets)}, {commune}"
    )
    prefix = people.mobile_prefix if rng.random() < people.mobile_share else None
    prefix = prefix or territory.landline_prefix
    email = f"{_ascii(first_name)}.{_ascii(surname)}@example.org"
    fields = {
        "nom": surname,
        "prenom": first_name,
        "adresse_logement": address,
        "telephone": f"{prefix} {phone_suffix // 100:02d} {phone_suffix % 100:02d}",
        "email": email if rng.random() < people.email_share else "",
        "source": weighted(rng, case.sources[stage]),
        "stage": stage,
        "known_to_social_services": weighted(rng, case.known_to_social_services),
    }
    return fields, commune.split(" ", 1)[1]


def _spread(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    """``count`` values in proportion to ``weights`` (largest remainders), shuffled: every
    value with a weight gets its share, however small the count."""
    total = sum(weights.values())
    exact = {key: count * weight / total for key, weight in weights.items()}
    counts = {key: int(share) for key, share in exact.items()}
    by_remainder = sorted(exact, key=lambda key: counts[key] - exact[key])
    for key in by_remainder[: count - sum(counts.values())]:
        counts[key] += 1
    values = [key for key, n in counts.items() for _ in range(n)]
    rng.shuffle(values)
    return values


# ---------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------


def _entry_check(entry: MixEntry) -> None:
    intervention = entry.kind in DIAGNOSED_KINDS
    if entry.era == RECENT and (
        entry.kind not in RECENT_KINDS or intervention != (entry.veille in {"due", "overdue"})
    ):
        raise ValueError(f"Unsupported recent demo case: {entry}")


def household_plans(
    *, rng: random.Random, today: datetime.date, agents: dict[str, Agent]
) -> list[HouseholdPlan]:
    """Every demo household's plan, operator by operator, in a fixed order of draws."""
    content = household_content()
    entries = {
        email: [entry for entry in operator.mix for _ in range(entry.count)]
        for email, operator in content.operators.items()
    }
    total = sum(len(cases) for cases in entries.values())
    surnames = iter(rng.sample(content.people.surnames, total))
    phone_suffixes = iter(rng.sample(range(10000), total))
    plans = []
    for email, cases in entries.items():
        operator = content.operators[email]
        territory = content.territories[operator.territory]
        stages = _spread(rng, content.case.stages, len(cases))
        for entry, stage in zip(cases, stages, strict=True):
            _entry_check(entry)
            fields, commune = _case_file(
                rng,
                surname=next(surnames),
                stage=stage,
                phone_suffix=next(phone_suffixes),
                operator=operator,
                territory=territory,
            )
            plans.append(
                _household_plan(
                    rng,
                    email=email,
                    entry=entry,
                    fields=fields,
                    commune=commune,
                    territory=territory,
                    agent=agents[email],
                    today=today,
                )
            )
    return plans


def _household_plan(
    rng: random.Random,
    *,
    email: str,
    entry: MixEntry,
    fields: dict[str, str],
    commune: str,
    territory: TerritoryContent,
    agent: Agent,
    today: datetime.date,
) -> HouseholdPlan:
    story = story_draw(rng, entry)
    on = _calendar(rng, entry, story, today)
    referred_on = on(0)
    fields = {**fields, "referred_on": referred_on.isoformat()}
    contacts = _contact_plans(rng, story=story, on=on)
    known = {"oui": True, "non": False}.get(fields["known_to_social_services"])
    facts = CaseFacts(
        stage=fields["stage"],
        source=fields["source"],
        known=known,
        referred_on=referred_on,
        commune=commune,
        territory=territory,
    )
    situation = situation_draw(rng=rng, facts=facts) if story.documents else None
    documents = [
        _document_plan(
            rng,
            document=document,
            story=story,
            facts=facts,
            situation=situation,
            agent=agent,
            on=on,
        )
        for document in story.documents
    ]
    return HouseholdPlan(
        operator_email=email,
        kind=entry.kind,
        era=entry.era,
        referred_at=_moments(rng, referred_on)[0],
        fields=fields,
        contacts=contacts,
        documents=documents,
        closed_by_hand=entry.kind in CLOSED_BY_HAND,
    )


def _contact_plans(
    rng: random.Random, *, story: Story, on: Callable[[int], datetime.date]
) -> list[ContactPlan]:
    """The story's contact attempts, each on its day with a note fitting its result."""
    contacts_content = household_content().contacts
    return [
        ContactPlan(
            at=_moments(rng, on(attempt.day))[0],
            post={
                "date": on(attempt.day).isoformat(),
                "mode": attempt.mode,
                "result": attempt.result,
                "note": rng.choice(
                    contacts_content.unanswered_notes[attempt.mode]
                    if attempt.result == "sans_reponse"
                    else contacts_content.notes[attempt.result]
                ),
            },
        )
        for attempt in story.attempts
    ]


def _document_plan(
    rng: random.Random,
    *,
    document: StoryDocument,
    story: Story,
    facts: CaseFacts,
    situation: Situation,
    agent: Agent,
    on: Callable[[int], datetime.date],
) -> DocumentPlan:
    event = on(document.event)
    if document.role == DIAGNOSTIC:
        post = diagnostic_post(
            rng=rng,
            facts=facts,
            situation=situation,
            interviewed_on=event,
            at_meeting=story.at_meeting,
            contact_modes=[attempt.mode for attempt in story.attempts],
            agent=agent,
        )
    elif document.role == CONTRAT:
        post = contract_post(
            rng=rng, facts=facts, situation=situation, signed_on=event, agent=agent
        )
    else:
        post = veille_post(
            rng=rng, facts=facts, situation=situation, contacted_on=event, issue=document.issue
        )
    if not document.filed:
        post = draft_part(post, rng.uniform(*household_content().drafts.diagnostic_share))
    opened_at, saved_at = _moments(rng, on(document.opened), on(document.saved))
    return DocumentPlan(
        role=document.role,
        opened_at=opened_at,
        saved_at=saved_at,
        post=post,
        filed=document.filed,
    )
