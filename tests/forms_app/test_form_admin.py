"""Editors build forms in wagtailstreamforms' admin: keys derived, duplicates refused."""

from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtailstreamforms.models import Form


def _post_form(client, *, url, fields, title="Formulaire de test", slug="formulaire-de-test"):
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "template_name": "forms_app/answer_form.html",
            "submit_button_text": "Envoyer",
            "success_message": "",
            "error_message": "",
            "fields": streamfield(fields),
        }
    )
    return client.post(url, data)


def _text(label, key=""):
    return ("short_text", {"label": label, "key": key, "help_text": "", "required": "on"})


def test_an_editor_creates_a_form_and_keys_come_from_labels(client, login):
    login("dihal@demo.test")
    response = _post_form(
        client,
        url="/admin/wagtailstreamforms/form/create/",
        fields=[_text("Nombre de ménages rencontrés"), _text("Commentaire libre", "commentaire")],
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    form = Form.objects.get(slug="formulaire-de-test")
    keys = [item["value"]["key"] for item in form.fields.raw_data]
    assert keys == ["nombre_de_menages_rencontres", "commentaire"]


def test_a_duplicate_key_is_refused_with_a_message(client, login):
    login("dihal@demo.test")
    response = _post_form(
        client,
        url="/admin/wagtailstreamforms/form/create/",
        fields=[_text("Nom", "nom"), _text("Nom du référent", "nom")],
    )
    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["form"].errors["fields"])
    assert "La clé « nom » est utilisée par plusieurs champs" in errors
    # The admin page shows it on the fields' stream (JSON-escaped for the editor's script).
    assert "La cl\\u00e9 \\u00ab nom \\u00bb" in response.content.decode()
    assert not Form.objects.filter(slug="formulaire-de-test").exists()


def test_renaming_a_label_keeps_the_key_and_freezes_a_new_version(client, login):
    from forms_app.versions import form_version_freeze

    login("dihal@demo.test")
    _post_form(
        client,
        url="/admin/wagtailstreamforms/form/create/",
        fields=[_text("Nombre de ménages rencontrés")],
    )
    form = Form.objects.get(slug="formulaire-de-test")
    first = form_version_freeze(form=form)
    response = _post_form(
        client,
        url=f"/admin/wagtailstreamforms/form/edit/{form.pk}/",
        fields=[_text("Ménages rencontrés (nombre)", "nombre_de_menages_rencontres")],
    )
    assert response.status_code == 302
    form.refresh_from_db()
    second = form.versions.order_by("-number").first()  # frozen by the save itself
    assert second.number == first.number + 1
    assert second.created_by.email == "dihal@demo.test"
    assert form_version_freeze(form=form) == second
    assert second.input_keys == first.input_keys == ["nombre_de_menages_rencontres"]
    assert second.schema[0]["value"]["label"] == "Ménages rencontrés (nombre)"
    assert first.schema[0]["value"]["label"] == "Nombre de ménages rencontrés"


def test_streamforms_submission_views_do_not_exist(client, login):
    login("dihal@demo.test")
    form = Form.objects.get(slug="bilan-d-etape")
    assert client.get(f"/admin/wagtailstreamforms/{form.pk}/submissions/").status_code == 404
    response = client.post(f"/admin/wagtailstreamforms/{form.pk}/submissions/delete/", {})
    assert response.status_code == 404


def test_form_admin_is_refused_to_prefectures(client, login):
    login("prefecture38@demo.test")
    assert client.get("/admin/wagtailstreamforms/form/").status_code == 403


def _answered_form(slug: str, *, campaign_title: str) -> Form:
    """The form ``slug`` once Gard's prefecture has started an answer to its campaign."""
    from forms_app.lifecycle import submission_start
    from forms_app.models import Campaign
    from portal.models import Organisation

    gard = Organisation.objects.get(kind="prefecture", territory__code="30")
    campaign = Campaign.objects.get(title=campaign_title)
    submission_start(campaign=campaign, organisation=gard, user=None)
    return Form.objects.get(slug=slug)


def test_keys_are_frozen_once_the_form_has_answers(client, login):
    from tests.forms_app.builders import form_admin_post

    login("dihal@demo.test")
    bilan = _answered_form("bilan-d-etape", campaign_title="Bilan d'étape 2021")

    stream = [dict(item) for item in bilan.fields.raw_data]
    for item in stream:
        if item["value"].get("key") == "nb_menages_rencontres":
            item["value"] = {**item["value"], "key": "menages_rencontres"}
    response = client.post(
        f"/admin/wagtailstreamforms/form/edit/{bilan.pk}/", form_admin_post(bilan, stream)
    )
    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["form"].errors["fields"])
    assert "La clé « nb_menages_rencontres » est figée" in errors
    keys = [item["value"].get("key") for item in Form.objects.get(pk=bilan.pk).fields.raw_data]
    assert "nb_menages_rencontres" in keys and "menages_rencontres" not in keys


def test_group_sub_field_keys_are_frozen_too(client, login):
    from tests.forms_app.builders import form_admin_post

    login("dihal@demo.test")
    lettre = _answered_form("lettre-de-prefiguration", campaign_title="Lettre de préfiguration")

    stream = [dict(item) for item in lettre.fields.raw_data]
    for item in stream:
        if item["value"].get("key") == "q2_operateurs_pressentis":
            sub_fields = [dict(sub) for sub in item["value"]["fields"]]
            sub_fields[0] = {
                **sub_fields[0],
                "value": {**sub_fields[0]["value"], "key": "cle_renommee"},
            }
            item["value"] = {**item["value"], "fields": sub_fields}
    response = client.post(
        f"/admin/wagtailstreamforms/form/edit/{lettre.pk}/", form_admin_post(lettre, stream)
    )
    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["form"].errors["fields"])
    assert "La clé « nom » est figée" in errors
