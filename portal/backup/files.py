"""The files a backup saves: the local directories of the portal's storages, their
listing, copies hashed while written, and SHA-256 checksums."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

from portal.backup.manifest import PARTIAL_SUFFIX, BackupError

CHUNK: Final = 1024 * 1024


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
    """The SHA-256 of a file, read by chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashed(source: Path, target: Path) -> tuple[str, int]:
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


def root_files(root: Path, *, other_roots: set[Path]) -> list[Path]:
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
