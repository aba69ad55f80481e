"""docxtpl's rendering with the work that depends only on the template done once.

Plain docxtpl, for every document, unzips and parses every part of the template, patches
and compiles each templated part into Jinja, then rewrites the whole zip. A
``CompiledTemplate`` does that once per template: it keeps the compressed bytes of the parts
no tag touches, and for each templated part (body, headers, footers, core properties) the
patched XML compiled into a template of the portal's sandbox. Rendering a document is then
Jinja, docxtpl's own post-render steps, and one zip written from mostly ready bytes.

The output is what plain docxtpl makes, step for step (docxtpl's own functions are reused
wherever the result depends on the rendering): only the serialisation may differ, never the
text. What this path does not cover raises ``NeedsPlainDocxtpl`` and is rendered by
``documents.engine.render_docx_plain``: docxtpl's objects or any markup in the context
(``InlineImage``, ``RichText``, ``Listing``, ``Subdoc``, safe strings), templated footnotes,
a header part shared by two relationships.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import io
import re
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.parsers import expat

import docx.oxml.ns
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Template, nodes
from jinja2.exceptions import TemplateError

from documents.rendering import DEFAULT_LIMITS, PortalSandbox, RenderLimits


class NeedsPlainDocxtpl(Exception):  # noqa: N818 — a reason to take the other path, not an error
    """The template or the context uses what only plain docxtpl renders."""


# docxtpl's functions that never read their instance: reused as they are, so that the result
# cannot drift from plain docxtpl's.
_fix_tables = functools.partial(DocxTemplate.fix_tables, None)

# The core properties docxtpl renders (DocxTemplate.render_properties).
CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# Templated parts are compressed fast; the unchanged ones were compressed once, harder.
PART_COMPRESSLEVEL = 1
STATIC_COMPRESSLEVEL = 6
CACHE_SIZE = 16

_CONTAINERS = (dict, list, tuple, set, frozenset)
_PLAIN_SCALARS = (str, int, float, Decimal, type(None), datetime.date, datetime.time)


# --- Zip members written from ready bytes ----------------------------------------------

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass(frozen=True)
class _Member:
    name: bytes
    flags: int
    crc: int
    size: int
    data: bytes  # raw deflate stream

    @classmethod
    def deflated(cls, name: str, payload: bytes, level: int) -> _Member:
        if len(payload) >= 0xFFFFFFFF:
            raise ValueError(f"Part {name} is too large for a zip without ZIP64.")
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        data = compressor.compress(payload) + compressor.flush()
        flags = 0 if name.isascii() else 0x800  # UTF-8 name
        return cls(name.encode(), flags, zlib.crc32(payload), len(payload), data)


def _zip(members: list[_Member], stamp: tuple[int, int]) -> bytes:
    """A zip archive of ``members`` (deflated, no data descriptors, no ZIP64)."""
    dos_time, dos_date = stamp
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for member in members:
        entry = (member.flags, 8, dos_time, dos_date, member.crc, len(member.data), member.size)
        header = _LOCAL.pack(b"PK\x03\x04", 20, *entry, len(member.name), 0)
        chunks += (header, member.name, member.data)
        directory.append(
            _CENTRAL.pack(b"PK\x01\x02", 20, 20, *entry, len(member.name), 0, 0, 0, 0, 0, offset)
            + member.name
        )
        offset += len(header) + len(member.name) + len(member.data)
    central = b"".join(directory)
    count = len(members)
    chunks += (central, _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), offset, 0))
    return b"".join(chunks)


def _dos_stamp(moment: datetime.datetime) -> tuple[int, int]:
    return (
        moment.hour << 11 | moment.minute << 5 | moment.second // 2,
        (moment.year - 1980) << 9 | moment.month << 5 | moment.day,
    )


# --- What a template's source allows ---------------------------------------------------

# Jinja constructs whose output is markup rather than escaped text.
_MARKUP_NODES = (
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.AssignBlock,
    nodes.Block,
    nodes.Extends,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.EvalContextModifier,
)
_MARKUP_FILTERS = frozenset({"safe", "xmlattr", "urlize", "tojson"})
_MARKUP_NAMES = frozenset({"lipsum", "caller", "self", "super"})


def _is_pure_data(ast: nodes.Template) -> bool:
    """Whether the template is text only (it renders the same whatever the context)."""
    return all(
        isinstance(node, nodes.Output)
        and all(isinstance(child, nodes.TemplateData) for child in node.nodes)
        for node in ast.body
    )


def _emits_escaped_text_only(ast: nodes.Template) -> bool:
    """Whether every expression of the template comes out escaped (autoescape is on and
    nothing in the template makes markup)."""
    if any(True for _ in ast.find_all(_MARKUP_NODES)):
        return False
    if any(node.name in _MARKUP_FILTERS for node in ast.find_all(nodes.Filter)):
        return False
    return not any(node.name in _MARKUP_NAMES for node in ast.find_all(nodes.Name))


_TABLE_TOKEN = re.compile(
    r"<(?P<close>/?)w:(?P<tag>tbl|tr|tc|gridCol|gridSpan|sdt|customXml|tblGridChange|tcPrChange)"
    r"\b(?P<attrs>[^>]*)>"
    r"|\{%-?\s*(?P<block>\w*)(?P<rest>.*?)%\}"
    r"|\{#(?P<comment>.*?)#\}",
    re.DOTALL,
)
_SPAN = re.compile(r'w:val="(\d+)"')


def _tables_keep_their_grid(source: str) -> bool:
    """Whether docxtpl's ``fix_tables`` leaves every table of ``source`` as it is, whatever
    the context: no tag between two cells, no control block starting in one cell (or between
    two rows) and ending elsewhere, literal spans, no table in a table, and a row outside any
    loop or condition that fills the grid."""
    frames: list[tuple[str, int]] = []  # open tbl, tr and tc elements: (tag, frame number)
    blocks: list[int | None] = []  # for each open block, the frame it started in
    table: dict[str, Any] | None = None
    row: dict[str, Any] | None = None
    for number, token in enumerate(_TABLE_TOKEN.finditer(source)):
        here = frames[-1][1] if frames else None
        if token["comment"] is not None:
            if re.search(r"w:(tbl|tr|tc)\b", token["comment"]):
                return False
            continue  # a comment renders nothing: it holds no tag and opens no block
        elif token["block"] is not None:
            keyword = token["block"]
            if frames and frames[-1][0] == "tr":
                return False  # between two cells: a row's cells could vary
            if keyword in ("for", "if"):
                blocks.append(here)
            elif keyword in ("elif", "else", "endfor", "endif"):
                if not blocks or blocks[-1] != here:
                    return False
                if keyword.startswith("end"):
                    blocks.pop()
            elif keyword != "set" or "=" not in token["rest"]:
                return False
            continue
        tag, attrs = token["tag"], token["attrs"]
        if tag in ("sdt", "customXml", "tblGridChange", "tcPrChange"):
            if table is not None:
                return False  # cells or spans fix_tables does not see
        elif tag == "gridCol":
            if table is None or table["frame"] in blocks:
                return False
            table["columns"] += 1
        elif tag == "gridSpan":
            span = _SPAN.search(attrs)
            if span is None:
                return False
            if row is not None:
                row["weight"] += int(span[1]) - 1
        elif token["close"]:
            if not frames or frames[-1][0] != tag:
                return False
            frames.pop()
            if tag == "tbl":
                if not _grid_is_filled(table):
                    return False
                table = None
        else:
            closed = attrs.endswith("/")
            if tag == "tbl":
                if table is not None or closed:
                    return False  # a nested table's rows count in its parent's
                table = {"frame": number, "columns": 0, "rows": []}
            elif tag == "tr" and table is not None:
                row = {"cells": 0, "weight": 0, "always": table["frame"] not in blocks}
                table["rows"].append(row)
            elif tag == "tc" and row is not None:
                row["cells"] += 1
                row["weight"] += 1
            if not closed:
                frames.append((tag, number))
    return not frames and not blocks


def _grid_is_filled(table: dict[str, Any] | None) -> bool:
    if table is None:
        return False
    columns, rows = table["columns"], table["rows"]
    return all(row["cells"] <= columns for row in rows) and any(
        row["always"] and row["weight"] >= columns for row in rows
    )


# --- docxtpl's resolve_listing -----------------------------------------------------------
# DocxTemplate.resolve_listing's patterns and replacements, compiled once, skipping the
# paragraphs and runs without \t \a \n \f (which it leaves as they are).

_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")
_LISTING_CHARS = re.compile("[\t\a\n\f]")


def resolve_listing(xml: str) -> str:
    """Tabs, line, paragraph and page breaks of the rendered text turned into Word's."""
    if _LISTING_CHARS.search(xml) is None:
        return xml
    return _PARAGRAPH.sub(_resolve_paragraph, xml)


