"""Demo households' stories: what happens to a case, in days after its referral.

A case's kind says where it stands in the end (see ``household_plans``); its story is the contact
attempts that lead there and the documents opened on the way, each on a day counted from the
referral. ``household_plans`` then places the story in the calendar.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo.household_content import MixEntry, household_content
from demo.household_situation import weighted

PAST, RECENT = "past", "recent"
DIAGNOSTIC, CONTRAT, VEILLE = "diagnostic", "contrat", "veille"
# Kinds of case whose story reaches a meeting, a diagnostic, a contract.
MET_KINDS = frozenset(
    {"met", "met_closed", "diagnosed", "accompanied", "closed", "closed_without_contract"}
)
DIAGNOSED_KINDS = frozenset({"diagnosed", "accompanied", "closed", "closed_without_contract"})
CONTRACT_KINDS = frozenset({"accompanied", "closed"})


@dataclass(frozen=True)
class Attempt:
    """A contact attempt on ``day`` after the referral."""

    day: int
    mode: str
    result: str


@dataclass(frozen=True)
class StoryDocument:
    """A document opened and saved (filed, or left as a draft) on those days."""

    role: str
    opened: int
    saved: int
    event: int  # the day it records: interview, signature, follow-up contact
    filed: bool = True
    issue: str = ""


@dataclass
class Story:
    """The case's attempts and documents, in order."""

    attempts: list[Attempt] = field(default_factory=list)
    documents: list[StoryDocument] = field(default_factory=list)
    anchor: int = 0  # the last event, placed ``recent_days_ago`` before today
    at_meeting: bool = False


def _attempts_draw(rng: random.Random, kind: str) -> tuple[list[Attempt], int]:
    """The contact attempts; returns them and the day of the last (or the referral)."""
    content = household_content()
    contacts, calendar = content.contacts, content.calendar
    attempts: list[Attempt] = []
    day = rng.randint(*calendar.first_attempt_after_referral)

    def add(mode: str, result: str, gap: list[int]) -> None:
        nonlocal day
        attempts.append(Attempt(day, mode, result))
        day += rng.randint(*gap)

    unanswered = {
        "unreached": contacts.unanswered_unreached_recent,
        "unreachable": contacts.unanswered_unreachable,
    }.get(kind, contacts.unanswered_before_reaching)
    for _ in range(rng.randint(*unanswered)):
        mode = weighted(rng, contacts.unanswered_modes)
        result = rng.choice(["sans_reponse", "message"]) if mode == "telephone" else "sans_reponse"
        add(mode, result, calendar.between_attempts)
    if kind in {"refused", "reached"}:
        if kind == "refused":
            result = "refus"
        else:
            result = "rendez_vous" if rng.random() < contacts.appointment_chance else "echange"
        add(weighted(rng, contacts.reached_modes), result, calendar.between_attempts)
    elif kind in MET_KINDS:
        if rng.random() < contacts.appointment_chance:
            add("telephone", "rendez_vous", calendar.meeting_after_appointment)
        add("visite", "rencontre", [0, 0])
    return attempts, attempts[-1].day if attempts else 0


def story_draw(rng: random.Random, entry: MixEntry) -> Story:
    """The attempts and documents that take a case of ``entry``'s kind where it ends."""
    content = household_content()
    calendar, drafts = content.calendar, content.drafts
    attempts, last = _attempts_draw(rng, entry.kind)
    story = Story(attempts=attempts, anchor=last)
    recent = entry.era == RECENT
    if entry.kind not in DIAGNOSED_KINDS:
        if recent and entry.kind == "met" and rng.random() < drafts.diagnostic_when_met:
            opened = last + rng.randint(0, 3)
            story.documents.append(StoryDocument(DIAGNOSTIC, opened, opened, last, filed=False))
        return story
    story.at_meeting = rng.random() < calendar.interview_at_meeting_chance
    interview = last if story.at_meeting else last + rng.randint(*calendar.interview_after_meeting)
    filed = interview + rng.randint(*calendar.filed_after_event)
    story.documents.append(StoryDocument(DIAGNOSTIC, interview, filed, interview))
    last = interview
    if entry.kind in CONTRACT_KINDS:
        signed = interview + rng.randint(*calendar.contract_after_interview)
        if not recent and rng.random() < calendar.veille_before_contract_chance:
            contact = interview + rng.randint(*calendar.veille_after_exchange)
            issue = weighted(rng, content.veille.outcomes["first"])
            story.documents.append(StoryDocument(VEILLE, contact, contact, contact, issue=issue))
            signed = contact + rng.randint(*calendar.contract_after_first_veille)
        filed = signed + rng.randint(*calendar.filed_after_event)
        story.documents.append(StoryDocument(CONTRAT, signed, filed, signed))
        last = signed
    story.anchor = last
    if not recent:
        contact = last + rng.randint(*calendar.veille_after_exchange)
        issue = weighted(rng, content.veille.outcomes[entry.kind])
        story.documents.append(StoryDocument(VEILLE, contact, contact, contact, issue=issue))
    elif entry.kind == "diagnosed" and rng.random() < drafts.contract_when_diagnosed:
        opened = last + rng.randint(1, 5)
        story.documents.append(StoryDocument(CONTRAT, opened, opened, opened, filed=False))
    elif entry.kind == "accompanied" and rng.random() < drafts.veille_when_accompanied:
        opened = last + rng.randint(10, 16)
        story.documents.append(
            StoryDocument(VEILLE, opened, opened, opened, filed=False, issue="poursuite")
        )
    return story
