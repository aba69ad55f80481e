"""django-allauth adapter: accounts are created by the DIHAL, never by public sign-up."""

from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """No public sign-up: the DIHAL creates every account in the administration."""
        return False
