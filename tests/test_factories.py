"""The factories make what they say: people who sign in with both factors, answers in each
status, households and their filed documents."""

import pytest

from forms_app.models import SubmissionStatus
from portal.models import Role
from tests.factories import (
    AnswerFactory,
    CampaignFactory,
    FormFactory,
    HouseholdFactory,
    PersonFactory,
    household_document,
    prefecture,
    seeded_answer,
)
from tests.signing import signed_in


def test_a_person_signs_in_with_password_and_code(portal_content):
    person = PersonFactory(organisation=prefecture("38"), role=Role.RESPONSABLE)
    client = signed_in(person.email)
    assert client.get("/mon-espace/").status_code == 200
    assert person.memberships.get().role == Role.RESPONSABLE


@pytest.mark.parametrize("status", list(SubmissionStatus))
def test_an_answer_in_each_status(portal_content, status):
    answer = AnswerFactory(
        campaign=CampaignFactory(form=FormFactory(with_file=True)), status=status
    )
    assert answer.status == status
    if status != SubmissionStatus.DRAFT:
        assert answer.data["nom"] and answer.files.count() == 1


def test_a_household_with_a_filed_diagnostic(portal_content):
    household = HouseholdFactory()
    document = household_document(household)
    assert document.status == SubmissionStatus.SUBMITTED
    assert document.household == household


@pytest.mark.parametrize(
    "title", ["Lettre de préfiguration", "Bilan d'étape 2021", "Bilan d'étape 2022"]
)
def test_an_answer_to_each_seeded_campaign(portal_content, title):
    answer = seeded_answer(title, "93")
    assert answer.status == SubmissionStatus.SUBMITTED
    assert answer.territory.code == "93"
