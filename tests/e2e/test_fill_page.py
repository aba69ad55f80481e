"""Issue 12, point 6, in a real browser: Enter in a field saves the draft and does nothing
else, and the « Reprendre… » buttons replace nothing without showing it and asking."""

from __future__ import annotations

import pytest
from wagtailstreamforms.models import Form

from forms_app import lifecycle
from forms_app.households import indicators
from forms_app.households import services as households
from forms_app.models import Campaign, Household, Submission
from portal.models import Organisation

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback restores what migrations created (Wagtail's root page) after flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PREFECTURE = "prefecture38@demo.test"
OPERATOR = "operateur38a@demo.test"


@pytest.fixture
def bilan(demo_households):
    """A fresh bilan d'étape of the Isère prefecture, over a period the demo households'
    documents fill: (submission, computed figures)."""
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="38")
    for model in Campaign.objects.filter(period_start__isnull=False).order_by("period_start"):
        campaign = Campaign.objects.create(
            form=model.form,
            title=f"{model.title} (navigateur)",
            opens_on=model.opens_on,
            due_on=model.due_on,
            period_start=model.period_start,
            period_end=model.period_end,
        )
        submission = lifecycle.submission_start(
            campaign=campaign, organisation=prefecture, user=None
        )
        computed = indicators.indicators_for_answer(submission)
        if any(computed.values()):
            return submission, computed
    pytest.fail("no demo bilan has a computed figure")


def _a_computed_key(computed: dict[str, int]) -> str:
    return next(key for key, value in computed.items() if value)


def _saved(submission: Submission) -> dict:
    return Submission.objects.get(pk=submission.pk).draft_input


def test_enter_in_a_number_field_saves_the_draft_and_replaces_nothing(bilan, sign_in):
    submission, computed = bilan
    key = _a_computed_key(computed)
    page = sign_in(PREFECTURE)
    page.goto(f"/reponses/{submission.pk}/modifier/")
    field = page.locator(f"input[name={key}]")
    assert field.get_attribute("type") == "number"
    field.fill("999")
    with page.expect_navigation():
        field.press("Enter")
    assert page.url.endswith(f"/reponses/{submission.pk}/modifier/")
    assert "Brouillon enregistré." in page.content()
    assert page.locator(f"input[name={key}]").input_value() == "999"
    assert "Reprendre les chiffres calculés" not in page.title()  # no confirmation page
    page.reload()
    assert page.locator(f"input[name={key}]").input_value() == "999"
    draft = _saved(submission)
    assert draft[key] == ["999"]
    others = [other for other in computed if other != key]
    assert all(not "".join(draft.get(other, [])) for other in others)  # nothing copied


def test_taking_the_computed_figures_shows_them_and_replaces_only_the_ticked(bilan, sign_in):
    submission, computed = bilan
    key = _a_computed_key(computed)
    empty = next(other for other in computed if other != key)
    page = sign_in(PREFECTURE)
    page.goto(f"/reponses/{submission.pk}/modifier/")
    page.fill(f"input[name={key}]", "999")
    page.fill(f"input[name={empty}]", "")
    with page.expect_navigation():
        page.click("button[value=indicators]")
    assert page.url.endswith(f"/reponses/{submission.pk}/indicateurs/")
    typed_row = page.locator(f"tr[data-reprise={key}]")
    assert typed_row.locator("[data-typed]").inner_text().strip() == "999"
    assert typed_row.locator("[data-proposed]").inner_text().strip() == str(computed[key])
    assert not page.locator(f"#remplacer-{key}").is_checked()  # typed: kept by default
    assert page.locator(f"#remplacer-{empty}").is_checked()  # empty: filled by default
    assert _saved(submission)[key] == ["999"]  # the typed figure was saved, not replaced
    with page.expect_navigation():
        page.click("text=Remplacer les champs cochés")
    assert page.url.endswith(f"/reponses/{submission.pk}/modifier/")
    assert page.locator(f"input[name={key}]").input_value() == "999"
    assert page.locator(f"input[name={empty}]").input_value() == str(computed[empty])
    draft = _saved(submission)
    assert draft[key] == ["999"] and draft[empty] == [str(computed[empty])]

    # Ticked on purpose, the typed figure is replaced.
    with page.expect_navigation():
        page.click("button[value=indicators]")
    page.click(f"label[for=remplacer-{key}]")  # DSFR: the label covers the box
    assert page.locator(f"#remplacer-{key}").is_checked()
    with page.expect_navigation():
        page.click("text=Remplacer les champs cochés")
    assert page.locator(f"input[name={key}]").input_value() == str(computed[key])
    assert _saved(submission)[key] == [str(computed[key])]


def test_taking_the_case_file_information_asks_before_replacing(demo_households, sign_in):
    operator = Organisation.objects.get(name__startswith="Association Alpes Prévention")
    household = Household.objects.filter(operator=operator).order_by("pk").first()
    contract_form = Form.objects.get(slug="contrat-d-engagement")
    Submission.objects.filter(household=household, form_version__form=contract_form).delete()
    document = households.household_document_open(
        household=household, form=contract_form, user=None
    )
    assert document.draft_input["nom"] == [household.nom]
    page = sign_in(OPERATOR)
    page.goto(f"/reponses/{document.pk}/modifier/")
    page.fill("input[name=nom]", "Nom corrigé à la main")
    page.fill("input[name=prenom]", "")
    with page.expect_navigation():
        page.click("button[value=refill]")
    assert page.url.endswith(f"/reponses/{document.pk}/preremplir/")
    row = page.locator("tr[data-reprise=nom]")
    assert row.locator("[data-typed]").inner_text().strip() == "Nom corrigé à la main"
    assert row.locator("[data-proposed]").inner_text().strip() == household.nom
    assert not page.locator("#remplacer-nom").is_checked()
    assert page.locator("#remplacer-prenom").is_checked()
    with page.expect_navigation():
        page.click("text=Remplacer les champs cochés")
    assert page.locator("input[name=nom]").input_value() == "Nom corrigé à la main"
    assert page.locator("input[name=prenom]").input_value() == household.prenom
    draft = _saved(document)
    assert draft["nom"] == ["Nom corrigé à la main"] and draft["prenom"] == [household.prenom]

    # Enter in a field of a household document saves it too, and nothing else.
    page.fill("input[name=prenom]", "Prénom tapé")
    with page.expect_navigation():
        page.press("input[name=prenom]", "Enter")
    assert page.url.endswith(f"/reponses/{document.pk}/modifier/")
    assert _saved(document)["prenom"] == ["Prénom tapé"]
    assert _saved(document)["nom"] == ["Nom corrigé à la main"]


def test_the_keyboard_alone_reaches_and_uses_the_save_button(bilan, sign_in):
    submission, computed = bilan
    key = _a_computed_key(computed)
    page = sign_in(PREFECTURE)
    page.goto(f"/reponses/{submission.pk}/modifier/")
    page.focus(f"input[name={key}]")
    page.keyboard.type("321")
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-default-button]')"):
            break
    else:
        pytest.fail("Tab never reached « Enregistrer le brouillon »")
    assert page.evaluate("document.activeElement.textContent.trim()") == (
        "Enregistrer le brouillon"
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Brouillon enregistré." in page.content()
    assert _saved(submission)[key] == ["321"]
