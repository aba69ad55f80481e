"""What a form's consolidated tables compute, declared once per form.

Editors declare, in the admin (« Tableaux consolidés »), which keys are summed, averaged
(optionally weighted by another key), divided into a ratio, or compared N / N-1. A form
without a declaration gets the natural default: whole numbers and amounts summed, decimals
and percentages averaged. The scheme's bilan d'étape starts from the declaration in
``forms_app/content/forms.yaml`` (``documents.consolidation.seed``).

The rules' meaning and checks only: no database (the declared rules are read by
``documents.consolidation.selectors``), no pandas. Imports ``vocabulary`` alone, so that
``documents.models`` checks a declaration with :func:`declaration_problems`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from documents.consolidation.vocabulary import EUROS, INTEGER, Column
from forms_app.keys import is_year_key


class RuleKind(StrEnum):
    SOMME = "somme"
    MOYENNE = "moyenne"
    RATIO = "ratio"
    EVOLUTION = "evolution"


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    key: str
    label: str = ""
    weight: str = ""  # moyenne: the key that weighs each answer's value
    numerator: str = ""  # ratio
    denominator: str = ""  # ratio
    percent: bool = True  # ratio: shown as a percentage, else as a number
    key_n: str = ""  # evolution
    key_n1: str = ""  # evolution

    def summed_keys(self) -> list[str]:
        """The answer keys whose totals this rule needs."""
        if self.kind == RuleKind.SOMME:
            return [self.key]
        if self.kind == RuleKind.RATIO:
            return [self.numerator, self.denominator]
        if self.kind == RuleKind.EVOLUTION:
            return [self.key_n, self.key_n1]
        return []

    def answer_keys(self) -> list[str]:
        """The answer keys the rule reads (a ratio's or a change's own key is its output)."""
        if self.kind == RuleKind.MOYENNE:
            return [self.key] + ([self.weight] if self.weight else [])
        return self.summed_keys()


def rule_from_block(block_type: str, value: dict) -> Rule:
    """A StreamField block (or a data-file entry) as a rule."""
    kind = RuleKind(block_type)
    if kind == RuleKind.SOMME:
        return Rule(kind, value["cle"], value.get("libelle") or "")
    if kind == RuleKind.MOYENNE:
        return Rule(kind, value["cle"], value.get("libelle") or "", weight=value.get("poids") or "")
    if kind == RuleKind.RATIO:
        return Rule(
            kind,
            value["cle"],
            value["libelle"],
            numerator=value["numerateur"],
            denominator=value["denominateur"],
            percent=value.get("format", "pourcentage") == "pourcentage",
        )
    return Rule(kind, value["cle"], value["libelle"], key_n=value["cle_n"], key_n1=value["cle_n1"])


def default_rules(columns: list[Column]) -> list[Rule]:
    """Sum whole numbers and amounts, average decimals and percentages; years aside."""
    rules = []
    for column in columns:
        if is_year_key(column.key):
            continue
        if column.kind in (INTEGER, EUROS):
            rules.append(Rule(RuleKind.SOMME, column.key))
        elif column.is_numeric:
            rules.append(Rule(RuleKind.MOYENNE, column.key))
    return rules


def rules_problems(*, rules: list[Rule], columns: Mapping[str, Column]) -> list[str]:
    """French messages for rules that read a key the form does not have as a number."""
    problems = []
    outputs = set()
    for number, rule in enumerate(rules, start=1):
        for key in rule.answer_keys():
            column = columns.get(key)
            if column is None:
                problems.append(
                    f"Règle {number} : la clé « {key} » n'existe pas dans le formulaire."
                )
            elif not column.is_numeric:
                problems.append(
                    f"Règle {number} : la clé « {key} » n'est pas un champ numérique "
                    f"(« {column.label} »)."
                )
        if rule.kind in (RuleKind.RATIO, RuleKind.EVOLUTION) and rule.key in columns:
            problems.append(
                f"Règle {number} : la clé « {rule.key} » est déjà celle d'un champ du "
                "formulaire ; choisissez un autre nom pour l'indicateur calculé."
            )
        if rule.key in RESERVED_OUTPUT_KEYS:
            problems.append(
                f"Règle {number} : « {rule.key} » est un nom réservé ; choisissez-en un autre."
            )
        if rule.key in outputs:
            problems.append(f"Règle {number} : la clé « {rule.key} » est déjà calculée plus haut.")
        outputs.add(rule.key)
    return problems


# Names the tables and the Word report already use for something else.
RESERVED_OUTPUT_KEYS = frozenset(
    {
        "items",
        "keys",
        "values",
        "get",
        "code",
        "departement",
        "region",
        "organisation",
        "statut",
        "transmise_le",
        "version",
        "nb_reponses",
        "nb_territoires",
        "perimetre",
        "ligne",
        "evolution",
    }
)


def declaration_problems(*, blocks: Iterable[Any], columns: Mapping[str, Column]) -> list[str]:
    """French messages for a declaration's StreamField ``blocks`` against the form's
    ``columns`` by key (every version's simple fields): what the admin shows under
    « règles de consolidation » and the data file is held to."""
    rules = [rule_from_block(block.block_type, dict(block.value)) for block in blocks]
    return rules_problems(rules=rules, columns=columns)
