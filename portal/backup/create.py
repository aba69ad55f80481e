"""Making a backup: the database copied (SQLite) or dumped (PostgreSQL), the files of
every root copied and hashed, then the manifest written last."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from portal.backup.database import (
    backup_postgresql,
    backup_sqlite,
    code_migrations,
    migrations_by_app,
)
from portal.backup.files import (
    copy_from_storage,
    file_roots,
    sha256_file,
    storage_files,
    storage_identity,
)
from portal.backup.manifest import (
    FILES_DIR,
    FORMAT,
    MANIFEST,
    PARTIAL_SUFFIX,
    POSTGRESQL_FILE,
    SQLITE_FILE,
    BackupError,
    BackupResult,
)


def _git_commit() -> str | None:
    try:
        done = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def _database_save(source: BaseDatabaseWrapper, destination: Path) -> dict[str, Any]:
    """The database's copy or dump under ``destination``, and its facts for the manifest."""
    if source.vendor == "sqlite":
        return backup_sqlite(source, destination / SQLITE_FILE)
    if source.vendor == "postgresql":
        return backup_postgresql(source.settings_dict, destination / POSTGRESQL_FILE)
    raise BackupError(f"Base « {source.vendor} » : seules SQLite et PostgreSQL se sauvegardent.")


def _files_save(
    roots: Mapping[str, Storage], destination: Path, database_file: str
) -> dict[str, dict[str, Any]]:
    """The checksum and size of the database file and of every file of ``roots``, copied
    under ``destination``."""
    files: dict[str, dict[str, Any]] = {}
    path = destination / database_file
    files[database_file] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    identities = {storage_identity(storage) for storage in roots.values()}
    for label, storage in sorted(roots.items()):
        others = identities - {storage_identity(storage)}
        for name in storage_files(storage, other_roots=others):
            relative = f"{FILES_DIR}/{label}/{name}"
            digest, size = copy_from_storage(storage, name, destination / relative)
            files[relative] = {"sha256": digest, "size": size}
    return files


def _manifest_write(destination: Path, manifest: Mapping[str, Any]) -> None:
    """Written last, and whole (renamed from a partial file): a directory without a
    manifest is an unfinished backup."""
    partial = destination / f"{MANIFEST}{PARTIAL_SUFFIX}"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    partial.rename(destination / MANIFEST)


def backup_create(
    *, destination: Path, using: str = "default", roots: Mapping[str, Storage] | None = None
) -> BackupResult:
    """Saves the database ``using`` and the files of the storages ``roots`` (file_roots()
    by default) into ``destination``, which must not exist or be empty; returns the
    manifest."""
    started = time.monotonic()
    roots = dict(file_roots() if roots is None else roots)
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"Le dossier {destination} n'est pas vide : la sauvegarde n'écrase rien.")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    (destination / "database").mkdir(mode=0o700)
    facts = _database_save(connections[using], destination)
    files = _files_save(roots, destination, facts["file"])
    known = code_migrations()
    applied = facts.pop("applied")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "portal_commit": _git_commit(),
        "database": {key: value for key, value in facts.items() if key != "tables"},
        "migrations": migrations_by_app(applied & known),
        # Rows of django_migrations for migrations the code no longer has on disk (Django
        # ignores them): kept for the record, not compared at restore.
        "migrations_not_on_disk": migrations_by_app(applied - known),
        "tables": facts["tables"],
        "roots": {label: storage_identity(storage) for label, storage in sorted(roots.items())},
        "files": files,
    }
    manifest["seconds"] = round(time.monotonic() - started, 3)
    _manifest_write(destination, manifest)
    return BackupResult(path=destination, manifest=manifest, seconds=manifest["seconds"])
