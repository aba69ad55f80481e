"""Backup and restore (portal/backup/), drilled: a database with demo data and private files
is saved, restored into a fresh database (SQLite: a new file; PostgreSQL: a database created
on the same server) and compared with the manifest; every refusal says why, in French, before
anything is written."""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection

from demo.loader import demo_data_load
from home.content_loader import portal_content_load
from portal.backup.create import backup_create
from portal.backup.database import code_migrations, pending_migrations
from portal.backup.files import sha256_file
from portal.backup.manifest import MANIFEST, BackupError
from portal.backup.restore import backup_restore
from portal.models import AuditEntry, User
from tests.s3 import new_bucket, s3_storage

# The dump is read by another connection (pg_dump, SQLite's backup API): data must be
# committed. serialized_rollback puts back what migrations created once the test is flushed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PRIVATE_FILES = {
    "reponses/2026/12/piece-jointe.pdf": b"%PDF-1.4\n% piece jointe d'essai\n",
    "modeles-word/bilan-essai.docx": b"PK\x03\x04 modele d'essai",
}


@pytest.fixture
def roots(settings, tmp_path):
    """The portal's storages as local directories under tmp_path (the test settings keep
    them in memory), with a few files of each kind; returns the storages to restore into."""
    source = tmp_path / "source"
    settings.MEDIA_ROOT = source / "media"
    settings.PORTAL_EXPORTS_DIR = source / "exports"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(source / "private"), "base_url": None},
        },
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(source / "exports"), "base_url": None},
        },
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    for name, content in PRIVATE_FILES.items():
        storages["private"].save(name, ContentFile(content))
    storages["default"].save("original_images/logo.png", ContentFile(b"\x89PNG essai"))
    exports = Path(settings.PORTAL_EXPORTS_DIR)
    exports.mkdir(parents=True)
    (exports / "documents-1-abcd.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (exports / "documents-2-ef01.zip.part").write_bytes(b"en cours")  # never saved
    target = tmp_path / "restored"
    return {
        label: FileSystemStorage(location=target / label)
        for label in ("media", "private", "exports")
    }


def _fresh_name() -> str:
    base = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]
    return f"{base}_restore_{secrets.token_hex(4)}"[:63]


def _admin(settings_dict):
    return psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def fresh_database(tmp_path):
    """A database nobody has touched, described as an entry of settings.DATABASES."""
    if connection.vendor == "sqlite":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.db")}
        return
    name = _fresh_name()
    source = connection.settings_dict
    with _admin(source) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        with _admin(source) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _execute(database, sql):
    """Runs one statement in the restored database, outside Django's connections."""
    if database["ENGINE"].endswith("sqlite3"):
        import sqlite3

        with sqlite3.connect(database["NAME"]) as target:
            target.execute(sql)
        return
    with psycopg.connect(
        dbname=database["NAME"],
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        autocommit=True,
    ) as target:
        target.execute(sql)


def _is_empty(database) -> bool:
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(database["NAME"])
        return not path.exists() or path.stat().st_size == 0
    with psycopg.connect(
        dbname=database["NAME"],
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
    ) as target:
        row = target.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    return row[0] == 0


def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_and_files(
    roots, fresh_database, tmp_path
):
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    demo_data_load(households=False)
    backup = tmp_path / "backup"

    manifest = backup_create(destination=backup).manifest

    assert manifest["database"]["vendor"] == connection.vendor
    assert "0003_audit_context" in manifest["migrations"]["portal"]
    assert manifest["tables"]["portal_user"] == User.objects.count() > 0
    assert manifest["tables"]["portal_auditentry"] == AuditEntry.objects.count()
    saved = {key for key in manifest["files"] if key.startswith("files/")}
    assert saved == {
        *(f"files/private/{name}" for name in PRIVATE_FILES),
        "files/media/original_images/logo.png",
        "files/exports/documents-1-abcd.zip",
    }
    for name, content in PRIVATE_FILES.items():
        entry = manifest["files"][f"files/private/{name}"]
        assert entry["size"] == len(content)
        assert entry["sha256"] == sha256_file(backup / "files" / "private" / name)
    assert (
        sha256_file(backup / manifest["database"]["file"])
        == (manifest["files"][manifest["database"]["file"]]["sha256"])
    )

    report = backup_restore(source=backup, database=fresh_database, roots=roots)

    assert report.ok, [item for item in (*report.tables, *report.files) if not item.ok]
    assert [item.name for item in report.tables] == sorted(manifest["tables"])
    assert {item.name: item.found for item in report.tables} == manifest["tables"]
    assert report.rows == sum(manifest["tables"].values()) > 0
    assert len(report.files) == len(saved)
    assert report.pending_migrations == []
    assert report.seconds > 0
    for name, content in PRIVATE_FILES.items():
        assert (Path(roots["private"].location) / name).read_bytes() == content
    assert not roots["exports"].exists("documents-2-ef01.zip.part")

    # Into a database that is no longer empty: refused, and nothing written.
    other_roots = {label: FileSystemStorage(location=tmp_path / "again" / label) for label in roots}
    with pytest.raises(BackupError, match="la base cible n'est pas vide") as refused:
        backup_restore(source=backup, database=fresh_database, roots=other_roots)
    assert "Restauration refusée" in str(refused.value)
    assert not (tmp_path / "again").exists()

    # Onto a database at a newer migration state than the backup: refused, naming it.
    _execute(
        fresh_database,
        "INSERT INTO django_migrations (app, name, applied) "
        "VALUES ('portal', '0099_du_futur', CURRENT_TIMESTAMP)",
    )
    with pytest.raises(BackupError) as refused:
        backup_restore(source=backup, database=fresh_database, roots=other_roots)
    message = str(refused.value)
    assert "état de migrations plus récent que la sauvegarde" in message
    assert "portal.0099_du_futur" in message
    assert "« portal »" in message
    assert "manage.py migrate" in message


