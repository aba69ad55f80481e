"""The bilan's activity counters computed from household files equal a hand count, and the
prefecture copies them into its draft through the bilan's page."""

import datetime

import pytest
from wagtailstreamforms.models import Form

from forms_app import lifecycle
from forms_app.households import services as households
from forms_app.households.indicators import field_indicators
from forms_app.models import Campaign, Household, PurgedHouseholdCounts, Submission
from portal.models import Organisation

D = datetime.date
NONE_PURGED = PurgedHouseholdCounts.objects.none()
PERIOD = (D(2021, 1, 1), D(2021, 6, 30))
FORMS = {
    "diagnostic": "diagnostic-social-et-financier",
    "contrat": "contrat-d-engagement",
    "veille": "veille-sociale-post-intervention",
}


def _household(operator: Organisation, name: str) -> Household:
    return households.household_create(
        operator=operator,
        user=None,
        fields={"nom": name, "source": "ccapex", "referred_on": D(2020, 12, 1), "stage": "cdp"},
    )


def _met(household: Household, on: D) -> None:
    households.contact_attempt_add(
        household=household, user=None, date=on, mode="visite", result="rencontre"
    )


def _document(household: Household, role: str, data: dict, *, filed: bool = True) -> Submission:
    form = Form.objects.get(slug=FORMS[role])
    document = households.household_document_open(household=household, form=form, user=None)
    if filed:
        lifecycle.submission_submit(
            submission=document,
            user=None,
            data=data,
            draft_input={},
            expected_revision=document.revision,
        )
    return document


def _contract(household: Household, on: D, *steps: str) -> None:
    lines = [{"demarche": step, "statut": "a_faire"} for step in steps]
    _document(household, "contrat", {"date_signature": on.isoformat(), "engagements": lines})


def _diagnostic(household: Household, on: D, *, filed: bool = True) -> None:
    _document(household, "diagnostic", {"date_entretien": on.isoformat()}, filed=filed)


def _veille(household: Household, on: D, *, cleared: bool) -> None:
    _document(household, "veille", {"date_contact": on.isoformat(), "impaye_resorbe": cleared})


@pytest.fixture
def files_of_isere(demo_accounts):
    """Seven households: six in Isère at two operators, one in Seine-Saint-Denis."""
    a = Organisation.objects.filter(kind="operateur", territory__code="38").order_by("name")[0]
    b = Organisation.objects.filter(kind="operateur", territory__code="38").order_by("name")[1]
    other = Organisation.objects.filter(kind="operateur", territory__code="93").first()

    h1 = _household(a, "H1")
    _met(h1, D(2021, 2, 1))
    _diagnostic(h1, D(2021, 2, 10))
    _contract(h1, D(2021, 3, 1), "mediation_bailleur", "fsl", "demande_logement_social")
    _veille(h1, D(2021, 3, 20), cleared=True)

    h2 = _household(a, "H2")
    _diagnostic(h2, D(2021, 5, 5))
    _contract(h2, D(2021, 7, 10), "siao")  # signed after the period

    h3 = _household(a, "H3")
    _met(h3, D(2020, 12, 15))  # before the period
    _diagnostic(h3, D(2021, 1, 5))
    _contract(h3, D(2021, 1, 20), "surendettement", "siao", "dalo")
    _veille(h3, D(2021, 7, 2), cleared=True)  # after the period

    h4 = _household(a, "H4")
    _met(h4, D(2021, 4, 1))

    h5 = _household(a, "H5")
    _diagnostic(h5, D(2021, 3, 1), filed=False)  # a draft does not count

    h6 = _household(b, "H6")
    _diagnostic(h6, D(2021, 6, 30))  # the period's last day counts
    _contract(h6, D(2021, 6, 30), "action_logement")
    _veille(h6, D(2021, 6, 30), cleared=False)

    h7 = _household(other, "H7")
    _met(h7, D(2021, 3, 1))
    _diagnostic(h7, D(2021, 3, 1))
    return {"a": a, "isere": Household.objects.filter(territory__code="38")}


HAND_COUNT = {
    "nb_menages_rencontres": 5,  # met H1, H4; interviewed H1, H2, H3, H6
    "nb_diagnostics": 4,  # H1, H2, H3, H6 (H5 is a draft)
    "nb_menages_accompagnes": 3,  # H1, H3, H6 (H2 signed in July)
    "nb_bailleurs_contactes": 1,  # H1's landlord mediation
    "nb_dispositifs_apurement": 4,  # H1 mediation + FSL, H3 surendettement, H6 Action Logement
    "nb_impayes_resorbes": 1,  # H1 (H3's follow-up is after the period, H6 not cleared)
    "nb_relogements_accompagnes": 2,  # H1 social housing application, H3 DALO
    "nb_orientations_hebergement": 1,  # H3 (H2's SIAO line is after the period)
}


def test_the_computed_counters_equal_a_hand_count(files_of_isere):
    figures = field_indicators(
        households=files_of_isere["isere"], purged=NONE_PURGED, start=PERIOD[0], end=PERIOD[1]
    )
    assert figures == HAND_COUNT


def test_an_operator_counts_its_own_households_only(files_of_isere):
    own = Household.objects.filter(operator=files_of_isere["a"])
    figures = field_indicators(households=own, purged=NONE_PURGED, start=PERIOD[0], end=PERIOD[1])
    assert figures["nb_diagnostics"] == 3
    assert figures["nb_menages_accompagnes"] == 2


