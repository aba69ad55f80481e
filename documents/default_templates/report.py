"""Regenerate with `.venv/bin/python -m documents.default_templates.report` (from the
checkout's root), then commit this script and `rapport-consolide.docx` beside it together.

Writes the default template of a campaign's consolidated report, in the State's layout of
the forms' templates (the helpers of ``blocks`` and ``docx_helpers``): the République
française block, the title « Synthèse nationale — <campagne> », the scope, the key figures,
the computed indicators, the procedure figures N / N-1 / évolution, the comparison between
the form's campaigns when there is one, then the tables by region and by département. It
uses only the variables of ``documents.consolidation.report.report_context``, every figure
already written in French.

The tables by region, by département and between campaigns have as many figure columns as
the form declares (``{%tc for %}``): docxtpl's ``fix_tables`` then fits their grid to the
cells, so their grid columns are laid out for it (see ``_dynamic_table``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm

from documents.default_templates.blocks import DIHAL_ADDRESS, footer, header_block, title_block, v
from documents.default_templates.docx_helpers import (
    LABEL_FILL,
    add_row,
    document,
    paragraph,
    shade,
    table,
    tag,
    tag_row,
)

FILE_NAME = "rapport-consolide.docx"
TABLE_SIZE = 8.5  # points, in the tables with many columns


def figures_table(
    doc, headers: list[str], *, loop: str, cells: list[str], widths: list[float]
) -> None:
    """A header row, then one row per item of ``loop`` (``{%tr for %}``): a shaded label and
    its figures, right-aligned."""
    grid = table(doc, widths)
    add_row(grid, headers, widths, header=True, right_from=1)
    tag_row(grid, "{%tr for " + loop + " %}", widths)
    shade(add_row(grid, cells, widths, right_from=1).cells[0], LABEL_FILL)
    tag_row(grid, "{%tr endfor %}", widths)
    paragraph(doc, after=2)


def _dynamic_table(
    doc,
    *,
    first: list[str],
    header_first: list[str],
    header_repeated: str,
    over: str,
    loop: str,
    repeated: str,
    widths: list[float],
    last: tuple[str, str] | None = None,
) -> None:
    """A table whose figure columns repeat ``{%tc for %}`` over ``over`` (headers) and the
    row's list (cells). The grid gives the two tag cells the width of a figure column, so
    that ``fix_tables`` leaves every figure column the same width whatever their number;
    the cells carry no width of their own (Word and LibreOffice follow the grid)."""
    header = [*header_first, "{%tc for titre in " + over + " %}", header_repeated]
    header += ["{%tc endfor %}"] + ([last[0]] if last else [])
    row = [*first, "{%tc for valeur in " + repeated + " %}", v("valeur"), "{%tc endfor %}"]
    row += [last[1]] if last else []
    grid = table(doc, widths)
    right_from = len(first)
    add_row(grid, header, widths, header=True, size=TABLE_SIZE, right_from=right_from)
    tag_row(grid, "{%tr for " + loop + " %}", widths)
    cells = add_row(grid, row, widths, size=TABLE_SIZE, right_from=right_from).cells
    shade(cells[0], LABEL_FILL)
    tag_row(grid, "{%tr endfor %}", widths)
    for width in grid._tbl.iter(qn("w:tcW")):
        width.getparent().remove(width)
    paragraph(doc, after=2)


# Name, answers, then three columns of the same width (the two {%tc %} tags and the
# figure): with six figures, fix_tables gives 3 cm, 1,25 cm and 2,125 cm to each figure.
TERRITORY_WIDTHS = [4.8, 2.0, 3.4, 3.4, 3.4]
# The same on a landscape page (25,7 cm between the margins): long figure labels keep
# whole words in their headers.
WIDE_TERRITORY_WIDTHS = [4.9, 3.4, 5.8, 5.8, 5.8]
LANDSCAPE_WIDTH = Cm(25.7)  # A4 landscape (29,7 cm) less two margins of 2 cm
# Label, then four columns of the same width (the tags, the figure, the change): with two
# campaigns, 7,6 cm for the label and 3,1 cm for each figure and the change.
COMPARISON_WIDTHS = [7.0, 2.5, 2.5, 2.5, 2.5]


def _landscape_section(doc) -> None:
    """The tables by region and by département on landscape pages: one column per declared
    figure leaves a portrait page too narrow for their labels."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width


