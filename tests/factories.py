"""factory_boy factories for tests that need a few rows, not the demo's world: organisations,
people with memberships (password and second factor, as the demo accounts sign in), forms
with a field of each type and their versions, campaigns, answers in each status, households
and their documents. Rows are made through the portal's own services, as a person's actions
make them, so they carry what those services add (transitions, files, the case file's
follow-up).

Every person signs in with ``DEMO_PASSWORD`` and the code of their own TOTP secret, through
``tests.signing`` (``sign_in``, ``signed_in``) like a demo account.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from factory.django import DjangoModelFactory
from wagtailstreamforms.models import Form

from demo.accounts import DEMO_PASSWORD, demo_second_factor_enrol
from forms_app.answering import file_keys
from forms_app.form_builder import answer_form
from forms_app.households.services import household_create, household_document_open
from forms_app.lifecycle import (
    submission_accept,
    submission_attach_file,
    submission_return,
    submission_save_draft,
    submission_start,
    submission_submit,
)
from forms_app.models import (
    Campaign,
    FormSettings,
    Household,
    Submission,
    SubmissionStatus,
)
from forms_app.versions import form_version_freeze
from portal.models import Organisation, OrganisationKind, Role, Territory, User
from portal.services import membership_set, organisation_create
from tests.forms_app.builders import valid_input

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def schema_field(kind: str, key: str, **extra: Any) -> dict[str, Any]:
    """One item of a form version's schema: a required field labelled « Champ <key> »."""
    value = {"label": f"Champ {key}", "key": key, "help_text": "", "required": True, **extra}
    return {"type": kind, "value": value}


CHOICES = [{"value": "un", "label": "Un"}, {"value": "deux", "label": "Deux"}]

# A field of each type the form builder offers (files aside: FormFactory(with_file=True)).
EVERY_FIELD_TYPE = [
    {"type": "section", "value": {"label": "Première partie"}},
    {"type": "help", "value": {"text": "Une aide"}},
    schema_field("short_text", "nom"),
    schema_field("long_text", "commentaire", required=False),
    schema_field("integer", "nb_menages", min_value=0, max_value=5000),
    schema_field("decimal", "etp", min_value=0, max_value=10, decimal_places=2),
    schema_field("money", "credits"),
    schema_field("percent", "part"),
    schema_field("date", "date_signature"),
    schema_field("yes_no", "existe"),
    schema_field("choice", "echelle", choices=CHOICES),
    schema_field("multi_choice", "stades", choices=CHOICES),
    schema_field("email", "contact"),
    schema_field("phone", "telephone"),
    schema_field(
        "group",
        "operateurs",
        min_rows=1,
        max_rows=3,
        fields=[schema_field("short_text", "nom"), schema_field("choice", "type", choices=CHOICES)],
    ),
]
FILE_FIELD = schema_field("file", "piece_jointe")


def territory(code: str) -> Territory:
    """A territory of the base content (every département is loaded)."""
    return Territory.objects.get(code=code)


def prefecture(code: str) -> Organisation:
    """The prefecture of a territory (the base content has one per département)."""
    return Organisation.objects.get(kind=OrganisationKind.PREFECTURE, territory__code=code)


def dihal() -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.DIHAL)


