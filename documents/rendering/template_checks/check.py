"""Checks an uploaded .docx template before the portal keeps it (security.md #4–7).

A template is code. It is refused when its package could hurt (macros, external
relationships, zip bombs, unexpected parts: ``package_problems``) and when its Jinja does
not parse or reaches for Python internals; otherwise a sample answer is rendered with it,
and the editor gets the errors, the unknown variables and that preview (``template_check``).

docxtpl's own preparation of a template (``patch_xml``) has regular expressions whose cost
grows with the square of a part's size, and a Jinja loop over a long string never looks at
the render deadline: so everything that touches the template's text runs in a forked child
under a wall-clock and memory bound, and a runaway template costs the worker nothing.

Three allow-lists describe what Word and LibreOffice write for a text document: its parts
(``ALLOWED_PARTS``: the main document and its headers, footers, notes, styles, settings,
numbering, fonts, comments and glossary, their relationships, the theme, pictures in plain
image formats, embedded fonts, printer settings, document properties and custom XML), the
content types ``[Content_Types].xml`` may declare (``ALLOWED_CONTENT_TYPES``) and the
relationship types every ``.rels`` may hold (``ALLOWED_RELATIONSHIP_TYPES``). Part names
are compared as Word finds parts: in lower case, percent-encoding undone, so
``WORD/%76BAPROJECT.BIN`` is a macro and two entries equal but for case are refused.
Everything else — macros, ActiveX, OLE objects (``word/embeddings/``, ``w:object``,
``o:OLEObject``), charts, ``altChunk`` imports — is refused; every external relationship
is refused, hyperlinks included. Field instructions are read as Word reads them: runs
joined with nothing within each field, ``w:fldSimple`` wherever it sits, a field whose
keyword another field produces refused. SVG pictures are parsed without network, entities
or DTD and refused with a DOCTYPE, a script, an event attribute, an animation, a
``foreignObject`` or any reference outside themselves; VML pictures may not name an
address, and their relationship ids must be the part's own. Extend the lists deliberately
if editors need more.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import multiprocessing
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from lxml import etree

from documents.engine import render_docx_local
from documents.isolation import limit_address_space
from documents.rendering import (
    DEFAULT_LIMITS,
    META_KEYS,
    PortalSandbox,
    RenderLimitExceeded,
    answers_context,
)
from forms_app.form_builder import input_items

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for entries above RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
PREVIEW_SECONDS = 5.0  # the render deadline of the preview
ANALYSIS_SECONDS = 10.0  # the child's wall-clock bound: parsing, preparing and rendering
ANALYSIS_MEMORY_BYTES = 1024 * 1024 * 1024  # address space the child may add

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


def _some(names: Iterable[str]) -> str:
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:3])
    return shown + (f" et {len(names) - 3} autre(s)" if len(names) > 3 else "")


def _shown(text: str, length: int = 80) -> str:
    return text[:length] + ("…" if len(text) > length else "")


def _part_name(name: str) -> str:
    """The part a zip entry, an Override or a relationship target names, as Word finds it:
    percent-encoding undone, no leading slash, in lower case (part names ignore case)."""
    return unquote(name.replace("\\", "/")).lstrip("/").lower()


# --- The package --------------------------------------------------------------------


def package_problems(*, data: bytes, filename: str = "") -> list[str]:
    """Why the uploaded file may not be kept as a template, in French; empty when its
    package is a plain Word document. Sizes are read from the zip's directory first, so a
    bomb is refused before anything is inflated."""
    if filename and not filename.lower().endswith(".docx"):
        if filename.lower().endswith((".docm", ".dotm")):
            return [MACROS.format(names=filename)]
        return ["Le modèle doit être un document Word au format .docx."]
    if len(data) > MAX_UPLOAD_BYTES:
        return [
            f"Le fichier pèse {len(data) / 1024 / 1024:.1f} Mo : un modèle ne peut pas dépasser "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} Mo. Réduisez la taille des images qu'il contient."
        ]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return [NOT_WORD]
    return _directory_problems(entries) or _content_problems(data, entries)


def _directory_problems(entries: list[zipfile.ZipInfo]) -> list[str]:
    if len(entries) > MAX_ENTRIES:
        return [
            f"Le fichier contient {len(entries)} éléments ; un modèle en a {MAX_ENTRIES} au "
            "plus. Ce n'est pas un document Word ordinaire."
        ]
    files = [entry for entry in entries if not entry.filename.endswith("/")]
    problems = []
    unsafe = [entry.orig_filename for entry in entries if _unsafe_path(entry.orig_filename)]
    if unsafe:
        problems.append(
            f"Le fichier contient des chemins interdits ({_some(unsafe)}) : chemin absolu ou "
            "remontant hors du document."
        )
    seen: dict[str, list[str]] = {}
    for entry in files:
        seen.setdefault(_part_name(entry.filename), []).append(entry.filename)
    twins = [name for same in seen.values() if len(same) > 1 for name in same]
    if twins:
        problems.append(
            f"Le fichier contient plusieurs éléments de même nom, à la casse ou à l'encodage "
            f"près ({_some(twins)}) : ce n'est pas un document Word ordinaire."
        )
    odd = [
        entry.filename
        for entry in files
        if entry.flag_bits & 0x1
        or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    ]
    if odd:
        problems.append(f"Éléments chiffrés ou compressés de façon inhabituelle : {_some(odd)}.")
    total = sum(entry.file_size for entry in files)
    if total > MAX_UNCOMPRESSED_BYTES:
        problems.append(
            f"Une fois décompressé, le fichier ferait {total / 1024 / 1024:.0f} Mo ; un modèle "
            f"ne peut pas dépasser {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} Mo."
        )
    bombs = [
        entry.filename
        for entry in files
        if entry.file_size > RATIO_FROM_BYTES
        and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
    ]
    if bombs:
        problems.append(
            f"Éléments anormalement compressés ({_some(bombs)}) : le fichier ressemble à une "
            "« bombe de décompression »."
        )
    problems += _part_name_problems([entry.filename for entry in files])
    if not {"[content_types].xml", "word/document.xml"} <= set(seen):
        problems.append(NOT_WORD)
    return problems


def _part_name_problems(names: list[str]) -> list[str]:
    """Macros, OLE objects and ActiveX controls, then any other part off the allow-list,
    whatever the case or percent-encoding of their names."""
    macros, objects, foreign = [], [], []
    for name in names:
        part = _part_name(name)
        if MACRO_PARTS.search(part):
            macros.append(name)
        elif OBJECT_PARTS.match(part):
            objects.append(name)
        elif not ALLOWED_PARTS.fullmatch(part):
            (macros if part.endswith(".bin") else foreign).append(name)
    return [
        message.format(names=_some(found))
        for message, found in ((MACROS, macros), (OBJECTS, objects), (FOREIGN, foreign))
        if found
    ]


def _unsafe_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts or "\x00" in name


@dataclass
class _Package:
    """What the package declares: content types, and each part's relationships."""

    defaults: dict[str, str] = field(default_factory=dict)  # extension -> content type
    overrides: dict[str, str] = field(default_factory=dict)  # part -> content type
    relationships: dict[str, dict[str, str]] = field(default_factory=dict)  # part -> id -> type
    declared: list[str] = field(default_factory=list)  # part names in Overrides and targets

    def content_type(self, part: str) -> str:
        extension = part.rsplit(".", 1)[-1] if "." in part else ""
        return self.overrides.get(part) or self.defaults.get(extension, "")


