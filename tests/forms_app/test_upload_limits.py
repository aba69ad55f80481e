"""Every size or name limit answers in French and keeps what was typed (issue 12, point 7).

Through HTTP, a signed-in prefecture fills the « Lettre de préfiguration », whose field
``lettre_signee_pdf`` takes a file: limits a form can check answer next to the field with the
typed text saved; Django's global limits, which refuse a body before any view, answer with a
French page naming the limit (French JSON for the automatic saving)."""

import io
import re
import zipfile
from html import unescape

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forms_app.complete_body import END_FIELD, END_VALUE
from forms_app.models import SubmissionFile
from forms_app.validators import FILE_NAME_MAX_LENGTH
from tests.forms_app.builders import answer_started

END = {END_FIELD: END_VALUE}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 40
TYPED = "Texte tapé dans la même requête"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"})
PLAIN_ZIP = _zip({"notes.txt": b"pas un document Word"})
ODS_AS_ODT = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<c/>"}
)


@pytest.fixture
def lettre(client, login):
    login("prefecture38@demo.test")
    return answer_started(client, title="Lettre de préfiguration")


def _send(client, submission, content, name, **extra):
    submission.refresh_from_db()
    return client.post(
        f"/reponses/{submission.pk}/modifier/",
        {
            "signataire_prefet": TYPED,
            "revision": submission.revision,
            "action": "draft",
            "lettre_signee_pdf": SimpleUploadedFile(name, content),
            **extra,
            **END,
        },
    )


def _field_error(response) -> str:
    errors = dict(re.findall(r'data-error-for="([a-z0-9_]+)">([^<]+)<', response.content.decode()))
    return errors.get("lettre_signee_pdf", "")


def _typed_is_kept(response, submission) -> None:
    assert TYPED in response.content.decode()
    submission.refresh_from_db()
    assert submission.draft_input["signataire_prefet"] == [TYPED]


def test_an_over_long_file_name_is_refused_next_to_the_field(client, lettre):
    response = _send(client, lettre, PDF, "l" * (FILE_NAME_MAX_LENGTH + 1) + ".pdf")
    assert response.status_code == 200
    assert "nom du fichier est trop long" in _field_error(response)
    _typed_is_kept(response, lettre)
    assert not lettre.files.exists()


def test_a_name_over_255_characters_is_refused_in_french_not_a_bare_400(client, lettre):
    response = _send(client, lettre, PDF, "l" * 400 + ".pdf")
    assert response.status_code == 200
    assert "trop long" in _field_error(response)
    _typed_is_kept(response, lettre)


def test_a_long_name_with_many_dots_is_stored_on_a_real_disk(client, lettre, tmp_path):
    """Such a name made the storage refuse the file (SuspiciousFileOperation, a bare English
    « Bad Request (400) »): files are now stored under a name of the portal's own."""
    field = SubmissionFile._meta.get_field("file")
    private = field.storage
    field.storage = FileSystemStorage(location=str(tmp_path))
    try:
        name = "Lettre signée. Version du 3 mars" + ".v2" * 30 + ".pdf"
        assert len(name) <= FILE_NAME_MAX_LENGTH
        response = _send(client, lettre, PDF, name)
        assert response.status_code == 302
        stored = lettre.files.get()
        assert stored.original_name == name
        assert len(stored.file.name) <= 100 and stored.file.name.endswith(".pdf")
        assert (tmp_path / stored.file.name).read_bytes() == PDF
    finally:
        field.storage = private


def test_a_file_over_the_size_limit_is_refused_next_to_the_field(client, lettre, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    response = _send(client, lettre, PDF + b"0" * 2048, "lettre.pdf")
    assert response.status_code == 200
    assert "taille maximale" in _field_error(response)
    _typed_is_kept(response, lettre)
    assert not lettre.files.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lettre.pdf", PDF),
        ("scan.png", PNG),
        ("scan.jpg", JPEG),
        ("lettre.docx", DOCX),
        ("tableau.xlsx", XLSX),
        ("lettre.odt", ODT),
    ],
)
def test_a_file_whose_content_is_its_type_is_accepted(client, lettre, name, content):
    response = _send(client, lettre, content, name)
    assert response.status_code == 302, _field_error(response)
    assert lettre.files.get().original_name == name


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("lettre.docx", PLAIN_ZIP, "document Word"),
        ("lettre.docx", XLSX, "document Word"),
        ("tableau.xlsx", DOCX, "classeur Excel"),
        ("lettre.odt", ODS_AS_ODT, "OpenDocument"),
        ("lettre.odt", PLAIN_ZIP, "OpenDocument"),
        ("lettre.docx", b"PK\x03\x04 pas vraiment un zip", "document Word"),
        ("lettre.pdf", b"%PDX-1.4 " + b"0" * 20, "PDF"),
        ("lettre.pdf", PNG, "PDF"),
        ("scan.png", JPEG, "PNG"),
        ("scan.jpeg", PDF, "JPEG"),
    ],
)
def test_a_file_whose_content_is_not_its_type_is_refused(client, lettre, name, content, said):
    response = _send(client, lettre, content, name)
    assert response.status_code == 200
    error = _field_error(response)
    assert "ne correspond pas" in error and said in error
    _typed_is_kept(response, lettre)
    assert not lettre.files.exists()


