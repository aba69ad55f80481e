"""« Reprendre » figures or facts into a draft, only where the person says so.

The fill page's « Reprendre ces chiffres » (counters computed from the household files) and
« Reprendre les informations du dossier » (a household document's facts from the case file
and the earlier documents) never write over the page: they save what was typed, then show
each field's typed value beside the proposed one, and only the fields the person ticks are
replaced. Empty fields are ticked by default; a typed value is replaced only when asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from forms_app.form_builder import input_items
from forms_app.households import indicators
from forms_app.households.prefill import is_typed, prefill_input
from forms_app.households.services import household_role, household_sources
from forms_app.lifecycle import submission_save_draft
from forms_app.models import Submission

MANAGEMENT_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


@dataclass(frozen=True)
class Proposal:
    """One field (or one repeatable group) that the reprise would change."""

    key: str
    label: str
    typed: str  # what the draft holds, as read ("" when empty)
    proposed: str  # what would replace it, as read
    inputs: dict[str, list[str]]  # the inputs that replace the field's (a group's: all rows)
    is_group: bool = False

    @property
    def empty(self) -> bool:
        return not self.typed

    @property
    def replace_by_default(self) -> bool:
        return self.empty


def _as_list(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, list):
        return [str(value) for value in values]
    return [str(values)]


def _shown(item: dict, values: Any) -> str:
    """Input values as a person reads them: a choice's label, values joined by commas."""
    labels = {
        str(choice.get("value")): choice.get("label") or choice.get("value")
        for choice in item["value"].get("choices") or []
    }
    return ", ".join(
        str(labels.get(value, value)) for value in _as_list(values) if str(value).strip()
    )


def _group_inputs(draft_input: dict[str, Any], key: str) -> dict[str, list[str]]:
    prefix = f"{key}-"
    return {
        name: _as_list(values) for name, values in draft_input.items() if name.startswith(prefix)
    }


def _group_rows(item: dict, inputs: dict[str, list[str]]) -> list[str]:
    """Each filled row of a group, as read: its sub-fields' values joined by « — »."""
    key = item["value"]["key"]
    children = item["value"]["fields"]
    rows = []
    heads = {name[len(key) + 1 :].split("-", 1)[0] for name in inputs}
    indexes = sorted(int(head) for head in heads if head.isdigit())
    for index in indexes:
        if is_typed(inputs.get(f"{key}-{index}-DELETE")):
            continue
        parts = [
            _shown(child, inputs.get(f"{key}-{index}-{child['value']['key']}"))
            for child in children
        ]
        parts = [part for part in parts if part]
        if parts:
            rows.append(" — ".join(parts))
    return rows


def indicator_proposals(submission: Submission) -> list[Proposal]:
    """The computed counters whose figure differs from the draft's, in the form's order."""
    computed = indicators.indicators_for_answer(submission)
    draft = submission.draft_input or {}
    proposals = []
    for item in input_items(submission.form_version.schema):
        key = item["value"].get("key")
        if key not in computed:
            continue
        proposed = [str(computed[key])]
        typed = [value.strip() for value in _as_list(draft.get(key))]
        if typed == proposed:
            continue
        proposals.append(
            Proposal(
                key=key,
                label=item["value"].get("label") or key,
                typed=_shown(item, draft.get(key)),
                proposed=proposed[0],
                inputs={key: proposed},
            )
        )
    return proposals


def refill_proposals(submission: Submission) -> list[Proposal]:
    """The household document's fields the case file (and the earlier documents) would
    fill differently from the draft, in the form's order; a group counts as one field."""
    schema = submission.form_version.schema
    sources = household_sources(
        household=submission.household, role=household_role(submission.form_version.form)
    )
    fresh = prefill_input(schema=schema, draft_input={}, sources=sources)
    draft = submission.draft_input or {}
    proposals = []
    for item in input_items(schema):
        key = item["value"]["key"]
        label = item["value"].get("label") or key
        if item["type"] == "group":
            proposed_inputs = _group_inputs(fresh, key)
            proposed_rows = _group_rows(item, proposed_inputs)
            typed_rows = _group_rows(item, _group_inputs(draft, key))
            if not proposed_rows or proposed_rows == typed_rows:
                continue
            proposals.append(
                Proposal(
                    key=key,
                    label=label,
                    typed=" ; ".join(typed_rows),
                    proposed=" ; ".join(proposed_rows),
                    inputs=proposed_inputs,
                    is_group=True,
                )
            )
            continue
        proposed = _as_list(fresh.get(key))
        if not is_typed(proposed):
            continue
        typed = _as_list(draft.get(key))
        if [value.strip() for value in typed if value.strip()] == [
            value.strip() for value in proposed if value.strip()
        ]:
            continue
        proposals.append(
            Proposal(
                key=key,
                label=label,
                typed=_shown(item, typed),
                proposed=_shown(item, proposed),
                inputs={key: proposed},
            )
        )
    return proposals


def proposals_apply(
    *,
    submission: Submission,
    user,
    proposals: Iterable[Proposal],
    chosen: set[str],
    expected_revision: int,
) -> tuple[Submission, list[Proposal]]:
    """Saves the draft with the chosen proposals' values over their fields (a group's rows
    all replaced); returns the submission and what was replaced. Nothing chosen: no write."""
    replaced = [proposal for proposal in proposals if proposal.key in chosen]
    if not replaced:
        return submission, []
    draft_input = dict(submission.draft_input or {})
    for proposal in replaced:
        if proposal.is_group:
            for name in list(draft_input):
                if name.startswith(f"{proposal.key}-"):
                    del draft_input[name]
        draft_input.update(proposal.inputs)
    submission = submission_save_draft(
        submission=submission,
        user=user,
        draft_input=draft_input,
        expected_revision=expected_revision,
    )
    return submission, replaced
