"""The one place that decides who may see, change or validate what.

Every view, download, export and queryset of the portal asks this module; later features
extend it here rather than deciding access in their own views.

The one module of ``portal`` that imports the apps' models (forms_app's answers,
households and their settings), at the top of the file: the rules about them live here.
No app's models module imports this one, so the layers stay portal < forms_app < documents
< home everywhere else.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from forms_app.models import (
    Household,
    PurgedHouseholdCounts,
    Scope,
    Submission,
    Validator,
)
from portal.models import Membership, Organisation, OrganisationKind, Role, Territory, User

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


# --- Second factor -------------------------------------------------------------------------


def must_enrol_mfa(user: AnyUser) -> bool:
    """Who must use a second factor before reaching any page beyond their account: DIHAL
    members and superusers (every territory's answers, the administration) and members of
    an operator (households' identities). Prefectures are offered it (security.md #1)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        _memberships(user)
        .filter(organisation__kind__in=[OrganisationKind.DIHAL, OrganisationKind.OPERATEUR])
        .exists()
    )


# --- Forms, campaigns and answers -------------------------------------------------------


def _organisations(user: AnyUser, *kinds: str):
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, kind__in=kinds)


def is_dihal_member(user: AnyUser) -> bool:
    """Anyone of the national unit (editors and readers) follows every territory's answers."""
    return _memberships(user).filter(organisation__kind=OrganisationKind.DIHAL).exists()


def respondent_organisations(user: AnyUser):
    """The prefectures and operators a person answers for."""
    return _organisations(user, OrganisationKind.PREFECTURE, OrganisationKind.OPERATEUR)


def submissions_visible_to(user: AnyUser):
    """Answers a person may read: an organisation's members its own; DIHAL every answer but
    household ones; a prefecture its territory's, household ones excepted (those stay with
    the operator that follows the household)."""
    queryset = Submission.objects.all()
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    own = Q(organisation_id__in=respondent_organisations(user).values("pk"))
    not_household = Q(household__isnull=True) & ~Q(
        campaign__form__advanced_settings__scope=Scope.MENAGE
    )
    if is_dihal_member(user):
        return queryset.filter(own | not_household)
    prefecture_territories = _organisations(user, OrganisationKind.PREFECTURE).values(
        "territory_id"
    )
    return queryset.filter(own | (Q(territory_id__in=prefecture_territories) & not_household))


def can_view_submission(user: AnyUser, submission) -> bool:
    return submissions_visible_to(user).filter(pk=submission.pk).exists()


def can_answer_for(user: AnyUser, organisation) -> bool:
    """Members of a prefecture or operator answer its campaigns (not readers of DIHAL)."""
    return respondent_organisations(user).filter(pk=organisation.pk).exists()


def can_edit_submission(user: AnyUser, submission) -> bool:
    """Its organisation's members, while it is a draft or returned."""
    return submission.is_editable and can_answer_for(user, submission.organisation)


def can_reopen_submission(user: AnyUser, submission) -> bool:
    """A household document is the operator's own working file: it reopens a finalised one
    (nobody validates it). Campaign answers only reopen when a validator returns them."""
    return (
        submission.household_id is not None
        and not submission.is_editable
        and can_answer_for(user, submission.organisation)
    )


def can_validate_submission(user: AnyUser, submission) -> bool:
    """DIHAL editors validate; a prefecture validates its operators' answers when the form
    says so (a prefecture's own answer still goes to DIHAL: nobody validates their own)."""
    if submission.campaign_id is None:
        return False  # a household document is nobody's to validate
    settings_ = getattr(submission.campaign.form, "advanced_settings", None)
    validated_by = settings_.validated_by if settings_ else Validator.DIHAL
    if (
        validated_by == Validator.PREFECTURE
        and submission.organisation.kind == OrganisationKind.OPERATEUR
    ):
        return (
            _organisations(user, OrganisationKind.PREFECTURE)
            .filter(territory_id=submission.territory_id)
            .exists()
        )
    return is_dihal_editor(user)


def can_follow_campaigns(user: AnyUser) -> bool:
    """DIHAL members and prefectures follow campaigns (prefectures for their territory)."""
    return is_dihal_member(user) or _organisations(user, OrganisationKind.PREFECTURE).exists()


def territories_followed_by(user: AnyUser):
    """The territories whose answers a person follows: all for DIHAL, its own for a prefecture."""
    if is_dihal_member(user):
        return Territory.objects.all()
    return Territory.objects.filter(
        pk__in=_organisations(user, OrganisationKind.PREFECTURE).values("territory_id")
    )


def can_download_submission_file(user: AnyUser, submission_file) -> bool:
    """The answer's authors get any of its files; readers only the files it was filed with."""
    submission = submission_file.submission
    if can_answer_for(user, submission.organisation):
        return True
    return can_view_submission(user, submission) and submission_file.is_filed


# --- Households ----------------------------------------------------------------------

