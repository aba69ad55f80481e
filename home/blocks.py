"""StreamField blocks of the guidance pages."""

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock

from forms_app.territory_map import territory_map
from portal import permissions, selectors

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class ListItemsBlock(blocks.StructBlock):
    ordered = blocks.BooleanBlock(label="Liste numérotée", required=False)
    items = blocks.ListBlock(blocks.TextBlock(label="Élément"), label="Éléments")

    class Meta:
        label = "Liste"
        icon = "list-ul"
        template = "home/blocks/list.html"


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="Titre", required=False)
    text = blocks.TextBlock(label="Texte")

    class Meta:
        label = "Mise en avant"
        icon = "pick"
        template = "home/blocks/callout.html"


class TerritoriesTableBlock(blocks.StaticBlock):
    """The 26 territories of annexe 1, from the database, grouped by region with totals."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        user = getattr(request, "user", None)
        context["region_groups"] = selectors.territories_by_region()
        context["totals"] = selectors.territory_totals()
        context["show_discrepancies"] = user is not None and (
            permissions.can_see_budget_discrepancies(user)
        )
        return context

    class Meta:
        label = "Tableau des territoires"
        icon = "table"
        admin_text = "Affiche le tableau des 26 territoires (annexe 1), tiré de la base."
        template = "home/blocks/territories_table.html"


class TerritoriesMapBlock(blocks.StaticBlock):
    """A map of France with the territories of the scheme highlighted."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["map"] = territory_map()
        return context

    class Meta:
        label = "Carte des territoires"
        icon = "site"
        admin_text = "Affiche la carte de France avec les départements du dispositif."
        template = "home/blocks/territories_map.html"


class GuidanceStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label="Intertitre", icon="title", template="home/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label="Texte", features=RICH_TEXT_FEATURES)
    list = ListItemsBlock()
    table = TableBlock(label="Tableau", template="home/blocks/table.html")
    callout = CalloutBlock()
    territories_table = TerritoriesTableBlock()
    territories_map = TerritoriesMapBlock()
