"""The package of an uploaded template: sizes read from the zip's directory first (a bomb is
refused before anything is inflated), then every part in the light of what
``[Content_Types].xml`` and the relationships declare (``package_problems``)."""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from documents.rendering.template_checks.parts import (
    field_problems,
    object_problems,
    safe_parser,
    svg_problems,
    vml_problems,
)
from documents.rendering.template_checks.rules import (
    ALLOWED_CONTENT_TYPES,
    ALLOWED_PARTS,
    ALLOWED_RELATIONSHIP_TYPES,
    ALT_CHUNK,
    DOCUMENT_MAIN,
    FOREIGN,
    MACRO_CONTENT_TYPES,
    MACRO_PARTS,
    MACRO_RELATIONSHIPS,
    MACROS,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    NOT_WORD,
    OBJECT_PARTS,
    OBJECT_RELATIONSHIPS,
    OBJECTS,
    RATIO_FROM_BYTES,
    SVG_TYPE,
    TEMPLATE_MAIN,
    listed,
    part_name,
    shortened,
)


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
            f"Le fichier contient des chemins interdits ({listed(unsafe)}) : chemin absolu ou "
            "remontant hors du document."
        )
    seen: dict[str, list[str]] = {}
    for entry in files:
        seen.setdefault(part_name(entry.filename), []).append(entry.filename)
    twins = [name for same in seen.values() if len(same) > 1 for name in same]
    if twins:
        problems.append(
            f"Le fichier contient plusieurs éléments de même nom, à la casse ou à l'encodage "
            f"près ({listed(twins)}) : ce n'est pas un document Word ordinaire."
        )
    odd = [
        entry.filename
        for entry in files
        if entry.flag_bits & 0x1
        or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    ]
    if odd:
        problems.append(f"Éléments chiffrés ou compressés de façon inhabituelle : {listed(odd)}.")
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
            f"Éléments anormalement compressés ({listed(bombs)}) : le fichier ressemble à une "
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
        part = part_name(name)
        if MACRO_PARTS.search(part):
            macros.append(name)
        elif OBJECT_PARTS.match(part):
            objects.append(name)
        elif not ALLOWED_PARTS.fullmatch(part):
            (macros if part.endswith(".bin") else foreign).append(name)
    return [
        message.format(names=listed(found))
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
            part_name(entry.filename) != "[content_types].xml",
            not part_name(entry.filename).endswith(".rels"),
        )
    )
    package = _Package()
    problems: list[str] = []
    for entry in files:
        name = part_name(entry.filename)
        content = _entry_content(data, entry)
        if content is None:
            return [
                f"L'élément {entry.filename} ne correspond pas à la taille annoncée par le "
                "fichier : document endommagé ou « bombe de décompression »."
            ]
        if name.endswith(".svg") or package.content_type(name) == SVG_TYPE:
            problems += svg_problems(content, entry.filename)
            continue
        if not name.endswith((".xml", ".rels")):
            continue
        try:
            root = etree.fromstring(content, parser=safe_parser())
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
            problems += field_problems(root, entry.filename)
            problems += object_problems(root, entry.filename)
            problems += vml_problems(root, entry.filename, package.relationships.get(name, {}))
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
            key, table = part_name(element.get("PartName") or ""), package.overrides
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
            f"l'encodage près ({listed(twins)}) : ce n'est pas un document Word ordinaire."
        )
    unknown = [kind for kind in declared if kind not in ALLOWED_CONTENT_TYPES]
    if unknown:
        problems.append(
            f"Le modèle déclare des types de contenu non admis ({listed(unknown)}) : seuls ceux "
            "qu'écrivent Word et LibreOffice pour un document texte sont acceptés (ni macros, "
            "ni objets incorporés, ni graphiques)."
        )
    return problems


def _relationship_problems(root, name: str, package: _Package) -> list[str]:
    folder, file = posixpath.split(part_name(name))
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
        shown = shortened(target)
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
