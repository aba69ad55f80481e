"""A task worker killed in the middle of a zip (SIGKILL, as an out-of-memory kill or a
container stop without grace would) leaves nothing that is served: no file in the exports
storage that the export points to, a download that is not found; after the stall delay
the export shows « Interrompue », and « Relancer » with a new worker builds the complete
zip. The worker runs as a real ``manage.py run_worker`` process on the test's database
(the SQLite file of the test run, or its PostgreSQL database)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django_tasks_db.models import DBTaskResult

from documents.exports.campaign_zips import RENDER_BATCH
from documents.models import DocumentExport, WordTemplate
from documents.rendering.store import document_filename
from forms_app.models import Campaign, Submission
from portal.models import Organisation, OrganisationKind, WorkerHeartbeat
from tests.documents.builders import all_text, docx_bytes, template_put_in_service
from tests.factories import seeded_answer
from tests.signing import signed_in

BILAN_2021 = "Bilan d'étape 2021"
SLOW_SQUARINGS = 22  # seconds of CPU for one document: the kill lands while it renders
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WAIT_SECONDS = 40  # a bound for a slow machine, never a timing assertion


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


def _slow_for(organisation: str) -> bytes:
    """A template quick for every answer but ``organisation``'s, whose document takes
    seconds of CPU (squarings of a big integer): the first batch of the zip is done, the
    second is under way."""
    squarings = "{% set a = a * a %}" * SLOW_SQUARINGS
    return docx_bytes(
        f'{{% if organisation|string == "{organisation}" %}}{{% set a = 2 ** 64 %}}'
        f"{squarings}{{{{ a > 1 }}}}{{% endif %}}Réponse de {{{{ organisation }}}}"
    )


def _worker(exports_dir: Path, *options: str) -> subprocess.Popen:
    """``manage.py run_worker`` in its own process group (its render workers with it)."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_worker",
        "DATABASE_URL": _database_url(),
        "PORTAL_EXPORTS_DIR": str(exports_dir),
        "PORTAL_TEST_PRIVATE_DIR": str(exports_dir.parent / "private"),
        "PORTAL_WORKER_HEARTBEAT_SECONDS": "1",
    }
    return subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--no-reload",
         "--no-schedule", "--interval", "0.2", *options],
        cwd=django_settings.BASE_DIR,
        env=environment,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for(condition, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped: {worker.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            _kill(worker)
            tasks = list(DBTaskResult.objects.values_list("status", "exception_class_path"))
            pytest.fail(
                f"the worker did not get there in time: {list(DocumentExport.objects.values())}"
                f" tasks {tasks}; {worker.stderr.read().decode()[-3000:]}"
            )
        time.sleep(0.1)


def _mid_way(export: DocumentExport) -> bool:
    export.refresh_from_db()
    return export.status == "en_cours" and 0 < export.done < export.total


def _kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


@pytest.fixture
def big_campaign(transactional_db, demo_accounts, exports_dir, settings, monkeypatch) -> Campaign:
    """A campaign answered by every prefecture (more than one batch of the zip), with a
    template whose last document takes seconds, stored where the worker reads it."""
    settings.TASKS = DB_TASKS
    private = FileSystemStorage(location=exports_dir.parent / "private")
    monkeypatch.setattr(WordTemplate._meta.get_field("file"), "storage", private)
    prefectures = Organisation.objects.filter(kind=OrganisationKind.PREFECTURE)
    assert prefectures.count() > RENDER_BATCH
    for code in prefectures.values_list("territory__code", flat=True):
        seeded_answer(BILAN_2021, code)
    campaign = Campaign.objects.get(title=BILAN_2021)
    last = prefectures.order_by("territory__code", "name").last()
    template_put_in_service(campaign.form, _slow_for(last.name))
    return campaign


def test_a_killed_worker_leaves_nothing_served_and_relancer_rebuilds_the_zip(
    big_campaign, exports_dir, settings
):
    settings.PORTAL_EXPORT_STALL_SECONDS = 300
    client = signed_in("dihal@demo.test")
    client.post(f"/suivi/campagnes/{big_campaign.pk}/documents/")
    export = DocumentExport.objects.get()
    worker = _worker(exports_dir)
    try:
        _wait_for(lambda: _mid_way(export), worker)
        killed = WorkerHeartbeat.objects.get().worker  # a running worker says it is alive
        assert killed.endswith(f":{worker.pid}")
    finally:
        _kill(worker)

    export.refresh_from_db()
    assert (export.status, export.file_name) == ("en_cours", "")
    answers = Submission.objects.filter(campaign=big_campaign).count()
    assert 0 < export.done < export.total == answers
    assert not exports_dir.exists() or not list(exports_dir.iterdir())
    download = client.get(f"/exports/{export.pk}/telecharger/")
    assert download.status_code == 404 and "Page non trouvée" in download.content.decode()
    assert "En cours" in client.get(f"/exports/{export.pk}/").content.decode()

    settings.PORTAL_EXPORT_STALL_SECONDS = 1
    time.sleep(1.1)  # past the (test's) stall delay since the last progress
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert "Interrompue" in page and f"/exports/{export.pk}/relancer/" in page
    assert client.get(f"/exports/{export.pk}/etat/").json()["status"] == "interrompue"

    template_put_in_service(big_campaign.form, docx_bytes("Réponse de {{ organisation }}"))
    assert client.post(f"/exports/{export.pk}/relancer/").status_code == 302
    rebuild = _worker(exports_dir, "--batch")
    try:
        assert rebuild.wait(timeout=WAIT_SECONDS) == 0, rebuild.stderr.read().decode()[-2000:]
    finally:
        _kill(rebuild)

    export.refresh_from_db()
    assert (export.status, export.attempt, export.done) == ("terminee", 1, answers)
    assert [path.name for path in exports_dir.iterdir()] == [export.file_name]
    response = client.get(f"/exports/{export.pk}/telecharger/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    filed = Submission.objects.filter(campaign=big_campaign).select_related("organisation")
    assert sorted(archive.namelist()) == sorted(document_filename(submission=s) for s in filed)
    assert sorted(
        all_text(archive.read(n)).split("Réponse de ")[1].strip() for n in archive.namelist()
    ) == sorted(str(s.organisation) for s in filed)
    # The worker that ended removed its row; the killed one's stays, older and older, which
    # is what /healthz reports.
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == [killed]