def totp_secret() -> str:
    """A fresh base32 secret, as an authenticator app is given."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


class OrganisationFactory(DjangoModelFactory):
    """An operator of the Isère by default (the base has prefectures and the DIHAL: use
    ``prefecture()`` and ``dihal()`` for them); made by ``organisation_create``."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association de test n° {n}")
    kind = OrganisationKind.OPERATEUR
    territory = factory.LazyFunction(lambda: territory("38"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organisation_create(**kwargs)


class PersonFactory(DjangoModelFactory):
    """A person who signs in with ``DEMO_PASSWORD`` and a TOTP code (enrolled as the demo
    enrols its accounts), member of ``organisation`` with ``role`` unless it is None."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@test.gouv.fr")
    first_name = "Dominique"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")

    # Not fields of the user: ``_create`` makes the membership and enrols the second factor.
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.AGENT
    second_factor = True

    @classmethod
    def _create(cls, model_class, *args, organisation=None, role=None, second_factor=True, **kw):
        user = model_class.objects.create_user(password=DEMO_PASSWORD, **kw)
        if organisation is not None and role is not None:
            membership_set(organisation=organisation, user=user, role=role)
        if second_factor:
            demo_second_factor_enrol(user=user, secret=totp_secret())
        return user


class FormFactory(DjangoModelFactory):
    """A form with a field of each type and its advanced settings (a campaign form filled
    by prefectures by default); ``with_file`` adds a file field."""

    class Meta:
        model = Form
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Enquête de test {n}")
    slug = factory.Sequence(lambda n: f"enquete-de-test-{n}")
    template_name = "forms_app/answer_form.html"

    class Params:
        with_file = False

    # The advanced settings (``_create`` stores them in FormSettings).
    scope = "territoire"
    filled_by = "prefecture"
    validated_by = "dihal"
    household_role = ""

    fields = factory.LazyAttribute(
        lambda o: EVERY_FIELD_TYPE + ([FILE_FIELD] if o.with_file else [])
    )

    @classmethod
    def _create(cls, model_class, *args, scope, filled_by, validated_by, household_role, **kw):
        form = model_class.objects.create(**kw)
        FormSettings.objects.create(
            form=form,
            scope=scope,
            filled_by=filled_by,
            validated_by=validated_by,
            household_role=household_role,
        )
        return form


def form_version(form: Form, *, user: User | None = None):
    """The form's current version (frozen now if its fields changed since the last one)."""
    return form_version_freeze(form=form, user=user)


class CampaignFactory(DjangoModelFactory):
    """A campaign open since 2021 and due in the future, on a new form by default."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    form = factory.SubFactory(FormFactory)
    title = factory.Sequence(lambda n: f"Campagne de test {n}")
    opens_on = datetime.date(2021, 1, 1)
    due_on = datetime.date(2099, 1, 1)

    @factory.post_generation
    def expected(self, create, extracted, **kwargs):
        if create and extracted:
            self.expected.set(extracted)


def filled_input(schema: list[dict], **overrides: Any) -> dict[str, list[str]]:
    """Valid input for every field of ``schema``, every value a list as the page keeps it;
    texts on one line (a file row of the answers is then one line), unless overridden."""
    one_line = {
        key: value.replace("\n", " ") if isinstance(value, str) else value
        for key, value in valid_input(schema).items()
    }
    return {
        key: value if isinstance(value, list) else [value]
        for key, value in {**one_line, **overrides}.items()
    }


def _pdf(key: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{key}.pdf", PDF_BYTES, content_type="application/pdf")


def submission_file(submission: Submission, typed: dict[str, list[str]], *, user: User | None):
    """Transmits ``submission`` with ``typed``, as the fill page does once it checked it."""
    schema = submission.form_version.schema
    files = {key: _pdf(key) for key in file_keys(submission)}
    for key in files:
        submission_attach_file(submission=submission, user=user, key=key, uploaded=_pdf(key))
    checked = answer_form(schema=schema, data=MultiValueDict(typed), files=files or None)
    if not checked.is_valid():
        raise ValueError(f"Invalid test answer: {checked.errors_by_key()}")
    return submission_submit(
        submission=submission,
        user=user,
        data=checked.cleaned_json(),
        draft_input=typed,
        expected_revision=submission.revision,
    )


class AnswerFactory(factory.Factory):
    """A campaign answer of ``organisation`` (the Isère's prefecture by default) in
    ``status``: started, then saved (draft), transmitted, returned or accepted through the
    lifecycle services. ``typed`` overrides the valid input of the form's fields."""

    class Meta:
        model = Submission

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.LazyFunction(lambda: prefecture("38"))
    status = SubmissionStatus.SUBMITTED
    user = None
    reviewer = None
    typed = factory.Dict({})

    @classmethod
    def _create(cls, model_class, *, campaign, organisation, status, user, reviewer, typed):
        submission = submission_start(campaign=campaign, organisation=organisation, user=user)
        full = filled_input(submission.form_version.schema, **typed)
        if status == SubmissionStatus.DRAFT:
            return submission_save_draft(
                submission=submission,
                user=user,
                draft_input=full,
                expected_revision=submission.revision,
            )
        submission = submission_file(submission, full, user=user)
        decide = {
            SubmissionStatus.RETURNED: submission_return,
            SubmissionStatus.ACCEPTED: submission_accept,
        }.get(status)
        if decide is not None:
            submission = decide(
                submission=submission,
                user=reviewer,
                comment="Commentaire de test",
                expected_revision=submission.revision,
            )
        return submission


HOUSEHOLD_FIELDS = {
    "source": "ccapex",
    "stage": "assignation",
    "known_to_social_services": False,
    "prenom": "Odile",
    "adresse_logement": "12 rue des Alpes",
    "telephone": "06 12 34 56 78",
    "email": "",
}


class HouseholdFactory(factory.Factory):
    """A household's case file at ``operator``, opened by ``household_create``."""

    class Meta:
        model = Household

    operator = factory.SubFactory(OrganisationFactory)
    user = None
    nom = factory.Sequence(lambda n: f"Vasseur{n}")
    referred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    fields = factory.Dict({})

    @classmethod
    def _create(cls, model_class, *, operator, user, nom, referred_on, fields):
        values = {**HOUSEHOLD_FIELDS, "nom": nom, "referred_on": referred_on, **fields}
        return household_create(operator=operator, user=user, fields=values)


def household_document(
    household: Household,
    *,
    slug: str = "diagnostic-social-et-financier",
    user: User | None = None,
    filed: bool = True,
    **typed: Any,
) -> Submission:
    """The household's document of the seeded form ``slug``, opened from the case file
    (prefilled), completed with valid input, then filed (or kept as a draft)."""
    form = Form.objects.get(slug=slug)
    document = household_document_open(household=household, form=form, user=user)
    schema = document.form_version.schema
    full = {**filled_input(schema), **document.draft_input}
    full.update(
        {key: value if isinstance(value, list) else [value] for key, value in typed.items()}
    )
    if not filed:
        return submission_save_draft(
            submission=document, user=user, draft_input=full, expected_revision=document.revision
        )
    return submission_file(document, full, user=user)


def seeded_answer(
    title: str, code: str = "38", *, status: str = SubmissionStatus.SUBMITTED, **kwargs: Any
) -> Submission:
    """One answer of the prefecture of ``code`` to the seeded campaign ``title`` (« Bilan
    d'étape 2021 »…), valid input in every field, in ``status``."""
    return AnswerFactory(
        campaign=Campaign.objects.get(title=title),
        organisation=prefecture(code),
        status=status,
        **kwargs,
    )
