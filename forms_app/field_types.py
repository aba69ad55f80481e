"""The field types editors use to build the scheme's forms, on wagtailstreamforms' registry.

Each type says three things in one place: the block an editor fills in the admin (label,
machine key, help text, required, and the type's own settings), the Django form field that
checks an answer on the server with French messages (``forms_app.field_base``), and how an
answer is kept in JSON (decimals and money as exact strings, dates in ISO format).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from wagtail import blocks

from forms_app.field_base import (
    FrenchDecimalFormField,
    FrenchIntegerFormField,
    FrenchPhoneFormField,
    MultiLineTextFormField,
    NormalisedCharField,
    NormalisedChoiceField,
    NormalisedDateField,
    NormalisedEmailField,
    NormalisedMultipleChoiceField,
    NormalisedTypedChoiceField,
    PortalField,
    UploadFormField,
    common_blocks,
)
from forms_app.keys import is_year_key
from portal import formatting

YES, NO = "oui", "non"


class ShortTextField(PortalField):
    field_class = NormalisedCharField
    label = "Texte court"
    icon = "pilcrow"

    def get_options(self, block_value):
        return {**super().get_options(block_value), "max_length": 500}


class LongTextField(PortalField):
    field_class = MultiLineTextFormField
    widget = forms.Textarea
    label = "Texte long"
    icon = "doc-full"
    widget_attrs = {"rows": "5"}


class IntegerField(PortalField):
    field_class = FrenchIntegerFormField
    label = "Nombre entier"
    icon = "order"
    extra_blocks = [
        ("min_value", blocks.IntegerBlock(label="Minimum", required=False)),
        ("max_value", blocks.IntegerBlock(label="Maximum", required=False)),
    ]
    widget_attrs = {"inputmode": "numeric"}

    def get_options(self, block_value):
        options = super().get_options(block_value)
        for bound in ("min_value", "max_value"):
            if block_value.get(bound) is not None:
                options[bound] = block_value[bound]
        return options

    def display(self, value, block_value):
        if value in (None, ""):
            return ""
        if is_year_key(block_value.get("key", "")):
            return formatting.year(value)  # « 2021 », never « 2 021 »
        return formatting.number(value, decimals=0)


class DecimalField(PortalField):
    field_class = FrenchDecimalFormField
    label = "Nombre décimal"
    icon = "order"
    extra_blocks = [
        ("min_value", blocks.DecimalBlock(label="Minimum", required=False)),
        ("max_value", blocks.DecimalBlock(label="Maximum", required=False)),
        ("decimal_places", blocks.IntegerBlock(label="Décimales", required=False, default=2)),
    ]
    widget_attrs = {"inputmode": "decimal"}

    def get_options(self, block_value):
        options = super().get_options(block_value)
        for bound in ("min_value", "max_value"):
            if block_value.get(bound) not in (None, ""):
                options[bound] = Decimal(str(block_value[bound]))
        options["decimal_places"] = block_value.get("decimal_places") or 2
        options["max_digits"] = 14
        options["localize"] = True  # accepts « 12,5 » as French users type it
        return options

    def to_json(self, value):
        # Plain notation: « 1e2 » is kept as "100", never "1E+2".
        return None if value is None else format(value, "f")

    def to_input(self, value):
        return [] if value in (None, "") else [str(value).replace(".", ",")]

    def display(self, value, block_value):
        return formatting.number(value, keep_zeros=True)  # as typed: « 12,50 »


class MoneyField(DecimalField):
    label = "Montant (€)"
    icon = "tag"
    extra_blocks = []

    def get_options(self, block_value):
        options = super().get_options(block_value)
        options.update(decimal_places=2, min_value=Decimal(0))
        return options

    def to_json(self, value):
        return None if value is None else format(Decimal(value).quantize(Decimal("0.01")), "f")

    def display(self, value, block_value):
        return formatting.euros_cents(value)


class PercentField(DecimalField):
    label = "Pourcentage"
    icon = "table"
    extra_blocks = []

    def display(self, value, block_value):
        return formatting.percent(value, decimals=None, keep_zeros=True)

    def get_options(self, block_value):
        options = super().get_options(block_value)
        options.update(min_value=Decimal(0), max_value=Decimal(100), decimal_places=2)
        options["error_messages"] = {
            "min_value": "Saisissez un pourcentage entre 0 et 100.",
            "max_value": "Saisissez un pourcentage entre 0 et 100.",
        }
        return options


class DateField(PortalField):
    field_class = NormalisedDateField
    label = "Date"
    icon = "date"

    def get_formfield(self, block_value):
        return NormalisedDateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            error_messages={"invalid": "Saisissez une date valide, par exemple 29/12/2020."},
            **self.get_options(block_value),
        )

    def to_json(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else value

    def display(self, value, block_value):
        return formatting.date_long(value) if value else ""


class YesNoField(PortalField):
    label = "Oui / non"
    icon = "tick-inverse"

    def get_formfield(self, block_value):
        return NormalisedTypedChoiceField(
            choices=[(YES, "Oui"), (NO, "Non")],
            coerce=lambda value: value == YES,
            empty_value=None,
            widget=forms.RadioSelect,
            **self.get_options(block_value),
        )

    def display(self, value, block_value):
        return {True: "Oui", False: "Non"}.get(value, "")

    def to_input(self, value):
        return {True: [YES], False: [NO]}.get(value, [])


CHOICES_BLOCK = blocks.ListBlock(
    blocks.StructBlock(
        [
            ("value", blocks.CharBlock(label="Valeur (clé)")),
            ("label", blocks.CharBlock(label="Libellé")),
        ]
    ),
    label="Choix",
)


def _choices(block_value) -> list[tuple[str, str]]:
    return [(choice["value"], choice["label"]) for choice in block_value.get("choices") or []]


class ChoiceField(PortalField):
    field_class = NormalisedChoiceField
    widget = forms.RadioSelect
    label = "Choix unique"
    icon = "list-ul"
    extra_blocks = [("choices", CHOICES_BLOCK)]

    def get_options(self, block_value):
        return {**super().get_options(block_value), "choices": _choices(block_value)}

    def display(self, value, block_value):
        return dict(_choices(block_value)).get(value, value or "")


class MultiChoiceField(ChoiceField):
    field_class = NormalisedMultipleChoiceField
    widget = forms.CheckboxSelectMultiple
    label = "Choix multiple"
    icon = "list-ol"

    def display(self, value, block_value):
        labels = dict(_choices(block_value))
        return ", ".join(labels.get(item, item) for item in value or [])

    def to_input(self, value):
        return [str(item) for item in value or []]


class EmailField(PortalField):
    field_class = NormalisedEmailField
    label = "Adresse électronique"
    icon = "mail"


class PhoneField(PortalField):
    field_class = FrenchPhoneFormField
    label = "Téléphone"
    icon = "mobile-alt"
    widget_attrs = {"inputmode": "tel", "autocomplete": "tel"}


class FileField(PortalField):
    field_class = UploadFormField
    label = "Fichier"
    icon = "doc-full-inverse"

    def to_json(self, value):
        # The stored file's reference is written by the submission service, not here.
        return None

    def to_input(self, value):
        return []  # a file is never carried into another form


class NonInputField(PortalField):
    """A block that structures the form without asking anything."""

    is_input = False

    def get_formfield(self, block_value):
        return None


class SectionField(NonInputField):
    label = "Titre de section"
    icon = "title"

    def get_form_block(self):
        return blocks.StructBlock(
            [("label", blocks.CharBlock(label="Titre"))], icon=self.icon, label=self.label
        )


class HelpField(NonInputField):
    label = "Texte d'aide"
    icon = "help"

    def get_form_block(self):
        return blocks.StructBlock(
            [("text", blocks.TextBlock(label="Texte"))], icon=self.icon, label=self.label
        )


SIMPLE_TYPES: dict[str, type[PortalField]] = {
    "short_text": ShortTextField,
    "long_text": LongTextField,
    "integer": IntegerField,
    "decimal": DecimalField,
    "money": MoneyField,
    "percent": PercentField,
    "date": DateField,
    "yes_no": YesNoField,
    "choice": ChoiceField,
    "multi_choice": MultiChoiceField,
    "email": EmailField,
    "phone": PhoneField,
    "file": FileField,
}


class GroupField(PortalField):
    """Repeatable rows of sub-fields (engagement lines, operators…), kept as a list of dicts."""

    label = "Groupe répétable"
    icon = "list-ul"

    def get_form_block(self):
        sub_fields = blocks.StreamBlock(
            [
                (name, cls().get_form_block())
                for name, cls in SIMPLE_TYPES.items()
                if name != "file"
            ],
            label="Champs d'une ligne",
        )
        return blocks.StructBlock(
            common_blocks()
            + [
                ("min_rows", blocks.IntegerBlock(label="Lignes minimum", default=0, min_value=0)),
                ("max_rows", blocks.IntegerBlock(label="Lignes maximum", default=10, min_value=1)),
                ("fields", sub_fields),
            ],
            icon=self.icon,
            label=self.label,
        )

    def get_formfield(self, block_value):
        return None  # built as a formset by forms_app.form_builder

    def display(self, value, block_value):
        rows = len(value or [])
        return f"{rows} ligne{'s' if rows > 1 else ''}"


FIELD_TYPES: dict[str, type[PortalField]] = {
    **SIMPLE_TYPES,
    "group": GroupField,
    "section": SectionField,
    "help": HelpField,
}


def field_type(name: str) -> PortalField:
    """The field type registered under ``name``."""
    return FIELD_TYPES[name]()
