"""The database side of a backup: connections of their own, rows per table, migrations
applied and pending, SQLite's online backup, and PostgreSQL's tools (pg_dump,
pg_restore) with their versions and libpq environment."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler

from portal.backup.manifest import POSTGRESQL_FILE, SQLITE_FILE, BackupError


def database_connection(settings_dict: Mapping[str, Any]) -> BaseDatabaseWrapper:
    """A connection of its own to the database ``settings_dict`` describes (the shape of
    settings.DATABASES' entries); the caller closes it."""
    return ConnectionHandler({"default": dict(settings_dict)})["default"]


def table_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """The rows of every table of the database ``connection`` reaches."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            counts[table] = cursor.fetchone()[0]
    return counts


def migrations_applied(connection: BaseDatabaseWrapper) -> set[tuple[str, str]]:
    """The rows of django_migrations, read with SQL on this very connection (Django's
    MigrationRecorder would read through the alias, i.e. settings.DATABASES)."""
    table = MigrationRecorder.Migration._meta.db_table
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return set()
        cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return {(app, name) for app, name in cursor.fetchall()}


def pending_migrations(applied: set[tuple[str, str]]) -> list[str]:
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


def migrations_by_app(migrations: set[tuple[str, str]]) -> dict[str, list[str]]:
    """``(app, name)`` pairs as the manifest keeps them: names by app, sorted."""
    grouped: dict[str, list[str]] = {}
    for app, name in sorted(migrations):
        grouped.setdefault(app, []).append(name)
    return grouped


def migrations_flattened(grouped: Mapping[str, list[str]]) -> set[tuple[str, str]]:
    """The manifest's names by app back to ``(app, name)`` pairs."""
    return {(app, name) for app, names in grouped.items() for name in names}


def code_migrations() -> set[tuple[str, str]]:
    """Every migration the code on disk knows, squashed ones included."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def sqlite_path(settings_dict: Mapping[str, Any]) -> Path:
    """The file of the SQLite database ``settings_dict`` names; refuses one in memory."""
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(
            "La base SQLite cible est en mémoire : la restauration demande un fichier "
            "(DATABASE_URL=sqlite:///chemin/vers/db.sqlite3 ou PORTAL_VAR_DIR)."
        )
    return Path(name)


VERSION_LINE = re.compile(r"\)\s*(\d+)(?:\.(\d+))?")


def pg_tool(name: str) -> tuple[str, int, str]:
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
    match = VERSION_LINE.search(line)
    if match is None:
        raise BackupError(f"Version de {name} illisible : {line!r}.")
    return path, int(match.group(1)), line


def pg_server_major(connection: BaseDatabaseWrapper) -> int:
    """The major version of the PostgreSQL server ``connection`` reaches."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_env(settings_dict: Mapping[str, Any]) -> dict[str, str]:
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


def tool_run(command: list[str], *, env: dict[str, str], what: str) -> None:
    """Runs a PostgreSQL tool; its failure is a BackupError carrying its error output."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} a échoué (code {done.returncode}) :\n{done.stderr.strip()}")


def backup_sqlite(source: BaseDatabaseWrapper, target: Path) -> dict[str, Any]:
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
    copied = database_connection({"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)})
    try:
        return {
            "vendor": "sqlite",
            "file": SQLITE_FILE,
            "sqlite_version": sqlite3.sqlite_version,
            "applied": migrations_applied(copied),
            "tables": table_counts(copied),
        }
    finally:
        copied.close()


def backup_postgresql(settings_dict: Mapping[str, Any], target: Path) -> dict[str, Any]:
    """pg_dump reads the snapshot a repeatable-read transaction exported; rows and
    migrations are read in that same transaction, so they describe exactly the dump."""
    pg_dump, dump_major, dump_line = pg_tool("pg_dump")
    connection = database_connection(settings_dict)
    try:
        server_major = pg_server_major(connection)
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
        tool_run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={settings_dict['NAME']}",
            ],
            env=pg_env(settings_dict),
            what="pg_dump",
        )
        facts = {
            "vendor": "postgresql",
            "file": POSTGRESQL_FILE,
            "server_major": server_major,
            "pg_dump": dump_line,
            "pg_dump_major": dump_major,
            "applied": migrations_applied(connection),
            "tables": table_counts(connection),
        }
        connection.rollback()
        return facts
    finally:
        connection.close()
