"""Shared fixtures: the portal's content and demo accounts, loaded as `make run` loads them."""

import pytest
from django.conf import settings

from demo.accounts import demo_accounts_load
from demo.loader import demo_data_load
from home.content_loader import portal_content_load
from tests.signing import SECOND_FACTOR_PATH, sign_in


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: allauth's login rate limits live there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_content(db):
    """Territories, organisations, the editors' group and the page tree."""
    return portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)


@pytest.fixture
def demo_accounts(portal_content):
    """The demo organisations and accounts (no answers: tests make their own)."""
    demo_accounts_load()


@pytest.fixture
def demo_data(portal_content):
    """The demo accounts and campaign answers `make run` loads (households aside: they take
    a few seconds and few tests need them)."""
    demo_data_load(households=False)


@pytest.fixture
def demo_households(portal_content):
    """Everything `make run` loads in development, demo households included."""
    demo_data_load()


@pytest.fixture
def login(client, demo_accounts):
    """Signs a demo account in through the allauth login form, as a person would."""

    def _login(email: str):
        response = sign_in(client, email)
        assert response.status_code == 302, response.content[:500]
        assert not response["Location"].startswith(SECOND_FACTOR_PATH), email
        return client

    return _login
