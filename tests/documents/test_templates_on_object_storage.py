"""A Word template an editor uploads in the admin is kept on the object storage's private
prefix (moto's server, real HTTP), and answers' documents render from it once it is in
service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtailstreamforms.models import Form

from documents.models import WordTemplate
from forms_app.models import Submission, SubmissionStatus
from tests.documents.builders import all_text, docx_bytes
from tests.s3 import private_key

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def editor(s3_storages, login, demo_data_once):
    return login("dihal@demo.test")


def test_an_uploaded_template_is_stored_in_the_bucket_and_documents_render_from_it(
    editor, s3_storages
):
    bilan = Form.objects.get(slug="bilan-d-etape")
    template = docx_bytes("Depuis le compartiment : {{ territoire }}.")
    response = editor.post(
        f"/admin/modeles-word/formulaire/{bilan.pk}/",
        {"file": SimpleUploadedFile("modele.docx", template, content_type=DOCX)},
    )
    assert response.status_code == 200

    version = WordTemplate.objects.get(form=bilan)
    key = private_key(version.file.name)
    assert version.file.name.startswith("modeles-word/")
    assert s3_storages.object_keys() == [key]
    assert s3_storages.body(key) == template
    assert s3_storages.anonymous_get(key) == 403

    assert editor.post(f"/admin/modeles-word/version/{version.pk}/activer/").status_code == 302
    answer = Submission.objects.filter(
        campaign__form=bilan, status=SubmissionStatus.SUBMITTED
    ).first()
    document = editor.get(f"/reponses/{answer.pk}/word/")
    assert document.status_code == 200
    assert f"Depuis le compartiment : {answer.territory.name}." in all_text(document.content)
    assert editor.get(f"/admin/modeles-word/formulaire/{bilan.pk}/modele/").content == template
