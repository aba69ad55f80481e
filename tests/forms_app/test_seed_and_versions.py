"""The scheme's five starting forms, their keys from domain.md, and frozen versions."""

from wagtailstreamforms.models import Form

from forms_app.form_builder import answer_form
from forms_app.models import FormVersion
from forms_app.seed import forms_seed_load
from forms_app.versions import form_version_freeze

LETTRE_KEYS = {
    "signataire_prefet",
    "date_signature",
    "lettre_signee_pdf",
    "q1_equipes_existantes",
    "q1_mode_creation",
    "q2_nb_operateurs",
    "q2_operateurs_pressentis",
    "q2_justification",
    "q3_echelle",
    "q3_part_population_pct",
    "q3_part_assignations_pct",
    "q4_partenaires_contactes",
    "q5_stades",
    "q6_nb_personnes",
    "q6_etp",
    "q6_profils",
    "q6_part_temps_visites_pct",
}
BILAN_KEYS = {
    "nb_menages_rencontres",
    "nb_jours_intervention",
    "nb_diagnostics",
    "nb_menages_accompagnes",
    "nb_bailleurs_contactes",
    "nb_dispositifs_apurement",
    "nb_impayes_resorbes",
    "nb_relogements_accompagnes",
    "satisf_menages_moy",
    "satisf_bailleurs_moy",
    "nb_assignations_n",
    "nb_assignations_n1",
    "nb_decisions_n",
    "nb_cql_n",
    "nb_rfp_n",
    "nb_cfp_n",
    "nb_expulsions_n",
    "nb_orientations_hebergement",
    "credits_consommes",
}
DIAGNOSTIC_KEYS = {
    "date_entretien",
    "stade",
    "nom",
    "prenom",
    "date_naissance",
    "adresse_logement",
    "telephone",
    "montant_dette",
    "causes",
    "fsl",
    "surendettement",
    "relogement_necessaire",
    "preconisations",
    "demarches_proposees",
}
CONTRAT_KEYS = {"referent", "date_signature", "nom", "stade", "montant_dette", "engagements"}
VEILLE_KEYS = {"date_dernier_echange", "date_contact", "contact_etabli", "engagements", "issue"}
ENGAGEMENT_KEYS = {"demarche", "objectif", "porteur", "modalite", "organisme_oriente", "echeance"}


def test_the_territory_forms_are_seeded_with_the_domain_keys(portal_content):
    lettre = Form.objects.get(slug="lettre-de-prefiguration")
    bilan = Form.objects.get(slug="bilan-d-etape")
    assert set(lettre.versions.get().input_keys) >= LETTRE_KEYS
    assert set(bilan.versions.get().input_keys) >= BILAN_KEYS
    assert lettre.advanced_settings.scope == "territoire"
    assert lettre.advanced_settings.filled_by == "prefecture"
    assert bilan.advanced_settings.validated_by == "dihal"


def test_the_household_forms_are_seeded_with_their_role(portal_content):
    expected = {
        "diagnostic-social-et-financier": ("diagnostic", DIAGNOSTIC_KEYS),
        "contrat-d-engagement": ("contrat", CONTRAT_KEYS),
        "veille-sociale-post-intervention": ("veille", VEILLE_KEYS),
    }
    for slug, (role, keys) in expected.items():
        form = Form.objects.get(slug=slug)
        assert set(form.versions.get().input_keys) >= keys
        assert form.advanced_settings.scope == "menage"
        assert form.advanced_settings.filled_by == "operateur"
        assert form.advanced_settings.household_role == role
    contrat = Form.objects.get(slug="contrat-d-engagement").versions.get().schema
    (engagements,) = [item for item in contrat if item["type"] == "group"]
    sub_keys = {sub["value"]["key"] for sub in engagements["value"]["fields"]}
    assert sub_keys >= ENGAGEMENT_KEYS | {"statut"}


def test_seeding_again_changes_nothing(portal_content, settings):
    report = forms_seed_load(path=settings.PORTAL_FORMS_FILE)
    assert report.created == []
    assert len(report.kept) == 5
    assert Form.objects.count() == 5
    assert FormVersion.objects.count() == 5


def test_a_seeded_form_builds_and_checks_its_counters(portal_content):
    version = Form.objects.get(slug="bilan-d-etape").versions.get()
    form = answer_form(schema=version.schema, data={"nb_menages_rencontres": "-1"})
    assert not form.is_valid()
    errors = form.errors_by_key()
    assert "supérieure ou égale à 0" in errors["nb_menages_rencontres"][0]
    assert "nb_assignations_n1" not in errors  # N-1 figures are optional


def test_a_changed_form_freezes_a_new_version_and_keeps_the_old_one(portal_content):
    form = Form.objects.get(slug="bilan-d-etape")
    first = form.versions.get()
    assert form_version_freeze(form=form) == first  # nothing changed: same version

    stream = list(form.fields.raw_data)
    stream[2] = {**stream[2], "value": {**stream[2]["value"], "label": "Année du bilan (AAAA)"}}
    form.fields = stream
    form.save()
    second = form_version_freeze(form=form)

    assert second.number == 2
    first.refresh_from_db()
    assert first.schema != second.schema
    assert first.input_keys == second.input_keys  # a renamed label keeps its key
