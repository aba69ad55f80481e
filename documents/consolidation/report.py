"""The consolidated Word report of a campaign: the synthesis of its figures within the
reader's scope, rendered from the form's « rapport » template (or the one shipped in
``documents/default_templates/rapport-consolide.docx``) by the same engine, sandbox and
limits as the documents of the answers.

``report_context`` turns a :class:`~documents.consolidation.frames.Consolidation` into values
already written in French by ``documents.consolidation.format`` — the page's own writing
(« 2 845 », « 40,6 % », « 1 227 856 € », « +7,4 % », « +0,8 pt »): a template never
formats a figure itself. The report holds figures only — never an answer's
text, an organisation's reply or a household's identity.

Imports ``vocabulary``, ``rules``, ``frames``, ``format``, ``tables`` and ``selectors``, and
the rendering side (``documents.rendering``), which never
imports it back.
"""

from __future__ import annotations

import datetime
from typing import Any

import pandas as pd
from django.utils import timezone
from wagtailstreamforms.models import Form

from documents.consolidation.format import measure_text, value_text
from documents.consolidation.frames import (
    Comparison,
    Consolidation,
    aggregate,
    comparison_of,
    is_missing,
    measures_for,
    national_totals,
    procedure_figures,
    region_totals,
    territory_totals,
)
from documents.consolidation.rules import Rule, RuleKind
from documents.consolidation.selectors import expected_answers, rules_for_form
from documents.consolidation.tables import comparison_evolution_label
from documents.consolidation.vocabulary import (
    CODE,
    DECIMAL,
    DEPARTEMENT,
    EUROS,
    INTEGER,
    RATE,
    REGION,
    REPONSES,
    CampaignRef,
    Column,
    Measure,
    Procedure,
)
from documents.rendering.isolation import render_docx
from documents.rendering.models import TemplatePurpose
from documents.rendering.store import active_template
from forms_app.models import Campaign
from portal.formatting import date_long
from portal.models import Territory
from portal.selectors import collation_key

TABLE_FIGURES = 3  # summed figures in the tables by region and département…
TABLE_COLUMNS = 6  # …and at most this many figures in all


def _count(value: Any) -> str:
    return value_text(0 if is_missing(value) else value, INTEGER)


# --- The context ----------------------------------------------------------------------


def report_context(*, consolidation: Consolidation) -> dict[str, Any]:
    """What a report template is rendered with, every figure already in French."""
    campaign = consolidation.campaign
    return context_of(
        consolidation=consolidation,
        rules=rules_for_form(form=campaign.form, columns=consolidation.answer_columns),
        expected=expected_answers(campaign=campaign, territory_codes=consolidation.territory_codes),
        today=timezone.localdate(),
    )


def context_of(
    *,
    consolidation: Consolidation,
    rules: list[Rule],
    expected: int,
    today: datetime.date,
) -> dict[str, Any]:
    """``report_context`` without the database: the rules and the expected answers given."""
    campaign = consolidation.campaign
    evolution_inputs = {
        key
        for rule in rules
        if rule.kind == RuleKind.EVOLUTION
        for key in (rule.key_n, rule.key_n1)
    }
    figures = [
        m
        for m in consolidation.measures
        if m.rule in (RuleKind.SOMME, RuleKind.MOYENNE) and m.key not in evolution_inputs
    ]
    ratios = [m for m in consolidation.measures if m.rule == RuleKind.RATIO]
    columns = _table_measures(figures=figures, ratios=ratios, rules=rules)
    national_row = consolidation.national_row
    return {
        "campagne": campaign.title,
        "formulaire": campaign.form.title,
        "perimetre": consolidation.scope_label,
        "est_national": consolidation.is_national,
        "periode": _period(campaign),
        "date_edition": date_long(today),
        "reponses": {
            "transmises": _count(national_row.get(REPONSES, len(consolidation.answers))),
            "attendues": _count(expected),
        },
        "national": {
            m.key: measure_text(national_row.get(m.key), m) for m in consolidation.measures
        },
        "chiffres_cles": [_line(m, national_row) for m in figures],
        "indicateurs": [_line(m, national_row) for m in ratios],
        "colonnes": [{"cle": m.key, "libelle": m.label} for m in columns],
        **_places(consolidation, columns=columns),
        "procedures": [_procedure(procedure) for procedure in consolidation.procedures],
        "comparaison": _comparison(consolidation.comparison, skipped=evolution_inputs),
    }


def _period(campaign: CampaignRef) -> str:
    if campaign.period_start and campaign.period_end:
        return f"du {date_long(campaign.period_start)} au {date_long(campaign.period_end)}"
    return ""


def _line(measure: Measure, row: dict[str, Any]) -> dict[str, str]:
    return {
        "cle": measure.key,
        "libelle": measure.label,
        "valeur": measure_text(row.get(measure.key), measure),
    }


