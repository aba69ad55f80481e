"""Content-Security-Policy: the portal's pages run no inline code but what carries the
response's nonce (no ``unsafe-inline``), and their HTML has no script, style attribute or
event handler the policy would block; Wagtail's admin keeps its own, looser policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from demo.accounts import DEMO_OPERATORS, DEMO_PASSWORD
from forms_app.models import Campaign, Household, Submission
from portal.models import Organisation
from tests.signing import signed_in

pytestmark = pytest.mark.django_db

BILAN_2021 = "Bilan d'étape 2021"


class _PageCode(HTMLParser):
    """Collects a page's script elements, style attributes, event handlers and
    ``javascript:`` addresses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.inline_styles: list[str] = []
        self.style_elements: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.style_elements.append(attributes)
        for name, value in attrs:
            if name == "style":
                self.inline_styles.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def _client(email: str) -> Client:
    return signed_in(email)


def _nonce(policy: str, directive: str) -> str | None:
    """The nonce a directive of the header allows (django-csp announces one only once a
    page has used it)."""
    values = _directives(policy)[directive]
    nonces = [v for v in values if v.startswith("'nonce-")]
    assert len(nonces) <= 1, values
    return nonces[0][len("'nonce-") : -1] if nonces else None


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def _assert_strict(response) -> None:
    """The response carries the portal's policy and its HTML keeps to it."""
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = _directives(policy)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    script_nonce = _nonce(policy, "script-src")
    style_nonce = _nonce(policy, "style-src")
    assert directives["script-src"][0] == "'self'" and len(directives["script-src"]) <= 2
    assert directives["style-src"][0] == "'self'" and len(directives["style-src"]) <= 2

    page = _PageCode()
    page.feed(response.content.decode())
    page.close()
    assert page.scripts, "every page loads the DSFR's script"
    for script in page.scripts:
        src = script.get("src")
        if script.get("type") == "application/json":
            continue  # data, never run
        if src:
            parts = urlsplit(src)
            assert not parts.scheme and not parts.netloc, script
        else:
            assert script_nonce and script.get("nonce") == script_nonce, script
    for style in page.style_elements:
        assert style_nonce and style.get("nonce") == style_nonce, style
    assert page.inline_styles == []
    assert page.handlers == []
    assert page.javascript_urls == []


def test_the_home_page_sends_the_strict_policy(client, portal_content):
    _assert_strict(client.get("/"))
    _assert_strict(client.get("/accounts/login/"))


def test_each_response_has_its_own_nonce(client, portal_content):
    first = client.get("/")
    second = client.get("/")
    nonces = [_nonce(r.headers["Content-Security-Policy"], "script-src") for r in (first, second)]
    assert None not in nonces and nonces[0] != nonces[1]
    # The DSFR's scripts carry the response's nonce.
    assert all(s.get("nonce") == nonces[0] for s in _scripts(first)), _scripts(first)


def test_the_answer_form_with_its_scripts_keeps_to_the_policy(demo_data_once, db):
    client = _client("prefecture38@demo.test")
    model = Campaign.objects.get(title=BILAN_2021)
    campaign = Campaign.objects.create(
        form=model.form, title="Bilan (CSP)", opens_on=model.opens_on, due_on="2099-01-01"
    )
    organisation = Organisation.objects.get(kind="prefecture", territory__code="38")
    client.post(f"/campagnes/{campaign.pk}/repondre/{organisation.pk}/")
    submission = Submission.objects.get(campaign=campaign, organisation=organisation)
    response = client.get(f"/reponses/{submission.pk}/modifier/")
    _assert_strict(response)
    scripts = [s["src"] for s in _scripts(response) if s.get("src")]
    assert any(src.endswith("forms_app/autosave.js") for src in scripts), scripts
    _assert_strict(client.get("/mon-espace/"))


def test_the_household_pages_keep_to_the_policy(demo_households):
    client = _client("operateur38a@demo.test")
    household = Household.objects.filter(operator__name=DEMO_OPERATORS[0][0]).first()
    assert household is not None
    _assert_strict(client.get(f"/menages/{household.pk}/"))
    _assert_strict(client.get("/menages/"))
    _assert_strict(client.get("/menages/nouveau/"))


def test_the_consolidated_and_tracking_pages_keep_to_the_policy(demo_data_once, db):
    client = _client("dihal@demo.test")
    campaign = Campaign.objects.get(title=BILAN_2021)
    response = client.get(reverse("documents:consolidation", kwargs={"pk": campaign.pk}))
    _assert_strict(response)
    assert re.search(r"<svg[^>]+portal-chart__svg", response.content.decode())
    _assert_strict(client.get("/suivi/campagnes/"))
    _assert_strict(client.get(f"/suivi/campagnes/{campaign.pk}/"))


def test_the_wagtail_admin_gets_its_own_policy(login):
    client = login("dihal@demo.test")
    response = client.get("/admin/")
    assert response.status_code == 200
    directives = _directives(response.headers["Content-Security-Policy"])
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    # Wagtail's inline code is not restricted there (and no nonce is announced).
    assert "script-src" not in directives and "default-src" not in directives


def _scripts(response) -> list[dict[str, str | None]]:
    page = _PageCode()
    page.feed(response.content.decode())
    return page.scripts


def test_the_account_and_second_factor_pages_keep_to_the_policy(login):
    client = login("prefecture38@demo.test")
    _assert_strict(client.get("/accounts/reauthenticate/"))
    assert client.post("/accounts/reauthenticate/", {"password": DEMO_PASSWORD}).status_code == 302
    for path in (
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/sessions/",
        "/accounts/password/change/",
    ):
        _assert_strict(client.get(path))
