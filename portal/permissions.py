"""The one place that decides who may see, change or validate what.

Every view, download, export and queryset of the portal asks this module; later features
extend it here rather than deciding access in their own views.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from portal.models import Membership, OrganisationKind, Role, User

AnyUser = User | AnonymousUser


def _memberships(user: AnyUser):
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related(
        "organisation", "organisation__territory"
    )


def is_dihal_editor(user: AnyUser) -> bool:
    """An editor of the DIHAL's national unit: builds content, forms and campaigns."""
    return (
        _memberships(user)
        .filter(organisation__kind=OrganisationKind.DIHAL, role=Role.EDITEUR)
        .exists()
    )


def can_access_cms_admin(user: AnyUser) -> bool:
    """Only DIHAL editors (and technical superusers) reach the Wagtail admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or is_dihal_editor(user)


def can_see_budget_discrepancies(user: AnyUser) -> bool:
    """Editors are shown where a published budget differs from ETP × 39 200 €."""
    return can_access_cms_admin(user)


def can_use_personal_space(user: AnyUser) -> bool:
    """Any signed-in, active person has a personal space (« Mon espace »)."""
    return bool(user.is_authenticated and user.is_active)
