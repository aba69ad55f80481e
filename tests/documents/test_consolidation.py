"""The consolidation engine: totals by territory, region and nation, declared rules, keys
across form versions, scope."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from wagtailstreamforms.models import Form

from documents.consolidation.build import campaign_consolidation
from documents.consolidation.rules import RuleKind
from documents.consolidation.vocabulary import REPONSES
from documents.models import ConsolidationRules
from forms_app.models import Campaign, Submission, SubmissionStatus
from forms_app.versions import form_version_freeze, form_version_latest
from portal.models import Organisation, OrganisationKind, Territory, User
from tests.factories import seeded_answer

BILANS = ("Bilan d'étape 2021", "Bilan d'étape 2022")


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _filed_data(campaign: Campaign) -> list[dict]:
    return list(
        Submission.objects.filter(
            campaign=campaign, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
        ).values_list("data", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("title", BILANS)
def test_demo_bilans_national_is_the_sum_of_territories_and_regions_of_departements(
    demo_data, title
):
    campaign = Campaign.objects.get(title__startswith=title)
    consolidation = campaign_consolidation(campaign=campaign, user=_user("dihal@demo.test"))

    by_territory = consolidation.by_territory
    assert len(by_territory) == 26
    assert set(by_territory["code"]) == set(Territory.objects.values_list("code", flat=True))
    national = consolidation.national_row
    summed = [m.key for m in consolidation.measures if m.rule == RuleKind.SOMME]
    assert {"nb_menages_rencontres", "nb_impayes_resorbes", "nb_cfp_n1"} <= set(summed)
    filed = _filed_data(campaign)
    assert national[REPONSES] == len(filed) == by_territory[REPONSES].sum() > 20
    for key in summed:
        assert national[key] == pytest.approx(by_territory[key].sum()), key
        # …and the territories' sum is the answers' own figures, read from the database.
        typed = [float(d[key]) for d in filed if d.get(key) not in (None, "")]
        assert national[key] == pytest.approx(sum(typed)), key

    for region, group in by_territory.groupby("region"):
        row = consolidation.by_region.set_index("region").loc[region]
        assert row["nb_territoires"] == len(group)
        assert row[REPONSES] == group[REPONSES].sum()
        for key in summed:
            expected = group[key].sum(min_count=1)
            if pd.isna(expected):
                assert pd.isna(row[key])
            else:
                assert row[key] == pytest.approx(expected), (region, key)

    # Ratios come from the totals, never from an average of the territories' ratios.
    assert national["taux_accompagnement"] == pytest.approx(
        national["nb_menages_accompagnes"] / national["nb_menages_rencontres"]
    )
    assert national["menages_par_jour"] == pytest.approx(
        national["nb_menages_rencontres"] / national["nb_jours_intervention"]
    )


@pytest.mark.django_db
def test_demo_bilans_are_compared_and_procedures_change_as_computed_by_hand(demo_data):
    campaign = Campaign.objects.get(title__startswith=BILANS[1])
    consolidation = campaign_consolidation(campaign=campaign, user=_user("dihal@demo.test"))

    filed = _filed_data(campaign)
    n = sum(d["nb_expulsions_n"] for d in filed if d.get("nb_expulsions_n") is not None)
    n1 = sum(d["nb_expulsions_n1"] for d in filed if d.get("nb_expulsions_n1") is not None)
    procedure = next(p for p in consolidation.procedures if p.key == "evol_expulsions")
    assert (procedure.n, procedure.n1) == (n, n1)
    assert procedure.evolution == pytest.approx((n - n1) / n1)
    assert [p.label for p in consolidation.procedures] == [
        "Assignations",
        "Décisions de justice",
        "Commandements de quitter les lieux (CQL)",
        "Réquisitions de la force publique (RFP)",
        "Concours de la force publique (CFP)",
        "Expulsions effectives",
    ]

    comparison = consolidation.comparison
    assert [c.title for c in comparison.campaigns] == list(BILANS)
    older = Campaign.objects.get(title__startswith=BILANS[0])
    met_2021 = sum(d["nb_menages_rencontres"] for d in _filed_data(older))
    met_2022 = consolidation.national_row["nb_menages_rencontres"]
    row = comparison.frame.loc["nb_menages_rencontres"]
    assert row[comparison.column(older)] == met_2021
    assert row[comparison.column(campaign)] == met_2022
    assert row["evolution"] == pytest.approx((met_2022 - met_2021) / met_2021)


# ---------------------------------------------------------------------------------------
# A small hand-made campaign
# ---------------------------------------------------------------------------------------


@pytest.fixture
def small_campaign(portal_content):
    form = Form.objects.get(slug="bilan-d-etape")
    return Campaign.objects.create(
        form=form,
        title="Bilan d'essai",
        opens_on=datetime.date(2023, 6, 1),
        due_on=datetime.date(2023, 7, 7),
    )


def _answer(campaign, code: str, data: dict, *, status=SubmissionStatus.SUBMITTED, version=None):
    prefecture = Organisation.objects.get(kind=OrganisationKind.PREFECTURE, territory__code=code)
    return Submission.objects.create(
        campaign=campaign,
        organisation=prefecture,
        territory=prefecture.territory,
        form_version=version or form_version_latest(form=campaign.form),
        data=data,
        status=status,
    )


@pytest.mark.django_db
def test_hand_computed_ratios_weighted_means_and_changes(small_campaign, demo_accounts):
    _answer(
        small_campaign,
        "38",
        {
            "nb_menages_rencontres": 30,
            "nb_jours_intervention": 10,
            "nb_menages_accompagnes": 12,
            "nb_impayes_resorbes": 3,
            "satisf_menages_moy": "4.00",
            "nb_repondants_menages": 10,
            "nb_assignations_n": 120,
            "nb_assignations_n1": 100,
        },
    )
    _answer(
        small_campaign,
        "93",
        {
            "nb_menages_rencontres": 10,
            "nb_jours_intervention": 40,
            "nb_menages_accompagnes": 8,
            "nb_impayes_resorbes": 2,
            "satisf_menages_moy": "2.00",
            "nb_repondants_menages": 30,
            "nb_assignations_n": 90,
            "nb_assignations_n1": 150,
        },
    )
    # A draft never counts.
    _answer(small_campaign, "69", {"nb_menages_rencontres": 1000}, status=SubmissionStatus.DRAFT)

    consolidation = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    national = consolidation.national_row
    assert national[REPONSES] == 2
    assert national["nb_menages_rencontres"] == 40
    assert national["menages_par_jour"] == pytest.approx(40 / 50)  # not (3 + 0.25) / 2
    assert national["taux_accompagnement"] == pytest.approx(20 / 40)
    assert national["taux_resorption"] == pytest.approx(5 / 20)
    assert national["satisf_menages_moy"] == pytest.approx((4 * 10 + 2 * 30) / 40)
    assert national["evol_assignations"] == pytest.approx((210 - 250) / 250)  # -16 %

    rows = consolidation.by_territory.set_index("code")
    assert rows.loc["38", "evol_assignations"] == pytest.approx(0.20)
    assert rows.loc["93", "evol_assignations"] == pytest.approx(-0.40)
    assert rows.loc["69", REPONSES] == 0
    assert pd.isna(rows.loc["69", "nb_menages_rencontres"])  # no filed answer: empty, not 0
    regions = consolidation.by_region.set_index("region")
    assert regions.loc["Île-de-France", "nb_menages_rencontres"] == 10
    assert regions.loc["Auvergne-Rhône-Alpes", "nb_menages_rencontres"] == 30
    assert list(consolidation.by_region["region"])[:3] == [
        "Auvergne-Rhône-Alpes",
        "Grand-Est",
        "Hauts-de-France",
    ]
    assert "Île-de-France" in list(consolidation.by_region["region"])[3:6]  # among the I

    # A zero denominator gives an empty cell, never an infinite one.
    _answer(small_campaign, "74", {"nb_menages_rencontres": 0, "nb_menages_accompagnes": 0})
    again = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    assert pd.isna(again.by_territory.set_index("code").loc["74", "taux_accompagnement"])


@pytest.mark.django_db
def test_a_key_added_in_a_later_version_is_empty_for_older_answers(small_campaign, demo_accounts):
    form = small_campaign.form
    first = form_version_latest(form=form)
    _answer(small_campaign, "38", {"nb_menages_rencontres": 5, "redacteur_service": "DDETS"})

    fields = list(form.fields.raw_data)
    fields.append(
        {
            "type": "integer",
            "value": {
                "label": "Nombre de visites à domicile",
                "key": "nb_visites_domicile",
                "help_text": "",
                "required": False,
                "min_value": 0,
                "max_value": None,
            },
        }
    )
    # …and the later version drops the writer's service.
    fields = [f for f in fields if f["value"].get("key") != "redacteur_service"]
    form.fields = fields
    form.save()
    second = form_version_freeze(form=form)
    assert second.number == first.number + 1
    _answer(
        small_campaign, "93", {"nb_menages_rencontres": 7, "nb_visites_domicile": 4}, version=second
    )

    consolidation = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    keys = [c.key for c in consolidation.answer_columns]
    assert "nb_visites_domicile" in keys
    assert "redacteur_service" in keys  # an older version's key stays, after the newer ones
    assert keys.index("redacteur_service") > keys.index("nb_visites_domicile")
    answers = consolidation.answers.set_index("code")
    assert pd.isna(answers.loc["38", "nb_visites_domicile"])
    assert answers.loc["93", "nb_visites_domicile"] == 4
    assert answers.loc["38", "redacteur_service"] == "DDETS"
    assert pd.isna(answers.loc["93", "redacteur_service"])
    assert list(answers["version"]) == [first.number, second.number]
    assert consolidation.national_row["nb_menages_rencontres"] == 12


@pytest.mark.django_db
def test_a_prefecture_consolidates_its_own_territory_only(demo_accounts):
    seeded_answer(BILANS[0], "38")
    seeded_answer(BILANS[0], "93")
    campaign = Campaign.objects.get(title__startswith=BILANS[0])
    prefecture = _user("prefecture38@demo.test")
    consolidation = campaign_consolidation(campaign=campaign, user=prefecture)
    assert not consolidation.is_national
    assert consolidation.territory_codes == ["38"]
    assert set(consolidation.answers["code"]) <= {"38"}
    assert list(consolidation.by_region["region"]) == ["Auvergne-Rhône-Alpes"]
    for group in consolidation.groups:
        assert set(group.frame["code"]) <= {"38"}
    # Asking for another territory or region gives nothing, never more.
    other = campaign_consolidation(campaign=campaign, user=prefecture, territory_code="93")
    assert other.territory_codes == [] and other.answers.empty
    region = campaign_consolidation(campaign=campaign, user=prefecture, region="Île-de-France")
    assert region.territory_codes == []

    dihal = _user("dihal@demo.test")
    idf = campaign_consolidation(campaign=campaign, user=dihal, region="Île-de-France")
    assert len(idf.territory_codes) == 8 and set(idf.answers["region"]) <= {"Île-de-France"}
    assert idf.scope_label.startswith("Région Île-de-France")


@pytest.mark.django_db
def test_household_files_are_counted_per_territory_without_names(demo_households):
    campaign = Campaign.objects.get(title__startswith=BILANS[1])
    consolidation = campaign_consolidation(campaign=campaign, user=_user("dihal@demo.test"))
    counts = consolidation.field_counts.set_index("code")
    assert counts.loc["38", "nb_menages_rencontres"] > 0
    assert counts.loc["75", "nb_menages_rencontres"] == 0
    keys = {c.key for c in consolidation.field_count_columns}
    assert not keys & {"nom", "prenom", "telephone", "email", "adresse_logement"}
    assert all(str(dtype) == "Int64" for dtype in consolidation.field_counts.dtypes[3:])


@pytest.mark.django_db
def test_editors_declare_the_rules_once_per_form(small_campaign, demo_accounts):
    _answer(small_campaign, "38", {"nb_menages_rencontres": 30, "nb_jours_intervention": 10})
    declaration = ConsolidationRules.objects.get(form=small_campaign.form)
    declaration.rules = [
        ("somme", {"cle": "nb_menages_rencontres", "libelle": "Rencontrés"}),
        ("moyenne", {"cle": "nb_jours_intervention", "libelle": "", "poids": ""}),
    ]
    declaration.full_clean()
    declaration.save()
    consolidation = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    assert [(m.key, m.label, m.rule) for m in consolidation.measures] == [
        ("nb_menages_rencontres", "Rencontrés", "somme"),
        ("nb_jours_intervention", "Nombre de jours d'intervention de l'équipe", "moyenne"),
    ]

    declaration.rules = [
        ("somme", {"cle": "nb_inconnu", "libelle": ""}),
        ("somme", {"cle": "redacteur_service", "libelle": ""}),
        (
            "ratio",
            {
                "cle": "nb_diagnostics",
                "libelle": "Ratio",
                "numerateur": "nb_dsf",
                "denominateur": "nb_diagnostics",
                "format": "pourcentage",
            },
        ),
    ]
    with pytest.raises(ValidationError) as refused:
        declaration.full_clean()
    messages = refused.value.message_dict["rules"]
    assert any("« nb_inconnu » n'existe pas" in m for m in messages)
    assert any("« redacteur_service » n'est pas un champ numérique" in m for m in messages)
    assert any("« nb_diagnostics » est déjà celle d'un champ" in m for m in messages)

    # Without a declaration, whole numbers and amounts are summed, decimals averaged.
    ConsolidationRules.objects.filter(form=small_campaign.form).delete()
    default = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    rules = {m.key: m.rule for m in default.measures}
    assert rules["nb_menages_rencontres"] == "somme"
    assert rules["credits_consommes"] == "somme"
    assert rules["satisf_menages_moy"] == "moyenne"


def _rules_post(form_id: int, rules: list[tuple[str, dict]]) -> dict:
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    return nested_form_data({"form": form_id, "rules": streamfield(rules)})


@pytest.mark.django_db
def test_editors_change_the_rules_in_the_admin_and_see_errors_in_french(login, small_campaign):
    _answer(small_campaign, "38", {"nb_menages_rencontres": 30, "nb_menages_accompagnes": 6})
    declaration = ConsolidationRules.objects.get(form=small_campaign.form)
    client = login("dihal@demo.test")
    url = f"/admin/snippets/documents/consolidationrules/edit/{declaration.pk}/"
    assert client.get(url).status_code == 200

    refused = client.post(
        url, _rules_post(small_campaign.form_id, [("somme", {"cle": "nb_fantome", "libelle": ""})])
    )
    assert refused.status_code == 200
    body = refused.content.decode()
    # The admin shows the stream's errors above its blocks (JSON-escaped in the page).
    assert "R\\u00e8gle 1 : la cl\\u00e9 \\u00ab nb_fantome \\u00bb n&#x27;existe pas" in body
    declaration.refresh_from_db()
    assert len(declaration.rules) == 42  # unchanged

    ratio = {
        "cle": "part_accompagnes",
        "libelle": "Part des ménages accompagnés",
        "numerateur": "nb_menages_accompagnes",
        "denominateur": "nb_menages_rencontres",
        "format": "pourcentage",
    }
    saved = client.post(url, _rules_post(small_campaign.form_id, [("ratio", ratio)]))
    assert saved.status_code == 302
    consolidation = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    assert [m.key for m in consolidation.measures] == ["part_accompagnes"]
    assert consolidation.national_row["part_accompagnes"] == pytest.approx(0.2)

    # Prefectures and operators never reach the admin.
    client.logout()
    assert login("prefecture38@demo.test").get(url).status_code in (302, 403)


@pytest.mark.django_db
def test_values_stored_by_another_version_or_in_french_never_break_the_tables(
    small_campaign, demo_accounts
):
    form = small_campaign.form
    older = form_version_latest(form=form)
    fields = list(form.fields.raw_data)
    for item in fields:
        if item["value"].get("key") == "stades_couverts":
            item["type"] = "choice"  # several stages become one in the later version
    form.fields = fields
    form.save()
    newer = form_version_freeze(form=form)
    _answer(
        small_campaign,
        "38",
        {"stades_couverts": ["cdp", "assignation"], "nb_menages_rencontres": "1 234,5"},
        version=older,
    )
    _answer(
        small_campaign,
        "93",
        {"stades_couverts": "cql", "nb_menages_rencontres": ["?"], "credits_consommes": "abc"},
        version=newer,
    )
    consolidation = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    answers = consolidation.answers.set_index("code")
    assert answers.loc["38", "stades_couverts"].startswith("Commandement de payer (CDP), ")
    assert answers.loc["93", "stades_couverts"].startswith("Commandement de quitter les lieux")
    assert answers.loc["38", "nb_menages_rencontres"] == 1234.5
    assert pd.isna(answers.loc["93", "nb_menages_rencontres"])
    assert consolidation.national_row["nb_menages_rencontres"] == 1234.5


@pytest.mark.django_db
def test_the_comparison_goes_from_the_previous_opened_campaign_to_the_viewed_one(demo_data):
    dihal = _user("dihal@demo.test")
    older = Campaign.objects.get(title__startswith=BILANS[0])
    viewed = Campaign.objects.get(title__startswith=BILANS[1])
    Campaign.objects.create(
        form=viewed.form,
        title="Bilan d'étape 2099",
        opens_on=datetime.date(2099, 6, 1),
        due_on=datetime.date(2099, 7, 7),
        period_start=datetime.date(2098, 7, 1),
        period_end=datetime.date(2099, 6, 30),
    )
    comparison = campaign_consolidation(campaign=viewed, user=dihal).comparison
    assert [c.title for c in comparison.campaigns] == list(BILANS)  # 2099 is not open yet
    assert (comparison.previous, comparison.current) == (older, viewed)
    # The first campaign has nothing before it.
    assert campaign_consolidation(campaign=older, user=dihal).comparison is None

    frame = comparison.frame
    rate = next(m for m in comparison.measures if m.key == "taux_accompagnement")
    count = next(m for m in comparison.measures if m.key == "nb_menages_rencontres")
    assert comparison.evolution_kind(rate) == "points"
    assert comparison.evolution_kind(count) == "taux"
    before, after = frame.loc["taux_accompagnement", [f"c{older.pk}", f"c{viewed.pk}"]]
    assert frame.loc["taux_accompagnement", "evolution"] == pytest.approx(after - before)


@pytest.mark.django_db
def test_without_declaration_a_year_is_never_added_up(small_campaign, demo_accounts):
    ConsolidationRules.objects.filter(form=small_campaign.form).delete()
    _answer(small_campaign, "38", {"annee": 2023, "nb_menages_rencontres": 3})
    _answer(small_campaign, "93", {"annee": 2023, "nb_menages_rencontres": 4})
    consolidation = campaign_consolidation(campaign=small_campaign, user=_user("dihal@demo.test"))
    assert "annee" not in {m.key for m in consolidation.measures}
    assert consolidation.national_row["nb_menages_rencontres"] == 7
    assert list(consolidation.answers["annee"]) == [2023, 2023]  # still in the answers


@pytest.mark.django_db
def test_the_seeded_rules_pass_the_admin_checks_and_reserved_names_are_refused(portal_content):
    for declaration in ConsolidationRules.objects.all():
        declaration.full_clean()
    assert set(ConsolidationRules.objects.values_list("form__slug", flat=True)) == {
        "lettre-de-prefiguration",
        "bilan-d-etape",
    }
    declaration = ConsolidationRules.objects.get(form__slug="bilan-d-etape")
    declaration.rules = [
        (
            "ratio",
            {
                "cle": "items",
                "libelle": "Ratio",
                "numerateur": "nb_dsf",
                "denominateur": "nb_diagnostics",
                "format": "pourcentage",
            },
        )
    ]
    with pytest.raises(ValidationError, match="« items » est un nom réservé"):
        declaration.full_clean()
