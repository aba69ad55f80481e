"""Hostile input for the fuzz tests: text with NUL and control characters, right-to-left
and combining characters, decomposed accents, huge strings, numbers out of range, weird
dates, raw bytes for a query string (invalid UTF-8, encoded surrogates)."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

# Any character HTTP can carry as UTF-8 (surrogates cannot be encoded: see ``raw_bytes``).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
NASTY = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\ufffe",
    "\uffff",
    "\u202e",
    "\u200f",
    "\u200b",
    "\u0301",
    "\u0327",
    "\ufeff",
    "\r",
    "\n",
    "\t",
    "\u2028",
    "\U0001f600",
    "ال",
    "é",
    "e\u0301",
    "%",
    "'",
    '"',
    "<script>",
    "{{",
    "{%",
    "\\",
    ";--",
    "\u00a0",
]

nasty_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=8)), max_size=12
).map("".join)
huge_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["a", "é\x00", "e\u0301 ", "\u202e9"]),
    st.integers(300, 40_000),
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.sampled_from(["1e999", "-0", "1,5", "4 350,50", "1.2.3", "NaN", "٣", "１２", "0x10", "1_0"]),
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    st.sampled_from(
        [
            "2021-02-31",
            "0000-00-00",
            "9999-12-31",
            "31/12/99999",
            "2021-13-01",
            "-1-01-01",
            "2021-06-30\x00",
            "29/02/2021",
            "2099-01-01",
        ]
    ),
)
hostile = st.one_of(nasty_text, st.text(ANY_CHAR, max_size=40), numbers, dates, huge_text)
hostile_key = st.one_of(
    st.sampled_from(["", "\x00", "action", "revision", "csrfmiddlewaretoken", "x-TOTAL_FORMS"]),
    nasty_text,
)
raw_bytes = st.binary(max_size=30).map(quote_from_bytes)


def values_for(choices: list[str]) -> st.SearchStrategy[str]:
    """A choice's known values, slightly spoiled ones, or anything hostile."""
    known = st.sampled_from(choices or [""])
    spoiled = st.tuples(known, st.sampled_from(NASTY)).map(lambda pair: pair[0] + pair[1])
    return st.one_of(known, spoiled, hostile)
