"""Every filed answer downloads as a Word document for whoever may read it, and a campaign's
documents download as one zip built in the background, within the requester's scope."""

import io
import zipfile

import pytest
from django.test import Client
from docx import Document

from documents.models import DocumentExport
from documents.rendering.context import submission_context
from documents.rendering.pdf import pdf_available
from forms_app.models import Campaign, Submission, SubmissionStatus
from portal.models import Organisation
from tests.factories import HouseholdFactory, household_document, seeded_answer
from tests.signing import signed_in

FILED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


def _client(email: str) -> Client:
    return signed_in(email)


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _shown_values(submission: Submission) -> list[str]:
    """A few answers as the document must show them (French display, as on the page)."""
    context = submission_context(submission=submission)
    files = {key for key, item in context["_champs"].items() if item["type"] == "file"}
    values = [
        context[key]
        for key in submission.form_version.input_keys
        if key not in files and isinstance(context.get(key), str) and len(context[key]) > 3
    ]
    return values[:5]


def test_every_filed_demo_answer_downloads_as_a_word_document(demo_data):
    client = _client("dihal@demo.test")
    filed = Submission.objects.filter(campaign__isnull=False, status__in=FILED)
    assert filed.count() >= 50
    for submission in filed.select_related("form_version__form", "campaign", "territory"):
        response = client.get(f"/reponses/{submission.pk}/word/")
        assert response.status_code == 200, submission
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Cache-Control"] == "no-store"
        text = _text(response.content)
        for value in _shown_values(submission):
            assert value in text, (submission, value)


def test_the_answer_page_offers_the_word_download(demo_accounts):
    seeded_answer("Bilan d'étape 2021", "38")
    submission = Submission.objects.filter(territory__code="38", status__in=FILED).first()
    page = _client("prefecture38@demo.test").get(f"/reponses/{submission.pk}/")
    assert f"/reponses/{submission.pk}/word/" in page.content.decode()
    assert (f"/reponses/{submission.pk}/pdf/" in page.content.decode()) is pdf_available()


def test_a_foreign_answer_document_is_never_served(demo_accounts):
    seeded_answer("Bilan d'étape 2021", "38")
    isere = Submission.objects.filter(territory__code="38", status__in=FILED).first()
    for email in ("prefecture93@demo.test", "operateur93a@demo.test"):
        assert _client(email).get(f"/reponses/{isere.pk}/word/").status_code == 404
    assert Client().get(f"/reponses/{isere.pk}/word/").status_code == 302  # to the login


def test_a_household_document_goes_to_its_operator_only(demo_accounts):
    operator = Organisation.objects.get(memberships__user__email="operateur38a@demo.test")
    household_document(HouseholdFactory(operator=operator))
    diagnostic = Submission.objects.filter(
        household__operator__memberships__user__email="operateur38a@demo.test",
        status=SubmissionStatus.SUBMITTED,
    ).first()
    response = _client("operateur38a@demo.test").get(f"/reponses/{diagnostic.pk}/word/")
    assert response.status_code == 200
    assert diagnostic.household.reference.lower() in response["Content-Disposition"]
    assert diagnostic.household.nom.lower() not in response["Content-Disposition"].lower()
    for email in ("operateur38b@demo.test", "prefecture38@demo.test", "dihal@demo.test"):
        assert _client(email).get(f"/reponses/{diagnostic.pk}/word/").status_code == 404


def _export(client, campaign, django_capture_on_commit_callbacks) -> DocumentExport:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/suivi/campagnes/{campaign.pk}/documents/")
    assert response.status_code == 302
    export = DocumentExport.objects.latest("pk")
    assert response["Location"] == f"/exports/{export.pk}/"
    return export


def test_dihal_zips_every_filed_answer_of_a_campaign(
    demo_accounts, exports_dir, django_capture_on_commit_callbacks
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    seeded_answer("Bilan d'étape 2021", "93", status=SubmissionStatus.ACCEPTED)
    client = _client("dihal@demo.test")
    export = _export(client, campaign, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    filed = Submission.objects.filter(campaign=campaign, status__in=FILED)
    assert export.status == "terminee"
    assert export.total == export.done == filed.count()
    page = client.get(f"/exports/{export.pk}/")
    assert f"/exports/{export.pk}/telecharger/" in page.content.decode()
    response = client.get(f"/exports/{export.pk}/telecharger/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == filed.count() == len(set(names))
    assert all(name.endswith(".docx") for name in names)
    assert [path.name for path in exports_dir.iterdir()] == [export.file_name]
    # A zip is its requester's.
    assert _client("prefecture38@demo.test").get(f"/exports/{export.pk}/").status_code == 404


def test_a_prefecture_zip_holds_its_territory_only(
    demo_accounts, exports_dir, django_capture_on_commit_callbacks
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    seeded_answer("Bilan d'étape 2021", "93", status=SubmissionStatus.ACCEPTED)
    client = _client("prefecture38@demo.test")
    export = _export(client, campaign, django_capture_on_commit_callbacks)
    response = client.get(f"/exports/{export.pk}/telecharger/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    isere = Submission.objects.filter(campaign=campaign, status__in=FILED, territory__code="38")
    assert len(archive.namelist()) == isere.count() >= 1
    for name in archive.namelist():
        assert "-38-" in name
        assert "Isère" in _text(archive.read(name)) or "Isere" in name


def test_a_zip_being_built_is_never_served_and_a_failure_says_so(
    demo_accounts, exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    campaign = seeded_answer("Bilan d'étape 2021", "38").campaign
    client = _client("dihal@demo.test")

    def broken(**kwargs):
        raise RuntimeError("moteur en panne")

    monkeypatch.setattr("documents.exports.campaign_zips.render_docx_many", broken)
    export = _export(client, campaign, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "echouee"
    assert "moteur en panne" in export.error
    assert client.get(f"/exports/{export.pk}/telecharger/").status_code == 404
    assert "Relancer" in client.get(f"/exports/{export.pk}/").content.decode()
    assert not exports_dir.exists() or not list(exports_dir.iterdir())
    DocumentExport.objects.filter(pk=export.pk).update(status="en_cours", file_name="x.zip")
    exports_dir.mkdir(parents=True, exist_ok=True)
    (exports_dir / "x.zip").write_bytes(b"partiel")
    assert client.get(f"/exports/{export.pk}/telecharger/").status_code == 404


def test_operators_cannot_zip_a_campaign(demo_accounts):
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    response = _client("operateur38a@demo.test").post(f"/suivi/campagnes/{campaign.pk}/documents/")
    assert response.status_code == 403
    assert not DocumentExport.objects.exists()


@pytest.mark.skipif(not pdf_available(), reason="LibreOffice (soffice) is not installed here")
def test_a_document_converts_to_pdf(demo_accounts):
    seeded_answer("Bilan d'étape 2021", "38")
    submission = Submission.objects.filter(territory__code="38", status__in=FILED).first()
    response = _client("prefecture38@demo.test").get(f"/reponses/{submission.pk}/pdf/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
