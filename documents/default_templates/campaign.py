"""The default templates of the campaign forms: the préfet·e's lettre de préfiguration
and the territory's yearly bilan d'étape."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.shared import Cm

from documents.default_templates.blocks import (
    DASH,
    DIHAL_ADDRESS,
    ans,
    evolution,
    footer,
    grid_table,
    header_block,
    opt,
    rows_table,
    section,
    signature_blocks,
    title_block,
    v,
    v_or_dash,
)
from documents.default_templates.docx_helpers import GREY, document, paragraph, tag

PREFECTURE_ISSUER = [v("organisation"), f"{v('territoire')} ({v('departement')})"]
CAMPAIGN_FOOTER = f"{v('formulaire')} — {v('organisation')}"
OPERATORS_TABLE = {
    "headers": ["Opérateur", "Type de structure"],
    "cells": [v("operateur.nom"), v("operateur.type")],
    "widths": [11.5, 5.5],
}


def _question(doc, heading: str, answers: list[tuple[str, str]], why: str | None) -> None:
    """One of annexe 2's questions: short answers as « label : answer », then the why."""
    doc.add_heading(heading, level=1)
    for label, key in answers:
        paragraph(doc, v_or_dash(key), label=label)
    if why:
        paragraph(doc, v(why))


def _letter_opening(doc) -> None:
    """Addressee, subject, reference and the opening of the préfet·e's letter."""
    for line in DIHAL_ADDRESS:  # where a window envelope shows it
        addressee = paragraph(doc, line, bold=line == DIHAL_ADDRESS[0], after=0)
        addressee.paragraph_format.left_indent = Cm(9)
    paragraph(doc, after=8)
    subject = "lettre de préfiguration de l'équipe mobile de prévention des expulsions locatives"
    paragraph(doc, f"{subject} — {v('territoire')} ({v('departement')})", label="Objet", after=2)
    reference = "document de cadrage relatif aux équipes mobiles de prévention des expulsions"
    paragraph(doc, f"{reference} locatives, décembre 2020 (annexe 2)", label="Référence")
    paragraph(doc, after=4)
    paragraph(doc, "Madame, Monsieur,")
    paragraph(
        doc,
        "En réponse au document de cadrage cité en référence, je vous prie de trouver ci-dessous "
        "les modalités retenues ou envisagées pour le déploiement de l'équipe mobile de "
        "prévention des expulsions locatives dans le département.",
    )


def lettre_de_prefiguration() -> DocumentObject:
    """The préfet·e's letter to the Pôle national, answering annexe 2's six questions."""
    doc = document(
        title="Lettre de préfiguration",
        subject="Déploiement de l'équipe mobile de prévention des expulsions locatives",
    )
    aside = ["Le " + v("date_signature or date_document")]
    header_block(doc, issuer=PREFECTURE_ISSUER, aside=aside)
    _letter_opening(doc)
    _letter_questions(doc)
    _letter_closing(doc)
    footer(doc, CAMPAIGN_FOOTER)
    return doc


def _letter_questions(doc) -> None:
    """Annexe 2's six questions, the operators and the team's resources among them."""
    _question(
        doc,
        "1. Équipes existantes et mode de création",
        [
            ("Équipes mobiles déjà présentes", "q1_equipes_existantes"),
            ("Mode de création envisagé", "q1_mode_creation"),
        ],
        "q1_description",
    )
    _question(
        doc,
        "2. Nombre d'opérateurs",
        [("Nombre d'opérateurs envisagés", "q2_nb_operateurs")],
        None,
    )
    tag(doc, "{%p if q2_operateurs_pressentis %}")
    paragraph(doc, "Opérateurs pressentis\u00a0:", bold=True, after=2)
    rows_table(doc, loop="operateur in q2_operateurs_pressentis", **OPERATORS_TABLE)
    tag(doc, "{%p endif %}")
    paragraph(doc, v("q2_justification"))
    _question(
        doc, "3. Échelle territoriale d'intervention", [("Échelle envisagée", "q3_echelle")], None
    )
    tag(doc, "{%p if q3_part_population_pct or q3_part_assignations_pct %}")
    paragraph(doc, v_or_dash("q3_part_population_pct"), label="Part de la population couverte")
    paragraph(doc, v_or_dash("q3_part_assignations_pct"), label="Part des assignations couverte")
    tag(doc, "{%p endif %}")
    paragraph(doc, v("q3_justification"))
    _question(
        doc,
        "4. Contacts avec les partenaires",
        [("Partenaires déjà contactés", "q4_partenaires_contactes")],
        "q4_etat",
    )
    _question(
        doc,
        "5. Stades de la procédure",
        [("Stades d'intervention envisagés", "q5_stades")],
        "q5_justification",
    )
    section(
        doc,
        "6. Ressources humaines",
        [
            ans("Nombre de personnes dans l'équipe", "q6_nb_personnes"),
            ans("Équivalents temps plein (ETP)", "q6_etp"),
            ans("Profils des intervenants", "q6_profils"),
            opt("Part du temps consacrée aux visites à domicile", "q6_part_temps_visites_pct"),
        ],
    )
    paragraph(doc, v("q6_justification"))


def _letter_closing(doc) -> None:
    """The closing formula, the préfet·e's signature and the signed copy filed, if any."""
    closing = (
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de ma considération distinguée."
    )
    paragraph(doc, closing, after=12).paragraph_format.keep_with_next = True
    signature_blocks(doc, [([v("signataire_prefet")], [])])
    tag(doc, "{%p if lettre_signee_pdf %}")
    paragraph(
        doc,
        "Exemplaire signé déposé sur le portail\u00a0: " + v("lettre_signee_pdf"),
        size=8.5,
        color=GREY,
    )
    tag(doc, "{%p endif %}")