def test_the_prefecture_sees_and_copies_the_figures_into_its_bilan(files_of_isere, login):
    client = login("prefecture38@demo.test")
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="38")
    response = client.post(f"/campagnes/{campaign.pk}/repondre/{prefecture.pk}/")
    submission = Submission.objects.get(campaign=campaign, organisation=prefecture)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="indicateurs-terrain"' in page.content.decode()
    shown = {
        item["value"]["key"]: item["computed"]
        for item in page.context["items"]
        if "key" in item["value"]
    }
    assert {key: shown[key] for key in HAND_COUNT} == HAND_COUNT

    typed = {"redacteur_service": "DDETS de l'Isère", "nb_menages_rencontres": "999"}
    asked = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {**typed, "action": "indicators", "_fin": "1", "revision": submission.revision},
    )
    assert asked.status_code == 302
    assert asked["Location"] == f"/reponses/{submission.pk}/indicateurs/"
    submission.refresh_from_db()
    assert submission.draft_input["nb_menages_rencontres"] == ["999"]  # saved, not replaced

    # The confirmation page: each typed figure beside the computed one, empty ones ticked.
    confirm = client.get(asked["Location"])
    assert confirm.status_code == 200
    rows = {row["proposal"].key: row for row in confirm.context["rows"]}
    assert set(rows) == set(HAND_COUNT)
    assert rows["nb_menages_rencontres"]["proposal"].typed == "999"
    assert rows["nb_menages_rencontres"]["proposal"].proposed == "5"
    assert rows["nb_menages_rencontres"]["checked"] is False  # typed: kept unless ticked
    assert all(rows[key]["checked"] for key in HAND_COUNT if key != "nb_menages_rencontres")
    html = confirm.content.decode()
    assert 'value="nb_menages_rencontres" id="remplacer-nb_menages_rencontres">' in html
    assert 'id="remplacer-nb_diagnostics" checked>' in html

    # Confirming what is ticked by default fills the empty fields and keeps the 999.
    defaults = [key for key, row in rows.items() if row["checked"]]
    copied = client.post(
        asked["Location"],
        {
            "action": "confirm",
            "_fin": "1",
            "revision": submission.revision,
            "remplacer": defaults,
            **{f"propose-{key}": str(HAND_COUNT[key]) for key in HAND_COUNT},
        },
    )
    assert copied.status_code == 302
    assert copied["Location"] == f"/reponses/{submission.pk}/modifier/"
    submission.refresh_from_db()
    assert submission.draft_input["redacteur_service"] == ["DDETS de l'Isère"]  # kept
    assert submission.draft_input["nb_menages_rencontres"] == ["999"]  # typed: kept
    for key, value in HAND_COUNT.items():
        if key != "nb_menages_rencontres":
            assert submission.draft_input[key] == [str(value)]

    # Ticked on purpose, the typed figure is replaced too.
    client.post(
        asked["Location"],
        {
            "action": "confirm",
            "_fin": "1",
            "revision": submission.revision,
            "remplacer": ["nb_menages_rencontres"],
            "propose-nb_menages_rencontres": "5",
        },
    )
    submission.refresh_from_db()
    assert submission.draft_input["nb_menages_rencontres"] == ["5"]
    assert client.get(asked["Location"]).context["rows"] == []  # nothing left to take


def test_enter_saves_the_draft_first_and_the_bilan_shows_no_replacing_default(
    files_of_isere, login
):
    """The fill form's first submit button, which Enter presses, is « Enregistrer le
    brouillon »; the computed figures are taken only through their confirmation page."""
    client = login("prefecture38@demo.test")
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="38")
    response = client.post(f"/campagnes/{campaign.pk}/repondre/{prefecture.pk}/")
    html = client.get(response["Location"]).content.decode()
    form = html[html.index('id="formulaire-reponse"') :]
    first_submit = form[form.index('type="submit"') - 20 : form.index('type="submit"') + 80]
    assert 'value="draft"' in first_submit
    assert "formaction" not in form[: form.index("</form>")]


def test_a_changed_figure_or_draft_replaces_nothing(files_of_isere, login):
    client = login("prefecture38@demo.test")
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="38")
    submission = lifecycle.submission_start(campaign=campaign, organisation=prefecture, user=None)
    url = f"/reponses/{submission.pk}/indicateurs/"
    # The figure shown is no longer the one computed: the page comes back, nothing written.
    shown_another = client.post(
        url,
        {
            "_fin": "1",
            "revision": submission.revision,
            "remplacer": ["nb_diagnostics"],
            "propose-nb_diagnostics": "3",
        },
    )
    assert shown_another.status_code == 200
    assert "ont changé entre-temps" in shown_another.content.decode()
    # The draft changed since the page was shown: back to the page, nothing written.
    stale = client.post(
        url,
        {
            "_fin": "1",
            "revision": submission.revision - 1,
            "remplacer": ["nb_diagnostics"],
            "propose-nb_diagnostics": "4",
        },
    )
    assert stale.status_code == 302 and stale["Location"] == url
    # Nothing ticked: nothing written.
    client.post(url, {"_fin": "1", "revision": submission.revision})
    submission.refresh_from_db()
    assert submission.draft_input == {}


def test_an_operator_cannot_copy_figures_into_a_prefecture_bilan(files_of_isere, login):
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    prefecture = Organisation.objects.get(kind="prefecture", territory__code="38")
    submission = lifecycle.submission_start(campaign=campaign, organisation=prefecture, user=None)
    client = login("operateur38a@demo.test")
    response = client.post(
        f"/reponses/{submission.pk}/indicateurs/", {"_fin": "1", "revision": submission.revision}
    )
    assert response.status_code == 404
    submission.refresh_from_db()
    assert submission.draft_input == {}
