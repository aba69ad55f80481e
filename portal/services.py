"""Writes to the core data: organisations, memberships, the editors' CMS access."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from portal.models import Membership, Organisation, OrganisationKind, Role, Territory, User
from portal.permissions import is_dihal_editor

EDITORS_GROUP_NAME = "Éditeurs DIHAL"

# What a DIHAL editor may do in the Wagtail admin besides editing pages.
EDITOR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("portal", "view_territory"),
    ("portal", "change_territory"),
    ("portal", "add_organisation"),
    ("portal", "change_organisation"),
    ("portal", "view_organisation"),
    ("portal", "add_user"),
    ("portal", "change_user"),
    ("portal", "view_user"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailstreamforms", "add_form"),
    ("wagtailstreamforms", "change_form"),
    ("wagtailstreamforms", "view_form"),
    ("forms_app", "add_formsettings"),
    ("forms_app", "change_formsettings"),
    ("forms_app", "add_campaign"),
    ("forms_app", "change_campaign"),
    ("forms_app", "view_campaign"),
    ("documents", "add_consolidationrules"),
    ("documents", "change_consolidationrules"),
    ("documents", "view_consolidationrules"),
]
# Images and documents are granted per collection (Wagtail checks them on the root).
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


@transaction.atomic
def editors_group_ensure() -> Group:
    """Creates or completes the editors' group: admin access and page rights on the tree."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP_NAME)
    for app_label, codename in EDITOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    collection = Collection.get_first_root_node()
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    root = Page.get_first_root_node()
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    return group


@transaction.atomic
def organisation_create(
    *, name: str, kind: OrganisationKind, territory: Territory | None = None
) -> Organisation:
    """Creates an organisation after the model's checks (at most 3 operators a territory).

    The territory row is locked so that two concurrent creations cannot both pass the
    operator count.
    """
    if territory is not None:
        Territory.objects.select_for_update().get(pk=territory.pk)
    organisation = Organisation(name=name, kind=kind, territory=territory)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def membership_set(*, organisation: Organisation, user: User, role: Role) -> Membership:
    """Puts a person in an organisation with a role, and syncs their CMS access."""
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        membership = Membership(organisation=organisation, user=user)
    membership.role = role
    membership.full_clean()
    membership.save()
    cms_access_sync(user=user)
    return membership


def cms_access_sync(*, user: User) -> None:
    """Gives the editors' group to DIHAL editors and takes it from everyone else."""
    group = editors_group_ensure()
    if is_dihal_editor(user):
        user.groups.add(group)
    else:
        user.groups.remove(group)
