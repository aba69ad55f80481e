"""An operator's whole path on one household, through HTTP: the case file, two contact
attempts, the diagnostic, the contract prefilled from it with two engagement lines, then the
follow-up; « Veilles à faire » lists the household 15 days after the last exchange and no
longer once the follow-up is filed."""

import datetime

import pytest
from django.utils import timezone
from wagtailstreamforms.models import Form

from forms_app.models import Household, Submission
from tests.forms_app.builders import valid_input

OPERATOR = "operateur38a@demo.test"
TODAY = timezone.localdate()
FIRST_CALL = TODAY - datetime.timedelta(days=25)
MET_ON = TODAY - datetime.timedelta(days=20)
DIAGNOSED_ON = TODAY - datetime.timedelta(days=19)
SIGNED_ON = TODAY - datetime.timedelta(days=12)


def _form(slug: str) -> Form:
    return Form.objects.get(slug=slug)


def _open_document(client, household: Household, slug: str) -> Submission:
    response = client.post(f"/menages/{household.pk}/documents/{_form(slug).pk}/")
    assert response.status_code == 302
    submission = Submission.objects.get(
        household=household, form_version__form__slug=slug, status="brouillon"
    )
    assert response["Location"] == f"/reponses/{submission.pk}/modifier/"
    return submission


def _file(client, submission: Submission, post: dict) -> None:
    """Checks the document (review page), then confirms: the way the page does it."""
    review = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {**post, "action": "review", "_fin": "1", "revision": submission.revision},
    )
    assert review.status_code == 200
    errors = review.context.get("answer").errors_by_key() if review.context.get("answer") else {}
    assert [t.name for t in review.templates][0] == "forms_app/answer_review.html", errors
    submission.refresh_from_db()
    done = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {"action": "submit", "_fin": "1", "revision": submission.revision},
    )
    assert done.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "soumise"


