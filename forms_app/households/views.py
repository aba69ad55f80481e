"""Operators' pages on their households, and the pseudonymised overview for prefectures and
DIHAL. Thin: access via portal.permissions, writes via forms_app.households.services, reads
via forms_app.households.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtailstreamforms.models import Form

from forms_app import idempotency, lifecycle
from forms_app.complete_body import INCOMPLETE_FORM_MESSAGE, body_is_complete
from forms_app.households import retention, selectors
from forms_app.households import services as households
from forms_app.households.forms import (
    ContactAttemptForm,
    HouseholdFilterForm,
    HouseholdForm,
    HouseholdStatusForm,
)
from forms_app.models import Household, HouseholdSource, HouseholdStatus, Scope, Submission
from forms_app.revisions import posted_revision, stale_message
from portal import permissions
from portal.audit import AuditAction, audit_record

PAGE_SIZE = 50
STAGE_SHORT = {"cdp": "CDP", "assignation": "Assignation", "cql": "CQL", "rfp": "RFP", "cfp": "CFP"}
OVERVIEW_PAGE_SIZE = 100


def _followed_household(request, pk: int, *, action: str = AuditAction.READ):
    """The household if the person's organisation follows it (not found otherwise); the
    access is traced."""
    household = get_object_or_404(
        permissions.households_followed_by(request.user).select_related("operator"), pk=pk
    )
    audit_record(user=request.user, action=action, household=household, request=request)
    return household


def _operator_only(request) -> None:
    if not permissions.can_follow_households(request.user):
        raise PermissionDenied


@login_required
@never_cache
def household_list(request):
    """The operator's households, filtered by stage, status, reference or name."""
    _operator_only(request)
    filters = HouseholdFilterForm(request.GET if set(request.GET) - {"page"} else None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    found = selectors.households_for_operator(
        user=request.user,
        stage=chosen.get("stage", ""),
        status=chosen.get("status", ""),
        query=chosen.get("q", ""),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        user=request.user, action=AuditAction.READ, request=request, list_of_households=True
    )
    counts = selectors.status_counts(permissions.households_followed_by(request.user))
    return TemplateResponse(
        request,
        "forms_app/households/list.html",
        {
            "filters": filters,
            "page": page,
            "total": page.paginator.count,
            "counts": [(HouseholdStatus(status).label, count) for status, count in counts.items()],
            "veilles": selectors.veille_counts(user=request.user),
            "querystring": _querystring_without_page(request),
        },
    )


def _querystring_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


HOUSEHOLD_STALE_MESSAGE = stale_message("Ce dossier a été modifié")


@login_required
@never_cache
def household_create(request):
    """Opens a case file at the person's operator; the page's token makes a second POST of
    the same page (double click, resend) lead to the household the first one opened."""
    _operator_only(request)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and not body_is_complete(request):
        return _incomplete_household_form(request, form, household=None)
    if request.method == "POST" and form.is_valid():
        household = households.household_create(
            operator=permissions.household_operators(request.user).select_related("territory")[0],
            user=request.user,
            fields=form.cleaned_data,
            creation_token=idempotency.posted_token(request),
        )
        messages.success(request, f"Ménage {household.reference} enregistré.")
        return redirect("forms_app:household_detail", pk=household.pk)
    return TemplateResponse(
        request,
        "forms_app/households/form.html",
        {"form": form, "household": None, "creation_token": idempotency.token_for_page(request)},
    )


@login_required
@never_cache
def household_edit(request, pk: int):
    """Corrects the identity or the procedure facts of a case file; a save from a page older
    than the file's revision is refused (409) and the form comes back as typed, with the
    values saved meanwhile."""
    household = _followed_household(
        request, pk, action=AuditAction.EDIT if request.method == "POST" else AuditAction.READ
    )
    revision = posted_revision(request) if request.method == "POST" else household.revision
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and not body_is_complete(request):
        return _incomplete_household_form(request, form, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            households.household_update(
                household=household, fields=form.cleaned_data, expected_revision=revision
            )
        except households.StaleHousehold:
            messages.error(request, HOUSEHOLD_STALE_MESSAGE)
            current = Household.objects.get(pk=household.pk)
            return TemplateResponse(
                request,
                "forms_app/households/form.html",
                {
                    "form": form,
                    "household": current,
                    "revision": revision,
                    "stale": True,
                    "saved_meanwhile": _saved_values_unlike(current, form),
                },
                status=409,
            )
        messages.success(request, "Dossier mis à jour.")
        return redirect("forms_app:household_detail", pk=household.pk)
    return TemplateResponse(
        request,
        "forms_app/households/form.html",
        {"form": form, "household": household, "revision": revision},
    )


def _saved_values_unlike(current: Household, form: HouseholdForm) -> list[tuple[str, str]]:
    """(label, saved value) of the fields whose saved value differs from what was typed."""
    rows = []
    for name, typed in form.cleaned_data.items():
        saved = getattr(current, name)
        if saved == typed:
            continue
        if name == "known_to_social_services":
            shown = {None: "Ne sait pas", True: "Oui", False: "Non"}[saved]
        elif hasattr(current, f"get_{name}_display"):
            shown = getattr(current, f"get_{name}_display")()
        elif hasattr(saved, "strftime"):
            shown = f"{saved:%d/%m/%Y}"
        else:
            shown = saved or "—"
        rows.append((form.fields[name].label, shown))
    return rows


def _incomplete_household_form(request, form, *, household):
    """The case file's form again, with what arrived and nothing saved (400)."""
    messages.error(request, INCOMPLETE_FORM_MESSAGE)
    return TemplateResponse(
        request,
        "forms_app/households/form.html",
        {"form": form, "household": household},
        status=400,
    )


@login_required
@never_cache
def household_detail(
    request, pk: int, contact_form=None, status_form=None, revision=None, status=200
):
    """The case file: identity, facts, contacts, documents and timeline."""
    household = _followed_household(request, pk)
    return TemplateResponse(
        request,
        "forms_app/households/detail.html",
        {
            "household": household,
            "contact_form": contact_form or ContactAttemptForm(),
            "contact_token": idempotency.token_for_page(request) if contact_form else "",
            "status_form": status_form or HouseholdStatusForm(initial={"status": household.status}),
            "revision": household.revision if revision is None else revision,
            "stale": revision is not None,
            "documents": selectors.household_documents(household=household),
            "timeline": selectors.household_timeline(household=household),
            "contacts": household.contact_attempts.all(),
            "today": selectors.today(),
            "purge_due_at": retention.household_purge_due_at(household=household),
        },
        status=status,
    )


@login_required
@never_cache
@require_POST
def household_contact_add(request, pk: int):
    """Records a contact attempt; an invalid one comes back with its errors. The form's token
    makes a second POST of the same form lead to the attempt the first one recorded."""
    household = _followed_household(request, pk, action=AuditAction.EDIT)
    form = ContactAttemptForm(request.POST)
    if not body_is_complete(request):
        messages.error(request, INCOMPLETE_FORM_MESSAGE)
        return household_detail(request, pk, contact_form=form, status=400)
    if not form.is_valid():
        messages.error(
            request, "La tentative de contact n'a pas été enregistrée : voir le formulaire."
        )
        return household_detail(request, pk, contact_form=form, status=400)
    households.contact_attempt_add(
        household=household,
        user=request.user,
        creation_token=idempotency.posted_token(request),
        **form.cleaned_data,
    )
    messages.success(request, "Tentative de contact enregistrée.")
    return redirect("forms_app:household_detail", pk=household.pk)


@login_required
@never_cache
@require_POST
def household_status_set(request, pk: int):
    """The operator's choice of status; one made on a page older than the file's revision
    (the status moved on meanwhile) is refused (409), the choice shown back."""
    household = _followed_household(request, pk, action=AuditAction.EDIT)
    form = HouseholdStatusForm(request.POST)
    if form.is_valid():
        try:
            households.household_status_set(
                household=household,
                status=form.cleaned_data["status"],
                expected_revision=posted_revision(request),
            )
        except households.StaleHousehold:
            messages.error(request, HOUSEHOLD_STALE_MESSAGE)
            return household_detail(
                request, pk, status_form=form, revision=posted_revision(request), status=409
            )
        messages.success(request, f"Statut : {household.get_status_display()}.")
    else:
        messages.error(request, "Choisissez un statut dans la liste.")
    return redirect("forms_app:household_detail", pk=household.pk)


@login_required
@never_cache
@require_POST
def household_document_open(request, pk: int, form_id: int):
    """Opens the household's document of a form (created and prefilled the first time)."""
    household = _followed_household(request, pk, action=AuditAction.EDIT)
    form = get_object_or_404(Form, pk=form_id, advanced_settings__scope=Scope.MENAGE)
    document = households.household_document_open(
        household=household,
        form=form,
        user=request.user,
        creation_token=idempotency.posted_token(request),
    )
    return redirect("forms_app:answer_edit", pk=document.pk)


def followed_household_document(request, pk: int) -> Submission:
    """A document of a household the person's organisation follows (not found otherwise);
    the access is traced as an edit. The household documents' own pages start with it."""
    document = get_object_or_404(
        Submission.objects.filter(
            household__in=permissions.households_followed_by(request.user)
        ).select_related("household"),
        pk=pk,
    )
    audit_record(
        user=request.user,
        action=AuditAction.EDIT,
        household=document.household,
        submission=document,
        request=request,
    )
    return document


@login_required
@never_cache
@require_POST
def household_document_reopen(request, pk: int):
    """Takes a finalised household document back to draft."""
    document = followed_household_document(request, pk)
    if not permissions.can_reopen_submission(request.user, document):
        return redirect("forms_app:answer_detail", pk=document.pk)
    try:
        lifecycle.submission_reopen(
            submission=document, user=request.user, expected_revision=posted_revision(request)
        )
    except (lifecycle.StaleSubmission, lifecycle.WrongStatus):
        messages.info(request, "Ce document a changé entre-temps : relisez-le.")
        return redirect("forms_app:answer_detail", pk=document.pk)
    messages.success(request, "Document rouvert : il est de nouveau modifiable.")
    return redirect("forms_app:answer_edit", pk=document.pk)


@login_required
@never_cache
def veilles_to_do(request):
    """« Veilles à faire »: follow-ups due 15 days after the last exchange, overdue first."""
    _operator_only(request)
    audit_record(
        user=request.user, action=AuditAction.READ, request=request, list_of_households=True
    )
    return TemplateResponse(
        request,
        "forms_app/households/veilles.html",
        {
            "households": selectors.veilles_to_do(user=request.user),
            "today": selectors.today(),
            "veille_form": next(
                (
                    f
                    for f in households.household_forms()
                    if households.household_role(f) == "veille"
                ),
                None,
            ),
        },
    )


@login_required
@never_cache
def household_overview(request):
    """Prefectures and DIHAL: counts and pseudonymised rows, never a name or a document."""
    if not permissions.can_see_household_overview(request.user):
        raise PermissionDenied
    territory_code = request.GET.get("territoire", "")
    status = request.GET.get("statut", "")
    if status not in HouseholdStatus.values:
        status = ""
    rows = selectors.pseudonymised_rows(
        user=request.user, territory_code=territory_code, status=status
    )
    page = Paginator(rows, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "forms_app/households/overview.html",
        {
            "territories": selectors.household_overview(user=request.user),
            "page": page,
            "statuses": HouseholdStatus.choices,
            "status_labels": dict(HouseholdStatus.choices),
            "stage_short": STAGE_SHORT,
            "source_labels": dict(HouseholdSource.choices),
            "chosen_territory": territory_code,
            "chosen_status": status,
            "querystring": _querystring_without_page(request),
        },
    )
