"""The guidance part of the main navigation, read from the live page tree and kept in the
cache until a page is published, unpublished, moved or deleted, or a site changes."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from home.models import GuidancePage, HomePage

MENU_CACHE_KEY = "home:guidance-menu:v1"
# Every change of the live tree forgets the menu (menu_forget); this bounds what a change
# made outside Wagtail's signals (a raw SQL edit) would leave in place.
MENU_CACHE_SECONDS = 600


def live_guidance_menu_items() -> list[dict]:
    """One menu entry « Le dispositif » opening the live guidance pages, in tree order."""
    home = HomePage.objects.live().first()
    if home is None:
        return []
    pages = GuidancePage.objects.child_of(home).live().in_menu().order_by("path")
    children = [{"label": page.menu_label, "url": page.url} for page in pages]
    if not children:
        return []
    return [{"label": "Le dispositif", "children": children, "id": "menu-cadrage"}]


def guidance_menu_items() -> list[dict]:
    """The guidance menu of every public page (two queries and every page's URL when read
    from the tree): a fresh copy from the cache, which the caller may change."""
    items = cache.get(MENU_CACHE_KEY)
    if items is None:
        items = live_guidance_menu_items()
        cache.set(MENU_CACHE_KEY, items, MENU_CACHE_SECONDS)
    return items


def menu_forget(sender=None, instance=None, **kwargs) -> None:
    """Receiver: the live tree or a site changed, the menu is read again next time."""
    if instance is None or isinstance(instance, Page | Site):
        cache.delete(MENU_CACHE_KEY)


def menu_receivers_connect() -> None:
    """Called by the home app's AppConfig."""
    for signal in (page_published, page_unpublished, post_page_move, post_save, post_delete):
        signal.connect(menu_forget, dispatch_uid=f"home-menu-forget-{id(signal)}")
