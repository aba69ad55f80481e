"""Text every store and document can hold: the characters XML 1.0 forbids taken out."""

from __future__ import annotations

import re
from typing import Any

# XML 1.0 allows tab, line feed and carriage return below U+0020, and nothing in the
# surrogate range or U+FFFE / U+FFFF. A Word line break pasted into a field is U+000B.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (a Word document could not hold them)."""
    return _XML_FORBIDDEN.sub("", value)


def xml_safe_value(value: Any) -> Any:
    """``value`` with every string inside it (dicts, lists, tuples) made ``xml_safe_text``;
    other objects (numbers, dates, docxtpl's rich text) are returned as they are."""
    if isinstance(value, str):
        return xml_safe_text(value)
    if isinstance(value, dict):
        return {key: xml_safe_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(xml_safe_value(item) for item in value)
    return value
