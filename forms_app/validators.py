"""Server-side checks of answers that Django's own fields do not make, with French messages."""

from __future__ import annotations

import re
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


def validate_upload(uploaded) -> None:
    """Refuses a file too large, of a type not allowed, or whose content is not its type."""
    limit = max_upload_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            f"Le fichier dépasse la taille maximale de {filesizeformat(limit)}.",
            code="file_too_large",
        )
    extension = PurePath(uploaded.name).suffix.lower().lstrip(".")
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
    if kind is None or kind.mime not in ALLOWED_UPLOADS[extension]:
        raise ValidationError(
            f"Le contenu du fichier ne correspond pas à un fichier .{extension}.",
            code="file_content",
        )
