"""django-allauth adapter: accounts are created by the DIHAL, never by public sign-up; failed
sign-ins are counted per account and per source address, so strangers cannot lock anyone out."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip
from django.http import HttpRequest

TOO_MANY_ATTEMPTS = (
    "Trop d'essais de mot de passe pour ce compte depuis cette adresse : réessayez dans "
    "cinq minutes, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ? ». "
    "Les essais faits depuis une autre adresse ne bloquent pas votre compte ; si vous ne "
    "retrouvez pas l'accès, écrivez à la DIHAL, qui a créé votre compte."
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
