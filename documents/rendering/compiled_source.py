"""What a template's source and a context allow the compiled renderer
(``documents.rendering.compiled``) to do: whether a part is text only, whether it makes
markup, whether docxtpl's ``fix_tables`` could change its tables, docxtpl's
``resolve_listing`` compiled once, and whether a context is plain data. What the compiled
path does not cover raises ``NeedsPlainDocxtpl``."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from jinja2 import nodes


class NeedsPlainDocxtpl(Exception):  # noqa: N818 — a reason to take the other path, not an error
    """The template or the context uses what only plain docxtpl renders."""


_CONTAINERS = (dict, list, tuple, set, frozenset)
_PLAIN_SCALARS = (str, int, float, Decimal, type(None), datetime.date, datetime.time)


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


def is_pure_data(ast: nodes.Template) -> bool:
    """Whether the template is text only (it renders the same whatever the context)."""
    return all(
        isinstance(node, nodes.Output)
        and all(isinstance(child, nodes.TemplateData) for child in node.nodes)
        for node in ast.body
    )


def emits_escaped_text_only(ast: nodes.Template) -> bool:
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


def tables_keep_their_grid(source: str) -> bool:
    """Whether docxtpl's ``fix_tables`` leaves every table of ``source`` as it is, whatever
    the context: no tag between two cells, no control block starting in one cell (or between
    two rows) and ending elsewhere, literal spans, no table in a table, and a row outside any
    loop or condition that fills the grid."""
    scan = _GridScan()
    for number, token in enumerate(_TABLE_TOKEN.finditer(source)):
        if token["comment"] is not None:
            if re.search(r"w:(tbl|tr|tc)\b", token["comment"]):
                return False
            continue  # a comment renders nothing: it holds no tag and opens no block
        is_block = token["block"] is not None
        if not (scan.block(token) if is_block else scan.element(token, number)):
            return False
    return not scan.frames and not scan.blocks


class _GridScan:
    """The walk of ``tables_keep_their_grid`` over a part's tags and blocks; each step
    says whether the grid is still safe."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, int]] = []  # open tbl, tr and tc: (tag, frame number)
        self.blocks: list[int | None] = []  # for each open block, the frame it started in
        self.table: dict[str, Any] | None = None
        self.row: dict[str, Any] | None = None

    def block(self, token: re.Match) -> bool:
        here = self.frames[-1][1] if self.frames else None
        keyword = token["block"]
        if self.frames and self.frames[-1][0] == "tr":
            return False  # between two cells: a row's cells could vary
        if keyword in ("for", "if"):
            self.blocks.append(here)
        elif keyword in ("elif", "else", "endfor", "endif"):
            if not self.blocks or self.blocks[-1] != here:
                return False
            if keyword.startswith("end"):
                self.blocks.pop()
        elif keyword != "set" or "=" not in token["rest"]:
            return False
        return True

    def element(self, token: re.Match, number: int) -> bool:
        tag, attrs = token["tag"], token["attrs"]
        table, row = self.table, self.row
        if tag in ("sdt", "customXml", "tblGridChange", "tcPrChange"):
            if table is not None:
                return False  # cells or spans fix_tables does not see
        elif tag == "gridCol":
            if table is None or table["frame"] in self.blocks:
                return False
            table["columns"] += 1
        elif tag == "gridSpan":
            span = _SPAN.search(attrs)
            if span is None:
                return False
            if row is not None:
                row["weight"] += int(span[1]) - 1
        elif token["close"]:
            if not self.frames or self.frames[-1][0] != tag:
                return False
            self.frames.pop()
            if tag == "tbl":
                if not _grid_is_filled(table):
                    return False
                self.table = None
        else:
            return self._open(tag, attrs, number)
        return True

    def _open(self, tag: str, attrs: str, number: int) -> bool:
        closed = attrs.endswith("/")
        if tag == "tbl":
            if self.table is not None or closed:
                return False  # a nested table's rows count in its parent's
            self.table = {"frame": number, "columns": 0, "rows": []}
        elif tag == "tr" and self.table is not None:
            self.row = {"cells": 0, "weight": 0, "always": self.table["frame"] not in self.blocks}
            self.table["rows"].append(self.row)
        elif tag == "tc" and self.row is not None:
            self.row["cells"] += 1
            self.row["weight"] += 1
        if not closed:
            self.frames.append((tag, number))
        return True


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


def context_is_plain_data(context: dict[str, Any]) -> bool:
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
