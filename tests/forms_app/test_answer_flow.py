"""The whole path through HTTP: an editor changes the bilan and opens a campaign; the
prefecture of Isère drafts, comes back, submits; DIHAL returns it, the prefecture corrects,
DIHAL accepts. An answer filed before the edit still shows with its original fields."""

import pytest
from django.test import Client
from wagtailstreamforms.models import Form

from forms_app.form_builder import answer_form
from forms_app.lifecycle import submission_start, submission_submit
from forms_app.models import Campaign, Submission, SubmissionTransition
from portal.models import Organisation
from tests.forms_app.builders import form_admin_post, valid_input
from tests.signing import signed_in

OLD_LABEL = "Nombre de ménages rencontrés"
NEW_LABEL = "Ménages rencontrés sur la période"


def _client(email: str) -> Client:
    return signed_in(email)


def _file_old_answer() -> Submission:
    """A bilan of Gard, filed on the form as seeded (on a campaign of its own)."""
    model = Campaign.objects.get(title="Bilan d'étape 2021")
    campaign = Campaign.objects.create(
        form=model.form,
        title="Bilan d'étape 2021 (avant modification)",
        opens_on=model.opens_on,
        due_on=model.due_on,
    )
    gard = Organisation.objects.get(kind="prefecture", territory__code="30")
    submission = submission_start(campaign=campaign, organisation=gard, user=None)
    schema = submission.form_version.schema
    form = answer_form(schema=schema, data=valid_input(schema, nb_menages_rencontres="140"))
    assert form.is_valid(), form.errors_by_key()
    return submission_submit(
        submission=submission,
        user=None,
        data=form.cleaned_json(),
        draft_input={},
        expected_revision=submission.revision,
    )


def _editor_changes_the_bilan(dihal: Client) -> None:
    bilan = Form.objects.get(slug="bilan-d-etape")
    stream = [dict(item) for item in bilan.fields.raw_data]
    for item in stream:
        if item["value"].get("key") == "nb_menages_rencontres":
            assert item["value"]["label"] == OLD_LABEL
            item["value"] = {**item["value"], "label": NEW_LABEL}
    stream.append(
        {
            "type": "integer",
            "value": {
                "label": "Nombre de visites à domicile",
                "key": "",
                "help_text": "",
                "required": True,
                "min_value": 0,
                "max_value": None,
            },
        }
    )
    response = dihal.post(
        f"/admin/wagtailstreamforms/form/edit/{bilan.pk}/", form_admin_post(bilan, stream)
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    keys = [item["value"].get("key") for item in Form.objects.get(pk=bilan.pk).fields.raw_data]
    assert "nombre_de_visites_a_domicile" in keys and "nb_menages_rencontres" in keys


def _editor_opens_a_campaign(dihal: Client) -> Campaign:
    bilan = Form.objects.get(slug="bilan-d-etape")
    response = dihal.post(
        "/admin/snippets/forms_app/campaign/add/",
        {
            "title": "Bilan d'étape complémentaire",
            "form": bilan.pk,
            "opens_on": "2021-09-01",
            "due_on": "2099-10-15",
            "period_start": "2021-01-01",
            "period_end": "2021-08-31",
            # The automatic reminders, as the admin's form shows them prefilled.
            "reminder_days_before": "7",
            "reminder_days_after": "3",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    return Campaign.objects.get(title="Bilan d'étape complémentaire")


@pytest.mark.django_db(transaction=False)
def test_the_whole_path(demo_accounts):
    old_answer = _file_old_answer()
    dihal = _client("dihal@demo.test")
    _editor_changes_the_bilan(dihal)
    campaign = _editor_opens_a_campaign(dihal)

    prefecture = _client("prefecture38@demo.test")
    space = prefecture.get("/mon-espace/").content.decode()
    assert f'data-campaign="{campaign.pk}"' in space
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    response = prefecture.post(f"/campagnes/{campaign.pk}/repondre/{isere.pk}/")
    submission = Submission.objects.get(campaign=campaign, organisation=isere)
    edit_url = f"/reponses/{submission.pk}/modifier/"
    assert response["Location"] == edit_url
    page = prefecture.get(edit_url).content.decode()
    assert NEW_LABEL in page and "Nombre de visites à domicile" in page

    # A draft, then the person comes back: what was typed is still there.
    schema = submission.form_version.schema
    draft = {
        "nb_menages_rencontres": "87",
        "commentaire_difficultes": "Recrutement en cours",
        "_fin": "1",
        "revision": submission.revision,
        "action": "draft",
    }
    assert prefecture.post(edit_url, draft).status_code == 302
    page = prefecture.get(edit_url).content.decode()
    assert 'value="87"' in page and "Recrutement en cours" in page

    # Check and submit, with a confirmation step.
    submission.refresh_from_db()
    full = valid_input(schema, nb_menages_rencontres="87", nombre_de_visites_a_domicile="40")
    review = prefecture.post(
        edit_url, {**full, "_fin": "1", "revision": submission.revision, "action": "review"}
    )
    assert review.status_code == 200 and "Confirmer la transmission" in review.content.decode()
    submission.refresh_from_db()
    done = prefecture.post(
        edit_url, {"_fin": "1", "revision": submission.revision, "action": "submit"}
    )
    assert done.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "soumise"
    assert submission.data["nb_menages_rencontres"] == 87
    assert submission.data["nombre_de_visites_a_domicile"] == 40

    # DIHAL returns it with a comment; the prefecture sees the comment and corrects.
    response = dihal.post(
        f"/reponses/{submission.pk}/renvoyer/",
        {"comment": "Le nombre de jours manque.", "revision": submission.revision},
    )
    assert response.status_code == 302
    page = prefecture.get(edit_url).content.decode()
    assert "Le nombre de jours manque." in page
    submission.refresh_from_db()
    prefecture.post(
        edit_url,
        {
            **full,
            "nb_jours_intervention": "55",
            "_fin": "1",
            "revision": submission.revision,
            "action": "review",
        },
    )
    submission.refresh_from_db()
    prefecture.post(edit_url, {"_fin": "1", "revision": submission.revision, "action": "submit"})
    submission.refresh_from_db()
    assert submission.status == "soumise" and submission.data["nb_jours_intervention"] == 55

    stale = dihal.post(
        f"/reponses/{submission.pk}/accepter/", {"revision": submission.revision - 1}
    )
    assert stale.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == "soumise"  # not what DIHAL read
    accepted = dihal.post(f"/reponses/{submission.pk}/accepter/", {"revision": submission.revision})
    assert accepted.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "acceptee"
    assert list(
        SubmissionTransition.objects.filter(submission=submission).values_list(
            "to_status", flat=True
        )
    ) == ["soumise", "renvoyee", "soumise", "acceptee"]
    assert prefecture.get(edit_url).status_code == 302  # read-only now

    # The answer filed before the edit still shows with its original fields.
    old_page = dihal.get(f"/reponses/{old_answer.pk}/").content.decode()
    assert OLD_LABEL in old_page and NEW_LABEL not in old_page
    assert "Nombre de visites à domicile" not in old_page
    assert old_answer.form_version.number < submission.form_version.number
