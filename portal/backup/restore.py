"""Restoring a backup: every refusal checked before anything is written (vendor, damaged
files, migrations the code does not know, a target that is not empty or is ahead of the
backup), then the database and the files put back and compared with the manifest."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.storage import Storage
from django.db.backends.base.base import BaseDatabaseWrapper

from portal.backup.database import (
    code_migrations,
    database_connection,
    migrations_applied,
    migrations_flattened,
    pending_migrations,
    pg_env,
    pg_server_major,
    pg_tool,
    sqlite_path,
    table_counts,
    tool_run,
)
from portal.backup.files import (
    copy_to_storage,
    file_roots,
    sha256_file,
    storage_identity,
    storage_is_empty,
    storage_sha256,
)
from portal.backup.manifest import (
    FILES_DIR,
    VENDORS,
    BackupError,
    Comparison,
    RestoreReport,
    manifest_read,
)


def _check_integrity(source: Path, manifest: Mapping[str, Any]) -> None:
    damaged = []
    for relative, facts in manifest["files"].items():
        parts = PurePosixPath(relative).parts
        if relative.startswith("/") or ".." in parts or "\\" in relative:
            raise BackupError(
                f"Restauration refusée : chemin invalide dans le manifeste : {relative}."
            )
        path = source / relative
        if not path.is_file():
            damaged.append(f"{relative} (absent)")
        elif sha256_file(path) != facts["sha256"]:
            damaged.append(f"{relative} (SHA-256 différent)")
    if damaged:
        raise BackupError(
            "Restauration refusée : la sauvegarde est abîmée, "
            f"{len(damaged)} fichier(s) ne correspondent pas au manifeste : "
            + ", ".join(damaged[:10])
            + "."
        )


def _migration_list(migrations: list[tuple[str, str]]) -> str:
    shown = ", ".join(f"{app}.{name}" for app, name in migrations[:5])
    return shown + (f" (et {len(migrations) - 5} autre(s))" if len(migrations) > 5 else "")


def _check_backup_not_newer(manifest: Mapping[str, Any]) -> None:
    unknown = sorted(migrations_flattened(manifest["migrations"]) - code_migrations())
    if unknown:
        app, name = unknown[0]
        commit = manifest.get("portal_commit")
        version = f" (commit {commit[:12]})" if commit else ""
        raise BackupError(
            f"Restauration refusée : la sauvegarde contient la migration {app}.{name} de "
            f"l'application « {app} », que cette version du portail ne connaît pas : la "
            f"sauvegarde est plus récente que le code. Migrations inconnues : "
            f"{_migration_list(unknown)}. Restaurez-la avec la version du portail qui l'a "
            f"faite{version}, puis mettez le portail à jour et lancez « manage.py migrate »."
        )


def _target_state(connection: BaseDatabaseWrapper) -> tuple[dict[str, int], set[tuple[str, str]]]:
    return table_counts(connection), migrations_applied(connection)


def _check_target(
    manifest: Mapping[str, Any], counts: Mapping[str, int], applied: set[tuple[str, str]]
) -> None:
    backup = migrations_flattened(manifest["migrations"]) | migrations_flattened(
        manifest.get("migrations_not_on_disk", {})
    )
    ahead = sorted(applied - backup)
    if ahead:
        app, name = ahead[0]
        raise BackupError(
            f"Restauration refusée : la base cible est à un état de migrations plus récent "
            f"que la sauvegarde : elle a la migration {app}.{name} de l'application « {app} », "
            f"que la sauvegarde n'a pas ({_migration_list(ahead)}). Restaurez dans une base "
            "vide (PostgreSQL : createdb <nom> ; SQLite : un nouveau fichier), puis lancez "
            "« manage.py migrate » pour amener la base restaurée à l'état du code."
        )
    if counts:
        rows = sum(counts.values())
        raise BackupError(
            f"Restauration refusée : la base cible n'est pas vide ({len(counts)} table(s), "
            f"{rows} ligne(s)). La restauration ne se fait que dans une base vide : créez-en "
            "une neuve (PostgreSQL : createdb <nom> ; SQLite : un nouveau fichier) et "
            "désignez-la par DATABASE_URL (ou PORTAL_VAR_DIR pour la base SQLite embarquée)."
        )


def _check_roots_empty(targets: Mapping[str, Storage], manifest: Mapping[str, Any]) -> None:
    labels = {
        relative.split("/")[1]
        for relative in manifest["files"]
        if relative.startswith(f"{FILES_DIR}/")
    }
    missing = sorted(labels - set(targets))
    if missing:
        raise BackupError(
            f"Restauration refusée : la sauvegarde a des fichiers du stockage « {missing[0]} », "
            "que les réglages de ce portail n'ont pas."
        )
    for label, storage in sorted(targets.items()):
        if not storage_is_empty(storage):
            raise BackupError(
                f"Restauration refusée : le stockage {storage_identity(storage)} (fichiers "
                f"« {label} ») n'est pas vide ; la restauration n'écrase aucun fichier. "
                "Videz-le ou désignez un dossier ou un compartiment neuf (PORTAL_VAR_DIR, "
                "MEDIA_ROOT, PORTAL_EXPORTS_DIR, PORTAL_S3_BUCKET)."
            )


def _restore_sqlite(
    source: Path,
    manifest: Mapping[str, Any],
    database: Mapping[str, Any],
    targets: Mapping[str, Storage],
) -> None:
    """Checks the target file and directories, then copies the backup into the file with
    SQLite's backup API (the backup opened read-only)."""
    path = sqlite_path(database)
    if path.exists() and path.stat().st_size > 0:
        connection = database_connection(database)
        try:
            _check_target(manifest, *_target_state(connection))
        finally:
            connection.close()
    _check_roots_empty(targets, manifest)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup_file = source / manifest["database"]["file"]
    copy = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        copy.backup(target)
    finally:
        target.close()
        copy.close()


