"""django-allauth adapters and account rules: accounts are created by the DIHAL, never by
public sign-up; failed sign-ins are counted per account and per source address, so strangers
cannot lock anyone out; a second factor cannot be removed by those who must have one;
sensitive operations need a recent authentication; a change of password or second factor
ends the person's other sessions; a sign-in forgets those that have ended."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.core.exceptions import ReauthenticationRequired
from allauth.core.internal.ratelimit import get_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.permissions import must_enrol_mfa

TOO_MANY_ATTEMPTS = (
    "Trop d'essais de mot de passe pour ce compte depuis cette adresse : réessayez dans "
    "cinq minutes, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ? ». "
    "Les essais faits depuis une autre adresse ne bloquent pas votre compte ; si vous ne "
    "retrouvez pas l'accès, écrivez à la DIHAL, qui a créé votre compte."
)
CANNOT_REMOVE_TOTP = (
    "Votre rôle exige la double authentification : vous ne pouvez pas la désactiver. Pour "
    "changer de téléphone, utilisez un code de récupération, puis activez la nouvelle "
    "application ; en cas de perte, écrivez à la DIHAL."
)


class PortalAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": TOO_MANY_ATTEMPTS,
    }

    def is_open_for_signup(self, request) -> bool:
        """No public sign-up: the DIHAL creates every account in the administration."""
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        """The failed-attempt counter of an account *from one address*: five wrong passwords
        typed elsewhere leave the owner's own sign-in open (allauth counts per account only).
        Guessing many accounts from one address is capped by the ``ip`` rate limit."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"


class PortalMfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": CANNOT_REMOVE_TOTP,
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Those who must have a second factor keep their authenticator app."""
        if authenticator.type == Authenticator.Type.TOTP and must_enrol_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


# --- What the session knows of how it was opened ------------------------------------------


def signed_in_with_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included a code (allauth records each step)."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def recently_authenticated(request: HttpRequest) -> bool:
    """A password or a code typed in this session within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
    (10 minutes): at sign-in or when asked again."""
    if not request.user.is_authenticated:
        return False
    deadline = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return any(
        record.get("at", 0) >= deadline
        for record in get_authentication_records(request, request.user)
    )


def reauthentication_response(request: HttpRequest) -> HttpResponse | None:
    """None when the person authenticated recently; otherwise the page that asks for the
    password or a code, which then brings them back (a POST is replayed)."""
    if recently_authenticated(request):
        return None
    from allauth.account.adapter import get_adapter

    methods = get_adapter().get_reauthentication_methods(request.user)
    return suspend_request(request, methods[0]["url"])


def sensitive_operation(view: Callable) -> Callable:
    """Decorates a view that exports in bulk, changes templates or changes who may do what:
    it runs only after a password or a code typed within the last 10 minutes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not recently_authenticated(request):
            raise ReauthenticationRequired()
        return view(request, *args, **kwargs)

    return wrapper


# --- Sessions --------------------------------------------------------------------------------


def end_other_sessions(*, request: HttpRequest, user) -> int:
    """Ends every session of ``user`` but the one of ``request``; returns how many."""
    current = request.session.session_key
    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=current):
        session.end()
        ended += 1
    return ended


def ended_sessions_forget(*, user) -> int:
    """Forgets ``user``'s sessions that have ended (expired, or deleted), in one query;
    returns how many. At every sign-in allauth.usersessions reads each session it keeps for
    the person (three queries apiece), expired ones included: Django deletes an expired
    session only when ``clearsessions`` runs, so without this a person's sign-in grew slower
    with every session they had ever opened. An expired session cannot be used again: it
    no longer shows among the person's sessions either."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    forgotten, _ = UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    return forgotten


def _ended_sessions_receiver(sender, user=None, **kwargs) -> None:
    if user is not None:
        ended_sessions_forget(user=user)


def _end_other_sessions_receiver(sender, request=None, user=None, **kwargs) -> None:
    if request is not None and user is not None:
        end_other_sessions(request=request, user=user)


def connect_session_receivers() -> None:
    """Called by the portal's AppConfig: a password or second-factor change ends the other
    sessions (a stolen session does not survive the owner's reaction); a sign-in forgets
    the person's ended sessions (``ended_sessions_forget``)."""
    from allauth.account.signals import password_changed, password_reset, password_set
    from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset

    for signal in (
        password_changed,
        password_set,
        password_reset,
        authenticator_added,
        authenticator_removed,
        authenticator_reset,
    ):
        signal.connect(
            _end_other_sessions_receiver, dispatch_uid=f"portal-end-sessions-{id(signal)}"
        )
    # Before allauth.usersessions' own receiver (the portal's app is ready first), which then
    # reads only the sessions still open.
    user_logged_in.connect(_ended_sessions_receiver, dispatch_uid="portal-ended-sessions")
