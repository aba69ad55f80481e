"""The content command: re-runnable, never duplicates, never overwrites an editor's page."""

from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from home.content_loader import portal_content_load
from home.models import GuidancePage, HomePage
from portal.models import Organisation, Territory


def _counts():
    return (
        Page.objects.count(),
        Revision.objects.count(),
        Territory.objects.count(),
        Organisation.objects.count(),
    )


def test_a_second_run_changes_nothing(portal_content, settings):
    before = _counts()
    report = portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    assert _counts() == before
    assert not report.changed_anything
    assert len(report.pages_unchanged) == 9
    assert before[0] == 1 + 1 + 8  # root, home, eight guidance pages


def test_the_default_site_serves_the_home_page(portal_content):
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class is HomePage
    assert not Page.objects.filter(title__startswith="Welcome").exists()


def test_an_editors_change_is_kept(portal_content, settings, django_user_model):
    editor = django_user_model.objects.create_user(email="editeur@demo.test", password="x" * 12)
    page = GuidancePage.objects.get(slug="indicateurs")
    page.title = "Indicateurs (mis à jour par la DIHAL)"
    page.save_revision(user=editor).publish()

    report = portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)

    page.refresh_from_db()
    assert page.title == "Indicateurs (mis à jour par la DIHAL)"
    assert report.pages_kept == ["Indicateurs (mis à jour par la DIHAL)"]
    assert GuidancePage.objects.filter(slug="indicateurs").count() == 1


def test_an_editors_draft_is_kept(portal_content, settings, django_user_model):
    editor = django_user_model.objects.create_user(email="editeur@demo.test", password="x" * 12)
    page = GuidancePage.objects.get(slug="contexte-et-objectifs")
    page.summary = "Brouillon en cours"
    page.save_revision(user=editor)
    revisions = Revision.objects.count()

    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)

    assert Revision.objects.count() == revisions
    assert page.get_latest_revision_as_object().summary == "Brouillon en cours"


def test_a_loader_owned_page_follows_the_data_file(portal_content, settings):
    """A page nobody edited is brought back in line with the data file."""
    page = GuidancePage.objects.get(slug="criteres-selection-operateurs")
    page.summary = "ancien résumé"
    page.save_revision().publish()  # no user: the loader's own kind of revision

    report = portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)

    page.refresh_from_db()
    assert page.summary != "ancien résumé"
    assert report.pages_updated == ["Critères de sélection des opérateurs"]


def test_a_deleted_page_is_recreated_once(portal_content, settings):
    GuidancePage.objects.get(slug="indicateurs").delete()
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    assert GuidancePage.objects.filter(slug="indicateurs").count() == 1


def test_an_editors_territory_change_is_kept(portal_content, settings):
    Territory.objects.filter(code="59").update(name="Nord (59)")
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    assert Territory.objects.get(code="59").name == "Nord (59)"


def test_the_command_reports_in_french(empty_database, capsys):
    call_command("load_portal_content")
    call_command("load_portal_content")
    out = capsys.readouterr().out
    assert "Pages créées (9)" in out
    assert "rien n'a changé" in out


def test_an_editor_edits_a_page_in_the_admin_and_previews_the_draft(client, login, settings):
    from django.urls import reverse
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    login("dihal@demo.test")
    page = GuidancePage.objects.get(slug="indicateurs")
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert client.get(edit_url).status_code == 200
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "nav_title": page.nav_title,
            "summary": "Résumé revu par la DIHAL",
            "body": streamfield(
                [
                    ("heading", "Indicateurs 2021"),
                    ("paragraph", rich_text("<p>Nombre de ménages rencontrés par jour.</p>")),
                ]
            ),
            "comments": inline_formset([]),
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    page.refresh_from_db()
    revision = page.latest_revision
    assert revision.user.email == "dihal@demo.test"
    assert page.has_unpublished_changes
    assert page.summary != "Résumé revu par la DIHAL"  # the live page is unchanged until published
    draft = client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
    assert draft.status_code == 200
    assert "Indicateurs 2021" in draft.content.decode()
    history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert history.status_code == 200

    report = portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    assert page.title in report.pages_kept
    assert page.get_latest_revision_as_object().summary == "Résumé revu par la DIHAL"
