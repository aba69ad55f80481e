"""Every field type checks answers on the server, in French, and keeps the rest typed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_app.form_builder import answer_form
from tests.factories import schema_field

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


SCHEMA = [
    {"type": "section", "value": {"label": "En-tête"}},
    {"type": "help", "value": {"text": "Aide"}},
    schema_field("short_text", "nom"),
    schema_field("long_text", "commentaire", required=False),
    schema_field("integer", "nb_menages", min_value=0, max_value=5000),
    schema_field("decimal", "etp", min_value=0, max_value=10, decimal_places=2),
    schema_field("money", "credits"),
    schema_field("percent", "part"),
    schema_field("date", "date_signature"),
    schema_field("yes_no", "existe"),
    schema_field(
        "choice",
        "echelle",
        choices=[
            {"value": "departement", "label": "Département"},
            {"value": "epci", "label": "EPCI"},
        ],
    ),
    schema_field(
        "multi_choice",
        "stades",
        choices=[{"value": "cdp", "label": "CDP"}, {"value": "cql", "label": "CQL"}],
    ),
    schema_field("email", "contact"),
    schema_field("phone", "telephone"),
    schema_field("file", "lettre"),
    schema_field(
        "group",
        "operateurs",
        min_rows=1,
        max_rows=2,
        fields=[
            schema_field("short_text", "nom"),
            schema_field("choice", "type", choices=[{"value": "adil", "label": "ADIL"}]),
        ],
    ),
]

GOOD = {
    "nom": "Préfecture de l'Isère",
    "commentaire": "",
    "nb_menages": "120",
    "etp": "3,5",
    "credits": "117600,5",
    "part": "62,5",
    "date_signature": "2020-12-18",
    "existe": "oui",
    "echelle": "departement",
    "stades": ["cdp", "cql"],
    "contact": "ddets-pex@isere.gouv.fr",
    "telephone": "+33 4 76 12 34 56",
    "operateurs-TOTAL_FORMS": "3",
    "operateurs-INITIAL_FORMS": "0",
    "operateurs-0-nom": "Association A",
    "operateurs-0-type": "adil",
    "operateurs-1-nom": "",
    "operateurs-2-nom": "",
}


def _files(content=PDF_BYTES, name="lettre.pdf"):
    return {"lettre": SimpleUploadedFile(name, content, content_type="application/pdf")}


def test_a_good_answer_is_kept_typed_and_exact():
    form = answer_form(schema=SCHEMA, data=GOOD, files=_files())
    assert form.is_valid(), form.errors_by_key()
    data = form.cleaned_json()
    assert data["nb_menages"] == 120
    assert data["etp"] == "3.5"
    assert data["credits"] == "117600.50"  # money: exactly two decimals
    assert data["part"] == "62.5"
    assert data["date_signature"] == "2020-12-18"
    assert data["existe"] is True
    assert data["stades"] == ["cdp", "cql"]
    assert data["telephone"] == "0476123456"
    assert data["operateurs"] == [{"nom": "Association A", "type": "adil"}]
    assert "section" not in data and "lettre" not in data


@pytest.mark.parametrize(
    "key, bad_value, expected",
    [
        ("nb_menages", "douze", "nombre entier"),
        ("nb_menages", "-3", "supérieure ou égale à 0"),
        ("etp", "trois", "nombre"),
        ("credits", "-5", "supérieure ou égale à 0"),
        ("part", "101", "entre 0 et 100"),
        ("date_signature", "31/02/2021", "date valide"),
        ("existe", "peut-être", "choix valide"),
        ("echelle", "region", "choix valide"),
        ("contact", "pas-une-adresse", "courriel valide"),
        ("telephone", "0612", "téléphone français"),
        ("nom", "", "Champ requis"),
    ],
)
def test_bad_input_gets_a_french_error_next_to_its_field_only(key, bad_value, expected):
    data = {**GOOD, key: bad_value}
    form = answer_form(schema=SCHEMA, data=data, files=_files())
    assert not form.is_valid()
    errors = form.errors_by_key()
    assert list(errors) == [key]
    assert expected in " ".join(errors[key])
    # Everything else typed is still there to show again.
    assert form.form["nom"].value() == data["nom"]
    assert form.form["commentaire"].value() == data["commentaire"]


def test_a_file_over_the_limit_is_refused(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    form = answer_form(schema=SCHEMA, data=GOOD, files=_files(PDF_BYTES + b"0" * 2048))
    assert not form.is_valid()
    assert "taille maximale" in form.errors_by_key()["lettre"][0]


def test_an_executable_renamed_pdf_is_refused():
    form = answer_form(schema=SCHEMA, data=GOOD, files=_files(EXE_BYTES, "lettre.pdf"))
    assert not form.is_valid()
    assert "ne correspond pas" in form.errors_by_key()["lettre"][0]


def test_a_file_type_not_allowed_is_refused():
    form = answer_form(schema=SCHEMA, data=GOOD, files=_files(EXE_BYTES, "outil.exe"))
    assert not form.is_valid()
    assert "n'est pas accepté" in form.errors_by_key()["lettre"][0]


def test_decimals_are_stored_in_plain_notation():
    form = answer_form(schema=SCHEMA, data={**GOOD, "etp": "1e1", "credits": "1e2"}, files=_files())
    assert form.is_valid(), form.errors_by_key()
    assert form.cleaned_json()["etp"] == "10"
    assert form.cleaned_json()["credits"] == "100.00"


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_amounts_and_counts_accept_spaces_between_thousands(space):
    data = {**GOOD, "credits": f"117{space}600,50", "nb_menages": f"1{space}200"}
    form = answer_form(schema=SCHEMA, data=data, files=_files())
    assert form.is_valid(), form.errors_by_key()
    assert form.cleaned_json()["credits"] == "117600.50"
    assert form.cleaned_json()["nb_menages"] == 1200


def test_a_multi_choice_refuses_an_unknown_value():
    form = answer_form(schema=SCHEMA, data={**GOOD, "stades": ["cdp", "inconnu"]}, files=_files())
    assert not form.is_valid()
    assert list(form.errors_by_key()) == ["stades"]
    assert "choix valide" in form.errors_by_key()["stades"][0]


def test_more_rows_than_allowed_are_refused():
    data = {
        **GOOD,
        "operateurs-1-nom": "Association B",
        "operateurs-1-type": "adil",
        "operateurs-2-nom": "Association C",
        "operateurs-2-type": "adil",
    }
    form = answer_form(schema=SCHEMA, data=data, files=_files())
    assert not form.is_valid()
    assert "au plus 2 ligne" in " ".join(form.errors_by_key()["operateurs"])


def test_fewer_rows_than_required_are_refused():
    data = {**GOOD, "operateurs-0-nom": "", "operateurs-0-type": ""}
    form = answer_form(schema=SCHEMA, data=data, files=_files())
    assert not form.is_valid()
    assert "au moins 1 ligne" in " ".join(form.errors_by_key()["operateurs"])


def test_a_bad_row_names_its_line():
    data = {**GOOD, "operateurs-0-type": "inconnu"}
    form = answer_form(schema=SCHEMA, data=data, files=_files())
    assert not form.is_valid()
    assert form.errors_by_key()["operateurs"][0].startswith("Ligne 1 — ")


def test_the_form_offers_empty_rows_without_javascript():
    form = answer_form(schema=SCHEMA)
    assert len(form.groups["operateurs"].forms) == 2


def test_a_saved_draft_offers_room_for_more_rows_up_to_the_maximum():
    from django.utils.datastructures import MultiValueDict

    from forms_app.form_builder import with_room_for_rows

    saved = MultiValueDict({"operateurs-TOTAL_FORMS": ["1"], "operateurs-INITIAL_FORMS": ["0"]})
    assert with_room_for_rows(SCHEMA, saved)["operateurs-TOTAL_FORMS"] == "2"  # max_rows = 2
    schema = [{**SCHEMA[-1], "value": {**SCHEMA[-1]["value"], "max_rows": 5}}]
    assert with_room_for_rows(schema, saved)["operateurs-TOTAL_FORMS"] == "3"


def test_a_row_error_names_the_right_line_after_a_deleted_row():
    data = {
        **GOOD,
        "operateurs-0-DELETE": "on",
        "operateurs-1-nom": "Association B",
        "operateurs-1-type": "inconnu",
    }
    form = answer_form(schema=SCHEMA, data=data, files=_files())
    assert not form.is_valid()
    assert form.errors_by_key()["operateurs"][0].startswith("Ligne 2 — ")


def test_answers_read_the_french_way():
    from forms_app.field_types import field_type

    def shown(kind, value, **block):
        return field_type(kind).display(value, block).replace("\u202f", " ").replace("\xa0", " ")

    assert shown("date", "2020-12-29") == "29 décembre 2020"
    assert shown("money", "117600.00") == "117 600,00 €"
    assert shown("decimal", "3.12") == "3,12"
    assert shown("percent", "62.5") == "62,5 %"
    assert shown("integer", 1234) == "1 234"
    assert shown("yes_no", True) == "Oui"
    assert shown("choice", "epci", choices=[{"value": "epci", "label": "EPCI"}]) == "EPCI"
