"""Server-side checks of answers that Django's own fields do not make, with French messages."""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

PHONE_DIGITS = re.compile(r"^(?:\+33|0033|0)([1-9]\d{8})$")

# Extension → MIME types its content may have (checked on the file's first bytes).
ALLOWED_UPLOADS: dict[str, set[str]] = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    "xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
}


def normalise_french_phone(value: str) -> str:
    """« +33 6 12 34 56 78 » → ``0612345678``; raises a French error otherwise."""
    compact = re.sub(r"[\s.\-()]", "", value or "")
    match = PHONE_DIGITS.match(compact)
    if not match:
        raise ValidationError(
            "Saisissez un numéro de téléphone français à 10 chiffres, par exemple 01 23 45 67 89.",
            code="invalid_phone",
        )
    return "0" + match.group(1)


def max_upload_bytes() -> int:
    return getattr(settings, "PORTAL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


# A file's name as people see it (kept for the download); the stored name is the portal's own.
FILE_NAME_MAX_LENGTH = 150

# The first bytes of each plain type.
MAGIC_BYTES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}

# The parts an office document's zip must hold (read from the zip's directory, never
# extracted), and for OpenDocument the ``mimetype`` entry's exact content.
ZIP_PARTS: dict[str, tuple[str, ...]] = {
    "docx": ("[Content_Types].xml", "word/document.xml"),
    "xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
    "odt": ("mimetype", "content.xml"),
    "ods": ("mimetype", "content.xml"),
}
OPENDOCUMENT_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
ZIP_MAX_ENTRIES = 10_000
MIMETYPE_ENTRY_MAX_BYTES = 200
KIND_NAMES = {
    "pdf": "un PDF",
    "png": "une image PNG",
    "jpg": "une image JPEG",
    "jpeg": "une image JPEG",
    "docx": "un document Word (.docx)",
    "xlsx": "un classeur Excel (.xlsx)",
    "odt": "un texte OpenDocument (.odt)",
    "ods": "un classeur OpenDocument (.ods)",
}


def _office_zip_is(uploaded, extension: str) -> bool:
    """Whether the upload is a zip holding the parts of its office type: only the zip's
    directory is read, and the small ``mimetype`` entry of an OpenDocument (bounded)."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                return False
            names = {entry.filename for entry in entries}
            if not all(part in names for part in ZIP_PARTS[extension]):
                return False
            if extension in OPENDOCUMENT_MIMETYPES:
                entry = archive.getinfo("mimetype")
                if entry.file_size > MIMETYPE_ENTRY_MAX_BYTES:
                    return False
                with archive.open(entry) as handle:
                    content = handle.read(MIMETYPE_ENTRY_MAX_BYTES + 1)
                return content.strip() == OPENDOCUMENT_MIMETYPES[extension]
            return True
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        OSError,
        ValueError,
        NotImplementedError,  # zipfile: a compression method it cannot read
        EOFError,
        RuntimeError,
    ):
        return False
    finally:
        uploaded.seek(position)


def validate_upload(uploaded) -> None:
    """Refuses a file too large, with too long a name, of a type not allowed, or whose
    content is not its type (magic bytes; an office document's zip parts)."""
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            f"Le fichier dépasse la taille maximale de {filesizeformat(limit)} "
            f"(il fait {filesizeformat(uploaded.size)}) : réduisez-le puis déposez-le à "
            "nouveau.",
            code="file_too_large",
        )
    name = uploaded.name or ""
    if len(name) > FILE_NAME_MAX_LENGTH:
        raise ValidationError(
            f"Le nom du fichier est trop long ({len(name)} caractères, "
            f"{FILE_NAME_MAX_LENGTH} au plus) : renommez-le puis déposez-le à nouveau.",
            code="file_name_too_long",
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED_UPLOADS:
        raise ValidationError(
            "Ce type de fichier n'est pas accepté (formats acceptés : PDF, images PNG ou JPEG, "
            "documents Word, Excel ou OpenDocument).",
            code="file_type",
        )
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    head = uploaded.read(8192)
    uploaded.seek(position)
    kind = filetype.guess(head)
    if extension in MAGIC_BYTES:
        matches = head.startswith(MAGIC_BYTES[extension]) and (
            kind is None or kind.mime in ALLOWED_UPLOADS[extension]
        )
    else:
        matches = head.startswith(b"PK\x03\x04") and _office_zip_is(uploaded, extension)
    if not matches:
        raise ValidationError(
            f"Le contenu du fichier ne correspond pas à un fichier .{extension} : ce fichier "
            f"n'est pas {KIND_NAMES[extension]}. Enregistrez-le au bon format puis déposez-le "
            "à nouveau.",
            code="file_content",
        )
