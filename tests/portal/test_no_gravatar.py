"""Wagtail's admin asks gravatar.com for nobody's picture (WAGTAIL_GRAVATAR_PROVIDER_URL =
None): a picture's URL carries a hash of the person's address to a third party. Wagtail
builds every avatar with ``avatar_url`` (wagtailadmin_tags), which falls back to its own
default image when the provider is None; these are the pages that show avatars."""

from __future__ import annotations

import pytest
from django.test import override_settings

EDITOR = "dihal@demo.test"  # a DIHAL editor: the admin is open to them

AVATAR_PAGES = ["/admin/", "/admin/account/", "/admin/users/", "/admin/pages/"]


@pytest.mark.parametrize("path", AVATAR_PAGES)
def test_no_admin_page_points_at_gravatar(login, path):
    client = login(EDITOR)

    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "gravatar.com" not in html
    assert "default-user-avatar" in html


@override_settings(WAGTAIL_GRAVATAR_PROVIDER_URL="//www.gravatar.com/avatar")
def test_with_wagtails_default_provider_the_account_page_would_call_gravatar(login):
    client = login(EDITOR)

    assert "www.gravatar.com/avatar/" in client.get("/admin/account/").content.decode()
