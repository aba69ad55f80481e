"""Request guards: the session's activity recorded, a second factor before any page for
those who must have one, the Wagtail admin kept for DIHAL editors (and each request bound for
the audit of the changes made while serving it), the Permissions-Policy and the
Content-Security-Policy headers."""

from allauth.account.adapter import get_adapter
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions import app_settings as usersessions_settings
from allauth.usersessions.internal import usersessionkit
from allauth.usersessions.models import UserSession
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from portal.accounts import signed_in_with_second_factor
from portal.audit import request_bound
from portal.permissions import can_access_cms_admin, must_enrol_mfa
from portal.text import is_normalised, normalise_text, normalised_query_dict

CMS_ADMIN_PREFIX = "/admin/"
# What a person who must enrol may still reach: their account (sign-out, password, second
# factor, sessions) and the static files those pages need.
MFA_ENROLMENT_OPEN_PREFIXES = ("/accounts/",)
MUST_ENROL = (
    "Votre rôle donne accès à des données personnelles de ménages ou à l'ensemble des "
    "territoires : activez la double authentification (application d'authentification) "
    "pour continuer. Cela prend deux minutes."
)


class InputNormalisationMiddleware:
    """Every key and value of the query string and of a posted form, and every uploaded
    file's name, normalised once (``portal.text.normalise_text``: no NUL nor any character
    XML 1.0 forbids, Unicode NFC) before anything else reads them.

    Why at the boundary: the portal reads people's input in many places — the answer
    forms and their autosave, the household forms, every list's query-string filters (some
    read straight from ``request.GET``), the access trail, the consolidation pages, the
    Wagtail admin. One place that lets in only text PostgreSQL and a Word document can hold
    is the one rule no new page can forget; a NUL in a filter was a 500 (``DataError``) on
    PostgreSQL. The forms keep their own normalisation (``NormalisedFormMixin`` and the
    field types) for the paths that do not come through HTTP.

    The query string is normalised on every request; a form body on POST, the only method
    whose body Django parses into ``request.POST`` (it is parsed here rather than a moment
    later by the CSRF check; a malformed one is Django's 400, as before). Lone surrogates
    cannot come through HTTP: Django decodes invalid UTF-8 as U+FFFD, which is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_normalised(request.GET):
            request.GET = normalised_query_dict(request.GET)
        if request.method == "POST":
            if not is_normalised(request.POST):
                request.POST = normalised_query_dict(request.POST)
            self._normalise_files(request)
        return self.get_response(request)

    @staticmethod
    def _normalise_files(request) -> None:
        files = request.FILES
        for upload in (item for values in files.lists() for item in values[1]):
            if upload.name and normalise_text(upload.name) != upload.name:
                upload.name = normalise_text(upload.name)
        if any(normalise_text(key) != key for key in files):
            cleaned = type(files)()
            for key, values in files.lists():
                for upload in values:
                    cleaned.appendlist(normalise_text(key), upload)
            request._files = cleaned


class SessionActivityMiddleware:
    """allauth.usersessions' activity tracking (when and from where each session was last
    seen, listed at /accounts/sessions/) in one query a request instead of five.

    allauth's middleware reads the session's row and its user, then saves every field in a
    transaction, on every request. Here one conditional UPDATE moves ``last_seen_at`` when the
    row already holds this person, address and browser, which is nearly always; otherwise
    (a new session, another address or browser) allauth's own tracking runs, with its
    ``session_client_changed`` signal. In MIDDLEWARE where allauth's would be."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._track(request)
        return self.get_response(request)

    @staticmethod
    def _track(request) -> None:
        user, session = getattr(request, "user", None), getattr(request, "session", None)
        if not usersessions_settings.TRACK_ACTIVITY or session is None or user is None:
            return
        if not user.is_authenticated or not session.session_key:
            return
        agent_length = UserSession._meta.get_field("user_agent").max_length
        seen = UserSession.objects.filter(
            session_key=session.session_key,
            user=user,
            ip=get_adapter().get_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:agent_length],
        ).update(last_seen_at=timezone.now())
        if not seen:
            usersessionkit.track_activity(request, user=user, session=session)


class MfaEnrolmentMiddleware:
    """Sends a person who must have a second factor (``must_enrol_mfa``) and has none to
    the TOTP activation page, whatever page they asked for.

    A session opened with a code costs no query: allauth records how it was opened."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol_first(request):
            messages.warning(request, MUST_ENROL)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_enrol_first(self, request) -> bool:
        if not request.user.is_authenticated or self._open(request.path):
            return False
        if signed_in_with_second_factor(request) or not must_enrol_mfa(request.user):
            return False
        return not is_mfa_enabled(request.user, types=["totp"])

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(MFA_ENROLMENT_OPEN_PREFIXES) or path.startswith(settings.STATIC_URL)


class CmsAdminAccessMiddleware:
    """Signed-in people who are not DIHAL editors get a 403 page instead of the admin.

    Anonymous visitors fall through to Wagtail, which sends them to the allauth login.
    Every request served is bound for the audit of the changes made while serving it
    (memberships and privileges, recorded by portal.audit_changes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(CMS_ADMIN_PREFIX)
            and request.user.is_authenticated
            and not can_access_cms_admin(request.user)
        ):
            return render(request, "portal/cms_admin_refused.html", status=403)
        with request_bound(request):
            return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Sends ``PORTAL_PERMISSIONS_POLICY`` on every response (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PORTAL_PERMISSIONS_POLICY)
        return response


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``PORTAL_CMS_ADMIN_CSP`` for Wagtail's admin.

    The portal's pages get ``CONTENT_SECURITY_POLICY`` (nonces, no ``unsafe-inline``); under
    ``/admin/`` the policy is replaced, since Wagtail's admin needs its inline code.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        """The parts django-csp builds the header from; the admin's policy under /admin/."""
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(CMS_ADMIN_PREFIX)
        ):
            parts.config = default_config(settings.PORTAL_CMS_ADMIN_CSP)
            # default_config() starts from django-csp's default-src 'self': not for the admin.
            parts.config["default-src"] = None
        return parts
