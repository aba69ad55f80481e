"""A sign-in forgets the person's sessions that have ended (expired or deleted), keeps the
open ones, and costs the same queries however many ended sessions the person had."""

import datetime

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PersonFactory
from tests.signing import sign_in, signed_in


def _ended_sessions(user, *, count: int) -> list[str]:
    """``count`` sessions of ``user`` that have ended: half expired, half deleted."""
    keys = []
    for n in range(count):
        key = f"ended-{user.pk}-{n:04d}".ljust(32, "x")
        if n % 2 == 0:
            Session.objects.create(
                session_key=key,
                session_data="",
                expire_date=timezone.now() - datetime.timedelta(hours=2),
            )
        UserSession.objects.create(user=user, session_key=key, ip="127.0.0.1")
        keys.append(key)
    return keys


def test_a_sign_in_forgets_the_ended_sessions_and_keeps_the_open_ones(portal_content):
    person = PersonFactory()
    open_client = signed_in(person.email)
    ended = _ended_sessions(person, count=6)

    new_client = signed_in(person.email)

    kept = set(UserSession.objects.filter(user=person).values_list("session_key", flat=True))
    assert kept == {open_client.session.session_key, new_client.session.session_key}
    assert not kept & set(ended)
    assert open_client.get("/mon-espace/").status_code == 200


def _sign_in_queries(email: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = sign_in(client, email)
    assert response.status_code == 302
    count = len(queries)  # before the next request resets the connection's log
    client.post("/accounts/logout/")
    return count


def test_the_queries_of_a_sign_in_do_not_grow_with_ended_sessions(portal_content):
    person = PersonFactory()
    _sign_in_queries(person.email)  # one ended session (signed out) from now on

    _ended_sessions(person, count=20)
    with_many = _sign_in_queries(person.email)
    with_one = _sign_in_queries(person.email)

    assert with_many == with_one


def test_each_request_records_when_and_from_where_the_session_was_seen(portal_content):
    person = PersonFactory()
    client = signed_in(person.email, HTTP_USER_AGENT="Navigateur du bureau")
    row = UserSession.objects.get(session_key=client.session.session_key)
    UserSession.objects.filter(pk=row.pk).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=30)
    )

    with CaptureQueriesContext(connection) as queries:
        client.get("/mon-espace/", HTTP_USER_AGENT="Navigateur du bureau")
    updates = [q["sql"] for q in queries if "usersessions_usersession" in q["sql"]]
    assert len(updates) == 1 and updates[0].startswith("UPDATE")
    seen = UserSession.objects.get(pk=row.pk)
    assert timezone.now() - seen.last_seen_at < datetime.timedelta(minutes=1)
    assert seen.user_agent == "Navigateur du bureau"

    client.get("/mon-espace/", HTTP_USER_AGENT="Téléphone", REMOTE_ADDR="10.0.0.7")
    moved = UserSession.objects.get(pk=row.pk)
    assert (moved.user_agent, moved.ip) == ("Téléphone", "10.0.0.7")
    assert UserSession.objects.filter(user=person).count() == 1
