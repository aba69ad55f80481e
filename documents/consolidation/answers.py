"""The answers table: one row per filed answer, one column per key across all the form
versions the answers used (a key a version lacks is empty there, never an error), and each
repeatable group as a long table of its own (one row per group line).

Built from rows the selectors read (``documents.consolidation.selectors``): no database
here. Imports ``vocabulary``, ``fields`` and ``frames``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from documents.consolidation.fields import (
    CellReader,
    FormField,
    cell_reader,
    field_column,
    fields_across_versions,
)
from documents.consolidation.frames import GroupTable, typed_frame
from documents.consolidation.vocabulary import (
    CODE,
    DEPARTEMENT,
    GROUP_META_COLUMNS,
    LIGNE,
    META_COLUMNS,
    ORGANISATION,
    REGION,
    STATUT,
    TRANSMISE_LE,
    VERSION,
    Column,
)


@dataclass(frozen=True)
class AnswerRow:
    """One filed answer as read from the database: who, where, how and what."""

    code: str
    name: str
    region: str
    organisation: str
    status: str  # its French label
    submitted_on: datetime.date | None
    version_id: int
    data: dict

    @property
    def place(self) -> dict[str, Any]:
        return {CODE: self.code, DEPARTEMENT: self.name, REGION: self.region}


@dataclass
class Answers:
    """The answers' columns (the form's keys), their frame and the groups' long tables."""

    columns: list[Column]
    frame: pd.DataFrame
    groups: list[GroupTable]


def _group_table(group: FormField, rows: Sequence[AnswerRow]) -> GroupTable:
    readers = [(sub.key, cell_reader(sub)) for sub in group.sub_fields]
    records = []
    for row in rows:
        lines = (row.data or {}).get(group.key) or []
        for number, line in enumerate(lines, start=1):
            if not isinstance(line, dict):
                continue
            entry = {**row.place, ORGANISATION: row.organisation, LIGNE: number}
            for key, read in readers:
                entry[key] = read(line.get(key))
            records.append(entry)
    columns = [*GROUP_META_COLUMNS] + [field_column(sub) for sub in group.sub_fields]
    return GroupTable(group.key, group.label, columns, typed_frame(records, columns))


def _record(
    row: AnswerRow, *, readers: list[tuple[str, CellReader]], numbers: dict[int, int]
) -> dict[str, Any]:
    record = {
        **row.place,
        ORGANISATION: row.organisation,
        STATUT: row.status,
        TRANSMISE_LE: row.submitted_on,
        VERSION: numbers.get(row.version_id),
    }
    data = row.data or {}
    for key, read in readers:
        record[key] = read(data.get(key))
    return record


def answers_table(*, rows: Sequence[AnswerRow], versions: Sequence[Any]) -> Answers:
    """One row per answer, one column per key across the versions the answers used and the
    newest one (``versions``: the form's ``FormVersion``s, newest first); groups as long
    tables."""
    used_ids = {row.version_id for row in rows}
    used = [v for index, v in enumerate(versions) if v.pk in used_ids or index == 0]
    numbers = {v.pk: v.number for v in versions}
    fields = fields_across_versions(used)
    simple = [f for f in fields if f.type != "group"]
    columns = [field_column(f) for f in simple]
    readers = [(f.key, cell_reader(f)) for f in simple]
    records = [_record(row, readers=readers, numbers=numbers) for row in rows]
    return Answers(
        columns,
        typed_frame(records, [*META_COLUMNS, *columns]),
        [_group_table(f, rows) for f in fields if f.type == "group"],
    )