def test_too_many_files_gets_a_french_page_naming_the_limit(client, lettre, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    response = client.post(
        f"/reponses/{lettre.pk}/modifier/",
        {
            "revision": lettre.revision,
            "lettre_signee_pdf": [
                SimpleUploadedFile("a.pdf", PDF),
                SimpleUploadedFile("b.pdf", PDF),
            ],
            **END,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "plus de fichiers que le maximum accepté (1 fichiers)" in html
    assert "Bad Request" not in html
    _unchanged_draft(lettre)


def _unchanged_draft(submission):
    before = submission.revision
    submission.refresh_from_db()
    assert submission.revision == before


@pytest.mark.parametrize("multipart", [True, False])
def test_too_many_fields_gets_a_french_page_and_autosave_a_french_error(
    client, lettre, settings, multipart
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = {f"champ_{index}": "x" for index in range(10)} | {"revision": lettre.revision, **END}
    options = {} if multipart else {"content_type": "application/x-www-form-urlencoded"}
    body = data if multipart else "&".join(f"{key}={value}" for key, value in data.items())
    response = client.post(f"/reponses/{lettre.pk}/modifier/", body, **options)
    assert response.status_code == 400
    assert "plus de champs que le maximum accepté (5 champs)" in response.content.decode()
    autosave = client.post(f"/reponses/{lettre.pk}/brouillon/", body, **options)
    assert autosave.status_code == 400
    assert "5 champs" in autosave.json()["error"]
    _unchanged_draft(lettre)


@pytest.mark.parametrize("multipart", [True, False])
def test_too_big_a_body_gets_a_french_page_and_autosave_a_french_error(
    client, lettre, settings, multipart
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = {"signataire_prefet": "x" * 5000, "revision": lettre.revision, **END}
    options = {} if multipart else {"content_type": "application/x-www-form-urlencoded"}
    body = data if multipart else "&".join(f"{key}={value}" for key, value in data.items())
    response = client.post(f"/reponses/{lettre.pk}/modifier/", body, **options)
    assert response.status_code == 400
    html = response.content.decode()
    assert "taille maximale acceptée pour les textes" in html and "1000" in html
    assert "vos saisies y sont encore" in html
    autosave = client.post(f"/reponses/{lettre.pk}/brouillon/", body, **options)
    assert autosave.status_code == 400
    assert "taille maximale" in autosave.json()["error"]
    _unchanged_draft(lettre)


def test_a_short_text_over_its_limit_is_said_next_to_its_field(client, lettre):
    lettre.refresh_from_db()
    response = client.post(
        f"/reponses/{lettre.pk}/modifier/",
        {"signataire_prefet": "x" * 501, "revision": lettre.revision, "action": "review", **END},
    )
    assert response.status_code == 200
    errors = dict(re.findall(r'data-error-for="([a-z0-9_]+)">([^<]+)<', response.content.decode()))
    assert "500 caractères" in errors["signataire_prefet"]
    lettre.refresh_from_db()
    assert lettre.draft_input["signataire_prefet"] == ["x" * 501]


def test_a_malformed_body_read_by_the_csrf_check_gets_the_french_page(db):
    """In production the CSRF check reads the body first: a malformed multipart is refused
    there, before any view, by the French handler400 (JSON for the automatic saving)."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # the CSRF cookie, so that the check reads the body
    assert "csrftoken" in client.cookies
    options = {"data": b"--x\r\nsans en-tete\r\n", "content_type": "multipart/form-data; boundary="}
    page = client.generic("POST", "/reponses/1/modifier/", **options)
    assert page.status_code == 400
    html = unescape(page.content.decode())
    assert "incomplet ou mal formé" in html and "vos saisies y sont encore" in html
    assert "Bad Request" not in html
    autosave = client.generic("POST", "/reponses/1/brouillon/", **options)
    assert autosave.status_code == 400
    assert "n'a pas abouti" in autosave.json()["error"]
