"""The core's own daily job: expired sessions leave the database (what Django's
``clearsessions`` command does), so the session table holds only live sessions and every
sign-in stays as cheap as the first."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task


@task()
def expired_sessions_clear_task() -> int:
    """Deletes the sessions past their expiry; returns how many went."""
    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return expired
