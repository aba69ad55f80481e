"""One click, one record: the idempotency token of the pages that create something.

A creation page (« Nouveau ménage », a new contact attempt, « Commencer » an answer or a
household document, « Nouvelle veille ») carries a random token in a hidden input, drawn
when the page is rendered. The record it creates keeps the token in its own
``creation_token`` column, unique per model; a second POST with the same token (a double
click, the browser's « resend », a retried request) finds that record and is sent to it.

Why a column on each model rather than one IdempotencyKey table: the INSERT of the record
is the only write that decides. Under concurrency the second INSERT of the same token waits
on the unique index until the first transaction ends, then fails with IntegrityError, and
the loser reads the winner's row — there is no second row to keep consistent with the
record (a key claimed by a transaction that then fails, a key pointing to a deleted
record), the record and its token go away together (a purged household takes its token
with it), and the same code holds on SQLite and PostgreSQL.

A token only ever leads to a record within the request's own scope, which the view has
already checked with ``portal.permissions`` (the operator the person works for, the
household they follow, the campaign and organisation they answer for). A token found
outside that scope — reused by another account, or pasted on another household's page —
is dropped: the request is treated as a fresh one, and nothing about the other record is
revealed. A POST without a token (a page rendered before tokens existed) behaves as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

FIELD_NAME = "creation_token"

Record = TypeVar("Record", bound=models.Model)


def new_token() -> str:
    return str(uuid.uuid4())


def posted_token(request) -> uuid.UUID | None:
    """The token the page was rendered with; none (behave as before) if absent or unreadable."""
    try:
        return uuid.UUID(request.POST.get(FIELD_NAME, ""))
    except ValueError:
        return None


def token_for_page(request) -> str:
    """The token to render: the posted one when a refused form comes back (its next POST is
    the same attempt), a new one otherwise."""
    token = posted_token(request) if request.method == "POST" else None
    return str(token) if token else new_token()


def create_once(
    *,
    scope: models.QuerySet[Record],
    token: uuid.UUID | None,
    create: Callable[[uuid.UUID | None], Record],
) -> tuple[Record, bool]:
    """The record of ``scope`` created with ``token``, or a new one made by ``create(token)``;
    returns ``(record, created)``.

    ``scope`` holds what the request may be sent to (its model's rows that the person's
    organisation may open, narrowed to the same household, form, campaign…). ``create``
    runs in a savepoint; an IntegrityError there means a concurrent request with the same
    token won (its row is then read), unless no row holds the token, in which case the
    error was another constraint's and is raised again. A token held by a row outside
    ``scope`` is dropped: ``create(None)``.
    """
    if token is None:
        return create(None), True
    found, foreign = _holder(scope, token)
    if found is not None:
        return found, False
    if foreign:
        return create(None), True  # someone else's token: a fresh request
    try:
        with transaction.atomic():
            return create(token), True
    except IntegrityError:
        found, foreign = _holder(scope, token)
        if found is not None:
            return found, False
        if foreign:
            return create(None), True
        raise


def _holder(scope: models.QuerySet[Record], token: uuid.UUID) -> tuple[Record | None, bool]:
    """(the record of ``scope`` holding ``token``, whether a record outside it holds it)."""
    holder = scope.model._default_manager.filter(**{FIELD_NAME: token}).values("pk").first()
    if holder is None:
        return None, False
    found = scope.filter(pk=holder["pk"]).first()
    return found, found is None
