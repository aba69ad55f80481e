"""The default templates of the household documents: the diagnostic social et
financier, the contrat d'engagement and the veille sociale post-intervention."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from documents.default_templates.blocks import (
    Row,
    ans,
    footer,
    grid_table,
    header_block,
    long_answer,
    opt,
    rows_table,
    section,
    signature_blocks,
    title_block,
    total,
    v,
    v_or_dash,
)
from documents.default_templates.docx_helpers import document, paragraph, tag

OPERATOR_ISSUER = [v("organisation"), "Équipe mobile de prévention des expulsions locatives"]
HOUSEHOLD_FOOTER = f"{v('formulaire')} — ménage {v('menage')} — document confidentiel"
HOUSEHOLD_ASIDE = ["Le " + v("date_document"), "Référence du ménage\u00a0: " + v("menage")]


RESSOURCES = [
    ("Salaires", "ressources_salaires"),
    ("Allocations chômage", "ressources_chomage"),
    ("RSA", "ressources_rsa"),
    ("AAH", "ressources_aah"),
    ("Retraite ou pension d'invalidité", "ressources_retraite_invalidite"),
    ("Prestations familiales", "ressources_prestations_familiales"),
    ("APL ou AL", "ressources_apl_al"),
    ("Pension alimentaire", "ressources_pension_alimentaire"),
    ("Autres ressources", "ressources_autres"),
]
CHARGES = [
    ("Loyer hors charges", "loyer_hc"),
    ("Charges locatives", "charges_locatives"),
    ("Énergie", "charges_energie"),
    ("Assurances", "charges_assurance"),
    ("Crédits", "charges_credits"),
    ("Autres charges", "charges_autres"),
]
RESTE_A_VIVRE = v(
    f"({total([key for _, key in RESSOURCES])} - {total([key for _, key in CHARGES])})|montant"
)
DIAGNOSTIC_PERSON = [
    (
        "Rédacteur",
        [
            ans("Nom", "redacteur_nom"),
            ans("Qualité", "redacteur_qualite"),
            ans("Coordonnées", "redacteur_coordonnees"),
        ],
    ),
    (
        "Entretien",
        [
            ans("Date de l'entretien", "date_entretien"),
            ans("Lieu", "lieu_entretien"),
            ans("Locataire présent", "locataire_present"),
            ans("Modes de prise de contact", "mode_contact"),
            ans(
                "Transmission au juge et à la CCAPEX indiquée au ménage",
                "transmission_obligatoire_mentionnee",
            ),
        ],
    ),
]
DIAGNOSTIC_PROCEDURE = [
    ans("Stade de la procédure", "stade"),
    opt("Commandement de payer", "date_cdp"),
    opt("Assignation", "date_assignation"),
    opt("Audience", "date_audience"),
    ans("Acte générateur vérifié et régulier", "acte_generateur_regulier"),
    ans("CCAPEX saisie", "ccapex_saisie"),
    opt("Date de saisine de la CCAPEX", "ccapex_date"),
]
DIAGNOSTIC_HOUSEHOLD = [
    (
        "Locataire",
        [
            Row("Nom et prénom", f"{v('nom')} {v('prenom')}"),
            ans("Date de naissance", "date_naissance"),
            ans("Adresse du logement", "adresse_logement"),
            ans("Téléphone", "telephone"),
            ans("Adresse électronique", "email"),
        ],
    ),
    (
        "Situation familiale",
        [
            ans("Situation familiale", "situation_familiale"),
            ans("Adultes au foyer", "nb_adultes"),
            ans("Enfants au foyer", "nb_enfants"),
            opt("Âge des enfants", "ages_enfants"),
            opt("Autres occupants", "autres_occupants"),
        ],
    ),
    (
        "Accompagnement existant",
        [
            ans("Suivi social existant", "suivi_social_existant"),
            opt("Suivi assuré par", "suivi_social_par"),
            ans("Aide juridictionnelle", "aide_juridictionnelle"),
            ans("Avocat", "avocat"),
        ],
    ),
]
DIAGNOSTIC_HOUSING = [
    (
        "Situation locative",
        [
            ans("Type de bailleur", "bailleur_type"),
            ans("Bailleur", "bailleur_nom"),
            ans("Coordonnées du bailleur", "bailleur_contact"),
            opt("Mandataire ou gestionnaire", "mandataire"),
            ans("Entrée dans le logement", "date_entree"),
            ans("Type de bail", "bail"),
            ans("Typologie du logement", "typologie"),
            ans("Aide au logement versée au bailleur", "tiers_payant_apl"),
            ans("Indécence du logement signalée", "indecence_signalee"),
        ],
    ),
    (
        "Dette locative",
        [
            ans("Montant de la dette locative", "montant_dette"),
            ans("Date du décompte", "date_decompte"),
            ans("Premier impayé", "date_premier_impaye"),
            ans("Mois d'impayés", "nb_mois_impayes"),
            ans("Dette contestée", "dette_contestee"),
        ],
    ),
]
DIAGNOSTIC_TREATMENT = [
    ans("Plan d'apurement en place", "plan_apurement"),
    opt("Mensualité du plan", "plan_apurement_mensualite"),
    ans("Fonds de solidarité pour le logement (FSL)", "fsl"),
    ans("Action Logement sollicitée", "action_logement"),
    ans("Maintien de l'aide au logement", "maintien_apl"),
    ans("Surendettement", "surendettement"),
]
DIAGNOSTIC_PAYMENT = [
    (
        "Paiement du loyer",
        [
            ans("Reprise du paiement du loyer courant", "reprise_paiement_loyer"),
            opt("Date de reprise", "reprise_paiement_date"),
            opt("Montant versé chaque mois", "reprise_paiement_montant"),
            ans("Capacité de remboursement mensuelle", "capacite_remboursement_mensuelle"),
        ],
    ),
    (
        "Relogement",
        [
            ans("Relogement nécessaire", "relogement_necessaire"),
            opt("Démarches de relogement", "relogement_demarches"),
        ],
    ),
]


def _budget(doc, heading: str, lines: list[tuple[str, str]], total_label: str) -> None:
    """Monthly amounts, one per line, and their total computed from the raw answers."""
    rows = [[label, v_or_dash(key)] for label, key in lines]
    rows.append([total_label, v(f"({total([key for _, key in lines])})|montant")])
    grid_table(doc, [heading, "Montant mensuel"], rows, widths=[12.0, 5.0], total=True)


def diagnostic_social_et_financier() -> DocumentObject:
    """The household's diagnostic, rubric by rubric, with the monthly budget computed."""
    doc = document(
        title="Diagnostic social et financier",
        subject="Diagnostic social et financier d'un ménage suivi par l'équipe mobile",
    )
    header_block(doc, issuer=OPERATOR_ISSUER, aside=HOUSEHOLD_ASIDE)
    title_block(
        doc,
        "Diagnostic social et financier",
        f"Ménage {v('menage')} — {v('territoire')}",
        "Document confidentiel\u00a0: il contient des données personnelles du ménage.",
    )
    for heading, rows in DIAGNOSTIC_PERSON:
        section(doc, heading, rows)
    section(doc, "Procédure", DIAGNOSTIC_PROCEDURE)
    long_answer(
        doc, "Observations sur l'acte générateur", "acte_generateur_observations", optional=True
    )
    long_answer(doc, "Recommandations de la CCAPEX", "ccapex_recommandations", optional=True)
    for heading, rows in DIAGNOSTIC_HOUSEHOLD:
        section(doc, heading, rows)
    doc.add_heading("Ressources mensuelles du foyer", level=1)
    _budget(doc, "Ressources", RESSOURCES, "Total des ressources")
    paragraph(doc, v_or_dash("situation_pro"), label="Situation professionnelle")
    doc.add_heading("Charges mensuelles du foyer", level=1)
    _budget(doc, "Charges", CHARGES, "Total des charges")
    paragraph(doc, RESTE_A_VIVRE, label="Reste à vivre mensuel (ressources moins charges)")
    for heading, rows in DIAGNOSTIC_HOUSING:
        section(doc, heading, rows)
    long_answer(doc, "Autres dettes", "autres_dettes", optional=True)
    doc.add_heading("Causes de l'impayé", level=1)
    paragraph(doc, v_or_dash("causes"))
    section(doc, "Traitement de la dette", DIAGNOSTIC_TREATMENT)
    long_answer(doc, "Autres aides mobilisées", "autres_aides", optional=True)
    for heading, rows in DIAGNOSTIC_PAYMENT:
        section(doc, heading, rows)
    doc.add_heading("Conclusions", level=1)
    long_answer(doc, "Préconisations", "preconisations")
    paragraph(doc, v_or_dash("demarches_proposees"), label="Démarches à engager")
    for who, key in (
        ("rédacteur", "redacteur"),
        ("locataire", "locataire"),
        ("bailleur", "bailleur"),
    ):
        long_answer(doc, f"Observations du {who}", f"observations_{key}", optional=True)
    paragraph(doc, after=10)
    signature = (["Le rédacteur ou la rédactrice", v("redacteur_nom"), v("redacteur_qualite")], [])
    signature_blocks(doc, [signature])
    footer(doc, HOUSEHOLD_FOOTER)
    return doc


