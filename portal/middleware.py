"""Request guards: the Wagtail admin kept for DIHAL editors, and the Permissions-Policy header."""

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
