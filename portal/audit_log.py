"""Reading the access trail: its filters (person, organisation, territory, action, period),
the rows a person may read, and their CSV export."""

from __future__ import annotations

import csv
import datetime
import io

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal import permissions
from portal.models import AuditAction, AuditEntry, Organisation, Territory, User
from portal.text import NormalisedFormMixin

# What a spreadsheet may read as a formula (as documents.consolidation.files).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADERS = (
    "Date et heure",
    "Personne",
    "Rôle",
    "Organisation",
    "Territoire",
    "Action",
    "Ménage",
    "Document",
    "Type d'objet",
    "Objet",
    "Adresse",
    "Adresse IP",
)


class AuditLogFilterForm(NormalisedFormMixin, forms.Form):
    """The filters of the trail; ``with_organisation=False`` for an operator's own page."""

    personne = forms.CharField(label="Personne (adresse contient)", required=False)
    organisation = forms.ChoiceField(label="Organisation", required=False)
    territoire = forms.ChoiceField(label="Territoire", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes")] + AuditAction.choices
    )
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, with_organisation: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if with_organisation:
            self.fields["organisation"].choices = [("", "Toutes")] + [
                (name, name) for name in Organisation.objects.values_list("name", flat=True)
            ]
        else:
            del self.fields["organisation"]
        self.fields["territoire"].choices = [("", "Tous")] + [
            (code, f"{code} — {name}")
            for code, name in Territory.objects.values_list("code", "name")
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            self.add_error("au", "La fin de la période précède son début.")
        return cleaned


def _listed(value: str, field: str) -> Q:
    """``value`` is one of the comma-separated items of ``field`` (« 38, 93 »)."""
    return (
        Q(**{field: value})
        | Q(**{f"{field}__startswith": f"{value}, "})
        | Q(**{f"{field}__endswith": f", {value}"})
        | Q(**{f"{field}__contains": f", {value}, "})
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries_filtered(*, entries: QuerySet, form: AuditLogFilterForm) -> QuerySet:
    """``entries`` narrowed by the valid filters of ``form`` (an invalid form: no narrowing
    by the fields in error)."""
    if not form.is_bound:
        return entries
    form.is_valid()
    data = form.cleaned_data
    if data.get("personne"):
        entries = entries.filter(user_email__icontains=data["personne"].strip())
    if data.get("organisation"):
        entries = entries.filter(_listed(data["organisation"], "organisation"))
    if data.get("territoire"):
        entries = entries.filter(_listed(data["territoire"], "territory_code"))
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("du"):
        entries = entries.filter(at__gte=_day_start(data["du"]))
    if data.get("au"):
        entries = entries.filter(at__lt=_day_start(data["au"] + datetime.timedelta(days=1)))
    return entries


def audit_entries_all() -> QuerySet:
    """The whole trail, newest first (DIHAL administrators)."""
    return AuditEntry.objects.all()


def audit_entries_of_operators(*, user: User) -> QuerySet:
    """The rows naming a household of the operators the person is responsable of."""
    references = permissions.households_of_audited_operators(user).values("reference")
    return AuditEntry.objects.filter(household_reference__in=references)


def _cell(value) -> str:
    """Text no spreadsheet reads as a formula (security.md #8)."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def audit_entries_csv(*, entries: QuerySet) -> bytes:
    """The rows for French Excel: UTF-8 with a BOM, « ; » between fields, French headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow(
            _cell(value)
            for value in (
                timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
                entry.user_email,
                entry.role,
                entry.organisation,
                entry.territory_code,
                entry.get_action_display(),
                entry.household_reference,
                entry.submission_id or "",
                entry.object_type,
                entry.object_reference,
                entry.path,
                entry.ip or "",
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
