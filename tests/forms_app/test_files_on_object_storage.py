"""Answers' files on S3-compatible object storage (moto's server, real HTTP): an upload
lands under the private prefix of the bucket, comes back through the checking view byte
for byte, is refused to another organisation and to anyone asking the bucket without a
signature, and leaves the bucket when the purge or a newer upload drops it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_app.models import Submission
from forms_app.retention import purge_expired_data
from tests.forms_app.builders import answer_started
from tests.s3 import private_key

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _upload(client, submission: Submission, content: bytes = PDF):
    response = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {
            "_fin": "1",
            "revision": submission.revision,
            "action": "draft",
            "lettre_signee_pdf": SimpleUploadedFile("lettre.pdf", content, "application/pdf"),
        },
    )
    assert response.status_code in (200, 302), response.content[:300]
    submission.refresh_from_db()


@pytest.fixture
def answer(s3_storages, login):
    return answer_started(login("prefecture38@demo.test"), title="Lettre de préfiguration")


def test_an_uploaded_file_is_a_private_object_served_only_by_the_checking_view(
    client, login, answer, s3_storages
):
    _upload(client, answer)

    stored = answer.files.get()
    key = private_key(stored.file.name)
    assert stored.file.name.startswith("reponses/")
    assert s3_storages.object_keys() == [key]  # under the private prefix, nothing else
    assert s3_storages.body(key) == PDF
    download = client.get(f"/reponses/{answer.pk}/fichiers/{stored.pk}/")
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Length"] == str(len(PDF))
    assert b"".join(download.streaming_content) == PDF

    # The bucket refuses whoever asks without a signature; an object made public would be
    # served (moto checks the ACL of anonymous requests), the portal's is not.
    grants = s3_storages.client.get_object_acl(Bucket=s3_storages.name, Key=key)["Grants"]
    assert [(grant["Grantee"]["Type"], grant["Permission"]) for grant in grants] == [
        ("CanonicalUser", "FULL_CONTROL")
    ]  # the owner only: no AllUsers or AuthenticatedUsers grant
    assert s3_storages.anonymous_get(key) == 403
    s3_storages.client.put_object(
        Bucket=s3_storages.name, Key="public-control", Body=b"x", ACL="public-read"
    )
    assert s3_storages.anonymous_get("public-control") == 200

    client.post("/accounts/logout/")
    assert client.get(f"/reponses/{answer.pk}/fichiers/{stored.pk}/").status_code == 302
    login("prefecture93@demo.test")
    assert client.get(f"/reponses/{answer.pk}/fichiers/{stored.pk}/").status_code == 404


def test_a_replaced_draft_upload_and_a_purged_draft_leave_the_bucket(
    client, answer, s3_storages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, answer)
    first = private_key(answer.files.get().file.name)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, answer, PDF + b"%v2")
    second = private_key(answer.files.get().file.name)
    assert s3_storages.object_keys() == [second] != [first]
    assert s3_storages.body(second) == PDF + b"%v2"

    abandoned = datetime.datetime(2025, 3, 31, 9, 0, tzinfo=datetime.UTC)
    Submission.objects.filter(pk=answer.pk).update(updated_at=abandoned)
    with django_capture_on_commit_callbacks(execute=True):
        report = purge_expired_data(now=abandoned + datetime.timedelta(days=200))
    assert (report.drafts, report.files) == (1, 1)
    assert not Submission.objects.filter(pk=answer.pk).exists()
    assert s3_storages.object_keys() == []
