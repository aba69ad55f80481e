"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Run with ``make test-e2e`` (``make test`` leaves them out). Playwright's own browser
download is not used: the tests launch ``/usr/bin/chromium`` (``apt-get install chromium``),
or the browser named by ``PORTAL_E2E_CHROMIUM``, and are skipped when there is none.
"""

from __future__ import annotations

import os
import shutil

import pytest

from demo.accounts import DEMO_PASSWORD
from tests.signing import SECOND_FACTOR_PATH, totp_code_for

# Playwright's sync API runs an event loop in the main thread; Django would refuse its ORM
# calls there (the test's own set-up and checks) without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_E2E_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def browser(_django_db_helper):
    """Chromium for one test. Not shared across tests: while Playwright runs, asgiref sees
    an event loop in the main thread and Django hands out other connection objects, so the
    database set-up between tests (flush, then the restore of what migrations made) has to
    run with Playwright stopped."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    # A script the Content-Security-Policy blocks, or any script error, fails the test.
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # Chromium reports a refusal as « … violates the following Content Security Policy … ».
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def sign_in(page):
    """Signs in through the real login page: the password, then the authenticator's code."""

    def _sign_in(email: str):
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert SECOND_FACTOR_PATH in page.url, page.url
        page.fill("input[name=code]", totp_code_for(email))
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
        assert SECOND_FACTOR_PATH not in page.url and "/accounts/login/" not in page.url
        return page

    return _sign_in
