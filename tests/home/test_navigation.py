"""The guidance menu is kept between requests and read again whenever the live tree changes:
a page unpublished, published, renamed, hidden from menus or moved shows at once."""

from __future__ import annotations

from django.test import Client

from home.models import GuidancePage

SECOND = "objet-et-modes-d-action"


def _menu_links(client: Client) -> list[str]:
    html = client.get("/").content.decode()
    start = html.index('id="navigation-principale"')
    nav = html[start : html.index("</nav>", start)]
    return [
        page.slug
        for page in GuidancePage.objects.order_by("path")
        if f'href="/{page.slug}/"' in nav
    ]


def test_the_menu_follows_the_live_tree(client, portal_content):
    every = list(GuidancePage.objects.order_by("path").values_list("slug", flat=True))
    assert _menu_links(client) == every
    page = GuidancePage.objects.get(slug=SECOND)

    page.unpublish()
    assert SECOND not in _menu_links(client)

    page.refresh_from_db()
    page.save_revision().publish()
    assert _menu_links(client) == every

    page.show_in_menus = False
    page.save_revision().publish()
    assert SECOND not in _menu_links(client)


def test_a_renamed_page_is_renamed_in_the_menu(client, portal_content):
    page = GuidancePage.objects.get(slug=SECOND)
    client.get("/")  # the menu is kept
    page.title = "Un titre tout neuf"
    page.save_revision().publish()
    assert "Un titre tout neuf" in client.get("/").content.decode()