def _content_problems(data: bytes, entries: list[zipfile.ZipInfo]) -> list[str]:
    files = [entry for entry in entries if not entry.filename.endswith("/")]
    # What the package declares comes first: every other part is read in its light.
    files.sort(
        key=lambda entry: (
            _part_name(entry.filename) != "[content_types].xml",
            not _part_name(entry.filename).endswith(".rels"),
        )
    )
    package = _Package()
    problems: list[str] = []
    for entry in files:
        name = _part_name(entry.filename)
        content = _entry_content(data, entry)
        if content is None:
            return [
                f"L'élément {entry.filename} ne correspond pas à la taille annoncée par le "
                "fichier : document endommagé ou « bombe de décompression »."
            ]
        if name.endswith(".svg") or package.content_type(name) == SVG_TYPE:
            problems += _svg_problems(content, entry.filename)
            continue
        if not name.endswith((".xml", ".rels")):
            continue
        try:
            root = etree.fromstring(content, parser=_safe_parser())
        except etree.XMLSyntaxError:
            return [NOT_WORD]
        if root.getroottree().docinfo.doctype:
            return [f"L'élément {entry.filename} déclare un DOCTYPE, ce que Word ne fait jamais."]
        if name == "[content_types].xml":
            found = _content_type_problems(root, package)
            if found:
                return found
        elif name.endswith(".rels"):
            problems += _relationship_problems(root, entry.filename, package)
        elif name.startswith("word/"):
            problems += _field_problems(root, entry.filename)
            problems += _object_problems(root, entry.filename)
            problems += _vml_problems(root, entry.filename, package.relationships.get(name, {}))
    problems += _part_name_problems(package.declared)
    return list(dict.fromkeys(problems))


