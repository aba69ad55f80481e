"""How an answer becomes a Word document: the sandboxed Jinja environment every template
is rendered in, its French filters and limits, and the context of a submission.

An uploaded template is code (security.md #4–6): it is only ever rendered in
``PortalSandbox`` — Jinja's SandboxedEnvironment with autoescape on, so that an answer
containing ``</w:t>`` or ``&`` stays text — under a deadline and size limits that stop a
runaway template with ``RenderLimitExceeded`` while the worker lives on.
"""

from __future__ import annotations

import ctypes
import datetime
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateformat import format as date_format
from jinja2 import pass_context
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from forms_app.field_types import field_type
from forms_app.form_builder import input_items
from portal.templatetags.portal_format import format_number_fr


class RenderLimitExceeded(SecurityError):
    """The template ran longer, or built more, than a document may."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Le modèle met trop de temps à produire le document : rendu interrompu."
        )


@dataclass(frozen=True)
class RenderLimits:
    seconds: float = 10.0
    max_range: int = 100_000  # items of one range() — Jinja's own sandbox default
    max_sequence: int = 1_000_000  # items or characters built by * or a method argument
    check_every: int = 1_000  # loop items between two looks at the clock


DEFAULT_LIMITS = RenderLimits()
WATCHDOG_GRACE = 1.0  # seconds after the deadline before the watchdog interrupts
_deadline = threading.local()


class _Watchdog:
    """One thread per process that raises ``RenderLimitExceeded`` in a thread still rendering
    past its deadline, between two bytecodes (CPython's asynchronous exception); never
    after ``disarm``. Arming costs a dictionary entry, not a thread, per document."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked child starts afresh

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._entries: dict[int, list] = {}  # token → [thread id, fire at, fired]
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, thread_id: int, seconds: float) -> int:
        with self._condition:
            token = next(self._tokens)
            self._entries[token] = [thread_id, time.monotonic() + seconds, False]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._watch, name="portal-render-watchdog", daemon=True
                )
                self._thread.start()
            self._condition.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._condition:
            entry = self._entries.pop(token, None)
        if entry is not None and entry[2]:
            # Raised already, or about to be: clear a pending one so that it cannot surface
            # later in the caller's code.
            _set_async_exception(entry[0], None)

    def _watch(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                waiting = []
                for entry in self._entries.values():
                    if entry[2]:
                        continue
                    if entry[1] <= now:
                        entry[2] = True
                        _set_async_exception(entry[0], RenderLimitExceeded)
                    else:
                        waiting.append(entry[1])
                self._condition.wait(min(waiting) - now if waiting else None)


def _set_async_exception(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


_WATCHDOG = _Watchdog()


class PortalSandbox(SandboxedEnvironment):
    """Jinja's sandbox with autoescape, a clock and size limits, and the French filters."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        super().__init__(autoescape=True, keep_trailing_newline=True)
        self.limits = limits
        self.globals["range"] = self._range
        self.filters.update(FRENCH_FILTERS)

    # -- the clock -------------------------------------------------------------------

    @contextmanager
    def deadline(self, seconds: float | None = None) -> Iterator[None]:
        """Every render of this thread inside the block stops after ``seconds``: the hooks
        below look at the clock, and a watchdog interrupts what they cannot see (a loop
        over a long text or list runs no hook), a little later."""
        seconds = seconds or self.limits.seconds
        previous = getattr(_deadline, "at", None)
        _deadline.at = time.monotonic() + seconds
        token = _WATCHDOG.arm(threading.get_ident(), seconds + WATCHDOG_GRACE)
        try:
            yield
        finally:
            try:
                _WATCHDOG.disarm(token)
            finally:
                _deadline.at = previous

    def check_clock(self) -> None:
        at = getattr(_deadline, "at", None)
        if at is not None and time.monotonic() > at:
            raise RenderLimitExceeded(
                "Le modèle met trop de temps à produire le document : rendu interrompu."
            )

    # -- hooks of the sandbox ---------------------------------------------------------

    def _range(self, *args: int) -> Iterator[int]:
        values = range(*args)
        if len(values) > self.limits.max_range:
            raise RenderLimitExceeded(
                f"Boucle trop longue ({len(values)} tours ; {self.limits.max_range} au plus)."
            )
        return self._clocked(values)

    def _clocked(self, values) -> Iterator[Any]:
        for index, value in enumerate(values):
            if index % self.limits.check_every == 0:
                self.check_clock()
            yield value

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.check_clock()
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, int) and abs(argument) > __self.limits.max_sequence:
                raise RenderLimitExceeded("Valeur trop grande dans un appel du modèle.")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        self.check_clock()
        if operator == "**" and isinstance(right, int) and right > 64:
            raise RenderLimitExceeded("Puissance trop grande dans le modèle.")
        if operator == "*":
            sizes = [len(side) for side in (left, right) if isinstance(side, (str, list, tuple))]
            counts = [side for side in (left, right) if isinstance(side, int)]
            if sizes and counts and sizes[0] * abs(counts[0]) > self.limits.max_sequence:
                raise RenderLimitExceeded("Texte ou liste trop longs construits par le modèle.")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_clock()
        return super().getattr(obj, attribute)


# --- French filters -------------------------------------------------------------------


def _as_decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace("\u202f", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None


def date_fr(value: Any, style: str = "long") -> str:
    """« 29 décembre 2020 » (``style="court"``: « 29/12/2020 »)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return date_format(value, "d/m/Y" if style == "court" else "j F Y")


def montant(value: Any) -> str:
    """« 117 600,00 € »."""
    number = _as_decimal(value)
    return "" if number is None else f"{format_number_fr(number, decimals=2)}\u00a0€"


def nombre(value: Any, decimales: int | None = None) -> str:
    """« 1 234 » or « 3,5 »: thousands grouped, decimal comma."""
    number = _as_decimal(value)
    if number is None:
        return ""
    if decimales is None:
        decimales = max(-number.as_tuple().exponent, 0) if number != number.to_integral() else 0
    return format_number_fr(number, decimals=decimales)


def pourcentage(value: Any, decimales: int = 1) -> str:
    """« 62,5 % » from 62.5."""
    shown = nombre(value, decimales)
    return f"{shown}\u00a0%" if shown else ""


def oui_non(value: Any) -> str:
    return {True: "Oui", False: "Non", "oui": "Oui", "non": "Non"}.get(value, "")


@pass_context
def libelle(context, value: Any, key: str) -> str:
    """A choice's label: ``{{ brut.q1_mode_creation|libelle("q1_mode_creation") }}``."""
    item = (context.get("_champs") or {}).get(key)
    if item is None:
        return "" if value is None else str(value)
    return field_type(item["type"]).display(value, item["value"])


FRENCH_FILTERS = {
    "date_fr": date_fr,
    "montant": montant,
    "nombre": nombre,
    "pourcentage": pourcentage,
    "oui_non": oui_non,
    "libelle": libelle,
}


# --- The context of a submission -------------------------------------------------------

# Names the context gives besides the form's own keys.
META_KEYS = frozenset(
    {
        "brut",
        "reponses",
        "formulaire",
        "version_formulaire",
        "campagne",
        "date_limite",
        "organisation",
        "territoire",
        "departement",
        "region",
        "statut",
        "date_transmission",
        "menage",
        "date_document",
    }
)


def _fields_by_key(schema: list[dict]) -> dict[str, dict]:
    fields = {}
    for item in input_items(schema):
        fields[item["value"]["key"]] = item
        if item["type"] == "group":
            for child in item["value"]["fields"]:
                fields.setdefault(child["value"]["key"], child)
    return fields


def answers_context(*, schema: list[dict], data: dict[str, Any]) -> dict[str, Any]:
    """Each key of ``schema`` as it reads in French (dates in words, amounts in euros,
    labels of choices); a repeatable group as a list of rows keyed the same way; the raw
    values under ``brut``. A key missing from ``data`` reads as empty."""
    context: dict[str, Any] = {"brut": {}}
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        key = value["key"]
        raw = data.get(key)
        context["brut"][key] = raw
        if kind == "group":
            children = [(child["type"], child["value"]) for child in value["fields"]]
            context[key] = [
                {sub["key"]: field_type(t).display(row.get(sub["key"]), sub) for t, sub in children}
                for row in (raw or [])
                if isinstance(row, dict)
            ]
        elif kind == "file":
            context[key] = raw.get("name", "") if isinstance(raw, dict) else ""
        else:
            context[key] = field_type(kind).display(raw, value)
    context["_champs"] = _fields_by_key(schema)
    context["reponses"] = _answer_lines(schema, context)
    return context


def _answer_lines(schema: list[dict], context: dict[str, Any]) -> list[dict[str, str]]:
    """Every answer as « libellé : valeur », sections included, for a template that does
    not know the form's keys (a form created by editors before its own template)."""
    lines = []
    for item in schema:
        kind, value = item["type"], item["value"]
        if kind == "section":
            lines.append({"section": value["label"], "libelle": "", "valeur": ""})
        elif kind == "group":
            labels = {child["value"]["key"]: child["value"]["label"] for child in value["fields"]}
            rows = [
                " ; ".join(f"{labels[key]} : {shown}" for key, shown in row.items() if shown)
                for row in context.get(value["key"], [])
            ]
            lines.append({"section": "", "libelle": value["label"], "valeur": "\n".join(rows)})
        elif field_type(kind).is_input:
            lines.append(
                {"section": "", "libelle": value["label"], "valeur": context.get(value["key"], "")}
            )
    return lines


def submission_context(*, submission) -> dict[str, Any]:
    """The context a submission's document is rendered with: its answers on its own form
    version, and who, what and when (never a household's identity beyond the answers)."""
    context = answers_context(schema=submission.form_version.schema, data=submission.data or {})
    campaign, territory = submission.campaign, submission.territory
    context.update(
        formulaire=submission.form_version.form.title,
        version_formulaire=submission.form_version.number,
        campagne=campaign.title if campaign else "",
        date_limite=date_fr(campaign.due_on) if campaign else "",
        organisation=submission.organisation.name,
        territoire=territory.name if territory else "",
        departement=territory.code if territory else "",
        region=territory.region if territory else "",
        statut=submission.get_status_display(),
        date_transmission=date_fr(submission.submitted_at.date())
        if submission.submitted_at
        else "",
        menage=submission.household.reference if submission.household_id else "",
        date_document=date_fr(
            (submission.submitted_at or submission.updated_at or datetime.datetime.now()).date()
        ),
    )
    return context
