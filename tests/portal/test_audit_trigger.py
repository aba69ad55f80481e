"""On PostgreSQL the database itself refuses to change or remove an audit row (the trigger
of portal/migrations/0003_audit_context.py), whatever SQL the portal's role sends."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from portal.audit import audit_record
from portal.models import AuditAction, AuditEntry

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger"),
]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE portal_auditentry SET user_email = 'autre@example.fr' WHERE id = %s",
        "DELETE FROM portal_auditentry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_an_audit_row(sql):
    entry = audit_record(user=None, action=AuditAction.READ, object_type="essai")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, user_email="").exists()
