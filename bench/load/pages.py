"""What the load test reads from the portal's pages: the links a person follows and the
forms they post, as a browser would build them (no locust here, so tests can import it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

DRAFT_EDIT = re.compile(r'href="(/reponses/\d+/modifier/)"')
ANSWER = re.compile(r'href="(/reponses/\d+/)"')
HOUSEHOLD = re.compile(r'href="(/menages/\d+/)"')
CAMPAIGN = re.compile(r'href="/suivi/campagnes/(\d+)/"')
AUTOSAVE_URL = re.compile(r'data-autosave-url="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')
SUBMIT_BUTTON = re.compile(r'<button[^>]*name="action"[^>]*value="submit"')
SKIPPED_INPUTS = frozenset({"file", "submit", "button", "image", "reset"})


def links(pattern: re.Pattern[str], html: str) -> list[str]:
    """The distinct matches of ``pattern`` in ``html``, in page order."""
    return list(dict.fromkeys(pattern.findall(html)))


def draft_paths(html: str) -> list[str]:
    """The « modifier » pages of the drafts listed (« Mon espace »)."""
    return links(DRAFT_EDIT, html)


def answer_paths(html: str) -> list[str]:
    """The answers' pages listed (« Mon espace », a campaign's tracker)."""
    return links(ANSWER, html)


def household_paths(html: str) -> list[str]:
    return links(HOUSEHOLD, html)


def campaign_pks(html: str) -> list[int]:
    """The campaigns of the tracker's list (« suivi des campagnes »)."""
    return [int(pk) for pk in links(CAMPAIGN, html)]


def tracker_path(campaign_pk: int) -> str:
    return f"/suivi/campagnes/{campaign_pk}/"


def consolidation_path(campaign_pk: int) -> str:
    return f"/suivi/campagnes/{campaign_pk}/tableaux/"


def word_path(answer_path: str) -> str:
    """``/reponses/7/`` → ``/reponses/7/word/`` (documents' submission_word)."""
    return f"{answer_path}word/"


def contact_path(household_path: str) -> str:
    """``/menages/3/`` → the « tentative de contact » form's target."""
    return f"{household_path}contacts/"


def autosave_path(html: str) -> str | None:
    """The URL the fill page's script (forms_app/static/forms_app/autosave.js) posts to."""
    match = AUTOSAVE_URL.search(html)
    return match.group(1) if match else None


class FormReader(HTMLParser):
    """The fields a browser would send for the first form whose opening tag holds ``mark``
    (its id or action): inputs (checked boxes only), selects, textareas, in page order."""

    def __init__(self, mark: str) -> None:
        super().__init__(convert_charrefs=True)
        self.mark = mark
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_value: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done:
            self.inside = self.mark in self.get_starttag_text()
        if not self.inside:
            return
        if tag == "input":
            self.input(attributes)
        elif tag == "select" and "name" in attributes:
            self.select, self.select_value = attributes["name"], None
        elif tag == "option" and self.select is not None:
            if self.select_value is None or "selected" in attributes:
                self.select_value = attributes.get("value", "")
        elif tag == "textarea" and "name" in attributes:
            self.textarea, self.text = attributes["name"], []

    def input(self, attributes: dict[str, str]) -> None:
        kind = attributes.get("type", "text")
        if "name" not in attributes or kind in SKIPPED_INPUTS:
            return
        if kind in {"checkbox", "radio"} and "checked" not in attributes:
            return
        default = "on" if kind in {"checkbox", "radio"} else ""
        self.fields.append((attributes["name"], attributes.get("value", default)))

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select is not None:
            self.fields.append((self.select, self.select_value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(html: str, *, mark: str) -> list[tuple[str, str]]:
    """The fields of the form marked ``mark`` (see FormReader), CSRF token included."""
    reader = FormReader(mark)
    reader.feed(html)
    if not reader.done and not reader.fields:
        raise LookupError(f"no form marked {mark!r} in the page")
    return reader.fields


def autosave_fields(html: str) -> list[tuple[str, str]]:
    """What autosave.js posts: the form's fields without files and ``action``, the closing
    marker ``_fin`` last (the server refuses a body without it as cut short)."""
    fields = [
        (name, value)
        for name, value in form_fields(html, mark='id="formulaire-reponse"')
        if name not in {"action", "_fin"}
    ]
    return [*fields, ("_fin", "1")]


def contact_fields(html: str, *, note: str) -> list[tuple[str, str]]:
    """The « tentative de contact » form of a household's page, filled in: a phone call
    without an answer, with ``note``; the marker ``_fin`` stays last."""
    chosen = {"mode": "telephone", "result": "sans_reponse", "note": note}
    fields = [
        (name, chosen.get(name, value))
        for name, value in form_fields(html, mark="/contacts/")
        if name != "_fin"
    ]
    return [*fields, ("_fin", "1")]


def revision(html: str) -> int:
    """The draft's revision the fill page carries (posted back with every save)."""
    match = REVISION.search(html)
    if match is None:
        raise LookupError("no revision in the page")
    return int(match.group(1))


def with_revision(fields: list[tuple[str, str]], value: int) -> list[tuple[str, str]]:
    """``fields`` posting revision ``value`` (the one the last save returned)."""
    return [(name, str(value) if name == "revision" else old) for name, old in fields]


def submit_fields(html: str, *, edit_path: str) -> list[tuple[str, str]] | None:
    """The confirmation of « Vérifier et transmettre » (its form posts to ``edit_path``)
    when the page offers it (the draft is complete); None when it came back with errors."""
    if SUBMIT_BUTTON.search(html) is None:
        return None
    mark = f'action="{edit_path}"'
    fields = [(n, v) for n, v in form_fields(html, mark=mark) if n not in {"action", "_fin"}]
    return [*fields, ("action", "submit"), ("_fin", "1")]