BILAN_ACTIVITY = [
    ("Ménages rencontrés", "nb_menages_rencontres"),
    ("Jours d'intervention de l'équipe", "nb_jours_intervention"),
    ("Diagnostics réalisés", "nb_diagnostics"),
    ("dont diagnostics sociaux et financiers (DSF)", "nb_dsf"),
    ("Ménages accompagnés", "nb_menages_accompagnes"),
    ("Bailleurs contactés", "nb_bailleurs_contactes"),
    ("Dispositifs d'apurement mobilisés", "nb_dispositifs_apurement"),
    ("Situations où l'impayé a été résorbé", "nb_impayes_resorbes"),
    ("Relogements accompagnés", "nb_relogements_accompagnes"),
    ("Orientations vers un dispositif d'hébergement", "nb_orientations_hebergement"),
]
BILAN_STAGES = [
    ("Commandement de payer (CDP)", "nb_menages_stade_cdp"),
    ("Assignation", "nb_menages_stade_assignation"),
    ("Commandement de quitter les lieux (CQL)", "nb_menages_stade_cql"),
    ("Réquisition ou concours de la force publique", "nb_menages_stade_rfp_cfp"),
]
BILAN_PROCEDURES = [
    ("Assignations", "nb_assignations"),
    ("Décisions de justice", "nb_decisions"),
    ("Commandements de quitter les lieux (CQL)", "nb_cql"),
    ("Réquisitions de la force publique (RFP)", "nb_rfp"),
    ("Concours de la force publique (CFP)", "nb_cfp"),
    ("Expulsions effectives", "nb_expulsions"),
]
MENAGES_PAR_JOUR = (
    "{% if brut.nb_jours_intervention|int > 0 %}{{ (brut.nb_menages_rencontres|int"
    " / brut.nb_jours_intervention|int)|nombre(1) }}{% else %}" + DASH + "{% endif %}"
)


def bilan_d_etape() -> DocumentObject:
    """The territory's yearly report: the scheme, its counters, N / N-1 procedure figures."""
    doc = document(
        title="Bilan d'étape",
        subject="Bilan d'étape des équipes mobiles de prévention des expulsions locatives",
    )
    aside = ["Le " + v("date_document"), "à l'attention du", DIHAL_ADDRESS[0]]
    header_block(doc, issuer=PREFECTURE_ISSUER, aside=aside)
    title_block(
        doc,
        "Bilan d'étape {{ brut.annee or '' }}",  # the raw year: the formatted one reads 2 021
        "Équipe mobile de prévention des expulsions locatives — "
        f"{v('territoire')} ({v('departement')}), {v('region')}",
        f"Période du {v('periode_debut')} au {v('periode_fin')}",
    )
    section(
        doc,
        "Le dispositif",
        [
            # The context's year (« 2 021 » while integers group their thousands); the
            # title reads the raw one.
            ans("Année du bilan", "annee"),
            ans("Service rédacteur du bilan", "redacteur_service"),
            ans("ETP financés", "etp_finances"),
            ans("ETP effectivement pourvus", "etp_pourvus"),
            ans("Démarrage effectif de l'équipe", "date_demarrage_effectif"),
            ans("Crédits consommés", "credits_consommes"),
            ans("Stades de la procédure couverts", "stades_couverts"),
        ],
    )
    doc.add_heading("Opérateurs de l'équipe mobile", level=2)
    rows_table(doc, loop="operateur in operateurs", **OPERATORS_TABLE)
    _bilan_figures(doc)
    doc.add_heading("Commentaires", level=1)
    paragraph(doc, '{{ commentaire_difficultes or "Aucun commentaire." }}', after=12)
    signature_blocks(doc, [(["Le service rédacteur", v("redacteur_service")], [])])
    footer(doc, CAMPAIGN_FOOTER)
    return doc


def _bilan_figures(doc) -> None:
    """The team's activity, the households by stage, satisfaction and procedures N / N-1."""
    doc.add_heading("Activité des équipes", level=1)
    activity = [[label, v_or_dash(key)] for label, key in BILAN_ACTIVITY]
    activity.insert(2, ["Ménages rencontrés par jour (calculé)", MENAGES_PAR_JOUR])
    grid_table(doc, ["Indicateur", "Nombre"], activity, widths=[13.0, 4.0])
    doc.add_heading("Ménages rencontrés selon le stade de la procédure", level=2)
    stages = [[label, v_or_dash(key)] for label, key in BILAN_STAGES]
    grid_table(doc, ["Stade à l'orientation vers l'équipe", "Ménages"], stages, [13.0, 4.0])
    doc.add_heading("Satisfaction", level=1)
    grid_table(
        doc,
        ["Public", "Satisfaction moyenne (de 1 à 4)", "Répondants"],
        [
            ["Ménages", v_or_dash("satisf_menages_moy"), v_or_dash("nb_repondants_menages")],
            ["Bailleurs", v_or_dash("satisf_bailleurs_moy"), v_or_dash("nb_repondants_bailleurs")],
        ],
        widths=[7.0, 6.0, 4.0],
    )
    doc.add_heading("Procédures dans le parc privé (année N et N-1)", level=1)
    grid_table(
        doc,
        ["Parc privé", "Année N", "Année N-1", "Évolution"],
        [
            [label, v_or_dash(f"{key}_n"), v_or_dash(f"{key}_n1"), evolution(key)]
            for label, key in BILAN_PROCEDURES
        ],
        widths=[8.0, 3.0, 3.0, 3.0],
    )