def _entry_content(data: bytes, entry: zipfile.ZipInfo) -> bytes | None:
    """The entry's bytes, or None when they do not inflate to exactly the size (and CRC) the
    directory announces: inflating never goes past that size, whatever the header says."""
    header = data[entry.header_offset : entry.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = entry.header_offset + 30 + name_length + extra_length
    raw = data[start : start + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        content = raw
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(raw, entry.file_size + 1)
        except zlib.error:
            return None
    if len(content) != entry.file_size or zlib.crc32(content) != entry.CRC:
        return None
    return content


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _children(root) -> list:
    return list(root.iterchildren(tag=etree.Element))  # comments left out


def _content_type_problems(root, package: _Package) -> list[str]:
    problems = []
    twins = []
    for element in _children(root):
        kind = (element.get("ContentType") or "").strip().lower()
        if element.tag.endswith("}Default"):
            key, table = (element.get("Extension") or "").lower(), package.defaults
        elif element.tag.endswith("}Override"):
            key, table = _part_name(element.get("PartName") or ""), package.overrides
            package.declared.append(element.get("PartName") or "")
        else:
            continue
        if key in table:
            twins.append(element.get("Extension") or element.get("PartName") or "")
        table[key] = kind
    declared = [*package.defaults.values(), *package.overrides.values()]
    if any(MACRO_CONTENT_TYPES.search(kind) for kind in declared):
        return [MACROS.format(names="type de contenu « macroEnabled »")]
    main = package.overrides.get("word/document.xml")
    if main == TEMPLATE_MAIN.lower():
        return [
            "Ce fichier est un modèle Word (.dotx) : ouvrez-le puis enregistrez-le au format "
            "« Document Word (.docx) »."
        ]
    if main != DOCUMENT_MAIN.lower():
        return [NOT_WORD]
    if twins:
        problems.append(
            f"Le fichier [Content_Types].xml déclare deux fois le même élément, à la casse ou à "
            f"l'encodage près ({_some(twins)}) : ce n'est pas un document Word ordinaire."
        )
    unknown = [kind for kind in declared if kind not in ALLOWED_CONTENT_TYPES]
    if unknown:
        problems.append(
            f"Le modèle déclare des types de contenu non admis ({_some(unknown)}) : seuls ceux "
            "qu'écrivent Word et LibreOffice pour un document texte sont acceptés (ni macros, "
            "ni objets incorporés, ni graphiques)."
        )
    return problems


def _relationship_problems(root, name: str, package: _Package) -> list[str]:
    folder, file = posixpath.split(_part_name(name))
    source = posixpath.join(posixpath.dirname(folder), file.removesuffix(".rels"))
    by_id = package.relationships.setdefault(source, {})
    problems = []
    for relationship in _children(root):
        target = relationship.get("Target") or ""
        full_type = (relationship.get("Type") or "").strip()
        kind = full_type.rsplit("/", 1)[-1]
        mode = (relationship.get("TargetMode") or "").lower()
        external = mode == "external" or "://" in target or target.startswith("\\\\")
        by_id[relationship.get("Id") or ""] = "external" if external else kind.lower()
        shown = _shown(target)
        if not external:
            path = target.split("#", 1)[0]
            if not path.startswith("/"):
                path = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
            package.declared.append(path)
            if full_type.lower() in ALLOWED_RELATIONSHIP_TYPES:
                continue
            if kind.lower() == "afchunk":
                problems.append(ALT_CHUNK.format(names=f"{shown}, dans {name}"))
            elif kind.lower() in OBJECT_RELATIONSHIPS or kind.lower().startswith("activex"):
                problems.append(OBJECTS.format(names=f"{kind} : {shown}, dans {name}"))
            elif MACRO_RELATIONSHIPS.search(kind):
                problems.append(MACROS.format(names=f"{kind} : {shown}"))
            else:
                problems.append(
                    f"Le modèle contient une relation d'un type non admis ({kind or 'sans type'} "
                    f"vers {shown}, dans {name}) : seules les relations qu'écrivent Word et "
                    "LibreOffice pour un document texte sont acceptées."
                )
        elif kind == "hyperlink":
            problems.append(
                f"Le modèle contient un lien hypertexte vers une adresse externe ({shown}) : les "
                "relations externes sont refusées, liens hypertextes compris. Retirez le lien "
                "(l'adresse peut rester écrite en texte)."
            )
        elif kind == "image":
            problems.append(
                f"Le modèle contient une image liée par une adresse externe ({shown}) : insérez "
                "l'image dans le document au lieu de la lier."
            )
        else:
            problems.append(
                f"Le modèle fait référence à un contenu externe ({kind or 'relation'} : {shown}, "
                f"dans {name}) : les relations externes sont refusées."
            )
    return problems


def _field_instructions(root) -> list[str]:
    """Each field's instruction as Word reads it: its ``w:instrText`` runs joined with
    nothing, from the field's begin character to its end; a field nested in it shows as
    NESTED_FIELD. ``w:fldSimple`` fields, wherever they sit, give their ``w:instr``."""
    done: list[str] = []
    open_fields: list[list[str]] = []
    loose: list[str] = []
    for element in root.iter(f"{W}instrText", f"{W}fldChar", f"{W}fldSimple"):
        if element.tag == f"{W}fldSimple":
            done.append(element.get(f"{W}instr") or "")
        elif element.tag == f"{W}instrText":
            (open_fields[-1] if open_fields else loose).append(element.text or "")
        elif element.get(f"{W}fldCharType") == "begin":
            open_fields.append([])
        elif element.get(f"{W}fldCharType") == "end" and open_fields:
            done.append("".join(open_fields.pop()))
            if open_fields:
                open_fields[-1].append(NESTED_FIELD)
    return done + ["".join(pieces) for pieces in open_fields] + ["".join(loose)]


def _field_problems(root, name: str) -> list[str]:
    problems = []
    for instruction in _field_instructions(root):
        text = instruction.replace(NESTED_FIELD, "")
        keyword = re.match(r"\s*([A-Za-z]*)(.?)", instruction, re.DOTALL)
        if keyword.group(2) == NESTED_FIELD:
            problems.append(
                f"Le modèle contient un champ Word dont le nom est produit par un autre champ "
                f"(« {keyword.group(1) or '…'} », {name}) : Word ne le lirait pas comme il est "
                "écrit. Retirez-le."
            )
        elif LINK_FIELD.search(text) or (
            keyword.group(1).upper() == "HYPERLINK" and NESTED_FIELD in instruction
        ):
            problems.append(
                f"Le modèle contient un champ lien hypertexte vers une adresse externe ou "
                f"calculée ({name}) : les liens externes sont refusés."
            )
        elif found := OUTSIDE_FIELDS.search(text) or OUTSIDE_KEYWORDS.match(text):
            problems.append(
                f"Le modèle contient un champ Word « {found.group(1).upper()} » ({name}) qui va "
                "chercher un contenu extérieur ou lance une commande : retirez-le."
            )
    return problems


def _object_problems(root, name: str) -> list[str]:
    """altChunk imports, OLE objects and ActiveX controls, by the elements that show them."""
    problems = []
    if next(root.iter(f"{W}altChunk"), None) is not None:
        problems.append(ALT_CHUNK.format(names=f"dans {name}"))
    objects = sorted({etree.QName(element).localname for element in root.iter(*OBJECT_ELEMENTS)})
    if objects:
        problems.append(OBJECTS.format(names=f"{', '.join(objects)}, dans {name}"))
    return problems


def _vml_problems(root, name: str, relationships: dict[str, str]) -> list[str]:
    """VML pictures and fills (``v:imagedata``, ``v:fill``, ``v:stroke``…): a source is
    never an address, and a relationship id names one of the part's own relationships."""
    problems = []
    for element in root.iter(f"{{{VML}}}*", f"{{{OFFICE}}}*"):
        for attribute, value in element.attrib.items():
            qualified = etree.QName(attribute)
            local = qualified.localname.lower()
            value = value.strip()
            if local in ("src", "href", "althref") and value and not value.startswith("#"):
                problems.append(
                    f"Le modèle contient une image VML liée à une adresse ({_shown(value)}, dans "
                    f"{name}) : insérez l'image dans le document au lieu de la lier."
                )
            elif (
                attribute.startswith(RELATIONSHIP_ID)
                or (qualified.namespace == OFFICE and local == "relid")
            ) and value not in relationships:
                problems.append(
                    f"Le modèle contient une image VML qui renvoie à une relation absente "
                    f"({_shown(value)}, dans {name}) : le document est endommagé."
                )
    return problems


def _svg_problems(content: bytes, name: str) -> list[str]:
    """An SVG picture is accepted when it draws only: no DOCTYPE, script, event handler,
    animation, foreign content or reference outside itself (embedded PNG and JPEG aside)."""
    try:
        root = etree.fromstring(content, parser=_safe_parser())
    except etree.XMLSyntaxError:
        return [f"L'image {name} n'est pas une image SVG lisible : enregistrez-la en PNG."]
    found = []
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        found.append("un DOCTYPE")
    if root.tag != f"{SVG}svg":
        found.append("autre chose qu'un dessin SVG")
    siblings = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for node in [*siblings, *root.iter()]:
        if isinstance(node, etree._ProcessingInstruction):
            found.append(f"une instruction de traitement ({node.target})")
            continue
        if isinstance(node, etree._Entity):
            found.append(f"une entité ({node.name})")
            continue
        if not isinstance(node.tag, str):
            continue  # comments
        local = etree.QName(node).localname.lower()
        if local in SVG_SCRIPTS:
            found.append("un script")
        elif local == "foreignobject":
            found.append("un contenu étranger (foreignObject)")
        elif local in SVG_ANIMATIONS:
            found.append(f"une animation ({etree.QName(node).localname})")
        elif local == "style" and _css_reaches_out(node.text or "", escapes=True):
            found.append("une feuille de style qui charge un contenu extérieur")
        for attribute, value in node.attrib.items():
            attribute_name = etree.QName(attribute).localname.lower()
            if attribute_name.startswith("on"):
                found.append(f"un attribut d'événement ({etree.QName(attribute).localname})")
            elif (
                attribute_name in ("href", "src") and not SVG_SAFE_REFERENCE.match(value.strip())
            ) or _css_reaches_out(value, escapes=attribute_name == "style"):
                found.append(f"une référence externe ({_shown(value.strip(), 60)})")
    if not found:
        return []
    return [
        f"L'image vectorielle {name} contient {_some(found)} : les images SVG avec scripts, "
        "références externes ou DOCTYPE sont refusées. Enregistrez l'image en PNG et "
        "insérez-la à nouveau."
    ]


def _css_reaches_out(text: str, *, escapes: bool) -> bool:
    if any(not address.startswith("#") for address in CSS_URL.findall(text)):
        return True
    return bool(CSS_OUTSIDE.search(text)) if escapes else "@import" in text.lower()


# --- A sample answer ----------------------------------------------------------------

# Texts carry <, & and </w:t>: the preview proves they stay text (security.md #6).
SAMPLE_TEXT = "Texte d'exemple <b> & </w:t>"
SAMPLE_LONG_TEXT = "Première ligne <b> & </w:t>\nDeuxième ligne"
SAMPLE_GROUP_ROWS = 2
SAMPLE_META = {
    "formulaire": "Formulaire d'exemple",
    "version_formulaire": 1,
    "campagne": "Campagne d'exemple",
    "date_limite": "29 décembre 2020",
    "organisation": "Organisation d'exemple",
    "territoire": "Isère",
    "departement": "38",
    "region": "Auvergne-Rhône-Alpes",
    "statut": "Transmis",
    "date_transmission": "15 décembre 2020",
    "menage": "MEN-0001",
    "date_document": "15 décembre 2020",
}


def _number(value: dict, default: str) -> str:
    low, high = value.get("min_value"), value.get("max_value")
    if low not in (None, "") and float(low) > float(default):
        return str(low)
    if high not in (None, "") and float(high) < float(default):
        return str(high)
    return default


def _first_choice(value: dict) -> str:
    return (value.get("choices") or [{"value": ""}])[0]["value"]


SAMPLE_BY_TYPE: dict[str, Callable[[dict], Any]] = {
    "short_text": lambda value: SAMPLE_TEXT,
    "long_text": lambda value: SAMPLE_LONG_TEXT,
    "integer": lambda value: int(float(_number(value, "12"))),
    "decimal": lambda value: _number(value, "1234.5"),
    "money": lambda value: "117600.00",
    "percent": lambda value: "62.5",
    "date": lambda value: "2020-12-29",
    "yes_no": lambda value: True,
    "choice": _first_choice,
    "multi_choice": lambda value: [_first_choice(value)],
    "email": lambda value: "prenom.nom@example.fr",
    "phone": lambda value: "01 23 45 67 89",
    "file": lambda value: {"name": "piece-jointe.pdf"},
}


def sample_data(schema: list[dict]) -> dict[str, Any]:
    """An answer to every field of ``schema`` as a submission stores it: dates, amounts,
    the first choice of each choice, two rows per group, texts with <, & and </w:t>."""
    data: dict[str, Any] = {}
    for item in input_items(schema):
        value = item["value"]
        if item["type"] == "group":
            row = {
                child["value"]["key"]: SAMPLE_BY_TYPE[child["type"]](child["value"])
                for child in value["fields"]
                if child["type"] in SAMPLE_BY_TYPE
            }
            data[value["key"]] = [dict(row) for _ in range(SAMPLE_GROUP_ROWS)]
        elif item["type"] in SAMPLE_BY_TYPE:
            data[value["key"]] = SAMPLE_BY_TYPE[item["type"]](value)
    return data


def sample_context(schema: list[dict]) -> dict[str, Any]:
    """The context a document of ``schema`` would be rendered with, on the sample answer."""
    context = answers_context(schema=schema, data=sample_data(schema))
    for key in META_KEYS:
        context.setdefault(key, SAMPLE_META.get(key, ""))
    return context


def form_keys(schema: list[dict]) -> list[str]:
    """The keys a template may use for ``schema``: its inputs' and its groups' sub-fields."""
    keys = set()
    for item in input_items(schema):
        keys.add(item["value"]["key"])
        if item["type"] == "group":
            keys.update(child["value"]["key"] for child in item["value"]["fields"])
    return sorted(keys)


# --- The template -------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateCheck:
    """What an editor learns about an uploaded template: ``errors`` refuse it, unknown
    variables only warn (they read as empty), ``preview`` is the sample answer's document."""

    errors: list[str] = field(default_factory=list)
    unknown_variables: list[str] = field(default_factory=list)
    known_keys: list[str] = field(default_factory=list)
    preview: bytes | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


_BUILT_IN_NAMES = set(PortalSandbox().globals) | {"_champs"}  # range, cycler…, internals


def template_check(
    *,
    data: bytes,
    schema: list[dict] | None = None,
    filename: str = "",
    known_keys: Iterable[str] | None = None,
    context: dict[str, Any] | None = None,
) -> TemplateCheck:
    """Checks an uploaded template against the form ``schema`` it will render: its package,
    its Jinja (syntax, Python internals), its variables, and a sandboxed sample render.

    A template that renders something else than an answer (the consolidated report of a
    campaign) gives its own ``known_keys`` and sample ``context`` instead of a schema."""
    if known_keys is None:
        known_keys = set(form_keys(schema or [])) | META_KEYS
    if context is None:
        context = sample_context(schema or [])
    known_keys = sorted(known_keys)
    problems = package_problems(data=data, filename=filename)
    if problems:
        return TemplateCheck(errors=problems, known_keys=known_keys)
    try:
        found = _isolated(_analyse, data=data, context=context)
    except _AnalysisFailed as failure:
        return TemplateCheck(errors=[_sandbox_failure(str(failure))], known_keys=known_keys)
    unknown = sorted(set(found["names"]) - set(known_keys) - _BUILT_IN_NAMES)
    return TemplateCheck(
        errors=found["errors"],
        unknown_variables=unknown,
        known_keys=known_keys,
        preview=None if found["errors"] else found["preview"],
    )


def _sandbox_failure(detail: str) -> str:
    return f"Le modèle a échoué dans le bac à sable : {detail}"


def _analyse(*, data: bytes, context: dict[str, Any]) -> dict[str, Any]:
    """In the child: each templated part parsed as docxtpl prepares it, then the render."""
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
        sources = _templated_sources(template)
    except Exception:  # python-docx's errors on a broken package vary
        return {"errors": [NOT_WORD], "names": [], "preview": None}
    environment = PortalSandbox()
    errors: list[str] = []
    names: set[str] = set()
    for label, source in sources:
        try:
            tree = environment.parse(source)
            environment.compile(tree)
        except TemplateSyntaxError as exc:
            errors.append(_syntax_message(label, source, exc))
            continue
        errors += _forbidden_nodes(label, tree)
        # A name the template sets in some branch only is still the template's own.
        assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx != "load"}
        names |= meta.find_undeclared_variables(tree) - assigned
    preview = None
    if not errors:
        try:
            preview = _render_preview(data, context)
        except _AnalysisFailed as failure:
            errors.append(_sandbox_failure(str(failure)))
    return {"errors": errors, "names": sorted(names), "preview": preview}


PROPERTIES = {
    "title": "titre",
    "subject": "objet",
    "author": "auteur",
    "comments": "commentaires",
    "identifier": "identifiant",
    "language": "langue",
}


def _templated_sources(template: DocxTemplate) -> list[tuple[str, str]]:
    """Every text docxtpl renders, prepared as it prepares it (one paragraph a line)."""
    parts = [("corps du document", template.get_xml())]
    for uri, label in ((template.HEADER_URI, "en-tête"), (template.FOOTER_URI, "pied de page")):
        for _, part in template.get_headers_footers(uri):
            number = re.sub(r"\D", "", str(part.partname)) or "1"
            parts.append((f"{label} {number}", template.get_part_xml(part)))
    for part in template.docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            parts.append(("notes de bas de page", part.blob.decode("utf-8")))
    sources = [
        (label, re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(xml))) for label, xml in parts
    ]
    properties = template.docx.core_properties
    for name, label in PROPERTIES.items():
        value = getattr(properties, name) or ""
        if value:
            sources.append((f"propriétés du document, {label}", value))
    return sources


