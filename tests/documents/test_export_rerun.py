"""A zip whose build fails shows « Échouée » with its French error and « Relancer »; a build
whose worker died shows « Interrompue » after PORTAL_EXPORT_STALL_SECONDS; « Relancer »
rebuilds the same export, once, and a stalled build that comes back writes nothing."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from documents.exports import campaign_zips
from documents.models import DocumentExport
from forms_app.models import Submission, SubmissionStatus
from portal.models import User
from tests.documents.builders import all_text, docx_bytes, template_put_in_service
from tests.factories import seeded_answer
from tests.signing import signed_in

FILED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


@pytest.fixture
def campaign(demo_accounts, exports_dir):
    answer = seeded_answer("Bilan d'étape 2021", "38")
    seeded_answer("Bilan d'étape 2021", "93", status=SubmissionStatus.ACCEPTED)
    return answer.campaign


def _post(client, url: str, capture):
    with capture(execute=True):
        return client.post(url)


def _zip_entries(client, export: DocumentExport) -> dict[str, str]:
    response = client.get(f"/exports/{export.pk}/telecharger/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: all_text(archive.read(name)) for name in archive.namelist()}


def test_a_failing_template_shows_failed_and_its_rerun_works_once_fixed(
    campaign, exports_dir, django_capture_on_commit_callbacks
):
    client = signed_in("dihal@demo.test")
    template_put_in_service(campaign.form, docx_bytes("{{ organisation.name | nofilter }}"))
    response = _post(
        client, f"/suivi/campagnes/{campaign.pk}/documents/", django_capture_on_commit_callbacks
    )
    export = DocumentExport.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    export.refresh_from_db()
    assert (export.status, export.file_name) == ("echouee", "")
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert "Échouée" in page and "La production des documents a échoué" in page
    assert f'action="/exports/{export.pk}/relancer/"' in page
    assert client.get(f"/exports/{export.pk}/etat/").json()["may_rerun"] is True
    assert client.get(f"/exports/{export.pk}/telecharger/").status_code == 404

    template_put_in_service(campaign.form, docx_bytes("Réponse de {{ organisation }}"))
    response = _post(client, f"/exports/{export.pk}/relancer/", django_capture_on_commit_callbacks)

    assert response["Location"] == f"/exports/{export.pk}/"
    assert DocumentExport.objects.count() == 1, "the same export, not a new one"
    export.refresh_from_db()
    assert (export.status, export.attempt, export.error) == ("terminee", 1, "")
    filed = Submission.objects.filter(campaign=campaign, status__in=FILED)
    entries = _zip_entries(client, export)
    assert len(entries) == filed.count() == 2
    assert sorted(text.split("Réponse de ")[1].strip() for text in entries.values()) == sorted(
        str(answer.organisation) for answer in filed
    )
    assert [path.name for path in exports_dir.iterdir()] == [export.file_name]
    # Done: a second « Relancer » changes nothing.
    _post(client, f"/exports/{export.pk}/relancer/", django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert (export.status, export.attempt) == ("terminee", 1)


def _running(campaign, *, seconds_ago: int) -> DocumentExport:
    return DocumentExport.objects.create(
        campaign=campaign,
        requested_by=User.objects.get(email="dihal@demo.test"),
        status="en_cours",
        total=2,
        done=1,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def test_a_build_without_progress_is_interrupted_and_reruns(
    campaign, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_EXPORT_STALL_SECONDS = 300
    client = signed_in("dihal@demo.test")
    living, dead = _running(campaign, seconds_ago=10), _running(campaign, seconds_ago=301)

    living_page = client.get(f"/exports/{living.pk}/").content.decode()
    assert "En cours" in living_page and "/relancer/" not in living_page
    assert client.get(f"/exports/{dead.pk}/etat/").json()["status"] == "interrompue"
    dead_page = client.get(f"/exports/{dead.pk}/").content.decode()
    assert "Interrompue" in dead_page and f"/exports/{dead.pk}/relancer/" in dead_page

    _post(client, f"/exports/{living.pk}/relancer/", django_capture_on_commit_callbacks)
    _post(client, f"/exports/{dead.pk}/relancer/", django_capture_on_commit_callbacks)

    living.refresh_from_db()
    dead.refresh_from_db()
    assert (living.status, living.attempt) == ("en_cours", 0), "a living build is left alone"
    assert (dead.status, dead.attempt, dead.done) == ("terminee", 1, 2)


def test_a_stalled_build_that_comes_back_keeps_nothing(campaign, exports_dir, settings):
    settings.PORTAL_EXPORT_STALL_SECONDS = 300
    export = _running(campaign, seconds_ago=0)
    DocumentExport.objects.filter(pk=export.pk).update(status="en_attente")
    rerun_during_build = []

    def rerun_then_render(**kwargs):
        if not rerun_during_build:  # the click lands while the first batch renders
            stalled = timezone.now() + datetime.timedelta(seconds=600)
            rerun_during_build.append(
                campaign_zips.export_rerun(export=DocumentExport.objects.get(), now=stalled)
            )
        return [b"PK"] * len(kwargs["contexts"])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(campaign_zips, "render_docx_many", rerun_then_render)
        campaign_zips.build_document_export.call(export.pk)

    assert rerun_during_build == [True]
    export.refresh_from_db()
    assert (export.status, export.attempt, export.file_name, export.done) == (
        "en_attente",
        1,
        "",
        0,
    )
    assert not exports_dir.exists() or not list(exports_dir.iterdir())
