"""An editor's template is rendered in a worker process with operating-system limits: a
template that holds Python's lock or eats memory ends its worker, not the web process; the
person gets a French message and the next document renders."""

import resource
import time

import pytest
from django.test import Client

from documents.rendering import isolation
from forms_app.models import Submission, SubmissionStatus
from tests.documents.builders import all_text, docx_bytes, template_put_in_service
from tests.factories import seeded_answer
from tests.signing import signed_in


def _squarings(count: int) -> bytes:
    """Repeated squaring of a big integer: each ``a * a`` is one bytecode that holds Python's
    lock (the in-process watchdog cannot interrupt it); the sandbox lets int * int through.
    30 squarings take minutes of CPU (24 already take 5 s)."""
    steps = "".join("{% set a = a * a %}" for _ in range(count))
    return docx_bytes("{% set a = 2 ** 64 %}" + steps + "{{ a > 1 }}")


def _doublings(count: int) -> bytes:
    """A text doubled by concatenation (``~``, which the sandbox does not bound): 1 Mo after
    20 doublings, a terabyte after 40."""
    steps = "".join("{% set a = a ~ a %}" for _ in range(count))
    return docx_bytes("{% set a = 'x' %}" + steps + "{{ a | length }}")


@pytest.fixture
def limits(settings):
    settings.PORTAL_RENDER_CPU_SECONDS = 2
    settings.PORTAL_RENDER_MEMORY_BYTES = 1024 * 1024 * 1024
    settings.PORTAL_RENDER_WORKERS = 1
    yield settings
    isolation.shutdown_pool()


def _client(email: str) -> Client:
    return signed_in(email)


def _submission() -> Submission:
    return Submission.objects.filter(
        campaign__isnull=False, status=SubmissionStatus.SUBMITTED
    ).first()


def _download_after_hog(hog: bytes) -> tuple[object, float, list[int], list[int]]:
    submission = _submission()
    client = _client("dihal@demo.test")
    template_put_in_service(submission.form_version.form, docx_bytes("Bonjour {{ organisation }}"))
    assert client.get(f"/reponses/{submission.pk}/word/").status_code == 200
    before = isolation.render_pool().pids()
    template_put_in_service(submission.form_version.form, hog)
    started = time.monotonic()
    response = client.get(f"/reponses/{submission.pk}/word/", follow=True)
    elapsed = time.monotonic() - started
    after_hog = isolation.render_pool().pids()
    template_put_in_service(submission.form_version.form, docx_bytes("Bonjour {{ organisation }}"))
    following = client.get(f"/reponses/{submission.pk}/word/")
    assert following.status_code == 200
    assert "Bonjour " in all_text(following.content)
    return response, elapsed, before, after_hog + isolation.render_pool().pids()


def test_a_computation_holding_the_lock_ends_its_worker_not_the_server(demo_accounts, limits):
    seeded_answer("Bilan d'étape 2021", "38")
    response, elapsed, before, after = _download_after_hog(_squarings(30))
    assert response.redirect_chain[-1][0] == f"/reponses/{_submission().pk}/"
    assert "dépassé les limites de temps ou de mémoire" in response.content.decode()
    assert elapsed < 15  # CPU limit (2 s) plus the wall-clock margin, not minutes
    assert before and after and before[0] not in after  # killed and replaced


def test_a_memory_hog_ends_its_worker_and_the_web_process_does_not_grow(demo_accounts, limits):
    seeded_answer("Bilan d'étape 2021", "38")
    limits.PORTAL_RENDER_CPU_SECONDS = 60
    limits.PORTAL_RENDER_MEMORY_BYTES = 300 * 1024 * 1024
    own_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response, _, before, after = _download_after_hog(_doublings(40))
    assert "dépassé les limites de temps ou de mémoire" in response.content.decode()
    assert before and after and before[0] not in after
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - own_before
    assert grown_kib < 100 * 1024  # the gigabytes were the worker's


def test_a_zip_sized_batch_is_rendered_by_one_worker_that_compiles_once(limits):
    template = docx_bytes("Dossier {{ numero }}")
    documents = [
        isolation.render_isolated(template=template, context={"numero": n}, limits=_limits())
        for n in range(20)
    ]
    assert [all_text(d).strip() for d in documents[:3]] == ["Dossier 0", "Dossier 1", "Dossier 2"]
    assert len(isolation.render_pool().pids()) == 1


def test_changed_settings_replace_the_workers(limits):
    template = docx_bytes("Texte")
    isolation.render_isolated(template=template, context={}, limits=_limits())
    first = isolation.render_pool().pids()
    limits.PORTAL_RENDER_WORKERS = 2
    isolation.render_isolated(template=template, context={}, limits=_limits())
    assert not set(first) & set(isolation.render_pool().pids())


def _limits():
    from documents.rendering.sandbox import DEFAULT_LIMITS

    return DEFAULT_LIMITS


def test_a_batch_comes_back_in_order_and_a_hog_in_a_batch_ends_only_its_worker(limits):
    from documents.rendering.isolation import render_docx_many
    from documents.rendering.sandbox import RenderLimitExceeded

    template = docx_bytes("Dossier {{ numero }}")
    documents = render_docx_many(template=template, contexts=[{"numero": n} for n in range(45)])
    assert [all_text(d).strip() for d in documents] == [f"Dossier {n}" for n in range(45)]
    before = isolation.render_pool().pids()
    with pytest.raises(RenderLimitExceeded, match="dépassé les limites"):
        render_docx_many(template=_squarings(30), contexts=[{}, {}, {}])
    after = render_docx_many(template=template, contexts=[{"numero": 7}])
    assert all_text(after[0]).strip() == "Dossier 7"
    assert before[0] not in isolation.render_pool().pids()


def test_a_zip_whose_template_hogs_fails_in_french_and_the_next_zip_is_built(
    demo_accounts, limits, exports_dir, django_capture_on_commit_callbacks
):
    from documents.models import DocumentExport
    from forms_app.models import Campaign

    seeded_answer("Bilan d'étape 2021", "38")
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    client = _client("dihal@demo.test")
    template_put_in_service(campaign.form, _squarings(30))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/suivi/campagnes/{campaign.pk}/documents/")
    failed = DocumentExport.objects.latest("pk")
    assert failed.status == "echouee"
    assert "dépassé les limites de temps ou de mémoire" in failed.error
    template_put_in_service(campaign.form, docx_bytes("Bonjour {{ organisation }}"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/suivi/campagnes/{campaign.pk}/documents/")
    built = DocumentExport.objects.latest("pk")
    assert built.status == "terminee" and built.done == built.total > 0
