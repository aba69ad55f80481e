"""A backup's manifest and shared facts: the layout of a backup directory, the error every
refusal raises, what a backup and a restore report, and reading a manifest back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

FORMAT: Final = "portail-sauvegarde/1"
MANIFEST: Final = "manifest.json"
SQLITE_FILE: Final = "database/db.sqlite3"
POSTGRESQL_FILE: Final = "database/database.dump"
FILES_DIR: Final = "files"
# A zip being built (documents.exports.campaign_zips): never saved.
PARTIAL_SUFFIX: Final = ".part"
VENDORS: Final = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}


class BackupError(Exception):
    """A backup or a restore refused or failed; the message, in French, says why and what to
    do."""


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: its directory, its manifest and how long it took."""

    path: Path
    manifest: dict[str, Any]
    seconds: float


@dataclass(frozen=True)
class Comparison:
    """One table (rows) or one file (SHA-256) of the manifest against what was restored."""

    name: str
    expected: int | str | None
    found: int | str | None

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass
class RestoreReport:
    """A restore's comparisons with the manifest, the code's migrations the restored
    database has not run yet, and how long it took."""

    tables: list[Comparison] = field(default_factory=list)
    files: list[Comparison] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(item.ok for item in (*self.tables, *self.files))

    @property
    def rows(self) -> int:
        return sum(int(item.expected or 0) for item in self.tables)


def manifest_read(source: Path) -> dict[str, Any]:
    """The manifest of the backup directory ``source``; refuses a directory without one
    (not a backup, or an unfinished one) and an unknown format."""
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{path} est introuvable : ce n'est pas une sauvegarde du portail, ou elle n'est "
            "pas terminée (le manifeste est écrit en dernier)."
        )
    manifest = json.loads(path.read_text("utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"Format de sauvegarde inconnu : {manifest.get('format')!r} (attendu {FORMAT})."
        )
    return manifest