def _rows(response, table_id: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def operator(login, portal_content):
    return login(OPERATOR)


def _create_household(client) -> Household:
    response = client.post(
        "/menages/nouveau/",
        {
            "nom": "Vasseur-Tillard",
            "prenom": "Odile",
            "adresse_logement": "12 rue des Alpes, 38000 Grenoble",
            "telephone": "06 12 34 56 78",
            "email": "",
            "source": "ccapex",
            "referred_on": (TODAY - datetime.timedelta(days=30)).isoformat(),
            "stage": "assignation",
            "known_to_social_services": "non",
            "_fin": "1",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(nom="Vasseur-Tillard")
    assert response["Location"] == f"/menages/{household.pk}/"
    assert household.operator.name == "Opérateur A — Isère" or household.territory.code == "38"
    assert household.status == "a_contacter"
    assert household.phase == "amont"
    return household


def test_an_operator_follows_a_household_from_referral_to_follow_up(operator):
    client = operator
    household = _create_household(client)

    for date, mode, result in (
        (FIRST_CALL, "telephone", "sans_reponse"),
        (MET_ON, "visite", "rencontre"),
    ):
        response = client.post(
            f"/menages/{household.pk}/contacts/",
            {"date": date.isoformat(), "mode": mode, "result": result, "note": "", "_fin": "1"},
        )
        assert response.status_code == 302
    household.refresh_from_db()
    assert household.contact_attempts.count() == 2
    assert household.status == "rencontre"
    assert household.last_exchange_on == MET_ON
    assert household.veille_due_on is None  # no intervention yet: nothing to follow up

    # The diagnostic starts from the case file: identity and stage are already there.
    diagnostic = _open_document(client, household, "diagnostic-social-et-financier")
    assert diagnostic.draft_input["nom"] == ["Vasseur-Tillard"]
    assert diagnostic.draft_input["stade"] == ["assignation"]
    page = client.get(f"/reponses/{diagnostic.pk}/modifier/")
    assert 'value="Vasseur-Tillard"' in page.content.decode()
    schema = diagnostic.form_version.schema
    _file(
        client,
        diagnostic,
        valid_input(
            schema,
            nom="Vasseur-Tillard",
            prenom="Odile",
            stade="assignation",
            date_entretien=DIAGNOSED_ON.isoformat(),
            montant_dette="4 350,00",
            demarches_proposees=["fsl", "demande_logement_social"],
        ),
    )
    household.refresh_from_db()
    assert household.status == "diagnostique"
    assert household.veille_due_on == DIAGNOSED_ON + datetime.timedelta(days=15)

    # The contract is prefilled from the diagnostic: identity, stage, debt, proposed steps.
    contract = _open_document(client, household, "contrat-d-engagement")
    prefilled = contract.draft_input
    assert prefilled["nom"] == ["Vasseur-Tillard"]
    assert prefilled["stade"] == ["assignation"]
    assert prefilled["montant_dette"] == ["4350,00"]
    assert prefilled["engagements-TOTAL_FORMS"] == ["2"]
    assert prefilled["engagements-0-demarche"] == ["fsl"]
    assert prefilled["engagements-1-demarche"] == ["demande_logement_social"]
    post = valid_input(contract.form_version.schema, date_signature=SIGNED_ON.isoformat())
    post.update(
        {
            "nom": "Vasseur-Tillard",
            "prenom": "Odile",
            "engagements-TOTAL_FORMS": "2",
            "engagements-INITIAL_FORMS": "0",
            "engagements-0-demarche": "fsl",
            "engagements-0-objectif": "Déposer la demande d'aide au FSL",
            "engagements-0-porteur": "operateur",
            "engagements-0-statut": "en_cours",
            "engagements-1-demarche": "demande_logement_social",
            "engagements-1-objectif": "Renouveler la demande de logement social",
            "engagements-1-porteur": "menage",
            "engagements-1-statut": "a_faire",
        }
    )
    _file(client, contract, post)
    contract.refresh_from_db()
    assert [row["demarche"] for row in contract.data["engagements"]] == [
        "fsl",
        "demande_logement_social",
    ]
    household.refresh_from_db()
    assert household.status == "accompagne"
    due = SIGNED_ON + datetime.timedelta(days=15)
    assert household.veille_due_on == due

    # « Veilles à faire » and the personal space show it, due 15 days after the signature.
    veilles = client.get("/menages/veilles/")
    assert household.reference in _rows(veilles, "veilles")
    assert f"{due.day} " in _rows(veilles, "veilles")
    space = client.get("/mon-espace/")
    assert 'id="veilles-a-faire"' in space.content.decode()
    assert space.context["veilles"].due == 1

    # The follow-up starts from the contract's lines and the last exchange.
    veille = _open_document(client, household, "veille-sociale-post-intervention")
    assert veille.draft_input["date_dernier_echange"] == [SIGNED_ON.isoformat()]
    assert veille.draft_input["engagements-0-demarche"] == ["fsl"]
    assert veille.draft_input["engagements-0-statut"] == ["en_cours"]
    _file(
        client,
        veille,
        valid_input(
            veille.form_version.schema,
            date_dernier_echange=SIGNED_ON.isoformat(),
            date_contact=TODAY.isoformat(),
            contact_etabli="oui",
            issue="poursuite",
        ),
    )
    household.refresh_from_db()
    assert household.veille_due_on is None
    assert household.status == "accompagne"
    veilles = client.get("/menages/veilles/")
    assert 'id="veilles"' not in veilles.content.decode()
    assert client.get("/mon-espace/").context["veilles"].due == 0

    # The timeline tells the story in order.
    detail = client.get(f"/menages/{household.pk}/")
    kinds = [event.kind for event in detail.context["timeline"]]
    assert kinds[:3] == ["orientation", "contact", "contact"]
    assert kinds.count("document") == 3


def test_refilling_a_document_keeps_what_the_operator_typed(operator):
    client = operator
    household = _create_household(client)
    contract = _open_document(client, household, "contrat-d-engagement")
    assert contract.draft_input["nom"] == ["Vasseur-Tillard"]
    typed = {
        "nom": "Vasseur",
        "prenom": "",
        "referent": "Camille Roux",
        "engagements-TOTAL_FORMS": "1",
        "engagements-INITIAL_FORMS": "0",
        "engagements-0-demarche": "dalo",
        "engagements-0-objectif": "Déposer un recours",
        "_fin": "1",
        "revision": contract.revision,
    }
    response = client.post(f"/reponses/{contract.pk}/modifier/", {**typed, "action": "refill"})
    assert response.status_code == 302
    assert response["Location"] == f"/reponses/{contract.pk}/preremplir/"
    contract.refresh_from_db()
    assert contract.draft_input["prenom"] == [""]  # saved as typed, nothing taken yet

    # The confirmation page: what was typed beside what the case file says.
    page = client.get(response["Location"])
    rows = {row["proposal"].key: row for row in page.context["rows"]}
    assert rows["nom"]["proposal"].typed == "Vasseur"
    assert rows["nom"]["proposal"].proposed == "Vasseur-Tillard"
    assert rows["nom"]["checked"] is False  # typed: kept unless ticked
    assert rows["prenom"]["proposal"].proposed == "Odile"
    assert rows["prenom"]["checked"] is True  # empty: ticked
    assert "referent" not in rows  # the case file has nothing to say about it
    assert "Vasseur-Tillard" in page.content.decode()

    confirmed = client.post(
        response["Location"],
        {
            "action": "confirm",
            "_fin": "1",
            "revision": contract.revision,
            "remplacer": [key for key, row in rows.items() if row["checked"]],
            **{f"propose-{key}": row["proposal"].proposed for key, row in rows.items()},
        },
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/reponses/{contract.pk}/modifier/"
    contract.refresh_from_db()
    assert contract.draft_input["nom"] == ["Vasseur"]  # typed: kept
    assert contract.draft_input["referent"] == ["Camille Roux"]
    assert contract.draft_input["prenom"] == ["Odile"]  # empty: filled from the case file
    assert contract.draft_input["engagements-0-demarche"] == ["dalo"]  # rows typed: kept
    assert contract.draft_input["engagements-TOTAL_FORMS"] == ["1"]

    # Ticked on purpose, a typed value is replaced.
    client.post(
        response["Location"],
        {
            "action": "confirm",
            "_fin": "1",
            "revision": contract.revision,
            "remplacer": ["nom"],
            "propose-nom": "Vasseur-Tillard",
        },
    )
    contract.refresh_from_db()
    assert contract.draft_input["nom"] == ["Vasseur-Tillard"]
    assert contract.draft_input["referent"] == ["Camille Roux"]


def test_refilling_a_filed_document_sends_to_its_page(operator):
    client = operator
    household = _create_household(client)
    contract = _open_document(client, household, "contrat-d-engagement")
    Submission.objects.filter(pk=contract.pk).update(status="soumise")
    response = client.get(f"/reponses/{contract.pk}/preremplir/")
    assert response.status_code == 302
    assert response["Location"] == f"/reponses/{contract.pk}/"


def test_a_filed_document_reopens_and_the_follow_up_is_recomputed(operator):
    client = operator
    household = _create_household(client)
    diagnostic = _open_document(client, household, "diagnostic-social-et-financier")
    _file(
        client,
        diagnostic,
        valid_input(diagnostic.form_version.schema, date_entretien=DIAGNOSED_ON.isoformat()),
    )
    household.refresh_from_db()
    assert household.veille_due_on == DIAGNOSED_ON + datetime.timedelta(days=15)
    response = client.post(f"/reponses/{diagnostic.pk}/rouvrir/", {"revision": diagnostic.revision})
    assert response.status_code == 302
    diagnostic.refresh_from_db()
    household.refresh_from_db()
    assert diagnostic.status == "brouillon"
    assert household.veille_due_on is None


def test_invalid_contact_attempt_shows_errors_next_to_the_fields(operator):
    client = operator
    household = _create_household(client)
    future = TODAY + datetime.timedelta(days=3)
    response = client.post(
        f"/menages/{household.pk}/contacts/",
        {"date": future.isoformat(), "mode": "", "result": "rencontre", "_fin": "1"},
    )
    assert response.status_code == 400
    form = response.context["contact_form"]
    assert set(form.errors) == {"date", "mode"}
    assert household.contact_attempts.count() == 0