def _resolve_paragraph(match: re.Match) -> str:
    paragraph = match[0]
    if _LISTING_CHARS.search(paragraph) is None:
        return paragraph
    found = _PARAGRAPH_PROPERTIES.search(paragraph)
    properties = found[0] if found else ""
    return _RUN.sub(lambda run: _resolve_run(run[0], properties), paragraph)


def _resolve_run(run: str, paragraph_properties: str) -> str:
    if _LISTING_CHARS.search(run) is None:
        return run
    found = _RUN_PROPERTIES.search(run)
    properties = found[0] if found else ""
    return _TEXT.sub(lambda text: _resolve_text(text[0], paragraph_properties, properties), run)


def _resolve_text(text: str, paragraph_properties: str, run_properties: str) -> str:
    pp, rp = paragraph_properties, run_properties
    text = text.replace(
        "\t", f'</w:t></w:r><w:r>{rp}<w:tab/></w:r><w:r>{rp}<w:t xml:space="preserve">'
    )
    text = text.replace("\a", f'</w:t></w:r></w:p><w:p>{pp}<w:r>{rp}<w:t xml:space="preserve">')
    text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return text.replace(
        "\f",
        '</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        f'<w:p>{pp}<w:r>{rp}<w:t xml:space="preserve">',
    )


