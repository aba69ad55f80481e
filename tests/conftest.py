"""Shared fixtures: the portal's content, loaded once per test database and rolled back to
by every test, and the demo accounts and data, loaded as `make run` loads them.

The base (territories, organisations, the editors' group, the page tree, the seeded forms
and campaigns) is loaded by ``django_db_setup`` right after the test database is migrated:
once per pytest-xdist worker, each worker having its own database. A test runs in a
transaction rolled back at its end, so it starts from the base again. A transactional test
(``transaction=True``, ``transactional_db``, ``live_server``) commits and the database is
flushed when it ends: ``pytest_runtest_teardown`` puts the base back. A test that needs the
database as migrations leave it, before any content, asks for ``empty_database``.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from demo.accounts import demo_accounts_load
from demo.loader import demo_data_load
from home.content_loader import LoadReport, portal_content_load
from tests.s3 import s3_bucket, s3_server, s3_storages  # noqa: F401 - fixtures
from tests.signing import SECOND_FACTOR_PATH, sign_in

# Tests build many short-lived objects (requests, querysets, templates): the collector's
# default thresholds spent about a tenth of the run walking them.
gc.set_threshold(50_000, 20, 100)

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


class BaseContent:
    """What ``django_db_setup`` loaded: the load's report, and the database serialised as
    migrations left it (``migrated``) and with the base loaded (``loaded``)."""

    report: LoadReport | None = None
    migrated: str = ""
    loaded: str = ""
    blocker = None


def database_flush() -> None:
    """Deletes every row of every table (in the current transaction, if there is one)."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=False, allow_cascade=False
    )
    connection.ops.execute_sql_flush(statements)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the portal's content loaded once."""
    BaseContent.blocker = django_db_blocker
    with django_db_blocker.unblock():
        BaseContent.migrated = connection.creation.serialize_db_to_string()
        BaseContent.report = portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
        BaseContent.loaded = connection.creation.serialize_db_to_string()
        # Django's serialised rollback (the transactional tests ask for it) puts back what it
        # serialised at set-up: the base rather than the bare migrated database.
        connection._test_serialized_contents = BaseContent.loaded


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test, once its fixtures are torn down (the database flushed),
    the base is loaded again; not after the last test, whose teardown drops the database."""
    result = yield
    if nextitem is not None and BaseContent.blocker is not None and _is_transactional(item):
        with BaseContent.blocker.unblock():
            base_restore()
    return result


def base_restore() -> None:
    """Puts the base back in a flushed database, its sequences after its rows."""
    if ContentType.objects.exists():
        # A flush without serialised rollback runs post_migrate, which makes the content
        # types again under new keys: start from no row at all (this flush resets the
        # sequences, hence sequences_after_rows below).
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(BaseContent.loaded)
    sequences_after_rows()


def sequences_after_rows() -> None:
    """Every table's id sequence just after its largest id (PostgreSQL): the base's rows
    come back with their own ids, and a flush that reset the sequences would otherwise hand
    those ids out again (« duplicate key » in the next test). As loaddata does."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture
def empty_database(db):
    """The database as migrations leave it, before the portal's content (in the test's
    transaction: the base is back for the next test)."""
    database_flush()
    connection.creation.deserialize_db_from_string(BaseContent.migrated)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: allauth's login rate limits live there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_content(db):
    """Territories, organisations, the editors' group and the page tree: the base every
    test starts from; returns the report of its load."""
    return BaseContent.report


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


@contextmanager
def rolled_back_for_module(django_db_blocker, **load_options):
    """Demo data loaded once for a module whose tests only read it (or write in their own
    savepoint): in a transaction rolled back at the module's end, as the access matrix's
    world; the module's tests ask for ``db`` too."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_data_load(**load_options)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_data_once(django_db_setup, django_db_blocker):
    """What ``demo_data`` loads, once for the module (``rolled_back_for_module``)."""
    with rolled_back_for_module(django_db_blocker, households=False):
        yield


@pytest.fixture(scope="module")
def demo_households_once(django_db_setup, django_db_blocker):
    """What ``demo_households`` loads, once for the module (``rolled_back_for_module``)."""
    with rolled_back_for_module(django_db_blocker):
        yield


@pytest.fixture
def login(client, demo_accounts):
    """Signs a demo account in through the allauth login form, as a person would."""

    def _login(email: str):
        response = sign_in(client, email)
        assert response.status_code == 302, response.content[:500]
        assert not response["Location"].startswith(SECOND_FACTOR_PATH), email
        return client

    return _login


@pytest.fixture
def exports_dir(settings, tmp_path):
    """The exports storage (STORAGES["exports"]) on a directory of the test's own."""
    directory = tmp_path / "exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory), "base_url": None},
        },
    }
    return directory