def rapport_consolide() -> DocumentObject:
    """The consolidated report of a campaign, national or within a reader's scope."""
    doc = document(
        title="Synthèse consolidée",
        subject="Synthèse consolidée d'une campagne des équipes mobiles de prévention des "
        "expulsions locatives",
    )
    header_block(
        doc, issuer=[DIHAL_ADDRESS[1], DIHAL_ADDRESS[0]], aside=["Le " + v("date_edition")]
    )
    title_block(
        doc,
        "{% if est_national %}Synthèse nationale{% else %}Synthèse{% endif %} — " + v("campagne"),
        f"{v('formulaire')} — {v('perimetre')}",
        "{% if periode %}Période " + v("periode") + "{% endif %}",
    )
    paragraph(
        doc,
        f"{v('reponses.transmises')} sur {v('reponses.attendues')} attendues",
        label="Réponses transmises",
    )
    _report_figures(doc)
    _report_comparison(doc)
    _landscape_section(doc)
    _report_territories(doc)
    text = f"{v('formulaire')} — {v('campagne')} — synthèse consolidée"
    footer(doc, text)
    footer(doc, text, section=1, width=LANDSCAPE_WIDTH)
    return doc


def _report_figures(doc) -> None:
    """The key figures, then the computed indicators and the procedures N / N-1 if any."""
    doc.add_heading("Chiffres clés", level=1)
    figures_table(
        doc,
        ["Indicateur", "Valeur"],
        loop="chiffre in chiffres_cles",
        cells=[v("chiffre.libelle"), v("chiffre.valeur")],
        widths=[12.5, 4.5],
    )
    tag(doc, "{%p if indicateurs %}")
    doc.add_heading("Indicateurs calculés", level=1)
    figures_table(
        doc,
        ["Indicateur", "Valeur"],
        loop="indicateur in indicateurs",
        cells=[v("indicateur.libelle"), v("indicateur.valeur")],
        widths=[12.5, 4.5],
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if procedures %}")
    doc.add_heading("Procédures : année N, année N-1 et évolution", level=1)
    figures_table(
        doc,
        ["Procédure", "Année N", "Année N-1", "Évolution"],
        loop="procedure in procedures",
        cells=[
            v("procedure.libelle"),
            v("procedure.n"),
            v("procedure.n1"),
            v("procedure.evolution"),
        ],
        widths=[8.0, 3.0, 3.0, 3.0],
    )
    tag(doc, "{%p endif %}")


def _report_comparison(doc) -> None:
    """The comparison between the form's campaigns, when there is one."""
    tag(doc, "{%p if comparaison %}")
    doc.add_heading("Comparaison entre les campagnes du formulaire", level=1)
    paragraph(
        doc,
        "Même périmètre pour chaque campagne ; évolution de la campagne précédente à celle-ci "
        "(en points pour les taux).",
        italic=True,
    )
    _dynamic_table(
        doc,
        first=[v("ligne.libelle")],
        header_first=["Indicateur"],
        header_repeated=v("titre"),
        over="comparaison.campagnes",
        loop="ligne in comparaison.lignes",
        repeated="ligne.valeurs",
        widths=COMPARISON_WIDTHS,
        last=(v("comparaison.evolution"), v("ligne.evolution")),
    )
    tag(doc, "{%p endif %}")


def _report_territories(doc) -> None:
    """The tables by region (when there are several) and by département, with their note."""
    tag(doc, "{%p if regions|length > 1 %}")
    doc.add_heading("Par région", level=1)
    _dynamic_table(
        doc,
        first=[v("region.nom"), v("region.reponses")],
        header_first=["Région", "Réponses"],
        header_repeated=v("titre.libelle"),
        over="colonnes",
        loop="region in regions",
        repeated="region.valeurs",
        widths=WIDE_TERRITORY_WIDTHS,
    )
    tag(doc, "{%p endif %}")
    doc.add_heading("Par département", level=1)
    _dynamic_table(
        doc,
        first=[f"{v('departement.nom')} ({v('departement.code')})", v("departement.reponses")],
        header_first=["Département", "Réponses"],
        header_repeated=v("titre.libelle"),
        over="colonnes",
        loop="departement in departements",
        repeated="departement.valeurs",
        widths=WIDE_TERRITORY_WIDTHS,
    )
    note = paragraph(
        doc,
        "Réponses transmises ou acceptées à la date d'édition. Un tiret signale une valeur "
        "qu'aucune réponse ne donne.",
        italic=True,
        size=8.5,
    )
    note.alignment = WD_ALIGN_PARAGRAPH.LEFT
    note.paragraph_format.space_before = Cm(0.2)


def build_report(directory: Path) -> Path:
    """Writes ``rapport-consolide.docx`` into ``directory``; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE_NAME
    rapport_consolide().save(path)
    return path


if __name__ == "__main__":
    print(build_report(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent))
