"""A save whose body was cut short changes nothing (issue 12, point 4).

Bodies are posted by hand, as a connection cut mid-request leaves them: a multipart body
without its closing boundary, a urlencoded body cut in the middle, a body carrying the CSRF
token and the revision only. Each time the stored draft keeps all its fields."""

import datetime
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT
from django.utils import timezone

from forms_app.complete_body import END_FIELD, END_VALUE
from forms_app.models import Household, Submission
from tests.forms_app.builders import answer_started, valid_input

END = {END_FIELD: END_VALUE}
URLENCODED = "application/x-www-form-urlencoded"
TODAY = timezone.localdate()


def _pairs(data: dict) -> list[tuple[str, str]]:
    """The fields in order, the marker last, as a browser sends a form."""
    pairs = [("csrfmiddlewaretoken", "jeton")]
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs + [(END_FIELD, END_VALUE)]


def _multipart(pairs: list[tuple[str, str]]) -> bytes:
    return (
        b"".join(
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            ).encode()
            for key, value in pairs
        )
        + f"--{BOUNDARY}--\r\n".encode()
    )


def _without_closing_boundary(body: bytes) -> bytes:
    """Every part, the marker's included, but not the closing ``--boundary--``."""
    return body[: body.rindex(f"--{BOUNDARY}--".encode())]


@pytest.fixture
def bilan(client, login):
    """A bilan whose draft holds every field (40 and more, as typed), saved through the page."""
    login("prefecture38@demo.test")
    submission = answer_started(client)
    data = valid_input(submission.form_version.schema, commentaire_difficultes="À garder")
    response = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {**data, "revision": submission.revision, "action": "draft", **END},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert len(submission.draft_input) >= 40
    return submission, data


def _unchanged(submission: Submission) -> None:
    before = (submission.revision, dict(submission.draft_input))
    submission.refresh_from_db()
    assert (submission.revision, submission.draft_input) == before


def _post(client, url, body: bytes, content_type: str):
    return client.generic("POST", url, data=body, content_type=content_type)


def _posted_data(submission, data, **changes):
    return {**data, **changes, "revision": submission.revision}


# --- the automatic saving --------------------------------------------------------------


def test_autosave_without_closing_boundary_changes_nothing(client, bilan):
    submission, data = bilan
    body = _without_closing_boundary(
        _multipart(_pairs(_posted_data(submission, data, nb_menages_rencontres="1")))
    )
    response = _post(client, f"/reponses/{submission.pk}/brouillon/", body, MULTIPART_CONTENT)
    assert response.status_code == 400
    assert "connexion interrompue" in response.json()["error"]
    _unchanged(submission)


