"""Moving the files of a local directory into a storage of settings.STORAGES (the disk of
an installation that switches to object storage): every file copied under the same name,
its SHA-256 read back; a file already there with the same bytes is skipped, one with other
bytes is left alone and reported. Never deletes, never overwrites."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages

from portal.backup.files import copy_to_storage, sha256_file, storage_files, storage_sha256


@dataclass
class ImportReport:
    """What an import did, by name."""

    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts


def storage_import(*, source_dir: Path, alias: str) -> ImportReport:
    """Copies every file under ``source_dir`` (a zip being built aside) into the storage
    ``alias``, under its path relative to ``source_dir``; re-runnable."""
    source = FileSystemStorage(location=source_dir)
    target = storages[alias]
    if not Path(source_dir).is_dir():
        raise FileNotFoundError(f"Le dossier {source_dir} n'existe pas.")
    report = ImportReport()
    for name in storage_files(source):
        path = Path(source.path(name))
        digest = sha256_file(path)
        if target.exists(name):
            there = storage_sha256(target, name)
            (report.already_there if there == digest else report.conflicts).append(name)
            continue
        copy_to_storage(path, target, name)
        if storage_sha256(target, name) != digest:
            report.conflicts.append(name)
        else:
            report.copied.append(name)
    return report