def test_a_backup_newer_than_the_code_or_damaged_is_refused_before_anything_is_written(
    roots, fresh_database, tmp_path
):
    backup = tmp_path / "backup"
    call_command("backup_portal", output=str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    manifest_path = backup / MANIFEST
    original = manifest_path.read_text("utf-8")

    manifest = json.loads(original)
    manifest["migrations"]["portal"].append("0099_du_futur")
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(BackupError) as refused:
        backup_restore(source=backup, database=fresh_database, roots=roots)
    message = str(refused.value)
    assert "Restauration refusée" in message
    assert "la migration portal.0099_du_futur de l'application « portal »" in message
    assert "plus récente que le code" in message
    assert "version du portail qui l'a faite" in message
    assert "manage.py migrate" in message
    assert _is_empty(fresh_database)
    assert not any(Path(root.location).exists() for root in roots.values())

    manifest_path.write_text(original, "utf-8")
    (backup / "files" / "private" / "reponses/2026/12/piece-jointe.pdf").write_bytes(b"abime")
    with pytest.raises(BackupError, match="la sauvegarde est abîmée") as refused:
        backup_restore(source=backup, database=fresh_database, roots=roots)
    assert "files/private/reponses/2026/12/piece-jointe.pdf (SHA-256 différent)" in str(
        refused.value
    )
    assert _is_empty(fresh_database)


def test_a_backup_older_than_the_code_lists_the_migrations_to_apply_after_restoring():
    everything = code_migrations()
    older = everything - {("portal", "0003_audit_context")}

    assert pending_migrations(everything) == []
    assert pending_migrations(older) == ["portal.0003_audit_context"]


def test_a_backup_of_object_storage_is_restored_into_an_empty_bucket(
    s3_storages, s3_server, fresh_database, settings, tmp_path
):
    """Private files and exports on a bucket (moto's server, real HTTP) are listed and read
    through the storage API, saved, and put back into another bucket, checksums compared;
    a bucket that already holds a file is refused before anything is written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, content in PRIVATE_FILES.items():
        storages["private"].save(name, ContentFile(content))
    storages["exports"].save("documents-1-abcd.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    storages["exports"].save("documents-2-ef01.zip.part", ContentFile(b"en cours"))

    manifest = backup_create(destination=tmp_path / "backup").manifest

    assert manifest["roots"]["private"] == f"s3://{s3_storages.name}/prive/"
    assert manifest["roots"]["exports"] == f"s3://{s3_storages.name}/exports/"
    assert {key for key in manifest["files"] if key.startswith("files/")} == {
        *(f"files/private/{name}" for name in PRIVATE_FILES),
        "files/exports/documents-1-abcd.zip",
    }

    with new_bucket(s3_server) as target:
        roots = {
            "media": FileSystemStorage(location=tmp_path / "restored-media"),
            "private": s3_storage(target, "private"),
            "exports": s3_storage(target, "exports"),
        }
        target.put("prive/deja-la.txt", b"un fichier")
        with pytest.raises(BackupError, match="n'est pas vide") as refused:
            backup_restore(source=tmp_path / "backup", database=fresh_database, roots=roots)
        assert f"s3://{target.name}/prive/" in str(refused.value)
        assert _is_empty(fresh_database)
        target.client.delete_object(Bucket=target.name, Key="prive/deja-la.txt")

        report = backup_restore(source=tmp_path / "backup", database=fresh_database, roots=roots)

        assert report.ok, [item for item in (*report.tables, *report.files) if not item.ok]
        assert len(report.files) == len(PRIVATE_FILES) + 1
        assert target.object_keys() == sorted(
            [*(f"prive/{name}" for name in PRIVATE_FILES), "exports/documents-1-abcd.zip"]
        )
        for name, content in PRIVATE_FILES.items():
            assert target.body(f"prive/{name}") == content
