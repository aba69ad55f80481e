"""Template context shared by every public page: the main navigation."""

from __future__ import annotations

from django.urls import reverse

from home.navigation import guidance_menu_items
from portal.permissions import can_access_cms_admin, can_use_personal_space


def navigation(request) -> dict:
    """The main navigation: home, the guidance sections, territories, and « Mon espace »."""
    user = getattr(request, "user", None)
    items = [{"label": "Accueil", "url": "/"}]
    items.extend(guidance_menu_items())
    items.append({"label": "Territoires", "url": reverse("home:territories")})
    signed_in = user is not None and can_use_personal_space(user)
    if signed_in:
        items.append({"label": "Mon espace", "url": reverse("portal:mon_espace")})
    path = request.path
    for item in items:
        children = item.get("children", [])
        for child in children:
            child["current"] = path == child["url"]
        if children:
            item["current"] = any(child["current"] for child in children)
        else:
            item["current"] = path == item["url"] or (
                item["url"] != "/" and path.startswith(item["url"])
            )
    return {
        "main_menu": items,
        "show_cms_admin_link": user is not None and can_access_cms_admin(user),
    }
