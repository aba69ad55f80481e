"""The field types editors use to build the scheme's forms, on wagtailstreamforms' registry.

Each type says three things in one place: the block an editor fills in the admin (label,
machine key, help text, required, and the type's own settings), the Django form field that
checks an answer on the server with French messages, and how an answer is kept in JSON
(decimals and money as exact strings, dates in ISO format).

Every form field here normalises what it is given (``portal.text.normalise_text``: no NUL
nor other character XML 1.0 forbids, Unicode NFC) before checking it. Over HTTP the
middleware has done it already; this is the defence for forms bound outside a request.
One-line texts lose their leading and trailing spaces (Django's habit: a space typed
before a name is never meant); a long text keeps its leading spaces, tabs and line breaks
(indentation, a list typed with tabs) and loses only its trailing ones.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from wagtail import blocks
from wagtailstreamforms.fields import BaseField

from forms_app.keys import KEY_MAX_LENGTH, is_valid_key
from forms_app.validators import normalise_french_phone, validate_upload
from portal.text import normalise_value

YES, NO = "oui", "non"


class KeyBlock(blocks.CharBlock):
    def clean(self, value):
        value = super().clean(value)
        if value and not is_valid_key(value):
            from django.core.exceptions import ValidationError

            raise ValidationError(
                "La clé ne contient que des minuscules sans accent, des chiffres et « _ », "
                "commence par une lettre et n'est ni « action » ni « revision »."
            )
        return value


def _common_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("label", blocks.CharBlock(label="Libellé")),
        (
            "key",
            KeyBlock(
                label="Clé technique",
                required=False,
                max_length=KEY_MAX_LENGTH,
                help_text=(
                    "Dérivée du libellé à l'enregistrement si vide ; utilisée par les modèles "
                    "Word et les exports. Figée dès que le formulaire a des réponses."
                ),
            ),
        ),
        ("help_text", blocks.CharBlock(label="Aide", required=False)),
        ("required", blocks.BooleanBlock(label="Obligatoire", required=False, default=True)),
    ]


class PortalField(BaseField):
    """A field type of the portal; subclasses set the Django field and extra settings."""

    is_input: ClassVar[bool] = True
    extra_blocks: ClassVar[list[tuple[str, blocks.Block]]] = []
    widget_attrs: ClassVar[dict[str, str]] = {}

    @classmethod
    def get_formfield_name(cls, block_value):
        """The machine key names the Django field, never the label."""
        return block_value["key"]

    def get_form_block(self):
        """The admin block: common settings plus the type's own (override ``extra_blocks``)."""
        return blocks.StructBlock(
            _common_blocks() + self.extra_blocks, icon=self.icon, label=self.label
        )

    def get_options(self, block_value):
        return {
            "label": block_value.get("label"),
            "help_text": block_value.get("help_text") or "",
            "required": bool(block_value.get("required")),
        }

    def get_formfield(self, block_value):
        field = super().get_formfield(block_value)
        field.widget.attrs.update(self.widget_attrs)
        return field

    def to_json(self, value: Any) -> Any:
        """How an answer is stored in the submission's JSON (override for non-JSON types)."""
        return value

    def display(self, value: Any, block_value: dict) -> str:
        """How an answer reads for a person (override per type)."""
        return "" if value in (None, "", []) else str(value)

    def to_input(self, value: Any) -> list[str]:
        """A stored answer as a person would type it, for prefilling a form (override per
        type); empty when there is nothing to carry over."""
        return [] if value in (None, "", []) else [str(value)]


class NormalisedInputMixin:
    """A form field that normalises its raw input (text, or a list of texts) first."""

    def to_python(self, value):
        return super().to_python(normalise_value(value))


class NormalisedCharField(NormalisedInputMixin, forms.CharField):
    """One line of text, normalised, without leading or trailing spaces."""


class MultiLineTextFormField(NormalisedInputMixin, forms.CharField):
    """Several lines of text, normalised; what is typed before the text (spaces, tabs, line
    breaks) is kept, trailing whitespace is dropped, whitespace alone counts as empty."""

    def __init__(self, *, strip=False, **kwargs):
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            value = value.rstrip()
        return value if value else self.empty_value


class NormalisedChoiceField(NormalisedInputMixin, forms.ChoiceField):
    pass


class NormalisedTypedChoiceField(NormalisedInputMixin, forms.TypedChoiceField):
    pass


class NormalisedMultipleChoiceField(NormalisedInputMixin, forms.MultipleChoiceField):
    pass


class NormalisedDateField(NormalisedInputMixin, forms.DateField):
    pass


class NormalisedEmailField(NormalisedInputMixin, forms.EmailField):
    pass


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


# Spaces people type between thousands: plain, no-break and narrow no-break.
THOUSANDS_SPACES = str.maketrans("", "", " \u00a0\u202f")


class SpacedNumberMixin:
    """Accepts « 4 350,50 » as French people type amounts: spaces between thousands."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(THOUSANDS_SPACES)
        return super().to_python(value)


class FrenchDecimalFormField(NormalisedInputMixin, SpacedNumberMixin, forms.DecimalField):
    pass


class FrenchIntegerFormField(NormalisedInputMixin, SpacedNumberMixin, forms.IntegerField):
    pass


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
        from portal.templatetags.portal_format import format_number_fr

        return "" if value in (None, "") else format_number_fr(value)


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
        from portal.templatetags.portal_format import format_number_fr

        if value in (None, ""):
            return ""
        number = Decimal(value)
        return format_number_fr(number, decimals=max(-number.as_tuple().exponent, 0))


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
        from portal.templatetags.portal_format import format_number_fr

        if value in (None, ""):
            return ""
        return f"{format_number_fr(Decimal(value), decimals=2)}\u00a0€"


class PercentField(DecimalField):
    label = "Pourcentage"
    icon = "table"
    extra_blocks = []

    def display(self, value, block_value):
        shown = super().display(value, block_value)
        return f"{shown}\u00a0%" if shown else ""

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
        from django.utils.dateformat import format as date_format

        if not value:
            return ""
        return date_format(datetime.date.fromisoformat(value), "j F Y")


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


class FrenchPhoneFormField(NormalisedCharField):
    def clean(self, value):
        value = super().clean(value)
        return normalise_french_phone(value) if value else value


class PhoneField(PortalField):
    field_class = FrenchPhoneFormField
    label = "Téléphone"
    icon = "mobile-alt"
    widget_attrs = {"inputmode": "tel", "autocomplete": "tel"}


class UploadFormField(forms.FileField):
    default_validators = [validate_upload]


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
            _common_blocks()
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
