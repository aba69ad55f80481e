"""The fill page as a person uses it: errors next to fields, nothing lost, one submit."""

import re

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_app.models import Campaign, Submission, SubmissionTransition
from portal.models import Organisation
from tests.forms_app.builders import answer_started, valid_input
from tests.signing import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def test_bad_input_shows_french_errors_next_to_fields_and_keeps_the_rest(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client)
    data = valid_input(
        submission.form_version.schema,
        nb_menages_rencontres="douze",
        periode_fin="2021-02-31",
        commentaire_difficultes="Texte à garder",
    )
    response = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {**data, "_fin": "1", "revision": submission.revision, "action": "review"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = dict(re.findall(r'data-error-for="([a-z0-9_]+)">([^<]+)<', html))
    assert set(errors) == {"nb_menages_rencontres", "periode_fin"}
    assert "nombre entier" in errors["nb_menages_rencontres"]
    assert "date valide" in errors["periode_fin"]
    assert "Texte à garder" in html and 'value="douze"' in html
    submission.refresh_from_db()
    assert submission.status == "brouillon"
    assert submission.draft_input["commentaire_difficultes"] == ["Texte à garder"]


def test_a_double_clicked_submit_makes_one_submission(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client)
    url = f"/reponses/{submission.pk}/modifier/"
    data = valid_input(submission.form_version.schema)
    client.post(url, {**data, "_fin": "1", "revision": submission.revision, "action": "review"})
    submission.refresh_from_db()
    first = client.post(url, {"_fin": "1", "revision": submission.revision, "action": "submit"})
    second = client.post(url, {"_fin": "1", "revision": submission.revision, "action": "submit"})
    assert first.status_code == second.status_code == 302
    assert SubmissionTransition.objects.filter(submission=submission).count() == 1
    assert Submission.objects.filter(campaign=submission.campaign).count() == 1


def test_a_stale_draft_save_is_refused_with_a_message(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client)
    url = f"/reponses/{submission.pk}/modifier/"
    old_revision = submission.revision
    client.post(
        url,
        {
            "commentaire_difficultes": "premier onglet",
            "_fin": "1",
            "revision": old_revision,
            "action": "draft",
        },
    )
    response = client.post(
        url,
        {
            "commentaire_difficultes": "second onglet",
            "_fin": "1",
            "revision": old_revision,
            "action": "draft",
        },
    )
    assert response.status_code == 409
    assert "modifiée entre-temps" in response.content.decode()
    assert "second onglet" in response.content.decode()  # what was typed is shown again
    submission.refresh_from_db()
    assert submission.draft_input["commentaire_difficultes"] == ["premier onglet"]


def test_autosave_saves_and_refuses_stale_revisions(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client)
    url = f"/reponses/{submission.pk}/brouillon/"
    first = client.post(
        url, {"nb_menages_rencontres": "12", "_fin": "1", "revision": submission.revision}
    )
    assert first.status_code == 200
    assert first.json()["revision"] == submission.revision + 1
    stale = client.post(
        url, {"nb_menages_rencontres": "13", "_fin": "1", "revision": submission.revision}
    )
    assert stale.status_code == 409
    submission.refresh_from_db()
    assert submission.draft_input["nb_menages_rencontres"] == ["12"]


def test_a_file_is_stored_privately_and_served_only_to_who_may_see_it(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client, title="Lettre de préfiguration")
    url = f"/reponses/{submission.pk}/modifier/"
    upload = SimpleUploadedFile("lettre.pdf", PDF, content_type="application/pdf")
    client.post(
        url,
        {
            "_fin": "1",
            "revision": submission.revision,
            "action": "draft",
            "lettre_signee_pdf": upload,
        },
    )
    stored = submission.files.get()
    assert stored.original_name == "lettre.pdf"
    assert stored.file.storage is storages["private"]  # never under MEDIA_URL
    download = client.get(f"/reponses/{submission.pk}/fichiers/{stored.pk}/")
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content) == PDF

    client.post("/accounts/logout/")
    assert client.get(f"/reponses/{submission.pk}/fichiers/{stored.pk}/").status_code == 302
    login("prefecture93@demo.test")
    assert client.get(f"/reponses/{submission.pk}/fichiers/{stored.pk}/").status_code == 404


def test_an_executable_renamed_pdf_is_refused_on_the_page(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client, title="Lettre de préfiguration")
    url = f"/reponses/{submission.pk}/modifier/"
    fake = SimpleUploadedFile(
        "lettre.pdf", b"MZ\x90\x00" + b"\x00" * 60, content_type="application/pdf"
    )
    data = valid_input(submission.form_version.schema)
    response = client.post(
        url,
        {
            **data,
            "_fin": "1",
            "revision": submission.revision,
            "action": "review",
            "lettre_signee_pdf": fake,
        },
    )
    assert response.status_code == 200
    assert re.search(
        r'data-error-for="lettre_signee_pdf">[^<]*ne correspond pas', response.content.decode()
    )
    assert not submission.files.exists()


def test_campaign_page_marks_late_and_late_transmitted_answers(client, demo_data, login):
    login("dihal@demo.test")
    campaign = Campaign.objects.get(title="Lettre de préfiguration")
    html = client.get(f"/suivi/campagnes/{campaign.pk}/").content.decode()
    late_transmitted = Submission.objects.filter(
        campaign=campaign, submitted_at__date__gt=campaign.due_on
    ).count()
    assert late_transmitted >= 3
    assert html.count("data-submitted-late") == late_transmitted
    still_open = Submission.objects.filter(
        campaign=campaign, status__in=["brouillon", "renvoyee"]
    ).count()
    assert html.count("data-late>") == still_open


