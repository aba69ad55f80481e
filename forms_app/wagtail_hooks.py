"""Campaigns in the Wagtail admin: editors open them without code."""

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from forms_app.models import Campaign


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "date"
    menu_label = "Campagnes"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "form", "opens_on", "due_on"]
    list_filter = ["form"]
    search_fields = ["title"]
    panels = [
        FieldPanel("title"),
        FieldPanel("form"),
        FieldRowPanel([FieldPanel("opens_on"), FieldPanel("due_on")], heading="Dates"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")])],
            heading="Période couverte par les réponses",
        ),
        FieldPanel("expected"),
        FieldRowPanel(
            [FieldPanel("reminder_days_before"), FieldPanel("reminder_days_after")],
            heading="Relances automatiques",
        ),
    ]


register_snippet(CampaignViewSet)