# --- The context ------------------------------------------------------------------------


def _context_is_plain_data(context: dict[str, Any]) -> bool:
    """Whether the context holds only text, numbers, dates, lists and dicts; raises
    ``NeedsPlainDocxtpl`` on markup (docxtpl's objects are markup to Jinja)."""
    plain, containers, seen = True, [context], set()
    while containers:
        container = containers.pop()
        if id(container) in seen:
            continue
        seen.add(id(container))
        for value in container.values() if isinstance(container, dict) else container:
            if type(value) is str:
                continue
            if hasattr(value, "__html__"):
                raise NeedsPlainDocxtpl(f"{type(value).__name__} in the context")
            if isinstance(value, _CONTAINERS):
                containers.append(value)
            elif not isinstance(value, _PLAIN_SCALARS):
                plain = False  # its attributes could hold markup
    return plain


# --- Templated parts ---------------------------------------------------------------------


def _with_docx_context(exc: TemplateError, source: str) -> TemplateError:
    """The lines around a template error, as docxtpl attaches them (render_xml_part)."""
    if getattr(exc, "lineno", None) is not None:
        first = max(exc.lineno - 4, 0)
        exc.docx_context = [
            re.sub(r"<[^>]+>", "", line) for line in source.splitlines()[first : first + 7]
        ]
    return exc


class _XmlPart:
    """One XML part as docxtpl renders it (render_xml_part): the patched source compiled
    once, then after each rendering the same clean-ups as docxtpl's."""

    def __init__(self, environment: PortalSandbox, patched: str) -> None:
        self.source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        try:
            self.ast = environment.parse(self.source)
            self.template: Template = environment.from_string(self.source)
        except TemplateError as exc:
            raise _with_docx_context(exc, self.source) from None
        self.pure_data = _is_pure_data(self.ast)

    def render(self, context: dict[str, Any]) -> str:
        try:
            xml = self.template.render(context)
        except TemplateError as exc:
            raise _with_docx_context(exc, self.source) from None
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
        xml = xml.replace("%_}", "%}")
        return resolve_listing(xml)


class _HeaderFooter:
    """A header or footer: rendered, then parsed and written again as python-docx does
    with docxtpl's new part (strict parser, blank text removed)."""

    def __init__(self, environment: PortalSandbox, docx_template: DocxTemplate, part) -> None:
        self.name = part.partname.membername
        patched = docx_template.patch_xml(docx_template.get_part_xml(part))
        self.part = _XmlPart(environment, patched)
        self.fixed = self.render({}) if self.part.pure_data else None

    def render(self, context: dict[str, Any]) -> bytes:
        return serialize_part_xml(parse_xml(self.part.render(context).encode("utf-8")))


