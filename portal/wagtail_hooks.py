"""The core data in the Wagtail admin: territories and organisations (with their members)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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
