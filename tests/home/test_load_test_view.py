"""The load test's bare page (/_charge/base/): the base DSFR template, served only when
settings.PORTAL_LOAD_TEST_VIEW is on."""

from django.test import override_settings

BARE_PATH = "/_charge/base/"


@override_settings(PORTAL_LOAD_TEST_VIEW=False)
def test_the_bare_page_is_not_found_when_the_setting_is_off(client, db):
    assert client.get(BARE_PATH).status_code == 404


@override_settings(PORTAL_LOAD_TEST_VIEW=True)
def test_the_bare_page_renders_the_base_template_alone_when_on(client, portal_content):
    response = client.get(BARE_PATH)
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "base.html"
    html = response.content.decode()
    assert 'class="fr-header"' in html and 'class="fr-footer"' in html
    assert "<main" in html


def test_the_setting_is_off_unless_turned_on(settings):
    assert settings.PORTAL_LOAD_TEST_VIEW is False
