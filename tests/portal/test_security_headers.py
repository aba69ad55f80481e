"""Headers every page sends, and no request to a third party from the Wagtail admin."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

FEATURES_OFF = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/page-qui-n-existe-pas/"])
def test_every_page_switches_off_browser_features(client, portal_content, path):
    response = client.get(path)
    policy = response.headers["Permissions-Policy"]
    for feature in FEATURES_OFF:
        assert feature in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_wagtail_admin_asks_nothing_of_gravatar(login):
    client = login("dihal@demo.test")
    for path in ("/admin/", "/admin/account/", "/admin/users/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "gravatar" not in response.content.decode().lower(), path
