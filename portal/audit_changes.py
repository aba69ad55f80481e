"""Audit rows for the changes of who may do what: a membership created, deleted or given
another role, a person made superuser or staff or put in or out of a group.

Model signals see every way these change (the admin's organisation and user pages,
Django's admin, a shell); the person acting and their address come from the request the
middleware bound (portal.audit.request_bound), none for the portal itself."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from portal.audit import AuditAction, audit_record, current_request
from portal.models import Membership, Role, User

MEMBERSHIP = "appartenance"
PRIVILEGES = "droits d'un compte"
PRIVILEGE_FLAGS = (("is_superuser", "superutilisateur"), ("is_staff", "équipe"))


def _record(*, object_type: str, reference: str) -> None:
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    audit_record(
        user=actor if actor is not None and actor.is_authenticated else None,
        action=AuditAction.MEMBERSHIP,
        request=request,
        object_type=object_type,
        object_reference=reference,
    )


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def _membership_name(membership: Membership) -> str:
    return f"{membership.user.email} — {membership.organisation.name}"


def membership_before_save(sender, instance: Membership, **kwargs) -> None:
    instance._audit_previous_role = (
        Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
        if instance.pk
        else None
    )


def membership_saved(sender, instance: Membership, created: bool, **kwargs) -> None:
    previous = getattr(instance, "_audit_previous_role", None)
    if created or previous is None:
        change = f"ajout ({_role_label(instance.role)})"
    elif previous != instance.role:
        change = f"rôle : {_role_label(previous)} → {_role_label(instance.role)}"
    else:
        return
    _record(object_type=MEMBERSHIP, reference=f"{_membership_name(instance)} : {change}")


def membership_deleted(sender, instance: Membership, **kwargs) -> None:
    _record(
        object_type=MEMBERSHIP,
        reference=f"{_membership_name(instance)} : retrait ({_role_label(instance.role)})",
    )


def _flags_untouched(update_fields) -> bool:
    """A save of other fields only (a sign-in's ``last_login``) changes no privilege."""
    return update_fields is not None and not {flag for flag, _ in PRIVILEGE_FLAGS} & set(
        update_fields
    )


def user_before_save(sender, instance: User, update_fields=None, **kwargs) -> None:
    if _flags_untouched(update_fields):
        instance._audit_previous_flags = None
        return
    instance._audit_previous_flags = (
        User.objects.filter(pk=instance.pk).values(*(flag for flag, _ in PRIVILEGE_FLAGS)).first()
        if instance.pk
        else None
    )


def user_saved(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    if _flags_untouched(update_fields):
        return
    previous = getattr(instance, "_audit_previous_flags", None) or {}
    for flag, label in PRIVILEGE_FLAGS:
        now = getattr(instance, flag)
        before = previous.get(flag, False)
        if now != before:
            change = "accordé" if now else "retiré"
            _record(object_type=PRIVILEGES, reference=f"{instance.email} : {label} {change}")


def groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A person put in or taken out of a group, from either side of the relation."""
    if action == "pre_clear":
        # pk_set is None on a clear: remember who is about to leave.
        instance._audit_cleared = (
            list(instance.user_set.values_list("pk", flat=True))
            if reverse
            else list(instance.groups.values_list("pk", flat=True))
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", [])
    change = "ajout au groupe" if action == "post_add" else "retrait du groupe"
    if reverse:
        pairs = [(user, instance) for user in User.objects.filter(pk__in=pk_set)]
    else:
        pairs = [(instance, group) for group in Group.objects.filter(pk__in=pk_set)]
    for user, group in pairs:
        _record(object_type=PRIVILEGES, reference=f"{user.email} : {change} « {group.name} »")


def audit_changes_connect() -> None:
    """Connects the receivers (PortalConfig.ready)."""
    uid = "portal.audit_changes"
    pre_save.connect(membership_before_save, sender=Membership, dispatch_uid=f"{uid}.m0")
    post_save.connect(membership_saved, sender=Membership, dispatch_uid=f"{uid}.m1")
    post_delete.connect(membership_deleted, sender=Membership, dispatch_uid=f"{uid}.m2")
    pre_save.connect(user_before_save, sender=User, dispatch_uid=f"{uid}.u0")
    post_save.connect(user_saved, sender=User, dispatch_uid=f"{uid}.u1")
    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid=f"{uid}.g")