def _submit(client, submission, *, files=None):
    url = f"/reponses/{submission.pk}/modifier/"
    data = valid_input(submission.form_version.schema)
    submission.refresh_from_db()
    client.post(
        url,
        {**data, "_fin": "1", "revision": submission.revision, "action": "review", **(files or {})},
    )
    submission.refresh_from_db()
    client.post(url, {"_fin": "1", "revision": submission.revision, "action": "submit"})
    submission.refresh_from_db()
    return submission


def test_a_returned_answer_keeps_its_filed_file_until_resubmitted(client, login):

    from forms_app.lifecycle import submission_return

    login("prefecture38@demo.test")
    submission = answer_started(client, title="Lettre de préfiguration")
    v1 = SimpleUploadedFile("v1.pdf", PDF, content_type="application/pdf")
    submission = _submit(client, submission, files={"lettre_signee_pdf": v1})
    assert submission.status == "soumise"
    filed = submission.files.get()
    assert submission.data["lettre_signee_pdf"]["file_id"] == filed.pk
    submission_return(
        submission=submission,
        user=None,
        comment="Signature manquante",
        expected_revision=submission.revision,
    )

    submission.refresh_from_db()
    v2 = SimpleUploadedFile("v2.pdf", PDF + b"%v2", content_type="application/pdf")
    client.post(
        f"/reponses/{submission.pk}/modifier/",
        {"_fin": "1", "revision": submission.revision, "action": "draft", "lettre_signee_pdf": v2},
    )
    assert sorted(submission.files.values_list("original_name", flat=True)) == ["v1.pdf", "v2.pdf"]
    dihal = signed_in("dihal@demo.test")
    assert "v1.pdf" in dihal.get(f"/reponses/{submission.pk}/").content.decode()
    draft_file = submission.files.get(original_name="v2.pdf")
    assert dihal.get(f"/reponses/{submission.pk}/fichiers/{draft_file.pk}/").status_code == 404

    submission = _submit(client, submission)
    assert submission.status == "soumise"
    assert list(submission.files.values_list("original_name", flat=True)) == ["v2.pdf"]
    assert submission.data["lettre_signee_pdf"]["name"] == "v2.pdf"


def test_a_refused_file_on_a_draft_save_is_said_next_to_the_field(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client, title="Lettre de préfiguration")
    fake = SimpleUploadedFile("lettre.pdf", b"MZ" + b"\x00" * 60, content_type="application/pdf")
    response = client.post(
        f"/reponses/{submission.pk}/modifier/",
        {
            "signataire_prefet": "Le préfet",
            "_fin": "1",
            "revision": submission.revision,
            "action": "draft",
            "lettre_signee_pdf": fake,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = dict(re.findall(r'data-error-for="([a-z0-9_]+)">([^<]+)<', html))
    assert list(errors) == ["lettre_signee_pdf"]  # no noise about fields still empty
    submission.refresh_from_db()
    assert submission.draft_input["signataire_prefet"] == ["Le préfet"]
    assert not submission.files.exists()


def test_after_a_stale_save_the_page_keeps_its_revision_and_stops_autosaving(client, login):
    login("prefecture38@demo.test")
    submission = answer_started(client)
    url = f"/reponses/{submission.pk}/modifier/"
    old = submission.revision
    client.post(
        url,
        {"commentaire_difficultes": "collègue", "_fin": "1", "revision": old, "action": "draft"},
    )
    response = client.post(
        url, {"commentaire_difficultes": "moi", "_fin": "1", "revision": old, "action": "draft"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert f'name="revision" value="{old}"' in html
    assert "data-autosave-url" not in html
    again = client.post(
        url, {"commentaire_difficultes": "moi", "_fin": "1", "revision": old, "action": "draft"}
    )
    assert again.status_code == 409
    submission.refresh_from_db()
    assert submission.draft_input["commentaire_difficultes"] == ["collègue"]


def test_a_campaign_not_yet_open_cannot_be_started(client, login):
    login("prefecture38@demo.test")
    model = Campaign.objects.get(title="Bilan d'étape 2021")
    campaign = Campaign.objects.create(
        form=model.form, title="Bilan futur", opens_on="2099-01-01", due_on="2099-02-01"
    )
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    assert "Ouvre le" in client.get("/mon-espace/").content.decode()
    response = client.post(f"/campagnes/{campaign.pk}/repondre/{isere.pk}/")
    assert response["Location"] == "/mon-espace/"
    assert not Submission.objects.filter(campaign=campaign).exists()


def test_mon_espace_works_for_a_form_built_in_the_admin_without_settings(client, login):
    from wagtailstreamforms.models import Form

    form = Form.objects.create(
        title="Enquête flash",
        slug="enquete-flash",
        template_name="forms_app/answer_form.html",
        fields=[{"type": "short_text", "value": {"label": "Nom", "key": "nom", "required": True}}],
    )
    Campaign.objects.create(
        form=form, title="Enquête flash", opens_on="2021-01-01", due_on="2099-01-01"
    )
    login("prefecture38@demo.test")
    response = client.get("/mon-espace/")
    assert response.status_code == 200
    assert "Enquête flash" in response.content.decode()
