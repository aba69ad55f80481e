"""Wagtail pages of the portal: the home page and the guidance pages."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import GuidanceStreamBlock


class HomePage(Page):
    """The portal's home page: presents the scheme and leads to the guidance."""

    subtitle = models.CharField("sous-titre", max_length=255, blank=True)
    intro = models.TextField("chapeau", blank=True)
    body = StreamField(GuidanceStreamBlock(), verbose_name="contenu", blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.GuidancePage"]
    max_count = 1

    class Meta:
        verbose_name = "page d'accueil"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guidance_pages"] = GuidancePage.objects.child_of(self).live().specific()
        return context


class GuidancePage(Page):
    """One section of the framing guidance (document de cadrage)."""

    nav_title = models.CharField(
        "titre court (menu)",
        max_length=40,
        blank=True,
        help_text="Libellé affiché dans le menu ; le titre est utilisé s'il est vide.",
    )
    summary = models.TextField("résumé", blank=True, help_text="Affiché dans les listes de pages.")
    body = StreamField(GuidanceStreamBlock(), verbose_name="contenu")

    content_panels = Page.content_panels + [
        FieldPanel("nav_title"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = "page de cadrage"
        verbose_name_plural = "pages de cadrage"

    @property
    def menu_label(self) -> str:
        return self.nav_title or self.title
