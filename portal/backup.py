"""Backup and restore of the portal: its database and its files, described by a manifest.

A backup is a directory::

    manifest.json                 date, database vendor, migrations applied per app, rows per
                                  table, SHA-256 and size of every file below
    database/db.sqlite3           SQLite: a copy made with SQLite's online backup API
    database/database.dump        PostgreSQL: ``pg_dump --format=custom``
    files/<root>/<path>           the files of every local storage of settings.STORAGES
                                  (``media`` for the default one, ``private`` for answers'
                                  files and Word templates) and of PORTAL_EXPORTS_DIR

The manifest is written last: a directory without one is an unfinished backup. The row
counts are read in the same snapshot as the dump (the SQLite copy itself; the exported
snapshot pg_dump reads on PostgreSQL), so a restore can be compared with them exactly.

A restore goes only into an empty database and empty directories, and only when the
backup's migrations are all known to the code and the target is not ahead of the backup;
everything it refuses is refused before anything is written. It then compares the rows of
every table and the checksum of every file with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler

FORMAT: Final = "portail-sauvegarde/1"
MANIFEST: Final = "manifest.json"
SQLITE_FILE: Final = "database/db.sqlite3"
POSTGRESQL_FILE: Final = "database/database.dump"
FILES_DIR: Final = "files"
CHUNK: Final = 1024 * 1024
PARTIAL_SUFFIX: Final = ".part"  # a zip being built (documents.exports.campaign_zips): never saved
VENDORS: Final = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}


class BackupError(Exception):
    """A backup or a restore refused or failed; the message, in French, says why and what to
    do."""


@dataclass(frozen=True)
class BackupResult:
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


# -- files --------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """The local directories a backup saves, by name: every storage of settings.STORAGES
    but the static files (collectstatic rebuilds them), ``media`` for the default one, and
    PORTAL_EXPORTS_DIR (``exports``)."""
    roots: dict[str, Path] = {}
    for name in settings.STORAGES:
        if name == "staticfiles":
            continue
        storage = storages[name]
        if not isinstance(storage, FileSystemStorage):
            raise BackupError(
                f"Le stockage « {name} » ({type(storage).__name__}) n'est pas un dossier "
                "local : la sauvegarde ne sait pas copier ses fichiers."
            )
        roots["media" if name == "default" else name] = Path(storage.location)
    roots["exports"] = Path(settings.PORTAL_EXPORTS_DIR)
    return roots


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashed(source: Path, target: Path) -> tuple[str, int]:
    """Copies a file, hashing what is written; never overwrites."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, target.open("xb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    shutil.copystat(source, target)
    return digest.hexdigest(), size


def _root_files(root: Path, *, other_roots: set[Path]) -> list[Path]:
    """The regular files under a root, sorted; a root nested in this one is left to its own
    entry, and a zip still being built is skipped."""
    if not root.is_dir():
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if (here / d).resolve() not in other_roots)
        for name in sorted(filenames):
            path = here / name
            if path.is_file() and not name.endswith(PARTIAL_SUFFIX):
                found.append(path)
    return found


# -- databases ----------------------------------------------------------------------------


def _connection(settings_dict: Mapping[str, Any]) -> BaseDatabaseWrapper:
    """A connection of its own to the database ``settings_dict`` describes (the shape of
    settings.DATABASES' entries); the caller closes it."""
    return ConnectionHandler({"default": dict(settings_dict)})["default"]


def _table_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            counts[table] = cursor.fetchone()[0]
    return counts


def _applied(connection: BaseDatabaseWrapper) -> set[tuple[str, str]]:
    """The rows of django_migrations, read with SQL on this very connection (Django's
    MigrationRecorder would read through the alias, i.e. settings.DATABASES)."""
    table = MigrationRecorder.Migration._meta.db_table
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return set()
        cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return {(app, name) for app, name in cursor.fetchall()}


