"""Public pages of the portal that are not Wagtail pages."""

from django.conf import settings
from django.http import Http404
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


def load_test_base(request):
    """The base DSFR template and nothing else: the load test's yardstick, against which the
    portal's pages are compared on the same processes. Served only when
    settings.PORTAL_LOAD_TEST_VIEW is on (`make prod-local`); 404 otherwise."""
    if not settings.PORTAL_LOAD_TEST_VIEW:
        raise Http404
    return TemplateResponse(request, "base.html", {})
