"""Word templates and consolidation rules in the Wagtail admin menu."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from documents import admin_urls
from documents.consolidation.models import ConsolidationRules


@hooks.register("register_admin_urls")
def register_word_template_urls():
    return [path("modeles-word/", include(admin_urls, namespace="documents_admin"))]


@hooks.register("register_admin_menu_item")
def register_word_template_menu_item():
    return MenuItem(
        "Modèles Word", reverse("documents_admin:index"), icon_name="doc-full", order=220
    )


class ConsolidationRulesViewSet(SnippetViewSet):
    model = ConsolidationRules
    icon = "table"
    menu_label = "Tableaux consolidés"
    menu_order = 230
    add_to_admin_menu = True
    list_display = ["form", "updated_at"]
    panels = [FieldPanel("form"), FieldPanel("rules")]


register_snippet(ConsolidationRulesViewSet)
