"""The operator's forms on a case file: the household, a contact attempt, its status, and the
list's filters. Each normalises the data it is bound to (``portal.text.NormalisedFormMixin``,
as the middleware does over HTTP); the contact's note, a multi-line text, keeps what is typed
before it (``MultiLineTextFormField``)."""

from __future__ import annotations

import re

from django import forms

from forms_app.field_base import MultiLineTextFormField
from forms_app.models import (
    ContactAttempt,
    Household,
    HouseholdStatus,
    ProcedureStage,
)
from forms_app.selectors import today
from portal.text import NormalisedFormMixin

KNOWN_CHOICES = [("", "Ne sait pas"), ("oui", "Oui"), ("non", "Non")]
DATE_INPUT = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
DATE_ERRORS = {"invalid": "Saisissez une date valide, par exemple 15/03/2021."}


def _dsfr_selects(form: forms.BaseForm) -> None:
    """DSFR's select style, and a French prompt instead of Django's dashes."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.attrs["class"] = "fr-select"
            choices = list(field.choices)
            if choices and choices[0] == ("", "---------"):
                field.choices = [("", "Choisir dans la liste"), *choices[1:]]


def _not_in_future(value):
    if value and value > today():
        raise forms.ValidationError("Cette date est dans le futur.")
    return value


class HouseholdForm(NormalisedFormMixin, forms.ModelForm):
    """Opening or correcting a case file (identity and procedure facts)."""

    known_to_social_services = forms.TypedChoiceField(
        label="Connu des services sociaux",
        choices=KNOWN_CHOICES,
        coerce=lambda value: value == "oui",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Household
        fields = [
            "nom",
            "prenom",
            "adresse_logement",
            "telephone",
            "email",
            "source",
            "referred_on",
            "stage",
            "known_to_social_services",
        ]
        widgets = {"referred_on": DATE_INPUT["widget"]}
        error_messages = {"referred_on": DATE_ERRORS, "nom": {"required": "Indiquez le nom."}}
        help_texts = {
            "referred_on": "Date à laquelle le ménage a été orienté vers l'équipe mobile.",
            "nom": "Visible uniquement de votre organisation.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.known_to_social_services is not None:
            self.initial["known_to_social_services"] = (
                "oui" if self.instance.known_to_social_services else "non"
            )
        self.fields["telephone"].widget.attrs["autocomplete"] = "off"
        _dsfr_selects(self)

    def clean_referred_on(self):
        return _not_in_future(self.cleaned_data.get("referred_on"))

    def clean_telephone(self):
        """A French number (« 06 12 34 56 78 ») or an international one (« +262 692 12 34
        56 » in La Réunion), kept as typed."""
        phone = self.cleaned_data.get("telephone", "").strip()
        compact = re.sub(r"[\s.\-()]", "", phone)
        national = compact.isdigit() and len(compact) == 10 and compact.startswith("0")
        international = (
            compact.startswith("+") and compact[1:].isdigit() and 11 <= len(compact) <= 16
        )
        if phone and not (national or international):
            raise forms.ValidationError(
                "Saisissez un numéro à 10 chiffres (06 12 34 56 78) ou au format international "
                "(+262 692 12 34 56)."
            )
        return phone


class ContactAttemptForm(NormalisedFormMixin, forms.ModelForm):
    note = MultiLineTextFormField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = ContactAttempt
        fields = ["date", "mode", "result", "note"]
        widgets = {
            "date": DATE_INPUT["widget"],
        }
        error_messages = {"date": DATE_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = today()
        _dsfr_selects(self)

    def clean_date(self):
        return _not_in_future(self.cleaned_data.get("date"))


class HouseholdStatusForm(NormalisedFormMixin, forms.Form):
    status = forms.ChoiceField(label="Statut du ménage", choices=HouseholdStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dsfr_selects(self)


class HouseholdFilterForm(NormalisedFormMixin, forms.Form):
    """The household list's filters (GET): stage, status, reference or name."""

    q = forms.CharField(label="Référence ou nom", required=False)
    stage = forms.ChoiceField(
        label="Stade", required=False, choices=[("", "Tous les stades"), *ProcedureStage.choices]
    )
    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous les statuts"), *HouseholdStatus.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dsfr_selects(self)