ENGAGEMENT_CELLS = [
    v("loop.index"),
    v("engagement.demarche"),
    v("engagement.objectif"),
    v("engagement.porteur"),
    v("engagement.modalite")
    + "{% if engagement.organisme_oriente %} ("
    + v("engagement.organisme_oriente")
    + "){% endif %}",
    v("engagement.echeance"),
    v("engagement.statut"),
]


def _contract_parties(doc) -> None:
    """Who signs, and what they agree to."""
    paragraph(doc, "Entre les soussignés\u00a0:", bold=True)
    paragraph(doc, f"{v('prenom')} {v('nom')}", label="le ménage")
    paragraph(
        doc,
        f"{v('organisation')}, référent du ménage\u00a0: {v('referent')}",
        label="et l'opérateur de l'équipe mobile",
    )
    paragraph(
        doc,
        "Le ménage et l'opérateur s'engagent à accomplir les démarches ci-dessous, chacune avec "
        "son objectif, la personne qui la porte et son échéance. L'équipe mobile reprend contact "
        "avec le ménage dans les quinze jours qui suivent le dernier échange pour faire le point "
        "sur leur avancement.",
    )


def contrat_d_engagement() -> DocumentObject:
    """The contract between the household and the operator: one table row per step."""
    doc = document(
        title="Contrat d'engagement",
        subject="Contrat d'engagement entre un ménage et l'équipe mobile",
    )
    aside = ["Le " + v("date_signature or date_document"), HOUSEHOLD_ASIDE[1]]
    header_block(doc, issuer=OPERATOR_ISSUER, aside=aside)
    title_block(
        doc,
        "Contrat d'engagement",
        f"Équipe mobile de prévention des expulsions locatives — {v('territoire')}",
    )
    _contract_parties(doc)
    section(
        doc,
        "Le contrat",
        [
            ans("Date de signature", "date_signature"),
            ans("Échéance du contrat", "echeance"),
            ans("Référent à l'équipe mobile", "referent"),
            ans("Stade de la procédure", "stade"),
            ans("Montant de la dette locative", "montant_dette"),
        ],
    )
    doc.add_heading("Engagements", level=1)
    rows_table(
        doc,
        ["N°", "Démarche", "Objectif", "Porteur", "Modalité", "Échéance", "Statut"],
        loop="engagement in engagements",
        cells=ENGAGEMENT_CELLS,
        widths=[0.8, 3.0, 4.3, 2.3, 3.0, 2.1, 1.5],
        size=8.5,
    )
    tag(doc, "{%p if bailleur_informe_garanties %}")
    paragraph(
        doc,
        v("bailleur_informe_garanties"),
        label="Bailleur informé des garanties mobilisables",
    )
    tag(doc, "{%p endif %}")
    doc.add_heading("Signatures", level=1)
    done = paragraph(doc, f"Fait le {v_or_dash('date_signature')}, en deux exemplaires.", after=10)
    done.paragraph_format.keep_with_next = True
    signature_blocks(
        doc,
        [
            (
                ["Pour le ménage", f"{v('prenom')} {v('nom')}"],
                ["Signé\u00a0: " + v_or_dash("signature_menage")],
            ),
            (
                ["Pour l'opérateur", f"{v('organisation')} — {v('referent')}"],
                ["Signé\u00a0: " + v_or_dash("signature_operateur")],
            ),
        ],
    )
    footer(doc, HOUSEHOLD_FOOTER)
    return doc


