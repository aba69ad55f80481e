"""The guidance part of the main navigation, read from the live page tree."""

from __future__ import annotations

from home.models import GuidancePage, HomePage


def guidance_menu_items() -> list[dict]:
    """One menu entry « Le dispositif » opening the live guidance pages, in tree order."""
    home = HomePage.objects.live().first()
    if home is None:
        return []
    pages = GuidancePage.objects.child_of(home).live().in_menu().order_by("path")
    children = [{"label": page.menu_label, "url": page.url} for page in pages]
    if not children:
        return []
    return [{"label": "Le dispositif", "children": children, "id": "menu-cadrage"}]
