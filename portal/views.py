"""Views of the portal's core: the personal space and the door redirects."""

from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from forms_app import selectors as forms_selectors
from forms_app.households import selectors as household_selectors
from portal import permissions, selectors


@login_required
def mon_espace(request):
    """The signed-in person's space: their organisations, roles and account settings."""
    return TemplateResponse(
        request,
        "portal/mon_espace.html",
        {
            "memberships": selectors.memberships_of(user=request.user),
            "can_access_cms_admin": permissions.can_access_cms_admin(request.user),
            "expected_answers": forms_selectors.expected_answers_for(user=request.user),
            "can_follow_campaigns": permissions.can_follow_campaigns(request.user),
            "veilles": household_selectors.veille_counts(user=request.user)
            if permissions.can_follow_households(request.user)
            else None,
            "can_see_household_overview": permissions.can_see_household_overview(request.user),
            "has_second_factor": is_mfa_enabled(request.user, types=["totp"]),
            "can_read_operator_audit_log": permissions.can_read_operator_audit_log(request.user),
        },
    )


def login_redirect(request):
    """Every login door (Wagtail's included) leads to the one allauth login page."""
    url = reverse("account_login")
    next_url = request.GET.get("next")
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(url)


def not_found(request, *args, **kwargs):
    """Routes that must not exist answer as if they did not."""
    raise Http404
