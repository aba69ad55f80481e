"""Request guards: the Wagtail admin kept for DIHAL editors, the Permissions-Policy and the
Content-Security-Policy headers."""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.shortcuts import render

from portal.permissions import can_access_cms_admin

CMS_ADMIN_PREFIX = "/admin/"


class CmsAdminAccessMiddleware:
    """Signed-in people who are not DIHAL editors get a 403 page instead of the admin.

    Anonymous visitors fall through to Wagtail, which sends them to the allauth login.
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