class _CoreProperties:
    """The six text properties docxtpl renders (render_properties), set on a copy of the
    part's element through python-docx (which refuses more than 255 characters)."""

    def __init__(self, environment: PortalSandbox, part) -> None:
        self.name = part.partname.membername
        self.element = part.element
        sources = {prop: getattr(part.core_properties, prop) for prop in CORE_PROPERTIES}
        self.templates = {prop: environment.from_string(text) for prop, text in sources.items()}
        pure = all(_is_pure_data(environment.parse(text)) for text in sources.values())
        self.fixed = self.render({}) if pure else None

    def render(self, context: dict[str, Any]) -> bytes:
        element = copy.deepcopy(self.element)
        properties = CoreProperties(element)
        for prop, template in self.templates.items():
            setattr(properties, prop, template.render(context))
        return serialize_part_xml(element)


def _is_well_formed(xml: str) -> bool:
    try:
        expat.ParserCreate().Parse(xml, True)
    except (expat.ExpatError, UnicodeError):
        return False
    return True


_BODY = docx.oxml.ns.qn("w:body")
_MARKER = "docxtpl-fast-body"


class _Body:
    """The document part. docxtpl parses the rendered body again (fix_tables), renumbers
    the drawings (fix_docpr_ids) and puts it back into the document element; when the
    template proves that neither step can change anything and the rendering comes out
    well-formed, the rendered text is written between the element's ready bytes instead."""

    def __init__(self, environment: PortalSandbox, docx_template: DocxTemplate) -> None:
        self.name = docx_template.docx.part.partname.membername
        root = docx_template.docx.element
        patched = docx_template.patch_xml(docx_template.get_xml())
        # get_xml declares the document's namespaces again on the body: kept for the
        # body parsed alone, left out when it is written inside the document element.
        self.open_tag = re.match(r"<[^>]*>", patched)[0]
        self.short_open_tag = self.open_tag
        for prefix, uri in root.nsmap.items():
            declaration = f' xmlns{":" + prefix if prefix else ""}="{uri}"'
            self.short_open_tag = self.short_open_tag.replace(declaration, "", 1)
        self.part = _XmlPart(environment, self.short_open_tag + patched[len(self.open_tag) :])
        self.direct = (
            "docPr" not in patched
            and _tables_keep_their_grid(patched)
            and _emits_escaped_text_only(self.part.ast)
        )
        shell = copy.deepcopy(root)
        body = shell.find(_BODY)
        for child in list(body):
            body.remove(child)
        self.shell = serialize_part_xml(shell)
        body.text = _MARKER
        framed = serialize_part_xml(shell)
        marker = framed.index(_MARKER.encode())
        self.prefix = framed[: framed.rindex(b"<", 0, marker)]
        self.suffix = framed[framed.index(b">", marker) + 1 :]

    def render(self, context: dict[str, Any], *, plain_data: bool) -> bytes:
        xml = self.part.render(context)
        if self.direct and plain_data and _is_well_formed(xml):
            return b"".join((self.prefix, xml.encode("utf-8"), self.suffix))
        # As DocxTemplate.render: fix_tables (which parses, recovering), fix_docpr_ids,
        # map_tree, then python-docx's serialisation of the document element.
        tree = _fix_tables(self.open_tag + xml[len(self.short_open_tag) :])
        drawings = tree.xpath("//wp:docPr", namespaces=docx.oxml.ns.nsmap)
        for number, drawing in enumerate(drawings, start=1001):
            drawing.attrib["id"] = str(number)
        root = parse_xml(self.shell)
        root.replace(root.find(_BODY), tree)
        return serialize_part_xml(root)

    def sections_always_present(self) -> bool:
        """Whether the body's own section properties come after its last tag: every
        rendering then has a section, and docxtpl renders the footnotes."""
        source = self.part.source
        tail = source[max(source.rfind("%}"), source.rfind("}}"), source.rfind("#}")) :]
        return re.search(r"<w:sectPr[ >].*</w:sectPr></w:body>$", tail, re.DOTALL) is not None


# --- The compiled template ----------------------------------------------------------------


