"""The core data in the Wagtail admin: territories and organisations (with their members),
and the access trail (« Journal des accès », under Paramètres)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal import audit_views, permissions
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
