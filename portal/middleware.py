"""Request guards: the Wagtail admin kept for DIHAL editors (and each request bound for the
audit of the changes made while serving it), and the Permissions-Policy header."""

from django.conf import settings
from django.shortcuts import render

from portal.audit import request_bound
from portal.permissions import can_access_cms_admin

CMS_ADMIN_PREFIX = "/admin/"


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
