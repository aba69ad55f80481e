"""The core data in the Wagtail admin: territories and organisations (with their members),
and the recent authentication asked before anyone changes accounts or memberships, and the
access trail (« Journal des accès », under Paramètres)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal import audit_views, permissions
from portal.accounts import reauthentication_response
from portal.models import Organisation, Territory


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "site"
    menu_label = "Territoires"
    list_display = ["code", "name", "region", "etp", "budget_2021"]
    list_filter = ["region"]
    search_fields = ["code", "name", "region"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "kind", "territory"]
    list_filter = ["kind", "territory"]
    search_fields = ["name"]


class PortalViewSetGroup(SnippetViewSetGroup):
    items = (TerritoryViewSet, OrganisationViewSet)
    menu_icon = "site"
    menu_label = "Dispositif"
    menu_name = "dispositif"


register_snippet(PortalViewSetGroup)


# Accounts and memberships decide who sees households' data: changing them needs a password
# or a code typed within the last 10 minutes (portal.accounts.sensitive_operation).
@hooks.register("before_create_user")
@hooks.register("before_edit_user")
@hooks.register("before_delete_user")
def _recent_authentication_for_accounts(request, *args):
    return reauthentication_response(request)


@hooks.register("before_create_snippet")
@hooks.register("before_edit_snippet")
@hooks.register("before_delete_snippet")
def _recent_authentication_for_memberships(request, target):
    model = (
        target
        if isinstance(target, type)
        else type(target[0] if isinstance(target, list) else target)
    )
    if issubclass(model, Organisation):
        return reauthentication_response(request)
    return None


audit_urls = (
    [
        path("", audit_views.admin_audit_log, name="index"),
        path("export.csv", audit_views.admin_audit_log_csv, name="export"),
    ],
    "portal_audit",
)


@hooks.register("register_admin_urls")
def register_audit_log_urls():
    return [path("journal-des-acces/", include(audit_urls))]


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.can_read_audit_log(request.user)


@hooks.register("register_settings_menu_item")
def register_audit_log_menu_item():
    return AuditLogMenuItem(
        "Journal des accès", reverse("portal_audit:index"), icon_name="list-ul", order=900
    )
