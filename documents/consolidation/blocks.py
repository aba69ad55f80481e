"""The admin blocks editors use to declare a form's consolidation rules."""

from __future__ import annotations

from wagtail import blocks

from forms_app.keys import KEY_MAX_LENGTH


def _key(label: str, *, required: bool = True, help_text: str = "") -> blocks.CharBlock:
    return blocks.CharBlock(
        label=label, max_length=KEY_MAX_LENGTH, required=required, help_text=help_text
    )


class SumBlock(blocks.StructBlock):
    cle = _key("Clé du champ additionné")
    libelle = blocks.CharBlock(
        label="Libellé dans les tableaux", required=False, help_text="Vide : celui du champ."
    )

    class Meta:
        label = "Somme"
        icon = "plus"


class MeanBlock(blocks.StructBlock):
    cle = _key("Clé du champ moyenné")
    libelle = blocks.CharBlock(label="Libellé dans les tableaux", required=False)
    poids = _key(
        "Pondérer par la clé",
        required=False,
        help_text="Par exemple le nombre de répondants ; vide : moyenne simple.",
    )

    class Meta:
        label = "Moyenne"
        icon = "order"


class RatioBlock(blocks.StructBlock):
    cle = _key(
        "Clé de l'indicateur calculé", help_text="Un nom nouveau, par exemple taux_accompagnement."
    )
    libelle = blocks.CharBlock(label="Libellé")
    numerateur = _key("Numérateur (clé)")
    denominateur = _key("Dénominateur (clé)")
    format = blocks.ChoiceBlock(
        label="Affichage",
        choices=[("pourcentage", "Pourcentage"), ("nombre", "Nombre")],
        default="pourcentage",
    )

    class Meta:
        label = "Ratio"
        icon = "table"


class ChangeBlock(blocks.StructBlock):
    cle = _key("Clé de l'évolution calculée", help_text="Par exemple evol_assignations.")
    libelle = blocks.CharBlock(label="Libellé")
    cle_n = _key("Clé de l'année N")
    cle_n1 = _key("Clé de l'année N-1")

    class Meta:
        label = "Évolution N / N-1"
        icon = "arrow-up"


class ConsolidationRulesBlock(blocks.StreamBlock):
    somme = SumBlock()
    moyenne = MeanBlock()
    ratio = RatioBlock()
    evolution = ChangeBlock()