SYNTAX_MESSAGES = [
    (r"Unexpected end of template\..*innermost block that needs to be closed is '(\w+)'",
     "le bloc « {0} » n'est jamais fermé (il manque « end{0} »)"),
    (r"unexpected end of template", "une balise ou une expression n'est pas fermée"),
    (r"Encountered unknown tag '(\w+)'", "balise inconnue « {0} »"),
    (r"No filter named '(\w+)'", "filtre inconnu « {0} »"),
    (r"expected token '(.+)', got '(.+)'", "« {1} » trouvé là où « {0} » était attendu"),
    (r"unexpected char '(.+)' at \d+", "caractère « {0} » inattendu"),
    (r"unexpected '(.+)'", "« {0} » inattendu"),
]  # fmt: skip


TOKEN_NAMES = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "end of template": "fin du modèle",
    "name": "nom",
}


def _syntax_message(label: str, source: str, exc: TemplateSyntaxError) -> str:
    reason = exc.message or "syntaxe invalide"
    for english, french in TOKEN_NAMES.items():
        reason = reason.replace(f"'{english}'", f"'{french}'")
    for pattern, french in SYNTAX_MESSAGES:
        match = re.match(pattern, reason, re.DOTALL)
        if match:
            reason = french.format(*match.groups())
            break
    lines = source.splitlines()
    index = min(max((exc.lineno or 1) - 1, 0), max(len(lines) - 1, 0))
    near = ""
    for line in reversed(lines[max(index - 3, 0) : index + 1]):
        near = " ".join(_visible(line).split())
        if near:
            break
    near = near[:100] + ("…" if len(near) > 100 else "")
    return f"Erreur de syntaxe dans le modèle ({label}) : {reason} près de « {near} »."