def _pending(applied: set[tuple[str, str]]) -> list[str]:
    """The code's migrations a database at ``applied`` has not run, in order (a squashed
    migration counts as applied when everything it replaces is)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    done = set(applied)
    for key, migration in loader.replacements.items():
        if all(replaced in done for replaced in migration.replaces):
            done.add(key)
    pending = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in done and f"{node[0]}.{node[1]}" not in pending:
                pending.append(f"{node[0]}.{node[1]}")
    return pending


def _by_app(migrations: set[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for app, name in sorted(migrations):
        grouped.setdefault(app, []).append(name)
    return grouped


def _flatten(grouped: Mapping[str, list[str]]) -> set[tuple[str, str]]:
    return {(app, name) for app, names in grouped.items() for name in names}


def code_migrations() -> set[tuple[str, str]]:
    """Every migration the code on disk knows, squashed ones included."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _sqlite_path(settings_dict: Mapping[str, Any]) -> Path:
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(
            "La base SQLite cible est en mémoire : la restauration demande un fichier "
            "(DATABASE_URL=sqlite:///chemin/vers/db.sqlite3 ou PORTAL_VAR_DIR)."
        )
    return Path(name)


_VERSION = re.compile(r"\)\s*(\d+)(?:\.(\d+))?")


def _pg_tool(name: str) -> tuple[str, int, str]:
    """The path, major version and version line of pg_dump or pg_restore."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} est introuvable sur cette machine : installez le client PostgreSQL de "
            "la même version majeure que le serveur (Debian : postgresql-client-<version>)."
        )
    line = subprocess.run(  # noqa: S603 - a fixed tool, no shell
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    match = _VERSION.search(line)
    if match is None:
        raise BackupError(f"Version de {name} illisible : {line!r}.")
    return path, int(match.group(1)), line


def _pg_server_major(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _pg_env(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for the tools (the password never appears on a command line)."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} a échoué (code {done.returncode}) :\n{done.stderr.strip()}")


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


# -- backup -------------------------------------------------------------------------------


def _backup_sqlite(source: BaseDatabaseWrapper, target: Path) -> dict[str, Any]:
    """SQLite's online backup API: a consistent copy even while the portal writes (WAL
    or not); the copy is put back in rollback-journal mode so that it is one file."""
    source.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        source.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        copy.close()
    if check != "ok":
        raise BackupError(f"La copie SQLite ne passe pas « PRAGMA quick_check » : {check}.")
    copied = _connection({"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)})
    try:
        return {
            "vendor": "sqlite",
            "file": SQLITE_FILE,
            "sqlite_version": sqlite3.sqlite_version,
            "applied": _applied(copied),
            "tables": _table_counts(copied),
        }
    finally:
        copied.close()


def _backup_postgresql(settings_dict: Mapping[str, Any], target: Path) -> dict[str, Any]:
    """pg_dump reads the snapshot a repeatable-read transaction exported; rows and
    migrations are read in that same transaction, so they describe exactly the dump."""
    pg_dump, dump_major, dump_line = _pg_tool("pg_dump")
    connection = _connection(settings_dict)
    try:
        server_major = _pg_server_major(connection)
        if dump_major < server_major:
            raise BackupError(
                f"pg_dump est en version {dump_major} et le serveur en {server_major} : "
                f"pg_dump doit être au moins de la version du serveur (installez "
                f"postgresql-client-{server_major})."
            )
        connection.set_autocommit(False)
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={settings_dict['NAME']}",
            ],
            env=_pg_env(settings_dict),
            what="pg_dump",
        )
        facts = {
            "vendor": "postgresql",
            "file": POSTGRESQL_FILE,
            "server_major": server_major,
            "pg_dump": dump_line,
            "pg_dump_major": dump_major,
            "applied": _applied(connection),
            "tables": _table_counts(connection),
        }
        connection.rollback()
        return facts
    finally:
        connection.close()


def backup_create(
    *, destination: Path, using: str = "default", roots: Mapping[str, Path] | None = None
) -> BackupResult:
    """Saves the database ``using`` and the files of ``roots`` (file_roots() by default)
    into ``destination``, which must not exist or be empty; returns the manifest."""
    started = time.monotonic()
    roots = dict(file_roots() if roots is None else roots)
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"Le dossier {destination} n'est pas vide : la sauvegarde n'écrase rien.")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    (destination / "database").mkdir(mode=0o700)
    source = connections[using]

    if source.vendor == "sqlite":
        facts = _backup_sqlite(source, destination / SQLITE_FILE)
    elif source.vendor == "postgresql":
        facts = _backup_postgresql(source.settings_dict, destination / POSTGRESQL_FILE)
    else:
        raise BackupError(
            f"Base « {source.vendor} » : seules SQLite et PostgreSQL se sauvegardent."
        )

    files: dict[str, dict[str, Any]] = {}
    database_file = destination / facts["file"]
    files[facts["file"]] = {
        "sha256": sha256_file(database_file),
        "size": database_file.stat().st_size,
    }
    resolved = {Path(path).resolve() for path in roots.values()}
    for label, root in sorted(roots.items()):
        root = Path(root)
        for path in _root_files(root, other_roots=resolved - {root.resolve()}):
            relative = f"{FILES_DIR}/{label}/{path.relative_to(root).as_posix()}"
            digest, size = _copy_hashed(path, destination / relative)
            files[relative] = {"sha256": digest, "size": size}

    known = code_migrations()
    applied = facts.pop("applied")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "portal_commit": _git_commit(),
        "database": {key: value for key, value in facts.items() if key != "tables"},
        "migrations": _by_app(applied & known),
        # Rows of django_migrations for migrations the code no longer has on disk (Django
        # ignores them): kept for the record, not compared at restore.
        "migrations_not_on_disk": _by_app(applied - known),
        "tables": facts["tables"],
        "roots": {label: str(Path(root).resolve()) for label, root in sorted(roots.items())},
        "files": files,
    }
    manifest["seconds"] = round(time.monotonic() - started, 3)
    partial = destination / f"{MANIFEST}{PARTIAL_SUFFIX}"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    partial.rename(destination / MANIFEST)
    return BackupResult(path=destination, manifest=manifest, seconds=manifest["seconds"])


# -- restore ------------------------------------------------------------------------------


def manifest_read(source: Path) -> dict[str, Any]:
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
    unknown = sorted(_flatten(manifest["migrations"]) - code_migrations())
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
    return _table_counts(connection), _applied(connection)


def _check_target(
    manifest: Mapping[str, Any], counts: Mapping[str, int], applied: set[tuple[str, str]]
) -> None:
    backup = _flatten(manifest["migrations"]) | _flatten(manifest.get("migrations_not_on_disk", {}))
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


def _check_roots_empty(targets: Mapping[str, Path], manifest: Mapping[str, Any]) -> None:
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
    for label, root in sorted(targets.items()):
        root = Path(root)
        if root.is_dir() and next((p for p in root.rglob("*") if p.is_file()), None):
            raise BackupError(
                f"Restauration refusée : le dossier {root} (fichiers « {label} ») n'est pas "
                "vide ; la restauration n'écrase aucun fichier. Videz-le ou désignez un "
                "dossier neuf (PORTAL_VAR_DIR, MEDIA_ROOT, PORTAL_EXPORTS_DIR)."
            )


def backup_restore(
    *,
    source: Path,
    database: Mapping[str, Any],
    roots: Mapping[str, Path] | None = None,
) -> RestoreReport:
    """Restores the backup ``source`` into the empty database ``database`` (an entry of
    settings.DATABASES' shape) and the empty directories ``roots`` (file_roots() by
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
        path = _sqlite_path(database)
        if path.exists() and path.stat().st_size > 0:
            connection = _connection(database)
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
    else:
        pg_restore, restore_major, _ = _pg_tool("pg_restore")
        connection = _connection(database)
        try:
            server_major = _pg_server_major(connection)
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
        _run(
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
            env=_pg_env(database),
            what="pg_restore",
        )

    prefix = f"{FILES_DIR}/"
    for relative in manifest["files"]:
        if relative.startswith(prefix):
            label, _, rest = relative[len(prefix) :].partition("/")
            _copy_hashed(source / relative, Path(targets[label]) / rest)

    report = _verify(manifest=manifest, database=database, targets=targets)
    report.seconds = time.monotonic() - started
    return report


def _verify(
    *, manifest: Mapping[str, Any], database: Mapping[str, Any], targets: Mapping[str, Path]
) -> RestoreReport:
    """Rows of every table and SHA-256 of every restored file, against the manifest."""
    report = RestoreReport()
    connection = _connection(database)
    try:
        counts = _table_counts(connection)
        report.pending_migrations = _pending(_applied(connection))
    finally:
        connection.close()
    for table in sorted(set(manifest["tables"]) | set(counts)):
        report.tables.append(Comparison(table, manifest["tables"].get(table), counts.get(table)))
    prefix = f"{FILES_DIR}/"
    for relative, facts in sorted(manifest["files"].items()):
        if relative.startswith(prefix):
            label, _, rest = relative[len(prefix) :].partition("/")
            path = Path(targets[label]) / rest
            found = sha256_file(path) if path.is_file() else None
            report.files.append(Comparison(relative[len(prefix) :], facts["sha256"], found))
    return report


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("o", "Ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            text = f"{value:.0f}" if unit == "o" else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        value /= 1024
    return f"{size} o"
