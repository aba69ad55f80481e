"""Accounts in the Wagtail admin (/admin/users/): editors manage people, not privileges.

DIHAL editors hold portal.add_user / change_user / view_user, so they reach Wagtail's user
pages. Only a superuser may make someone a superuser or type a password for someone else:
for anyone else the create and edit forms have neither `is_superuser` nor the password
fields, and an account an editor creates gets no usable password: its owner chooses one
through allauth's password reset (« Mot de passe oublié ? », /accounts/password/reset/).
An editor may not edit a superuser's account either (changing its e-mail address and then
resetting the password would take it over).

Registered through `portal.apps.PortalUsersAppConfig.user_viewset`, which replaces
"wagtail.users" in INSTALLED_APPS.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users

NEW_ACCOUNT_HELP_TEXT = (
    "Aucun mot de passe n'est défini à la création du compte : la personne choisit le sien "
    "en suivant le lien « Mot de passe oublié ? » de la page de connexion, avec cette adresse "
    "électronique."
)


def may_manage_privileges(user) -> bool:
    """Only an active superuser grants superuser status or sets someone's password."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_superuser
    )


class PrivilegeRestrictedUserFormMixin:
    """Drops `is_superuser` and the password fields unless `for_user` is a superuser.

    Without `for_user` the form is restricted (it fails closed). Removing the fields from
    the form also means a POSTed `is_superuser=on` or `password1` is ignored: a ModelForm
    only writes the fields it has.
    """

    def __init__(self, *args, for_user=None, **kwargs):
        self.for_user = for_user
        self.restricted = not may_manage_privileges(for_user)
        super().__init__(*args, **kwargs)
        if self.restricted:
            self.fields.pop("is_superuser", None)

    @property
    def password_enabled(self):
        # Wagtail's UserForm drops password1/password2 and skips set_password() when False.
        return not self.restricted and super().password_enabled


class PortalUserCreationForm(PrivilegeRestrictedUserFormMixin, UserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.restricted:
            self.fields["email"].help_text = NEW_ACCOUNT_HELP_TEXT

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.restricted or not self.cleaned_data.get("password1"):
            user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class PortalUserEditForm(PrivilegeRestrictedUserFormMixin, UserEditForm):
    pass


class PortalUserCreateView(wagtail_users.CreateView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs


class PortalUserEditView(wagtail_users.EditView):
    def dispatch(self, request, *args, **kwargs):
        if self.object.is_superuser and not may_manage_privileges(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs


class PortalUserViewSet(wagtail_users.UserViewSet):
    add_view_class = PortalUserCreateView
    edit_view_class = PortalUserEditView
    # Wagtail's create template renders `is_superuser` unconditionally; ours only if present.
    create_template_name = "portal/user_admin/create.html"

    def get_form_class(self, for_update=False):
        if for_update:
            return PortalUserEditForm
        return PortalUserCreationForm
