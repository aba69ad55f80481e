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
``documents.rendering.engine.render_docx_plain``: docxtpl's objects or any markup in the context
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
import threading
import zipfile
from collections import OrderedDict
from typing import Any
from xml.parsers import expat

import docx.oxml.ns
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Template
from jinja2.exceptions import TemplateError

from documents.rendering.compiled_source import (
    NeedsPlainDocxtpl,
    context_is_plain_data,
    emits_escaped_text_only,
    is_pure_data,
    resolve_listing,
    tables_keep_their_grid,
)
from documents.rendering.compiled_zip import ZipMember, dos_stamp, zip_archive
from documents.rendering.sandbox import DEFAULT_LIMITS, PortalSandbox, RenderLimits

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
        self.pure_data = is_pure_data(self.ast)

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
        pure = all(is_pure_data(environment.parse(text)) for text in sources.values())
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
            and tables_keep_their_grid(patched)
            and emits_escaped_text_only(self.part.ast)
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
        self._members: list[ZipMember | str] = []
        with zipfile.ZipFile(saved) as archive:
            for name in archive.namelist():
                if name in templated:
                    self._members.append(name)
                    continue
                payload = fixed[name] if name in fixed else archive.read(name)
                self._members.append(ZipMember.deflated(name, payload, STATIC_COMPRESSLEVEL))
        self._stamp = dos_stamp(datetime.datetime.now())

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
                if not is_pure_data(self.environment.parse(patched)):
                    raise NeedsPlainDocxtpl("tags in the footnotes")
                passes.append(docx_template.render_xml_part(patched, part, {}, self.environment))
            if passes[1] != passes[2]:
                raise NeedsPlainDocxtpl("footnotes that change on each pass")
            footnotes[part.partname.membername] = passes[1].encode("utf-8")
        return footnotes

    def render(self, context: dict[str, Any]) -> bytes:
        """The document docxtpl makes of this template and ``context``, rendered under the
        environment's deadline."""
        plain_data = context_is_plain_data(context)
        with self.environment.deadline():
            rendered = {self._body.name: self._body.render(context, plain_data=plain_data)}
            for part in self._parts:
                rendered[part.name] = part.render(context)
        members = [
            member
            if isinstance(member, ZipMember)
            else ZipMember.deflated(member, rendered[member], PART_COMPRESSLEVEL)
            for member in self._members
        ]
        return zip_archive(members, self._stamp)


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
