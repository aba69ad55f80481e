"""Public pages of the portal that are not Wagtail pages."""

from django.template.response import TemplateResponse

from forms_app.territory_map import territory_map
from portal import permissions, selectors


def territories(request):
    """The 26 territories: map, totals, and the table grouped by region."""
    return TemplateResponse(
        request,
        "home/territories.html",
        {
            "map": territory_map(),
            "region_groups": selectors.territories_by_region(),
            "totals": selectors.territory_totals(),
            "show_discrepancies": permissions.can_see_budget_discrepancies(request.user),
        },
    )
