import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import Organisation, OrganisationKind, Role, Territory
from portal.services import membership_set, organisation_create


def _operator(name, territory):
    return organisation_create(name=name, kind=OrganisationKind.OPERATEUR, territory=territory)


def test_a_fourth_operator_in_a_territory_is_refused_in_french(portal_content):
    isere = Territory.objects.get(code="38")
    for letter in "ABC":
        _operator(f"Opérateur {letter}", isere)
    with pytest.raises(ValidationError) as error:
        _operator("Opérateur D", isere)
    assert "territory" in error.value.message_dict
    assert "3 opérateurs" in error.value.message_dict["territory"][0]
    assert Organisation.objects.filter(kind="operateur", territory=isere).count() == 3
    # Another territory is unaffected.
    _operator("Opérateur Gard", Territory.objects.get(code="30"))


def test_one_prefecture_per_territory(portal_content):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            name="Autre préfecture",
            kind=OrganisationKind.PREFECTURE,
            territory=Territory.objects.get(code="38"),
        )


def test_an_operator_needs_a_territory(portal_content):
    with pytest.raises(ValidationError) as error:
        organisation_create(name="Sans territoire", kind=OrganisationKind.OPERATEUR)
    assert "territory" in error.value.message_dict


def test_only_dihal_members_can_be_editors(portal_content, django_user_model):
    user = django_user_model.objects.create_user(email="x@demo.test", password="x" * 12)
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="93")
    with pytest.raises(ValidationError):
        membership_set(organisation=prefecture, user=user, role=Role.EDITEUR)


def test_content_load_creates_the_dihal_and_26_prefectures(portal_content):
    assert Organisation.objects.filter(kind="dihal").count() == 1
    assert Organisation.objects.filter(kind="prefecture").count() == 26


def test_the_fourth_operator_is_refused_in_the_admin_form(client, login):
    login("dihal@demo.test")
    isere = Territory.objects.get(code="38")
    _operator("Opérateur C", isere)  # the demo data has two already
    response = client.post(
        "/admin/snippets/portal/organisation/add/",
        {
            "name": "Opérateur D",
            "kind": "operateur",
            "territory": isere.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "3 opérateurs" in response.content.decode()
    assert not Organisation.objects.filter(name="Opérateur D").exists()


def test_household_answers_are_hidden_from_dihal_and_prefectures(portal_content, demo_accounts):
    import datetime

    from wagtailstreamforms.models import Form

    from forms_app.lifecycle import submission_start
    from forms_app.models import Campaign, FormSettings
    from portal import permissions
    from portal.models import User

    form = Form.objects.create(
        title="Diagnostic",
        slug="diagnostic",
        template_name="forms_app/answer_form.html",
        fields=[{"type": "short_text", "value": {"label": "Nom", "key": "nom", "required": True}}],
    )
    FormSettings.objects.create(form=form, scope="menage", filled_by="operateur")
    campaign = Campaign.objects.create(
        form=form,
        title="Diagnostics",
        opens_on=datetime.date(2021, 1, 1),
        due_on=datetime.date(2099, 1, 1),
    )
    operator = Organisation.objects.get(name__startswith="Association Alpes")
    answer = submission_start(campaign=campaign, organisation=operator, user=None)

    def sees(email):
        return permissions.can_view_submission(User.objects.get(email=email), answer)

    assert sees("operateur38a@demo.test")
    assert not sees("dihal@demo.test")
    assert not sees("prefecture38@demo.test")
    assert not sees("operateur38b@demo.test")


def test_who_validates_follows_the_form_settings(portal_content, demo_accounts):
    import datetime

    from wagtailstreamforms.models import Form

    from forms_app.lifecycle import submission_start
    from forms_app.models import Campaign, FormSettings
    from portal import permissions
    from portal.models import User

    form = Form.objects.create(
        title="Suivi trimestriel",
        slug="suivi-trimestriel",
        template_name="forms_app/answer_form.html",
        fields=[
            {"type": "integer", "value": {"label": "Visites", "key": "visites", "required": True}}
        ],
    )
    FormSettings.objects.create(form=form, filled_by="operateur", validated_by="prefecture")
    campaign = Campaign.objects.create(
        form=form,
        title="Suivi T1",
        opens_on=datetime.date(2021, 1, 1),
        due_on=datetime.date(2099, 1, 1),
    )
    operator_answer = submission_start(
        campaign=campaign,
        organisation=Organisation.objects.get(name__startswith="Association Alpes"),
        user=None,
    )
    prefecture_answer = submission_start(
        campaign=campaign,
        organisation=Organisation.objects.get(kind="prefecture", territory__code="38"),
        user=None,
    )

    def validates(email, answer):
        return permissions.can_validate_submission(User.objects.get(email=email), answer)

    assert validates("prefecture38@demo.test", operator_answer)
    assert not validates("prefecture93@demo.test", operator_answer)
    assert not validates("dihal@demo.test", operator_answer)
    assert validates("dihal@demo.test", prefecture_answer)  # never validated by its authors
    assert not validates("prefecture38@demo.test", prefecture_answer)
