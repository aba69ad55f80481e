"""What an uploaded template may hold: its limits, the allow-lists of parts, content types
and relationship types of a text document, the Word fields and the SVG constructs refused,
the French messages, and how a part's name is read (as Word finds it)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for entries above RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024

_NAME = r"[A-Za-z0-9_\-]+"
ALLOWED_PARTS = re.compile(
    "|".join(
        [
            r"\[Content_Types\]\.xml",
            r"_rels/\.rels",
            r"docProps/(core|app|custom)\.xml",
            r"docProps/thumbnail\.(jpe?g|png|emf|wmf)",
            rf"word/(glossary/)?{_NAME}\.xml",
            rf"word/(glossary/)?_rels/{_NAME}\.xml\.rels",
            rf"word/theme/(_rels/)?{_NAME}\.xml(\.rels)?",
            rf"word/media/{_NAME}\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|wdp)",
            rf"word/fonts/{_NAME}\.odttf",
            r"word/printerSettings/printerSettings\d+\.bin",
            rf"customXml/(_rels/)?{_NAME}\.xml(\.rels)?",
        ]
    ),
    re.IGNORECASE,
)
MACRO_PARTS = re.compile(r"vba\w*\.(bin|xml)$", re.I)  # vbaProject.bin, vbaData.xml, signatures
MACRO_CONTENT_TYPES = re.compile(r"macroEnabled|vbaProject|vbaData|activeX", re.I)
OBJECT_PARTS = re.compile(r"word/(embeddings|activex)/", re.I)  # OLE objects, ActiveX controls
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
SVG_TYPE = "image/svg+xml"

# The content types a text document declares in [Content_Types].xml, read from the shipped
# default templates, python-docx's default.docx (written by Word), a docx written by
# LibreOffice 7.4 (tests/documents/samples/libreoffice.docx) and, for the parts Word adds
# (comments' companions, glossary, embedded fonts, printer settings, pictures), from
# ECMA-376 and Microsoft's [MS-DOCX]. Compared in lower case, as MIME types are.
_WORDML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
ALLOWED_CONTENT_TYPES = frozenset(
    kind.lower()
    for kind in [
        *(
            f"{_WORDML}{name}+xml"
            for name in (
                "document.main",
                "document.glossary",
                "styles",
                "settings",
                "webSettings",
                "fontTable",
                "numbering",
                "footnotes",
                "endnotes",
                "comments",
                "commentsExtended",
                "commentsIds",
                "commentsExtensible",
                "people",
                "header",
                "footer",
            )
        ),
        f"{_WORDML}printerSettings",
        "application/vnd.ms-word.stylesWithEffects+xml",
        "application/vnd.openxmlformats-officedocument.theme+xml",
        "application/vnd.openxmlformats-officedocument.obfuscatedFont",
        "application/vnd.openxmlformats-package.core-properties+xml",
        "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        "application/vnd.openxmlformats-officedocument.custom-properties+xml",
        "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
        "application/vnd.openxmlformats-package.relationships+xml",
        "application/xml",
        *(
            f"image/{name}"
            for name in ("png", "jpeg", "gif", "bmp", "tiff", "x-emf", "x-wmf", "emf", "wmf")
        ),
        SVG_TYPE,
        "image/vnd.ms-photo",  # .wdp, Word's HD Photo companion of a picture
    ]
)
# The relationship types of the same documents, in every .rels; compared in lower case
# (python-docx's default.docx writes ``officedocument`` in its core-properties type).
_OFFICE_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships/"
_MICROSOFT_RELATIONSHIPS = "http://schemas.microsoft.com/office/"
ALLOWED_RELATIONSHIP_TYPES = frozenset(
    kind.lower()
    for kind in [
        *(
            _OFFICE_RELATIONSHIPS + name
            for name in (
                "officeDocument",
                "styles",
                "settings",
                "webSettings",
                "fontTable",
                "theme",
                "numbering",
                "header",
                "footer",
                "footnotes",
                "endnotes",
                "comments",
                "image",
                "hyperlink",  # an external one is still refused, as every external target
                "customXml",
                "customXmlProps",
                "extended-properties",
                "custom-properties",
                "glossaryDocument",
                "font",
                "printerSettings",
                "metadata/core-properties",
            )
        ),
        _PACKAGE_RELATIONSHIPS + "metadata/core-properties",
        _PACKAGE_RELATIONSHIPS + "metadata/thumbnail",
        _MICROSOFT_RELATIONSHIPS + "2007/relationships/stylesWithEffects",
        _MICROSOFT_RELATIONSHIPS + "2007/relationships/hdphoto",
        _MICROSOFT_RELATIONSHIPS + "2011/relationships/commentsExtended",
        _MICROSOFT_RELATIONSHIPS + "2011/relationships/people",
        _MICROSOFT_RELATIONSHIPS + "2016/09/relationships/commentsIds",
        _MICROSOFT_RELATIONSHIPS + "2018/08/relationships/commentsExtensible",
    ]
)
OBJECT_RELATIONSHIPS = {"oleobject", "package", "control", "activexcontrol", "activexcontrolbinary"}
MACRO_RELATIONSHIPS = re.compile(r"vba|keymapcustomizations|wordvbadata", re.I)

# Word fields that fetch something from outside the document or run a command on opening,
# anywhere in an instruction; and those named so only as the field's keyword.
OUTSIDE_FIELDS = re.compile(r"\b(DDEAUTO|DDE|INCLUDETEXT|INCLUDEPICTURE|IMPORT|LINK)\b", re.I)
OUTSIDE_KEYWORDS = re.compile(r"\s*(DATABASE|EMBED|INCLUDE|RD)\b", re.I)
LINK_FIELD = re.compile(r"\bHYPERLINK\s+\"?\s*(\w+://|\\\\)", re.I)
NESTED_FIELD = "\x01"  # stands, in an instruction, for a field nested in it
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VML = "urn:schemas-microsoft-com:vml"
OFFICE = "urn:schemas-microsoft-com:office:office"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
OBJECT_ELEMENTS = {
    f"{W}object",
    f"{W}objectEmbed",
    f"{W}objectLink",
    f"{W}control",
    f"{{{OFFICE}}}OLEObject",
}
SVG = "{http://www.w3.org/2000/svg}"
SVG_SCRIPTS = {"script", "handler", "listener"}
SVG_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform", "animatecolor"}
SVG_SAFE_REFERENCE = re.compile(r"#|data:image/(png|jpeg);", re.I)
CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.I)
CSS_OUTSIDE = re.compile(r"@import|image-set|\\", re.I)

NOT_WORD = (
    "Ce fichier n'est pas un document Word (.docx) lisible : enregistrez le modèle "
    "depuis Word ou LibreOffice au format « Document Word (.docx) »."
)
MACROS = (
    "Le modèle contient des macros ou un objet binaire ({names}) : les modèles avec macros "
    "(.docm) sont refusés. Enregistrez-le au format « Document Word (.docx) »."
)
OBJECTS = (
    "Le modèle contient un objet incorporé (OLE) ou un contrôle ActiveX ({names}) : ces "
    "objets peuvent lancer un programme à l'ouverture et sont refusés. Remplacez-les par "
    "une image ou par du texte."
)
ALT_CHUNK = (
    "Le modèle contient un bloc importé d'un autre format (« altChunk », {names}) : Word "
    "l'ouvrirait sans contrôle. Copiez ce contenu dans le document lui-même."
)
FOREIGN = (
    "Le modèle contient des éléments non admis dans un modèle ({names}) : objets "
    "incorporés, graphiques ou contenus d'un autre format. Retirez-les."
)


def listed(names: Iterable[str]) -> str:
    """The first three ``names`` (without repeats), and how many more."""
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:3])
    return shown + (f" et {len(names) - 3} autre(s)" if len(names) > 3 else "")


def shortened(text: str, length: int = 80) -> str:
    """``text`` cut at ``length`` characters, with an ellipsis when cut."""
    return text[:length] + ("…" if len(text) > length else "")


def part_name(name: str) -> str:
    """The part a zip entry, an Override or a relationship target names, as Word finds it:
    percent-encoding undone, no leading slash, in lower case (part names ignore case)."""
    return unquote(name.replace("\\", "/")).lstrip("/").lower()
