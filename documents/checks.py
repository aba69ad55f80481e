"""Checks an uploaded .docx template before the portal keeps it (security.md #4–7).

A template is code. It is refused when its package could hurt (macros, external
relationships, zip bombs, unexpected parts: ``package_problems``) and when its Jinja does
not parse or reaches for Python internals; otherwise a sample answer is rendered with it,
and the editor gets the errors, the unknown variables and that preview (``template_check``).

docxtpl's own preparation of a template (``patch_xml``) has regular expressions whose cost
grows with the square of a part's size, and a Jinja loop over a long string never looks at
the render deadline: so everything that touches the template's text runs in a forked child
under a wall-clock and memory bound, and a runaway template costs the worker nothing.

The package allow-list (``ALLOWED_PARTS``) is what Word and LibreOffice write for a text
document: the main document and its headers, footers, notes, styles, settings,
numbering, fonts, comments and glossary (``word/*.xml``, ``word/glossary/*.xml``), their
relationships, the theme, pictures in plain image formats, embedded fonts, printer
settings, document properties and custom XML. Everything else — macros and their
``.bin`` parts, ActiveX, embedded OLE objects and workbooks, charts, alternative content
chunks — is refused; extend the list deliberately if editors need more.
"""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from lxml import etree

from documents.engine import render_docx_local
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
MACRO_CONTENT_TYPES = re.compile(r"macroEnabled|vbaProject|activeX", re.I)
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Word fields that fetch something from outside the document or run a command on opening.
OUTSIDE_FIELDS = re.compile(r"\b(DDEAUTO|DDE|INCLUDETEXT|INCLUDEPICTURE|IMPORT|LINK)\b", re.I)
LINK_FIELD = re.compile(r"\bHYPERLINK\s+\"?\s*(\w+://|\\\\)", re.I)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

NOT_WORD = (
    "Ce fichier n'est pas un document Word (.docx) lisible : enregistrez le modèle "
    "depuis Word ou LibreOffice au format « Document Word (.docx) »."
)
MACROS = (
    "Le modèle contient des macros ou un objet binaire ({names}) : les modèles avec macros "
    "(.docm) sont refusés. Enregistrez-le au format « Document Word (.docx) »."
)


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" et {len(names) - 3} autre(s)" if len(names) > 3 else "")


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
    names = [entry.filename for entry in files]
    problems = []
    unsafe = [entry.orig_filename for entry in entries if _unsafe_path(entry.orig_filename)]
    if unsafe:
        problems.append(
            f"Le fichier contient des chemins interdits ({_some(unsafe)}) : chemin absolu ou "
            "remontant hors du document."
        )
    if len(set(names)) != len(names):
        problems.append("Le fichier contient plusieurs éléments de même nom.")
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
    macros = [
        name
        for name in names
        if MACRO_PARTS.search(name)
        or (name.lower().endswith(".bin") and not ALLOWED_PARTS.fullmatch(name))
    ]
    if macros:
        problems.append(MACROS.format(names=_some(macros)))
    foreign = [name for name in names if name not in macros and not ALLOWED_PARTS.fullmatch(name)]
    if foreign:
        problems.append(
            f"Le modèle contient des éléments non admis dans un modèle ({_some(foreign)}) : "
            "objets incorporés, graphiques ou contenus d'un autre format. Retirez-les."
        )
    if not {"[Content_Types].xml", "word/document.xml"} <= set(names):
        problems.append(NOT_WORD)
    return problems


def _unsafe_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts or "\x00" in name


def _content_problems(data: bytes, entries: list[zipfile.ZipInfo]) -> list[str]:
    problems: list[str] = []
    for entry in entries:
        if entry.filename.endswith("/"):
            continue
        content = _entry_content(data, entry)
        if content is None:
            return [
                f"L'élément {entry.filename} ne correspond pas à la taille annoncée par le "
                "fichier : document endommagé ou « bombe de décompression »."
            ]
        if not entry.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            root = etree.fromstring(content, parser=_safe_parser())
        except etree.XMLSyntaxError:
            return [NOT_WORD]
        if root.getroottree().docinfo.doctype:
            return [f"L'élément {entry.filename} déclare un DOCTYPE, ce que Word ne fait jamais."]
        if entry.filename == "[Content_Types].xml":
            problems += _content_type_problems(root)
        elif entry.filename.lower().endswith(".rels"):
            problems += _relationship_problems(root, entry.filename)
        elif entry.filename.startswith("word/"):
            problems += _field_problems(root, entry.filename)
    return problems


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


def _content_type_problems(root) -> list[str]:
    declared = [element.get("ContentType") or "" for element in _children(root)]
    if any(MACRO_CONTENT_TYPES.search(kind) for kind in declared):
        return [MACROS.format(names="type de contenu « macroEnabled »")]
    main = {
        (element.get("PartName") or "").lower(): element.get("ContentType")
        for element in _children(root)
        if element.tag.endswith("Override")
    }.get("/word/document.xml")
    if main == TEMPLATE_MAIN:
        return [
            "Ce fichier est un modèle Word (.dotx) : ouvrez-le puis enregistrez-le au format "
            "« Document Word (.docx) »."
        ]
    return [] if main == DOCUMENT_MAIN else [NOT_WORD]


def _relationship_problems(root, name: str) -> list[str]:
    problems = []
    for relationship in _children(root):
        target = relationship.get("Target") or ""
        mode = (relationship.get("TargetMode") or "").lower()
        if mode != "external" and "://" not in target and not target.startswith("\\\\"):
            continue
        kind = (relationship.get("Type") or "").rsplit("/", 1)[-1]
        shown = target[:80] + ("…" if len(target) > 80 else "")
        if kind == "hyperlink":
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


def _field_problems(root, name: str) -> list[str]:
    # Word joins a field's instruction runs with nothing ("INCLUDEPICT" + "URE" is
    # INCLUDEPICTURE); a field character (begin, separate, end) closes one instruction.
    pieces = [
        (element.text or "") if element.tag == f"{W}instrText" else " "
        for element in root.iter(f"{W}instrText", f"{W}fldChar")
    ]
    instructions = " ".join(
        ["".join(pieces)]
        + [element.get(f"{W}instr") or "" for element in root.iter(f"{W}fldSimple")]
    )
    if LINK_FIELD.search(instructions):
        return [
            f"Le modèle contient un champ lien hypertexte vers une adresse externe ({name}) : "
            "les liens externes sont refusés."
        ]
    found = OUTSIDE_FIELDS.search(instructions)
    if found:
        return [
            f"Le modèle contient un champ Word « {found.group(1).upper()} » ({name}) qui va "
            "chercher un contenu extérieur ou lance une commande : retirez-le."
        ]
    return []


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
    try:
        import resource

        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = used + ANALYSIS_MEMORY_BYTES
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits here: the wall-clock bound still holds
