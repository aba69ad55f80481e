"""Editors replace a form's Word template in the admin: upload (checked), preview, put in
service; the next download uses it; a hostile upload is refused in French next to the
field; nobody but editors reaches these pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtailstreamforms.models import Form

from documents.models import WordTemplate
from documents.rendering.template_checks.sample import SAMPLE_META
from forms_app.models import Submission, SubmissionStatus
from tests.documents.builders import all_text, docx_bytes, docx_with_macro

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _upload(client, form: Form, data: bytes, name: str = "modele.docx"):
    return client.post(
        f"/admin/modeles-word/formulaire/{form.pk}/",
        {"file": SimpleUploadedFile(name, data, content_type=DOCX)},
    )


@pytest.fixture
def editor(login, demo_data_once):
    return login("dihal@demo.test")


@pytest.fixture
def bilan() -> Form:
    return Form.objects.get(slug="bilan-d-etape")


def test_an_editor_uploads_previews_and_activates_a_template(editor, bilan):
    template = docx_bytes(
        "Bilan de {{ territoire }} : {{ nb_menages_rencontres }} ménages rencontrés.",
        "Variable inconnue : {{ nb_inconnu }}",
        title="{{ formulaire }}",
    )
    response = _upload(editor, bilan, template)
    assert response.status_code == 200
    version = WordTemplate.objects.get(form=bilan)
    assert (version.number, version.is_active) == (1, False)
    assert version.unknown_variables == ["nb_inconnu"]
    page = response.content.decode()
    assert "nb_inconnu" in page and "nb_menages_rencontres" in page  # known keys offered

    preview = editor.get(f"/admin/modeles-word/version/{version.pk}/apercu/")
    assert preview.status_code == 200
    assert "ménages rencontrés" in all_text(preview.content)

    # Not in service yet: answers still render with the shipped template.
    answer = Submission.objects.filter(
        campaign__form=bilan, status=SubmissionStatus.SUBMITTED
    ).first()
    before = all_text(editor.get(f"/reponses/{answer.pk}/word/").content)
    assert "Variable inconnue" not in before

    assert editor.post(f"/admin/modeles-word/version/{version.pk}/activer/").status_code == 302
    version.refresh_from_db()
    assert version.is_active
    after = all_text(editor.get(f"/reponses/{answer.pk}/word/").content)
    assert f"Bilan de {answer.territory.name} :" in after

    current = editor.get(f"/admin/modeles-word/formulaire/{bilan.pk}/modele/")
    assert current.content == template  # to edit in Word, as uploaded

    # A second version takes over; the first stays, inactive.
    _upload(editor, bilan, docx_bytes("Version deux : {{ organisation }}"))
    second = WordTemplate.objects.get(form=bilan, number=2)
    editor.post(f"/admin/modeles-word/version/{second.pk}/activer/")
    assert list(
        WordTemplate.objects.filter(form=bilan)
        .order_by("number")
        .values_list("is_active", flat=True)
    ) == [False, True]
    # Back to the shipped template.
    editor.post(f"/admin/modeles-word/formulaire/{bilan.pk}/modele-par-defaut/")
    assert not WordTemplate.objects.filter(form=bilan, is_active=True).exists()


META_SHOWN = (
    "organisation",
    "territoire",
    "departement",
    "region",
    "campagne",
    "date_limite",
    "statut",
    "date_transmission",
    "date_document",
)


def test_the_preview_fills_every_document_variable_as_the_upload_check_does(editor, bilan):
    lines = [f"{key} = [{{{{ {key} }}}}]" for key in META_SHOWN]
    response = _upload(editor, bilan, docx_bytes(*lines, "formulaire = [{{ formulaire }}]"))
    assert response.status_code == 200
    version = WordTemplate.objects.get(form=bilan)
    preview = editor.get(f"/admin/modeles-word/version/{version.pk}/apercu/")
    assert preview.status_code == 200
    text = all_text(preview.content)
    for key in META_SHOWN:
        assert f"{key} = [{SAMPLE_META[key]}]" in text, key
    assert f"formulaire = [{bilan.title}]" in text


@pytest.mark.parametrize(
    "data, name",
    [
        (docx_bytes("{{ cycler.__init__.__globals__.os.system('id') }}"), "hostile.docx"),
        (docx_bytes("{% for x in %}"), "syntaxe.docx"),
        (docx_with_macro(), "macro.docm"),
        (b"pas un document", "faux.docx"),
    ],
)
def test_a_refused_template_is_explained_next_to_the_field(editor, bilan, data, name):
    response = _upload(editor, bilan, data, name)
    assert response.status_code == 400
    errors = response.context["upload"].errors["file"]
    assert errors and all(isinstance(error, str) and error for error in errors)
    assert 'id="erreurs-modele"' in response.content.decode()
    assert not WordTemplate.objects.exists()


@pytest.mark.parametrize("email", ["prefecture38@demo.test", "operateur38a@demo.test"])
def test_only_editors_reach_the_template_pages(login, demo_data_once, bilan, email):
    client = login(email)
    assert client.get("/admin/modeles-word/").status_code == 403
    assert client.get(f"/admin/modeles-word/formulaire/{bilan.pk}/modele/").status_code == 403
    response = _upload(client, bilan, docx_bytes("{{ organisation }}"))
    assert response.status_code == 403
    assert not WordTemplate.objects.exists()


def test_the_index_lists_every_form_with_its_template(editor):
    response = editor.get("/admin/modeles-word/")
    assert response.status_code == 200
    titles = [row["form"].title for row in response.context["rows"]]
    assert len(titles) == Form.objects.count() == 5
    assert all(row["active"] for row in response.context["rows"])
