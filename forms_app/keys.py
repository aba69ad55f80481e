"""Machine keys of form fields: derived from the label, unique within a form, then frozen.

Templates, exports and consolidation use keys, never labels, so that an editor may reword
a label without breaking anything downstream.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_MAX_LENGTH = 60
# Names the fill page uses for its own controls: a field may not take them.
RESERVED_KEYS = frozenset({"action", "revision", "csrfmiddlewaretoken"})


def key_from_label(label: str) -> str:
    """« Nombre de ménages rencontrés » → ``nombre_de_menages_rencontres``."""
    decomposed = unicodedata.normalize("NFKD", label)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    if not key:
        key = "champ"
    if key[0].isdigit():
        key = f"champ_{key}"
    key = key[:KEY_MAX_LENGTH].rstrip("_")
    return f"champ_{key}" if key in RESERVED_KEYS else key


def is_valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.match(key)) and len(key) <= KEY_MAX_LENGTH and key not in RESERVED_KEYS


def duplicated(keys: Iterable[str]) -> list[str]:
    """The keys that appear more than once, in first-seen order."""
    counts = Counter(keys)
    seen: list[str] = []
    for key in keys if isinstance(keys, list) else list(counts):
        if counts[key] > 1 and key not in seen:
            seen.append(key)
    return seen


def is_year_key(key: str) -> bool:
    """``annee``, ``annee_bilan``, ``premiere_annee``: a year, never added up nor grouped
    (« 2021 », not « 2 021 »)."""
    return key == "annee" or key.startswith("annee_") or key.endswith("_annee")