def veille_sociale_post_intervention() -> DocumentObject:
    """The follow-up fifteen days after the last exchange: contact, steps, outcome."""
    doc = document(
        title="Veille sociale post-intervention",
        subject="Point avec le ménage quinze jours après le dernier échange",
    )
    header_block(doc, issuer=OPERATOR_ISSUER, aside=HOUSEHOLD_ASIDE)
    title_block(
        doc,
        "Veille sociale post-intervention",
        f"Point à quinze jours avec le ménage {v('menage')} — {v('territoire')}",
    )
    section(
        doc,
        "Le contact",
        [
            ans("Dernier échange avec le ménage", "date_dernier_echange"),
            ans("Contact de veille", "date_contact"),
            ans("Mode de contact", "mode"),
            ans("Contact établi", "contact_etabli"),
        ],
    )
    doc.add_heading("Les engagements", level=1)
    rows_table(
        doc,
        ["N°", "Démarche", "Statut"],
        loop="engagement in engagements",
        cells=[v("loop.index"), v("engagement.demarche"), v("engagement.statut")],
        widths=[1.0, 12.0, 4.0],
    )
    paragraph(doc, v_or_dash("impaye_resorbe"), label="Impayé résorbé")
    section(
        doc,
        "Relais et issue",
        [
            ans("Relais effectif vers un autre intervenant", "transition_effective"),
            opt("Organisme relais", "organisme_relais"),
            opt("Date du relais", "date_transition"),
            ans("Issue", "issue"),
        ],
    )
    long_answer(doc, "Commentaire", "commentaire", optional=True)
    paragraph(doc, after=10)
    signature_blocks(doc, [(["Pour l'opérateur", v("organisation")], [])])
    footer(doc, HOUSEHOLD_FOOTER)
    return doc
