"""The files a backup saves: the portal's storages (local directories or object storage,
read and written through Django's storage API only), their listing, copies hashed while
written, and SHA-256 checksums."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Set
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage

from portal.backup.manifest import PARTIAL_SUFFIX, BackupError

CHUNK: Final = 1024 * 1024


def file_roots() -> dict[str, Storage]:
    """The storages a backup saves, by name: every storage of settings.STORAGES but the
    static files (collectstatic rebuilds them), ``media`` for the default one, and the
    ``exports`` storage."""
    roots: dict[str, Storage] = {}
    for name in settings.STORAGES:
        if name != "staticfiles":
            roots["media" if name == "default" else name] = storages[name]
    return roots


def storage_identity(storage: Storage, directory: str = "") -> str:
    """Where a storage (or one of its directories) keeps its files: the resolved path of
    a local directory, ``s3://bucket/prefix/`` on object storage; two storages with the
    same identity hold the same files."""
    if isinstance(storage, FileSystemStorage):
        return str(Path(storage.path(directory)).resolve())
    if isinstance(storage, S3Storage):
        prefix = posixpath.join(storage.location, directory).strip("/")
        return f"s3://{storage.bucket_name}/{prefix}/" if prefix else f"s3://{storage.bucket_name}/"
    return f"{type(storage).__module__}.{type(storage).__qualname__}@{id(storage):x}/{directory}"


def storage_files(storage: Storage, *, other_roots: Set[str] = frozenset()) -> list[str]:
    """The names of the files of a storage, sorted; a directory that is another root (by
    its identity) is left to its own entry, and a zip still being built is skipped."""
    found: list[str] = []
    pending = [""]
    while pending:
        directory = pending.pop()
        try:
            directories, files = storage.listdir(directory)
        except FileNotFoundError:  # a local directory not made yet: nothing to save
            continue
        for name in files:
            if not name.endswith(PARTIAL_SUFFIX):
                found.append(posixpath.join(directory, name))
        for name in directories:
            child = posixpath.join(directory, name)
            if storage_identity(storage, child) not in other_roots:
                pending.append(child)
    return sorted(found)


def storage_is_empty(storage: Storage) -> bool:
    """True when a storage holds no file (a restore writes only into empty ones)."""
    return not storage_files(storage)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a local file, read by chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def storage_sha256(storage: Storage, name: str) -> str | None:
    """The SHA-256 of a storage's file, None when it has no such file."""
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_from_storage(storage: Storage, name: str, target: Path) -> tuple[str, int]:
    """Copies a storage's file into the local file ``target``, hashing what is written;
    never overwrites."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as src, target.open("xb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def copy_to_storage(source: Path, storage: Storage, name: str) -> None:
    """Saves the local file ``source`` into a storage under exactly ``name``."""
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(
            f"Le fichier {name} existait déjà dans le stockage {storage_identity(storage)} : "
            f"restauré sous le nom {saved}, la restauration n'écrase rien."
        )
