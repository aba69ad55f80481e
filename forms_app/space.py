"""The signed-in person's space (« Mon espace »): their organisations and roles, the
answers expected of them, their households' veilles and their account settings.

Its URL keeps the core's namespace: the root URLconf includes this module's
``urlpatterns`` inside ``portal`` (``portal:mon_espace``), by its dotted path."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import path

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


# No app_name: the names join the including namespace, « portal ».
urlpatterns = [path("mon-espace/", mon_espace, name="mon_espace")]