def test_autosave_cut_in_the_middle_changes_nothing(client, bilan):
    submission, data = bilan
    whole = urlencode(_pairs(_posted_data(submission, data, nb_menages_rencontres="1")))
    for cut in (whole[: len(whole) // 2], whole[: len(whole) - 3]):
        response = _post(client, f"/reponses/{submission.pk}/brouillon/", cut.encode(), URLENCODED)
        assert response.status_code == 400
        assert "n'a pas abouti" in response.json()["error"]
    multipart = _multipart(_pairs(_posted_data(submission, data)))
    response = _post(
        client,
        f"/reponses/{submission.pk}/brouillon/",
        multipart[: len(multipart) // 2],
        MULTIPART_CONTENT,
    )
    assert response.status_code == 400
    _unchanged(submission)


def test_autosave_with_token_and_revision_only_changes_nothing(client, bilan):
    submission, _ = bilan
    url = f"/reponses/{submission.pk}/brouillon/"
    token_and_revision = [("csrfmiddlewaretoken", "jeton"), ("revision", submission.revision)]
    for body, content_type in (
        (urlencode(token_and_revision).encode(), URLENCODED),
        (_multipart(token_and_revision), MULTIPART_CONTENT),
        (urlencode([*token_and_revision, (END_FIELD, END_VALUE)]).encode(), URLENCODED),
    ):
        response = _post(client, url, body, content_type)
        assert response.status_code == 400, body
        assert "vos saisies restent dans la page" in response.json()["error"]
    _unchanged(submission)


def test_a_malformed_multipart_autosave_gets_a_french_json_error(client, bilan):
    submission, _ = bilan
    response = _post(
        client,
        f"/reponses/{submission.pk}/brouillon/",
        b"pas du multipart du tout",
        "multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert "n'a pas abouti" in response.json()["error"]
    _unchanged(submission)


def test_a_complete_autosave_still_saves_with_boxes_unchecked(client, bilan):
    """The marker, not the presence of fields, tells a complete body: unchecked boxes and
    radios are absent from a browser's body and the save goes through."""
    submission, data = bilan
    schema = submission.form_version.schema
    multi = [i["value"]["key"] for i in schema if i["type"] in ("multi_choice", "yes_no")]
    assert multi
    kept = {key: value for key, value in data.items() if key not in multi}
    body = _multipart(_pairs(_posted_data(submission, kept, commentaire_difficultes="Nouveau")))
    response = _post(client, f"/reponses/{submission.pk}/brouillon/", body, MULTIPART_CONTENT)
    assert response.status_code == 200, response.content
    submission.refresh_from_db()
    assert submission.draft_input["commentaire_difficultes"] == ["Nouveau"]
    assert not set(multi) & set(submission.draft_input)
    assert END_FIELD not in submission.draft_input


# --- the page's buttons ------------------------------------------------------------------


def test_a_draft_save_without_closing_boundary_changes_nothing(client, bilan):
    submission, data = bilan
    pairs = _pairs(_posted_data(submission, data, commentaire_difficultes="Coupé"))
    pairs.insert(-1, ("action", "draft"))
    response = _post(
        client,
        f"/reponses/{submission.pk}/modifier/",
        _without_closing_boundary(_multipart(pairs)),
        MULTIPART_CONTENT,
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "arrivé incomplet" in html and "rien n'a été enregistré" in html
    assert "Coupé" in html  # what arrived is on the page
    assert "data-autosave-url" not in html  # nothing saves it behind the person's back
    _unchanged(submission)


def test_a_draft_save_cut_in_the_middle_changes_nothing(client, bilan):
    submission, data = bilan
    pairs = _pairs(_posted_data(submission, data))
    pairs.insert(-1, ("action", "review"))
    whole = urlencode(pairs)
    response = _post(
        client,
        f"/reponses/{submission.pk}/modifier/",
        whole[: len(whole) // 3].encode(),
        URLENCODED,
    )
    assert response.status_code == 400
    assert "arrivé incomplet" in response.content.decode()
    response = _post(
        client,
        f"/reponses/{submission.pk}/modifier/",
        urlencode([("csrfmiddlewaretoken", "jeton"), ("revision", submission.revision)]).encode(),
        URLENCODED,
    )
    assert response.status_code == 400
    _unchanged(submission)


def test_a_malformed_multipart_save_gets_a_french_page(client, bilan):
    submission, _ = bilan
    response = _post(
        client,
        f"/reponses/{submission.pk}/modifier/",
        b"--x\r\nsans en-tete\r\n",
        "multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "arrivé incomplet" in html and "Bad Request" not in html
    _unchanged(submission)


def test_the_marker_is_the_last_element_of_every_fill_form(client, bilan, login):
    submission, data = bilan
    html = client.get(f"/reponses/{submission.pk}/modifier/").content.decode()
    form = html[html.index('id="formulaire-reponse"') :]
    form = form[: form.index("</form>")]
    assert re.search(r'<input type="hidden" name="_fin" value="1"[^>]*>\s*$', form)
    # The confirmation page's form too: its « Confirmer » posts the marker last.
    review = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {**data, "revision": submission.revision, "action": "review", **END},
    ).content.decode()
    assert "Confirmer la transmission" in review
    confirm = review[review.index('value="submit"') :]
    assert re.search(r'</ul>\s*<input type="hidden" name="_fin" value="1">\s*</form>', confirm)


# --- household forms ----------------------------------------------------------------------


@pytest.fixture
def household(client, login, portal_content):
    login("operateur38a@demo.test")
    response = client.post(
        "/menages/nouveau/",
        {
            "nom": "Durand-Lefort",
            "prenom": "Aline",
            "adresse_logement": "3 rue du Lac, 38000 Grenoble",
            "telephone": "06 12 34 56 78",
            "email": "",
            "source": "ccapex",
            "referred_on": (TODAY - datetime.timedelta(days=30)).isoformat(),
            "stage": "assignation",
            "known_to_social_services": "non",
            **END,
        },
    )
    assert response.status_code == 302
    return Household.objects.get(nom="Durand-Lefort")


def test_a_cut_household_file_changes_nothing(client, household):
    edit = f"/menages/{household.pk}/modifier/"
    html = client.get(edit).content.decode()
    assert re.search(r'name="_fin" value="1">\s*</form>', html)
    fields = [
        ("csrfmiddlewaretoken", "jeton"),
        ("nom", "Coupé"),
        ("prenom", ""),
        ("adresse_logement", ""),
    ]
    response = _post(client, edit, urlencode(fields).encode(), URLENCODED)
    assert response.status_code == 400
    assert "arrivé incomplet" in response.content.decode()
    household.refresh_from_db()
    assert (household.nom, household.prenom) == ("Durand-Lefort", "Aline")
    response = _post(
        client,
        "/menages/nouveau/",
        _without_closing_boundary(
            _multipart(
                [("nom", "Nouveau"), ("source", "ccapex"), ("stage", "assignation"), *END.items()]
            )
        ),
        MULTIPART_CONTENT,
    )
    assert response.status_code == 400
    assert not Household.objects.filter(nom="Nouveau").exists()


def test_a_cut_contact_attempt_is_not_recorded(client, household):
    url = f"/menages/{household.pk}/contacts/"
    html = client.get(f"/menages/{household.pk}/").content.decode()
    contact_form = html[html.index(f'action="{url}') :]
    assert re.search(
        r'name="_fin" value="1">\s*</form>', contact_form[: contact_form.index("</form>") + 7]
    )
    fields = {"date": TODAY.isoformat(), "mode": "telephone", "result": "sans_reponse"}
    response = _post(client, url, urlencode(fields).encode(), URLENCODED)
    assert response.status_code == 400
    assert "arrivé incomplet" in response.content.decode()
    assert household.contact_attempts.count() == 0
    assert client.post(url, {**fields, **END}).status_code == 302
    assert household.contact_attempts.count() == 1


def test_a_cut_autosave_of_a_household_document_changes_nothing(client, household):
    from wagtailstreamforms.models import Form

    diagnostic = Form.objects.get(slug="diagnostic-social-et-financier")
    client.post(f"/menages/{household.pk}/documents/{diagnostic.pk}/")
    document = Submission.objects.get(household=household, status="brouillon")
    data = valid_input(document.form_version.schema)
    response = client.post(
        f"/reponses/{document.pk}/modifier/",
        {**data, "revision": document.revision, "action": "draft", **END},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    body = _without_closing_boundary(_multipart(_pairs({**data, "revision": document.revision})))
    response = _post(client, f"/reponses/{document.pk}/brouillon/", body, MULTIPART_CONTENT)
    assert response.status_code == 400
    _unchanged(document)
    refill = urlencode([("revision", document.revision), ("nb", "1")]).encode()
    response = _post(client, f"/reponses/{document.pk}/preremplir/", refill, URLENCODED)
    assert response.status_code == 400
    _unchanged(document)