# What a prefecture or DIHAL may read of a household: the pseudonymous reference and the
# procedure facts, never its identity, contact details, resources or causes.
HOUSEHOLD_SHARED_FIELDS = (
    "reference",
    "territory__code",
    "operator__name",
    "source",
    "referred_on",
    "stage",
    "known_to_social_services",
    "status",
    "last_exchange_on",
    "veille_due_on",
)


def household_operators(user: AnyUser):
    """The operators whose households a person follows by name (their own). A member of the
    DIHAL follows none, even if also made a member of an operator: the national unit sees
    counts, never names (domain.md §4)."""
    if is_dihal_member(user):
        return _organisations(user).none()
    return _organisations(user, OrganisationKind.OPERATEUR)


def households_followed_by(user: AnyUser):
    """Households whose whole file (identity, documents, contacts) the person may open."""
    return Household.objects.filter(operator__in=household_operators(user))


def households_of_audited_operators(user: AnyUser):
    """The households whose rows of the access trail a person reads: those of the operators
    they are responsable of (``audit_log_operators``)."""
    return Household.objects.filter(operator__in=audit_log_operators(user))


def can_follow_households(user: AnyUser) -> bool:
    return household_operators(user).exists()


def can_open_household(user: AnyUser, household) -> bool:
    """The operator that follows the household, and no one else."""
    return household_operators(user).filter(pk=household.operator_id).exists()


def households_counted_for(user: AnyUser):
    """Households a person may count and list pseudonymously (``HOUSEHOLD_SHARED_FIELDS``
    only): DIHAL all, a prefecture its territory's, an operator its own."""
    if is_dihal_member(user):
        return Household.objects.all()
    own = households_followed_by(user)
    territories = _organisations(user, OrganisationKind.PREFECTURE).values("territory_id")
    return Household.objects.filter(pk__in=own.values("pk")) | Household.objects.filter(
        territory_id__in=territories
    )


def purged_counts_for(user: AnyUser):
    """What purged households left for the bilans, in the scope of
    ``households_counted_for``: DIHAL all, a prefecture its territory's, an operator its
    own."""
    if is_dihal_member(user):
        return PurgedHouseholdCounts.objects.all()
    territories = _organisations(user, OrganisationKind.PREFECTURE).values("territory_id")
    return PurgedHouseholdCounts.objects.filter(
        Q(operator__in=household_operators(user)) | Q(territory_id__in=territories)
    )


def can_see_household_overview(user: AnyUser) -> bool:
    """DIHAL and prefectures see counts and pseudonymised rows of households."""
    return can_follow_campaigns(user)


# --- Campaign reminders -----------------------------------------------------------------


def can_remind_campaign(user: AnyUser, campaign) -> bool:
    """Whoever follows a campaign may remind its late respondents: DIHAL members every
    territory's, a prefecture its own territory's (the reminder service narrows the
    respondents with territories_followed_by). Operators never remind."""
    return can_follow_campaigns(user)


# --- Word documents and their exports -----------------------------------------------


def can_download_submission_document(user: AnyUser, submission) -> bool:
    """An answer's Word document goes to whoever may read the answer (a household's to its
    operator only)."""
    return can_view_submission(user, submission)


def can_export_campaign_documents(user: AnyUser) -> bool:
    """DIHAL and prefectures zip a campaign's documents, within the territories they follow."""
    return can_follow_campaigns(user)


def can_download_export(user: AnyUser, export) -> bool:
    """An export is its requester's: it was built for their scope."""
    return bool(user.is_authenticated and user.is_active and export.requested_by_id == user.pk)


# --- Consolidated tables -------------------------------------------------------------


def form_has_consolidation(form) -> bool:
    """Whether a form's answers are consolidated (tables, files, report): those opened in
    campaigns, never a household form's, whose files stay with the operator following each
    household."""
    settings_ = getattr(form, "advanced_settings", None)
    return settings_ is None or settings_.scope != Scope.MENAGE


def can_see_consolidation(user: AnyUser, campaign) -> bool:
    """A campaign's consolidated tables, pages and files: whoever follows campaigns (DIHAL
    every territory, a prefecture its own; the tables narrow with territories_followed_by),
    and never for a household form (form_has_consolidation). Operators: no."""
    return can_follow_campaigns(user) and form_has_consolidation(campaign.form)


# --- The access trail -----------------------------------------------------------------


def can_read_audit_log(user: AnyUser) -> bool:
    """The whole access trail (« Journal des accès ») is the DIHAL administrators': the
    editors who run the portal, and technical superusers."""
    return can_access_cms_admin(user)


def audit_log_operators(user: AnyUser):
    """The operators whose households' trail a person reads: those they are responsable of
    (never a DIHAL member's, who sees the whole trail in the admin)."""
    return household_operators(user).filter(
        memberships__user=user, memberships__role=Role.RESPONSABLE
    )


def can_read_operator_audit_log(user: AnyUser) -> bool:
    """An operator's responsable reads the trail of their own organisation's households."""
    return audit_log_operators(user).exists()
