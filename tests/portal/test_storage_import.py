"""Moving an installation's files from disk into the bucket (moto's server, real HTTP):
every file under its own name and prefix, re-runnable, nothing overwritten."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

FILES = {
    "reponses/2025/11/lettre.pdf": b"%PDF-1.4 lettre",
    "modeles-word/bilan.docx": b"PK\x03\x04 modele",
}


def _import(alias, directory) -> str:
    out = StringIO()
    call_command("import_files_to_storage", alias, str(directory), stdout=out)
    return out.getvalue()


def test_files_on_disk_move_into_the_bucket_once_and_never_overwrite(s3_storages, tmp_path):
    private = tmp_path / "private"
    for name, content in FILES.items():
        (private / name).parent.mkdir(parents=True, exist_ok=True)
        (private / name).write_bytes(content)
    zips = tmp_path / "exports"
    zips.mkdir()
    (zips / "documents-1-ab.zip").write_bytes(b"PK\x05\x06")
    (zips / "documents-2-cd.zip.part").write_bytes(b"en cours")  # being built: left

    assert "2 fichier(s) copié(s)" in _import("private", private)
    assert "1 fichier(s) copié(s)" in _import("exports", zips)

    assert s3_storages.object_keys() == sorted(
        ["exports/documents-1-ab.zip", *(f"prive/{name}" for name in FILES)]
    )
    for name, content in FILES.items():
        assert s3_storages.body(f"prive/{name}") == content

    # Again: nothing copied twice. A file changed on one side is left alone and reported.
    assert "0 fichier(s) copié(s), 2 déjà présent(s)" in _import("private", private)
    (private / "modeles-word" / "bilan.docx").write_bytes(b"PK\x03\x04 autre")
    with pytest.raises(CommandError, match="diffèrent"):
        _import("private", private)
    assert s3_storages.body("prive/modeles-word/bilan.docx") == FILES["modeles-word/bilan.docx"]