def _visible(xml_line: str) -> str:
    text = re.sub(r"<[^>]+>", "", xml_line)
    for entity, character in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        text = text.replace(entity, character)
    return text


def _forbidden_nodes(label: str, tree: nodes.Template) -> list[str]:
    """Reaching for ``_`` attributes or other templates is refused before anything runs
    (the sandbox would stop it too, but maybe only in a branch the sample does not take)."""
    errors = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
            name = getattr(node.args[0], "value", None)
        if isinstance(name, str) and name.startswith("_"):
            errors.append(
                f"Le modèle est refusé ({label}) : il accède à « {name} », un élément interne "
                "de Python qu'un modèle ne peut pas utiliser."
            )
    for _ in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        errors.append(f"Le modèle est refusé ({label}) : il ne peut pas inclure d'autre modèle.")
    return list(dict.fromkeys(errors))


def _render_preview(data: bytes, context: dict[str, Any]) -> bytes:
    limits = dataclasses.replace(DEFAULT_LIMITS, seconds=PREVIEW_SECONDS)
    try:
        preview = render_docx_local(template=data, context=context, limits=limits)
        Document(io.BytesIO(preview))
    except RenderLimitExceeded as exc:
        raise _AnalysisFailed(str(exc)[:1].lower() + str(exc)[1:]) from exc
    except SecurityError as exc:
        raise _AnalysisFailed(f"opération interdite ({_in_french(exc)}).") from exc
    except TemplateError as exc:
        raise _AnalysisFailed(f"erreur du modèle ({_in_french(exc)}).") from exc
    except RecursionError as exc:
        raise _AnalysisFailed("appels imbriqués sans fin (macro récursive ?).") from exc
    except MemoryError as exc:
        raise _AnalysisFailed("le modèle demande trop de mémoire.") from exc
    except Exception as exc:  # any failure of a template is the template's
        raise _AnalysisFailed(f"erreur inattendue ({type(exc).__name__} : {exc})"[:300]) from exc
    return preview


