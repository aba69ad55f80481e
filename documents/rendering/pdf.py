"""Word → PDF with LibreOffice when it is installed (``soffice``); the portal works without."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CONVERSION_SECONDS = 60


class PdfUnavailable(Exception):
    """LibreOffice is not installed, or the conversion failed."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(*, data: bytes, timeout: int = CONVERSION_SECONDS) -> bytes:
    """The PDF of a .docx, converted by a headless LibreOffice (see ``docx_to_pdf_many``)."""
    converted = docx_to_pdf_many(documents={"document": data}, timeout=timeout)
    if "document" not in converted:
        raise PdfUnavailable("La conversion en PDF n'a produit aucun fichier.")
    return converted["document"]


def docx_to_pdf_many(*, documents: dict[str, bytes], timeout: int = 600) -> dict[str, bytes]:
    """The PDFs of several .docx (by name) in one LibreOffice run: it starts once, which
    costs more than converting a document. A name whose conversion failed is missing. Each
    run has a user profile of its own (two runs at once would fight over its lock)."""
    executable = soffice_path()
    if executable is None:
        raise PdfUnavailable("LibreOffice n'est pas installé sur ce serveur.")
    with tempfile.TemporaryDirectory(prefix="portail-pdf-") as directory:
        folder = Path(directory)
        sources = []
        for index, data in enumerate(documents.values()):
            source = folder / f"{index:05d}.docx"
            source.write_bytes(data)
            sources.append(str(source))
        command = [
            executable,
            f"-env:UserInstallation=file://{folder / 'profil'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            *sources,
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=True)  # noqa: S603
        except (subprocess.SubprocessError, OSError) as error:
            raise PdfUnavailable("La conversion en PDF a échoué.") from error
        converted = {}
        for index, name in enumerate(documents):
            target = folder / "pdf" / f"{index:05d}.pdf"
            if target.is_file():
                converted[name] = target.read_bytes()
        return converted
