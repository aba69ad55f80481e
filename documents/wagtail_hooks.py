"""Word templates in the Wagtail admin menu."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from documents import admin_urls


@hooks.register("register_admin_urls")
def register_word_template_urls():
    return [path("modeles-word/", include(admin_urls, namespace="documents_admin"))]


@hooks.register("register_admin_menu_item")
def register_word_template_menu_item():
    return MenuItem(
        "Modèles Word", reverse("documents_admin:index"), icon_name="doc-full", order=220
    )
