"""One input normalisation (portal.text): no NUL nor other character XML 1.0 forbids,
Unicode NFC — in values, keys, autosave, household forms and filters, on SQLite and on
PostgreSQL (never a 500 ``DataError``); and migration forms_app 0007 on dirty rows."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from forms_app.answering import typed_input
from forms_app.field_types import field_type
from forms_app.households.forms import ContactAttemptForm, HouseholdFilterForm
from forms_app.models import ContactAttempt, Household, Submission
from portal.text import normalise_text, normalise_value, normalised_query_dict
from tests.forms_app.builders import valid_input
from tests.signing import signed_in

OPERATOR = "operateur38a@demo.test"
DECOMPOSED = "Me\u0301lanie"  # « Mélanie » typed with a combining accent
COMPOSED = "Mélanie"
TODAY = timezone.localdate()


def test_normalise_text_takes_out_forbidden_characters_and_composes():
    assert normalise_text("a\x00b\x0bc\x1f\ufffed") == "abcd"
    assert normalise_text(DECOMPOSED) == COMPOSED
    assert normalise_text("\tligne\r\nsuite\n") == "\tligne\r\nsuite\n"  # allowed, kept
    assert normalise_text("\ud800x") == "x"
    assert normalise_text(normalise_text(DECOMPOSED + "\x00")) == COMPOSED


def test_normalise_value_reaches_keys_and_nested_values():
    value = {"cl\x00e": ["a\x00", {"e\u0301": "e\u0301"}], "cle": ["b"], 3: 4.5}
    assert normalise_value(value) == {"cle": ["a", {"é": "é"}, "b"], 3: 4.5}


def test_query_dict_keeps_repeated_keys():
    from django.http import QueryDict

    cleaned = normalised_query_dict(QueryDict("a=1&a%00=2&b=e%CC%81"))
    assert cleaned.getlist("a") == ["1", "2"] and cleaned["b"] == "é"


def test_field_types_normalise_outside_http_and_long_text_keeps_leading_whitespace():
    short = field_type("short_text").get_formfield({"label": "x", "key": "x", "required": True})
    assert short.clean("  \x00" + DECOMPOSED + " ") == COMPOSED
    long = field_type("long_text").get_formfield({"label": "x", "key": "x", "required": True})
    assert long.clean("\t\r\n  Liste\x00 :\n\t- un\n  ") == "\t\r\n  Liste :\n\t- un"
    with pytest.raises(Exception, match="requis"):
        long.clean(" \t\r\n ")
    choice = field_type("choice").get_formfield(
        {"label": "x", "key": "x", "required": True, "choices": [{"value": "é", "label": "E"}]}
    )
    assert choice.clean("e\u0301\x00") == "é"


def test_typed_input_normalises_keys_and_values():
    from django.http import QueryDict

    typed = typed_input(QueryDict("revision=1&nom%00=A%00&nom=e%CC%81&action=draft"))
    assert typed == {"nom": ["A", "é"]}


def test_forms_bound_outside_http_are_normalised():
    form = HouseholdFilterForm({"q": "\x00" + DECOMPOSED, "stage": "", "status": ""})
    assert form.is_valid() and form.cleaned_data["q"] == COMPOSED
    contact = ContactAttemptForm(
        {"date": TODAY.isoformat(), "mode": "telephone", "result": "echange", "note": "\tNote\x00"}
    )
    assert contact.is_valid(), contact.errors
    assert contact.cleaned_data["note"] == "\tNote"


def _household(operator_client) -> Household:
    response = operator_client.post(
        "/menages/nouveau/",
        {
            "nom": "Nul\x00" + DECOMPOSED,
            "prenom": "\x0b" + DECOMPOSED,
            "adresse_logement": "1 rue de l'E\u0301glise\x00",
            "telephone": "06 12 34 56 78",
            "email": "",
            "source": "ccapex",
            "referred_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
            "stage": "assignation",
            "known_to_social_services": "non",
            "_fin": "1",  # the forms' closing marker (a body cut short is refused)
        },
    )
    assert response.status_code == 302, response.content[:2000]
    return Household.objects.latest("pk")


def test_household_forms_save_normalised_text(client, login):
    login(OPERATOR)
    household = _household(client)
    assert household.nom == "Nul" + COMPOSED
    assert household.prenom == COMPOSED and household.adresse_logement == "1 rue de l'Église"
    response = client.post(
        f"/menages/{household.pk}/contacts/",
        {
            "date": TODAY.isoformat(),
            "mode": "telephone",
            "result": "echange",
            "note": "\tA\x00",
            "_fin": "1",
        },
    )
    assert response.status_code == 302
    assert ContactAttempt.objects.get(household=household).note == "\tA"
    response = client.post(
        f"/menages/{household.pk}/statut/", {"status": "\x00", "revision": household.revision}
    )
    assert response.status_code == 302  # refused with a French message, nothing changed
    household.refresh_from_db()
    assert household.status != ""


@pytest.mark.parametrize(
    "query",
    [
        "/menages/?q=%00",
        "/menages/?q=%00&stage=%00&status=%00&page=%00",
        "/menages/?q%00=1",
        "/menages/?q=e%CC%81",
        "/menages/veilles/?x=%00",
    ],
)
def test_household_list_filters_never_fail(client, login, query):
    login(OPERATOR)
    assert client.get(query).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "/suivi/menages/?territoire=%00",
        "/suivi/menages/?territoire=38%00&statut=%00&page=%00",
        "/suivi/menages/?territoire%00=38",
    ],
)
def test_household_overview_filters_never_fail(client, login, query):
    login("prefecture38@demo.test")
    assert client.get(query).status_code == 200


def test_audit_journal_filters_never_fail(client, login):
    login("dihal@demo.test")
    for query in ("personne=%00", "territoire=%00&action=%00&du=%00&au=2021-01-01%00"):
        response = client.get(f"/admin/journal-des-acces/?{query}")
        assert response.status_code < 500, query


def _campaign_answer(client):
    from tests.forms_app.builders import answer_started

    return answer_started(client)


def test_autosave_and_draft_normalise_keys_and_values(client, login, demo_data):
    login("prefecture38@demo.test")
    submission = _campaign_answer(client)
    data = valid_input(
        submission.form_version.schema, commentaire_difficultes="\t" + DECOMPOSED + "\x00"
    )
    data["inconnue\x00"] = "\x00"
    response = client.post(
        f"/reponses/{submission.pk}/brouillon/",
        {**data, "revision": submission.revision, "_fin": "1"},
    )
    assert response.status_code == 200, response.content[:500]
    submission.refresh_from_db()
    assert submission.draft_input["commentaire_difficultes"] == ["\t" + COMPOSED]
    assert submission.draft_input["inconnue"] == [""]
    response = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {**data, "revision": submission.revision, "action": "review", "_fin": "1"},
    )
    assert response.status_code == 200
    assert "\x00" not in str(Submission.objects.get(pk=submission.pk).draft_input)


MIGRATION = importlib.import_module("forms_app.migrations.0008_clean_stored_text")


def test_migration_cleans_stored_rows(client, login, demo_data):
    login("prefecture38@demo.test")
    submission = _campaign_answer(client)
    household = _household(signed_in(OPERATOR))
    decomposed_key = "cle\u0301"
    dirty_draft = {decomposed_key: ["e\u0301\x0b"], "nom": [DECOMPOSED]}
    Submission.objects.filter(pk=submission.pk).update(
        draft_input=dirty_draft, data={"a": DECOMPOSED, "rows": [{"b": "x\x0c"}]}
    )
    dirty_name = "E\u0301lodie" + ("\x00" if connection.vendor != "postgresql" else "\x0b")
    Household.objects.filter(pk=household.pk).update(nom=dirty_name, prenom="\x1f" + DECOMPOSED)
    ContactAttempt.objects.create(
        household=household, date=TODAY, mode="telephone", result="joint", note="\tn\x08"
    )
    before = Household.objects.get(pk=household.pk).updated_at

    MIGRATION.clean_stored_text(django_apps, None)

    submission.refresh_from_db()
    assert submission.draft_input == {"clé": ["é"], "nom": [COMPOSED]}
    assert submission.data == {"a": COMPOSED, "rows": [{"b": "x"}]}
    household.refresh_from_db()
    assert household.nom == "Élodie" and household.prenom == COMPOSED
    assert household.updated_at == before
    assert ContactAttempt.objects.get(household=household).note == "\tn"


def test_middleware_normalises_query_post_and_file_names():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from portal.middleware import InputNormalisationMiddleware

    seen = {}

    def view(request):
        seen.update(get=request.GET, post=request.POST, files=request.FILES)

    upload = SimpleUploadedFile("Re\u0301sume\u0301\x0b.pdf", b"%PDF-1.4")
    request = RequestFactory().post(
        "/x/?territoire=38%00&e%CC%81=1", {"nom\x00": "e\u0301", "pie\u0300ce": upload}
    )
    InputNormalisationMiddleware(view)(request)
    assert seen["get"].dict() == {"territoire": "38", "é": "1"}
    assert seen["post"].dict() == {"nom": "é"}
    assert [(key, f.name) for key, f in seen["files"].items()] == [("pièce", "Résumé.pdf")]