class CompiledTemplate:
    """A .docx template ready to render many documents: the parts no tag touches compressed
    once, the templated parts compiled once in one sandboxed environment."""

    def __init__(self, template: bytes, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        self.environment = PortalSandbox(limits)
        docx_template = DocxTemplate(io.BytesIO(template))
        docx_template.init_docx()
        package = docx_template.docx.part.package
        # Created when missing, as docxtpl's render_properties creates it.
        core_part = package._core_properties_part

        self._body = _Body(self.environment, docx_template)
        parts = [
            *self._headers_footers(docx_template),
            _CoreProperties(self.environment, core_part),
        ]
        self._parts = [part for part in parts if part.fixed is None]
        fixed = {part.name: part.fixed for part in parts if part.fixed is not None}
        fixed.update(self._footnotes(docx_template))
        templated = {self._body.name, *(part.name for part in self._parts)}

        # python-docx's package as plain docxtpl saves it, templated parts left to render.
        saved = io.BytesIO()
        docx_template.docx.save(saved)
        self._members: list[_Member | str] = []
        with zipfile.ZipFile(saved) as archive:
            for name in archive.namelist():
                if name in templated:
                    self._members.append(name)
                    continue
                payload = fixed[name] if name in fixed else archive.read(name)
                self._members.append(_Member.deflated(name, payload, STATIC_COMPRESSLEVEL))
        self._stamp = _dos_stamp(datetime.datetime.now())

    @property
    def body_needs_docxtpl_fixes(self) -> bool:
        """Whether each rendering's body is parsed again for docxtpl's fix_tables and
        fix_docpr_ids (rather than written as rendered)."""
        return not self._body.direct

    def _headers_footers(self, docx_template: DocxTemplate) -> list[_HeaderFooter]:
        parts, seen = [], set()
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _, part in docx_template.get_headers_footers(uri):
                if part.partname in seen:
                    raise NeedsPlainDocxtpl("a header or footer part with two relationships")
                seen.add(part.partname)
                parts.append(_HeaderFooter(self.environment, docx_template, part))
        return parts

    def _footnotes(self, docx_template: DocxTemplate) -> dict[str, bytes]:
        """Footnotes as docxtpl leaves them: rendered once per section, so only footnotes
        without tags (the same after one pass or two) are covered."""
        footnotes = {}
        for part in docx_template.docx.part.package.parts:
            if part.content_type != FOOTNOTES_TYPE:
                continue
            if hasattr(part, "element") or not self._body.sections_always_present():
                raise NeedsPlainDocxtpl("footnotes docxtpl may or may not render")
            passes = [part.blob.decode("utf-8")]
            for _ in range(2):
                patched = docx_template.patch_xml(passes[-1])
                if not _is_pure_data(self.environment.parse(patched)):
                    raise NeedsPlainDocxtpl("tags in the footnotes")
                passes.append(docx_template.render_xml_part(patched, part, {}, self.environment))
            if passes[1] != passes[2]:
                raise NeedsPlainDocxtpl("footnotes that change on each pass")
            footnotes[part.partname.membername] = passes[1].encode("utf-8")
        return footnotes

    def render(self, context: dict[str, Any]) -> bytes:
        """The document docxtpl makes of this template and ``context``, rendered under the
        environment's deadline."""
        plain_data = _context_is_plain_data(context)
        with self.environment.deadline():
            rendered = {self._body.name: self._body.render(context, plain_data=plain_data)}
            for part in self._parts:
                rendered[part.name] = part.render(context)
        members = [
            member
            if isinstance(member, _Member)
            else _Member.deflated(member, rendered[member], PART_COMPRESSLEVEL)
            for member in self._members
        ]
        return _zip(members, self._stamp)


_cache: OrderedDict[tuple[bytes, RenderLimits], CompiledTemplate | str] = OrderedDict()
_cache_lock = threading.Lock()


def compiled_template(template: bytes, limits: RenderLimits = DEFAULT_LIMITS) -> CompiledTemplate:
    """``template`` compiled (the last ``CACHE_SIZE`` templates are kept, by content);
    raises ``NeedsPlainDocxtpl`` when only plain docxtpl renders it."""
    key = (hashlib.sha256(template).digest(), limits)
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
    if compiled is None:
        try:
            compiled = CompiledTemplate(template, limits)
        except NeedsPlainDocxtpl as exc:
            compiled = str(exc)  # remembered too: the next render goes straight to plain
        with _cache_lock:
            _cache[key] = compiled
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    if isinstance(compiled, str):
        raise NeedsPlainDocxtpl(compiled)
    return compiled


def render_docx_fast(
    *, template: bytes, context: dict[str, Any], limits: RenderLimits = DEFAULT_LIMITS
) -> bytes:
    """The document plain docxtpl makes of ``template`` and ``context``, from the compiled
    template; raises ``NeedsPlainDocxtpl`` for what it does not cover."""
    return compiled_template(template, limits).render(context)
