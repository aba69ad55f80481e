"""What the portal's field types are built on: the base type, the admin block's common
settings, and the Django form fields that check an answer with French messages.

Every form field here normalises what it is given (``portal.text.normalise_text``: no NUL
nor other character XML 1.0 forbids, Unicode NFC) before checking it. Over HTTP the
middleware has done it already; this is the defence for forms bound outside a request.
One-line texts lose their leading and trailing spaces (Django's habit: a space typed
before a name is never meant); a long text keeps its leading spaces, tabs and line breaks
(indentation, a list typed with tabs) and loses only its trailing ones.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtailstreamforms.fields import BaseField

from forms_app.keys import KEY_MAX_LENGTH, is_valid_key
from forms_app.validators import normalise_french_phone, validate_upload
from portal.text import normalise_value


class KeyBlock(blocks.CharBlock):
    """The machine key of a field, checked as the portal's keys are (``forms_app.keys``)."""

    def clean(self, value):
        value = super().clean(value)
        if value and not is_valid_key(value):
            raise ValidationError(
                "La clé ne contient que des minuscules sans accent, des chiffres et « _ », "
                "commence par une lettre et n'est ni « action » ni « revision »."
            )
        return value


def common_blocks() -> list[tuple[str, blocks.Block]]:
    """The settings every field's admin block starts with: label, key, help, required."""
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
            common_blocks() + self.extra_blocks, icon=self.icon, label=self.label
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


class FrenchPhoneFormField(NormalisedCharField):
    def clean(self, value):
        value = super().clean(value)
        return normalise_french_phone(value) if value else value


class UploadFormField(forms.FileField):
    default_validators = [validate_upload]