def _places(consolidation: Consolidation, *, columns: list[Measure]) -> dict[str, list]:
    """The rows of the tables by region and by département."""
    measures = consolidation.measures
    return {
        "regions": [
            {
                "nom": row[REGION],
                "territoires": _count(row.get("nb_territoires")),
                "reponses": _count(row.get(REPONSES)),
                **_figures_of(row, columns=columns, measures=measures),
            }
            for row in consolidation.by_region.to_dict("records")
        ],
        "departements": [
            {
                "code": row[CODE],
                "nom": row[DEPARTEMENT],
                "region": row[REGION],
                "reponses": _count(row.get(REPONSES)),
                **_figures_of(row, columns=columns, measures=measures),
            }
            for row in consolidation.by_territory.to_dict("records")
        ],
    }


def _procedure(procedure: Procedure) -> dict[str, str]:
    return {
        "cle": procedure.key,
        "libelle": procedure.label,
        "n": value_text(procedure.n, INTEGER),
        "n1": value_text(procedure.n1, INTEGER),
        "evolution": value_text(procedure.evolution, RATE, signed=True),
    }


def _table_measures(
    *, figures: list[Measure], ratios: list[Measure], rules: list[Rule]
) -> list[Measure]:
    """The figures of the tables by region and département: what the ratios are computed
    from (numerators first), the ratios, then the other figures, TABLE_COLUMNS at most."""
    by_key = {m.key: m for m in figures}
    ratio_rules = [rule for rule in rules if rule.kind == RuleKind.RATIO]
    inputs = [rule.numerator for rule in ratio_rules] + [rule.denominator for rule in ratio_rules]
    chosen = [by_key[key] for key in dict.fromkeys(inputs) if key in by_key][:TABLE_FIGURES]
    chosen += ratios[: TABLE_COLUMNS - len(chosen)]
    chosen += [m for m in figures if m not in chosen][: TABLE_COLUMNS - len(chosen)]
    return chosen


def _figures_of(
    row: dict[str, Any], *, columns: list[Measure], measures: list[Measure]
) -> dict[str, Any]:
    return {
        "valeurs": [measure_text(row.get(m.key), m) for m in columns],
        "mesures": {m.key: measure_text(row.get(m.key), m) for m in measures},
    }


def _comparison(comparison: Comparison | None, *, skipped: set[str]) -> dict[str, Any] | None:
    if comparison is None:
        return None
    frame = comparison.frame
    return {
        "campagnes": [campaign.title for campaign in comparison.campaigns],
        "evolution": comparison_evolution_label(comparison),
        "lignes": [
            {
                "cle": measure.key,
                "libelle": measure.label,
                "valeurs": [
                    value_text(frame.at[measure.key, comparison.column(c)], measure.kind)
                    for c in comparison.campaigns
                ],
                "evolution": value_text(
                    frame.at[measure.key, "evolution"],
                    comparison.evolution_kind(measure),
                    signed=True,
                ),
            }
            for measure in comparison.measures
            if measure.key not in skipped and measure.key in frame.index
        ],
    }


# --- The document ---------------------------------------------------------------------


def consolidation_docx(*, consolidation: Consolidation) -> bytes:
    """The consolidated report of ``consolidation`` as a Word document, on the active
    « rapport » template of the campaign's form (or the shipped one)."""
    template = active_template(form=consolidation.campaign.form, purpose=TemplatePurpose.RAPPORT)
    return render_docx(template=template.data, context=report_context(consolidation=consolidation))


# --- A sample report, for the checks and previews of uploaded templates ----------------