def _restore_postgresql(
    source: Path,
    manifest: Mapping[str, Any],
    database: Mapping[str, Any],
    targets: Mapping[str, Storage],
) -> None:
    """Checks the tools' and server's versions, the target database and directories, then
    runs pg_restore in one transaction."""
    pg_restore, restore_major, _ = pg_tool("pg_restore")
    connection = database_connection(database)
    try:
        server_major = pg_server_major(connection)
        _check_target(manifest, *_target_state(connection))
    finally:
        connection.close()
    dump_major = int(manifest["database"]["pg_dump_major"])
    if restore_major < dump_major or dump_major > server_major:
        raise BackupError(
            f"Restauration refusée : la sauvegarde a été faite par pg_dump {dump_major} ; "
            f"pg_restore est en version {restore_major} et le serveur cible en "
            f"{server_major}. Il faut pg_restore ≥ {dump_major} et un serveur ≥ "
            f"{dump_major}."
        )
    _check_roots_empty(targets, manifest)
    tool_run(
        [
            pg_restore,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={database['NAME']}",
            str(source / manifest["database"]["file"]),
        ],
        env=pg_env(database),
        what="pg_restore",
    )


def backup_restore(
    *,
    source: Path,
    database: Mapping[str, Any],
    roots: Mapping[str, Storage] | None = None,
) -> RestoreReport:
    """Restores the backup ``source`` into the empty database ``database`` (an entry of
    settings.DATABASES' shape) and the empty storages ``roots`` (file_roots() by
    default), then compares rows and checksums with the manifest. Raises BackupError,
    before writing anything, for every refusal."""
    started = time.monotonic()
    source = Path(source)
    manifest = manifest_read(source)
    targets = dict(file_roots() if roots is None else roots)
    vendor = manifest["database"]["vendor"]
    engine_vendor = VENDORS.get(database["ENGINE"], database["ENGINE"])
    if engine_vendor != vendor:
        raise BackupError(
            f"Restauration refusée : la sauvegarde est une base {vendor} et la base cible une "
            f"base {engine_vendor} ; restaurez dans une base {vendor}."
        )
    _check_integrity(source, manifest)
    _check_backup_not_newer(manifest)
    if vendor == "sqlite":
        _restore_sqlite(source, manifest, database, targets)
    else:
        _restore_postgresql(source, manifest, database, targets)
    prefix = f"{FILES_DIR}/"
    for relative in manifest["files"]:
        if relative.startswith(prefix):
            label, _, rest = relative[len(prefix) :].partition("/")
            copy_to_storage(source / relative, targets[label], rest)
    report = _verify(manifest=manifest, database=database, targets=targets)
    report.seconds = time.monotonic() - started
    return report


def _verify(
    *, manifest: Mapping[str, Any], database: Mapping[str, Any], targets: Mapping[str, Storage]
) -> RestoreReport:
    """Rows of every table and SHA-256 of every restored file, against the manifest."""
    report = RestoreReport()
    connection = database_connection(database)
    try:
        counts = table_counts(connection)
        report.pending_migrations = pending_migrations(migrations_applied(connection))
    finally:
        connection.close()
    for table in sorted(set(manifest["tables"]) | set(counts)):
        report.tables.append(Comparison(table, manifest["tables"].get(table), counts.get(table)))
    prefix = f"{FILES_DIR}/"
    for relative, facts in sorted(manifest["files"].items()):
        if relative.startswith(prefix):
            label, _, rest = relative[len(prefix) :].partition("/")
            found = storage_sha256(targets[label], rest)
            report.files.append(Comparison(relative[len(prefix) :], facts["sha256"], found))
    return report