RUNTIME_MESSAGES = [
    (r"access to attribute '(.+?)' of '(.+?)' object is unsafe", "accès à « {0} » refusé"),
    (r"'(.+?)' is undefined", "« {0} » n'existe pas"),
    (r"'(.+?)' has no attribute '(.+?)'", "« {1} » n'existe pas dans « {0} »"),
]


def _in_french(exc: Exception) -> str:
    message = str(exc).rstrip(".")
    for pattern, french in RUNTIME_MESSAGES:
        match = re.search(pattern, message)
        if match:
            return french.format(*match.groups())
    return message[:200]


# --- The child process ---------------------------------------------------------------


class _AnalysisFailed(Exception):
    """The analysis of a template stopped; the message says why, in French."""


def _isolated(function: Callable[..., Any], **kwargs: Any) -> Any:
    """``function(**kwargs)`` in a forked child that may take ANALYSIS_SECONDS and
    ANALYSIS_MEMORY_BYTES more than this process; killed beyond."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, function, kwargs), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(ANALYSIS_SECONDS):
            raise _AnalysisFailed(
                f"l'analyse du modèle a dépassé {ANALYSIS_SECONDS:.0f} secondes et a été "
                "interrompue (boucle sans fin ou document trop lourd ?)."
            )
        try:
            status, value = receiver.recv()
        except EOFError as exc:
            raise _AnalysisFailed(
                "l'analyse du modèle s'est arrêtée net (mémoire épuisée ?)."
            ) from exc
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if status != "ok":
        raise _AnalysisFailed(value)
    return value


def _child_main(sender, function: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    from documents.isolation import mark_render_child

    mark_render_child()
    _limit_memory()
    try:
        result = ("ok", function(**kwargs))
    except MemoryError:
        result = ("failed", "le modèle demande trop de mémoire.")
    except BaseException as exc:  # reported to the parent, never raised
        result = ("failed", f"erreur inattendue ({type(exc).__name__}).")
    sender.send(result)
    sender.close()


def _limit_memory() -> None:
    # No /proc or no rlimits here: the wall-clock bound still holds.
    with contextlib.suppress(ImportError, OSError, ValueError):
        limit_address_space(ANALYSIS_MEMORY_BYTES)