SAMPLE_TERRITORIES = (
    ("38", "Isère", "Auvergne-Rhône-Alpes"),
    ("69", "Rhône", "Auvergne-Rhône-Alpes"),
    ("93", "Seine-Saint-Denis", "Île-de-France"),
)
SAMPLE_COLUMNS = [
    Column("nb_menages_rencontres", "Ménages rencontrés", INTEGER),
    Column("nb_jours_intervention", "Jours d'intervention", INTEGER),
    Column("nb_menages_accompagnes", "Ménages accompagnés", INTEGER),
    Column("credits_consommes", "Crédits consommés (État & collectivités)", EUROS),
    Column("satisf_menages_moy", "Satisfaction moyenne des ménages", DECIMAL),
    Column("nb_repondants_menages", "Ménages ayant répondu", INTEGER),
    Column("nb_expulsions_n", "Expulsions effectives (N)", INTEGER),
    Column("nb_expulsions_n1", "Expulsions effectives (N-1)", INTEGER),
]
SAMPLE_RULES = [
    Rule(RuleKind.SOMME, "nb_menages_rencontres"),
    Rule(RuleKind.SOMME, "nb_jours_intervention"),
    Rule(RuleKind.SOMME, "nb_menages_accompagnes"),
    Rule(RuleKind.SOMME, "credits_consommes"),
    Rule(RuleKind.SOMME, "nb_repondants_menages"),
    Rule(RuleKind.MOYENNE, "satisf_menages_moy", weight="nb_repondants_menages"),
    Rule(
        RuleKind.RATIO,
        "menages_par_jour",
        "Ménages rencontrés par jour d'intervention",
        numerator="nb_menages_rencontres",
        denominator="nb_jours_intervention",
        percent=False,
    ),
    Rule(
        RuleKind.RATIO,
        "taux_accompagnement",
        "Taux d'accompagnement",
        numerator="nb_menages_accompagnes",
        denominator="nb_menages_rencontres",
    ),
    Rule(RuleKind.SOMME, "nb_expulsions_n"),
    Rule(RuleKind.SOMME, "nb_expulsions_n1"),
    Rule(
        RuleKind.EVOLUTION,
        "evol_expulsions",
        "Expulsions effectives",
        key_n="nb_expulsions_n",
        key_n1="nb_expulsions_n1",
    ),
]
# One answer per territory, this year and the year before.
SAMPLE_ANSWERS = {
    "current": [
        (152, 120, 61, 48_250.5, 3.2, 40, 31, 27),
        (98, 90, 45, 39_900, 3.5, 22, 12, 15),
        (310, 210, 118, 96_400, 2.9, 64, 88, 70),
    ],
    "previous": [
        (140, 100, 52, 45_000, 3.1, 35, 27, 30),
        (90, 85, 40, 37_500, 3.4, 20, 15, 14),
        (295, 200, 101, 90_000, 3.0, 58, 70, 66),
    ],
}


def _sample_frame(values: list[tuple]) -> pd.DataFrame:
    keys = [column.key for column in SAMPLE_COLUMNS]
    records = [
        {CODE: code, DEPARTEMENT: name, REGION: region, **dict(zip(keys, row, strict=True))}
        for (code, name, region), row in zip(SAMPLE_TERRITORIES, values, strict=True)
    ]
    frame = pd.DataFrame.from_records(records)
    for column in SAMPLE_COLUMNS:
        frame[column.key] = frame[column.key].astype("Float64")
    return frame


def _sample_territories() -> list[Territory]:
    return [
        Territory(code=code, name=name, region=region) for code, name, region in SAMPLE_TERRITORIES
    ]


def sample_consolidation(*, form=None) -> Consolidation:
    """A small consolidation of three territories and two campaigns, made without the
    database by the engine's own totals (``documents.consolidation.frames``), with the shapes and
    kinds of a real one."""
    form = form or Form(title="Formulaire d'exemple", slug="formulaire-d-exemple")
    previous = Campaign(pk=-2, form=form, title="Campagne d'exemple précédente")
    campaign = Campaign(
        pk=-1,
        form=form,
        title="Campagne d'exemple",
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2020, 12, 31),
    )
    territories = _sample_territories()
    label = f"Exemple ({len(territories)} territoires)"
    frame = _sample_frame(SAMPLE_ANSWERS["current"])
    measures = measures_for(rules=SAMPLE_RULES, columns=SAMPLE_COLUMNS)
    national = national_totals(
        label=label, territories=territories, frame=frame, rules=SAMPLE_RULES
    )
    before = aggregate(_sample_frame(SAMPLE_ANSWERS["previous"]), by=None, rules=SAMPLE_RULES)
    comparison = comparison_of(
        campaigns=[previous, campaign],
        totals={previous.pk: before, campaign.pk: national},
        measures=measures,
    )
    return Consolidation(
        campaign=campaign,
        scope_label=label,
        is_national=True,
        territory_codes=[t.code for t in territories],
        answer_columns=SAMPLE_COLUMNS,
        answers=frame,
        groups=[],
        measures=measures,
        by_territory=territory_totals(territories=territories, frame=frame, rules=SAMPLE_RULES),
        by_region=region_totals(
            territories=territories, frame=frame, rules=SAMPLE_RULES, sort_key=collation_key
        ),
        national=national,
        procedures=procedure_figures(rules=SAMPLE_RULES, frame=frame),
        comparison=comparison,
    )


def sample_report_context(*, form=None) -> dict[str, Any]:
    """The context of ``sample_consolidation``: what an uploaded report template is checked
    and previewed with."""
    return context_of(
        consolidation=sample_consolidation(form=form),
        rules=SAMPLE_RULES,
        expected=4,
        today=datetime.date(2020, 12, 15),
    )


def report_keys() -> list[str]:
    """The variables a report template may use."""
    return sorted(sample_report_context())
