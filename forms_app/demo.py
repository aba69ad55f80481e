"""Synthetic demo answers for local development (never under production settings).

Every prefecture gets an answer to the lettre de préfiguration and to both bilans d'étape,
built as a person would type them, checked by the answer form, then stored through the
lifecycle services. The figures follow domain.md §6 scaled to a half-year; the operators
are invented associations and the signatories are titles, never real people's names.
A fixed random seed makes the data the same on every machine.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.datastructures import MultiValueDict

from forms_app.form_builder import answer_form, input_items
from forms_app.lifecycle import (
    submission_accept,
    submission_attach_file,
    submission_return,
    submission_save_draft,
    submission_start,
    submission_submit,
)
from forms_app.models import Campaign, Submission, SubmissionTransition
from forms_app.selectors import campaign_respondents
from portal.models import Organisation, OrganisationKind, Territory, User

DEMO_SEED = 2020
PARIS = ZoneInfo("Europe/Paris")
LETTRE_CAMPAIGN = "Lettre de préfiguration"
BILAN_CAMPAIGNS = {"Bilan d'étape 2021": 2021, "Bilan d'étape 2022": 2022}
LETTRE_FILE_KEY = "lettre_signee_pdf"
HOLIDAYS = {datetime.date(2020, 12, 25), datetime.date(2021, 1, 1), datetime.date(2021, 7, 14)}
# Paris and the petite couronne have DRIHL units instead of a DDETS (domain.md §4).
DRIHL_CODES = {"75", "92", "93", "94"}

SUBMIT, RETURN, ACCEPT = "submit", "return", "accept"


@dataclass(frozen=True)
class Outcome:
    """Where an answer ends up: ``kind`` is draft, submitted, returned, accepted or corrected
    (returned, transmitted again, then accepted); ``late`` means transmitted after the due date."""

    kind: str
    late: bool = False


def _mix(*parts: tuple[int, str, bool]) -> list[Outcome]:
    return [Outcome(kind, late) for count, kind, late in parts for _ in range(count)]


LETTRE_MIX = _mix(
    (13, "accepted", False),
    (5, "submitted", False),
    (2, "returned", False),
    (2, "accepted", True),
    (1, "submitted", True),
    (3, "draft", False),
)
BILAN_MIX = {
    2021: _mix(
        (17, "accepted", False),
        (2, "accepted", True),
        (5, "submitted", False),
        (1, "returned", False),
        (1, "corrected", False),
    ),
    2022: _mix(
        (11, "accepted", False),
        (9, "submitted", False),
        (1, "submitted", True),
        (2, "returned", False),
        (3, "draft", False),
    ),
}
# The demo prefectures' accounts find something to do in the 2022 bilan (portal/demo.py).
BILAN_FORCED = {2022: {"38": Outcome("draft"), "93": Outcome("returned")}}

RETURN_COMMENTS = {
    "lettre": [
        "Merci de préciser le calendrier de recrutement de l'équipe et les profils "
        "envisagés (question 6) avant validation.",
        "La justification de l'échelle territoriale est trop succincte : merci d'indiquer "
        "la part des assignations couverte (question 3).",
    ],
    "bilan": [
        "Les crédits consommés semblent faibles au regard de l'activité : merci de "
        "confirmer le montant avec l'opérateur.",
        "Merci de compléter le commentaire sur les difficultés rencontrées, notamment sur "
        "le recrutement des ETP non pourvus.",
    ],
}
ACCEPT_COMMENTS = ["", "", "", "Merci pour cette réponse complète."]


@dataclass(frozen=True)
class Step:
    """One status change to replay: transmit, return (with a comment) or accept."""

    action: str
    at: datetime.datetime
    comment: str = ""


@dataclass
class AnswerPlan:
    """Everything needed to create one answer, drawn before anything is written."""

    campaign: Campaign
    organisation: Organisation
    post: dict[str, Any]
    created_at: datetime.datetime
    steps: list[Step] = field(default_factory=list)
    draft_share: float | None = None
    draft_saved_at: datetime.datetime | None = None
    attach_letter: bool = False


@dataclass(frozen=True)
class YearFigures:
    """A territory's base figures for one bilan (households met, staff, money, courts)."""

    met: int
    days: int
    etp_filled: Decimal
    credits_share: Decimal
    assignations: int
    assignations_previous: int


@dataclass(frozen=True)
class TeamProfile:
    """What stays the same for a territory across its lettre and its two bilans."""

    organisation: Organisation
    operators: list[tuple[str, str]]
    stages: list[str]
    started_on: datetime.date
    years: dict[int, YearFigures]

    @property
    def territory(self) -> Territory:
        return self.organisation.territory

    @property
    def place(self) -> str:
        """« de l'Isère », « du Rhône »… taken from the prefecture's name."""
        name = self.organisation.name
        prefix = "Préfecture "
        return name[len(prefix) :] if name.startswith(prefix) else f"de {self.territory.name}"


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


@transaction.atomic
def demo_answers_load() -> int:
    """Creates the demo answers that are missing; returns how many were made.

    Refuses to run unless the settings allow demo data (never in production).
    """
    if not getattr(settings, "PORTAL_DEMO_DATA_ENABLED", False):
        raise ImproperlyConfigured("Demo data is disabled by these settings.")
    plans = _all_plans(random.Random(DEMO_SEED))  # noqa: S311 - reproducible fake data
    reviewer = (
        User.objects.filter(memberships__organisation__kind=OrganisationKind.DIHAL)
        .order_by("pk")
        .first()
    )
    created = 0
    for plan in plans:
        exists = Submission.objects.filter(
            campaign=plan.campaign, organisation=plan.organisation
        ).exists()
        if not exists:
            _answer_create(plan, reviewer=reviewer)
            created += 1
    return created


def _all_plans(rng: random.Random) -> list[AnswerPlan]:
    """Every answer's plan, drawn in a fixed order whatever already exists in the database."""
    lettre = Campaign.objects.filter(title=LETTRE_CAMPAIGN).first()
    bilans = {
        year: Campaign.objects.filter(title=title).first()
        for title, year in BILAN_CAMPAIGNS.items()
    }
    anchor = lettre or next((c for c in bilans.values() if c is not None), None)
    if anchor is None:
        return []
    respondents = sorted(campaign_respondents(campaign=anchor), key=lambda o: o.territory.code)
    teams = {org.pk: _team_profile(rng, org) for org in respondents}
    plans: list[AnswerPlan] = []
    if lettre is not None:
        plans += _lettre_plans(rng, lettre, teams)
    for year, campaign in bilans.items():
        if campaign is not None:
            plans += _bilan_plans(rng, campaign, year, teams)
    return plans


def _respondent_teams(campaign: Campaign, teams: dict[int, TeamProfile]) -> list[TeamProfile]:
    organisations = campaign_respondents(campaign=campaign)
    return sorted(
        (teams[org.pk] for org in organisations if org.pk in teams),
        key=lambda team: team.territory.code,
    )


# ---------------------------------------------------------------------------------------
# Storing a plan through the lifecycle services
# ---------------------------------------------------------------------------------------


def _answer_create(plan: AnswerPlan, *, reviewer: User | None) -> None:
    submission = submission_start(campaign=plan.campaign, organisation=plan.organisation, user=None)
    if plan.draft_share is not None:
        submission = submission_save_draft(
            submission=submission,
            user=None,
            draft_input=_typed(_partial_post(submission, plan.post, plan.draft_share)),
            expected_revision=submission.revision,
        )
    else:
        if plan.attach_letter:
            submission_attach_file(
                submission=submission, user=None, key=LETTRE_FILE_KEY, uploaded=_letter_pdf(plan)
            )
        for step in plan.steps:
            submission = _step_apply(submission, plan, step, reviewer=reviewer)
    _dates_set(submission, plan)


def _step_apply(
    submission: Submission, plan: AnswerPlan, step: Step, *, reviewer: User | None
) -> Submission:
    if step.action == SUBMIT:
        typed = _typed(plan.post)
        return submission_submit(
            submission=submission,
            user=None,
            data=_checked_data(submission, typed, plan),
            draft_input=typed,
            expected_revision=submission.revision,
        )
    if step.action == RETURN:
        return submission_return(submission=submission, user=reviewer, comment=step.comment)
    return submission_accept(submission=submission, user=reviewer, comment=step.comment)


def _checked_data(submission: Submission, typed: dict[str, list[str]], plan: AnswerPlan) -> dict:
    """The answer as stored JSON, after the same checks as the fill page makes."""
    files = {LETTRE_FILE_KEY: _letter_pdf(plan)} if plan.attach_letter else None
    form = answer_form(
        schema=submission.form_version.schema, data=MultiValueDict(typed), files=files
    )
    if not form.is_valid():
        raise ValueError(f"Invalid demo answer for {plan.organisation}: {form.errors_by_key()}")
    return form.cleaned_json()


def _dates_set(submission: Submission, plan: AnswerPlan) -> None:
    """Moves the answer's dates to the campaign's time instead of today's."""
    transitions = list(submission.transitions.order_by("pk"))
    for transition, step in zip(transitions, plan.steps, strict=True):
        SubmissionTransition.objects.filter(pk=transition.pk).update(at=step.at)
    submits = [step.at for step in plan.steps if step.action == SUBMIT]
    last = plan.steps[-1].at if plan.steps else plan.draft_saved_at
    Submission.objects.filter(pk=submission.pk).update(
        created_at=plan.created_at,
        updated_at=last,
        submitted_at=submits[-1] if submits else None,
    )


def _typed(post: dict[str, Any]) -> dict[str, list[str]]:
    """A POST-like dict in the shape the fill page stores it: every value a list."""
    return {key: value if isinstance(value, list) else [value] for key, value in post.items()}


def _partial_post(submission: Submission, post: dict[str, Any], share: float) -> dict[str, Any]:
    """The first part of the answer, in the form's order: what a person typed so far."""
    keys = [item["value"]["key"] for item in input_items(submission.form_version.schema)]
    kept = set(keys[: max(1, round(len(keys) * share))])
    return {
        key: value for key, value in post.items() if key in kept or key.split("-", 1)[0] in kept
    }


def _letter_pdf(plan: AnswerPlan) -> SimpleUploadedFile:
    code = plan.organisation.territory.code
    return SimpleUploadedFile(
        f"lettre-prefiguration-{code}.pdf",
        _pdf_bytes(
            f"Lettre de préfiguration — {plan.organisation.name} (document de démonstration)"
        ),
        content_type="application/pdf",
    )


def _pdf_bytes(text: str) -> bytes:
    """A one-page PDF showing ``text`` (standard font, WinAnsi encoding)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 11 Tf 50 780 Td ({safe}) Tj ET".encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# ---------------------------------------------------------------------------------------
# Dates and outcomes
# ---------------------------------------------------------------------------------------


def _working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5 or day in HOLIDAYS:
        day += datetime.timedelta(days=1)
    return day


def _at(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """A moment of office hours on ``day`` (moved to the next working day), Paris time."""
    moment = datetime.time(rng.randint(9, 17), rng.choice([0, 10, 15, 25, 30, 40, 45, 55]))
    return datetime.datetime.combine(_working_day(day), moment, tzinfo=PARIS)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _after(rng: random.Random, moment: datetime.datetime, low: int, high: int) -> datetime.datetime:
    return _at(rng, moment.date() + datetime.timedelta(days=rng.randint(low, high)))


def _created_at(
    rng: random.Random, campaign: Campaign, first: datetime.datetime
) -> datetime.datetime:
    """When the answer was started: a few days before its first save, after the opening."""
    day = max(campaign.opens_on, first.date() - datetime.timedelta(days=rng.randint(1, 6)))
    return min(first, _at(rng, day))


def _outcomes(
    rng: random.Random, mix: list[Outcome], codes: list[str], forced: dict[str, Outcome]
) -> dict[str, Outcome]:
    """Shuffles the mix over the territories, then swaps so the forced ones get theirs."""
    outcomes = (mix * (len(codes) // max(len(mix), 1) + 1))[: len(codes)]
    rng.shuffle(outcomes)
    by_code = dict(zip(codes, outcomes, strict=True))
    for code, wanted in forced.items():
        other = next((c for c, o in by_code.items() if o == wanted and c not in forced), None)
        if code in by_code and other is not None and by_code[code] != wanted:
            by_code[code], by_code[other] = by_code[other], by_code[code]
    return by_code


def _steps(
    rng: random.Random, outcome: Outcome, submitted: datetime.datetime, comments: list[str]
) -> list[Step]:
    """The status changes that lead to ``outcome``, the first transmission at ``submitted``."""
    steps = [Step(SUBMIT, submitted)]
    if outcome.kind == "submitted":
        return steps
    reviewed = _after(rng, submitted, 3, 18)
    if outcome.kind == "accepted":
        return [*steps, Step(ACCEPT, reviewed, rng.choice(ACCEPT_COMMENTS))]
    steps.append(Step(RETURN, reviewed, rng.choice(comments)))
    if outcome.kind == "corrected":
        again = _after(rng, reviewed, 3, 10)
        steps += [Step(SUBMIT, again), Step(ACCEPT, _after(rng, again, 2, 7))]
    return steps


# ---------------------------------------------------------------------------------------
# Territory profiles
# ---------------------------------------------------------------------------------------

OPERATOR_TEMPLATES = [
    ("Association Logement et Droits {name} (démo)", "association"),
    ("Collectif Prévention des Expulsions {name} (démo)", "association"),
    ("Maison de l'Habitat Solidaire {name} (démo)", "association"),
    ("Agence d'information sur le logement {name} (démo)", "adil"),
    ("CCAS de la ville-centre — {name} (démo)", "ccas"),
    ("Réseau Médiation Bailleurs {name} (démo)", "autre"),
]
STAGE_CHOICES = [
    (["cdp", "assignation"], 4),
    (["assignation"], 2),
    (["assignation", "cql"], 3),
    (["cdp", "assignation", "cql", "rfp_cfp"], 3),
    (["cql", "rfp_cfp"], 1),
]
# The lettre's « RFP/CFP » stage is two stages in the bilan.
STAGE_PARTS = {"rfp_cfp": ["rfp", "cfp"]}
ASSIGNATIONS_BY_ETP = {3: (500, 1200), 4: (900, 2000), 5: (1600, 2800)}


def _team_profile(rng: random.Random, organisation: Organisation) -> TeamProfile:
    territory = organisation.territory
    stages_options, weights = zip(*STAGE_CHOICES, strict=True)
    return TeamProfile(
        organisation=organisation,
        operators=_team_operators(rng, territory),
        stages=list(rng.choices(stages_options, weights=weights)[0]),
        started_on=_working_day(
            _day_between(rng, datetime.date(2021, 1, 11), datetime.date(2021, 4, 15))
        ),
        years=_year_figures(rng, territory),
    )


def _team_operators(rng: random.Random, territory: Territory) -> list[tuple[str, str]]:
    """The territory's demo operators when it has some, otherwise 1 to 3 invented ones."""
    count = rng.choices([1, 2, 3], weights=[5, 4, 1])[0]
    invented = [
        (template.format(name=territory.name), kind)
        for template, kind in rng.sample(OPERATOR_TEMPLATES, count)
    ]
    known = Organisation.objects.filter(
        kind=OrganisationKind.OPERATEUR, territory=territory
    ).order_by("name")
    existing = [(org.name, "association") for org in known[:3]]
    return existing or invented


def _year_figures(rng: random.Random, territory: Territory) -> dict[int, YearFigures]:
    """Half-year figures for 2021, then a little higher for 2022 (domain.md §6)."""
    etp = Decimal(territory.etp)
    low, high = ASSIGNATIONS_BY_ETP.get(territory.etp, (500, 3000))
    assignations = rng.randint(low, high)
    met = rng.randint(60, 160)
    filled = etp - rng.choice([Decimal(0), Decimal(0), Decimal("0.5"), Decimal(1)])
    share = Decimal(rng.randint(45, 80)) / 100
    first = YearFigures(
        met=met,
        days=rng.randint(55, 105),
        etp_filled=filled,
        credits_share=share,
        assignations=assignations,
        assignations_previous=_near(rng, assignations, 7),
    )
    second = YearFigures(
        met=min(200, round(met * rng.uniform(1.1, 1.35))),
        days=rng.randint(100, 125),
        etp_filled=min(etp, filled + rng.choice([Decimal(0), Decimal("0.5"), Decimal(1)])),
        credits_share=min(Decimal("0.98"), share + Decimal(rng.randint(8, 20)) / 100),
        assignations=min(3000, round(assignations * rng.uniform(1.03, 1.12))),
        assignations_previous=_near(rng, assignations, 2),
    )
    return {2021: first, 2022: second}


def _near(rng: random.Random, value: int, percent: int) -> int:
    """``value`` give or take ``percent`` %."""
    return round(value * (1 + rng.uniform(-percent, percent) / 100))


def _fr(value: Decimal | float) -> str:
    """A number as a French person types it: « 2,5 », « 3 », « 45210,37 »."""
    text = f"{Decimal(str(value)):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _group_post(key: str, rows: list[dict[str, str]]) -> dict[str, str]:
    """A repeatable group as the formset fields of the fill page."""
    post = {f"{key}-TOTAL_FORMS": str(len(rows)), f"{key}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        post.update({f"{key}-{index}-{sub}": value for sub, value in row.items()})
    return post


def _operator_rows(team: TeamProfile) -> list[dict[str, str]]:
    return [{"nom": name, "type": kind} for name, kind in team.operators]


# ---------------------------------------------------------------------------------------
# Lettre de préfiguration
# ---------------------------------------------------------------------------------------

Q1_TEMPLATES = [
    (
        "oui",
        "abondement_dispositif_preexistant",
        "Une équipe portée par {op} accompagne déjà les locataires du parc privé assignés, "
        "avec deux travailleurs sociaux financés par le Conseil départemental. Les crédits "
        "permettront de renforcer cette équipe et d'étendre son intervention en amont.",
    ),
    (
        "oui",
        "abondement_dispositif_preexistant",
        "Le département dispose d'un dispositif d'accompagnement des ménages en impayé porté "
        "par {op} et financé par le FSL. L'équipe mobile viendra le compléter par des "
        "visites à domicile systématiques.",
    ),
    (
        "non",
        "appel_a_projets",
        "Aucune équipe mobile n'existe à ce jour. La préfecture lancera en janvier 2021 un "
        "appel à projets auprès des associations du secteur du logement, avec une sélection "
        "prévue en février.",
    ),
    (
        "non",
        "contact_direct_operateur",
        "Il n'existe pas d'équipe mobile dans le département. Un contact direct a été pris "
        "avec {op}, déjà impliqué dans les travaux de la CCAPEX, qui dispose de l'expertise "
        "sociale et juridique requise.",
    ),
]
Q2_JUSTIFICATIONS = {
    1: [
        "Un opérateur unique permet une coordination simple avec la CCAPEX et une montée en "
        "charge rapide de l'équipe.",
        "Le volume d'assignations du département justifie une seule équipe, portée par un "
        "opérateur reconnu par l'ensemble des partenaires.",
    ],
    2: [
        "Deux opérateurs permettent de couvrir à la fois l'agglomération et les secteurs "
        "ruraux, chacun sur son territoire d'intervention habituel.",
        "Le binôme associe une structure à compétence juridique et une structure à "
        "compétence sociale, comme le prévoit le cahier des charges.",
    ],
    3: [
        "Trois opérateurs sont envisagés pour couvrir l'ensemble des arrondissements, compte "
        "tenu de l'étendue du département et du nombre d'assignations.",
    ],
}
Q3_JUSTIFICATIONS = {
    "departement": [
        "L'équipe interviendra sur l'ensemble du département afin de garantir l'égalité de "
        "traitement des ménages, quelle que soit leur commune de résidence.",
        "Les assignations sont réparties sur tout le territoire départemental : une "
        "intervention à l'échelle du département est donc retenue.",
    ],
    "metropole": [
        "L'action vise le territoire de la métropole, qui représente {pop} % de la "
        "population et {ass} % des assignations du département.",
    ],
    "epci_communes": [
        "L'action cible les intercommunalités les plus concernées par les procédures "
        "d'expulsion, qui représentent {pop} % de la population et {ass} % des assignations.",
    ],
}
PARTNER_NAMES = {
    "conseil_departemental": "le Conseil départemental",
    "metropole": "la Métropole",
    "caf": "la CAF",
    "autre": "la commission de surendettement",
}
Q4_NEXT = [
    "une réunion de lancement est prévue en janvier 2021 dans le cadre de la CCAPEX.",
    "une convention de partenariat est en cours de rédaction.",
    "les modalités de transmission des dossiers restent à préciser.",
]
Q5_JUSTIFICATIONS = {
    "amont": "Une intervention en amont, dès le commandement de payer ou l'assignation, "
    "permet de traiter l'impayé avant la décision de justice et de favoriser la présence "
    "du ménage à l'audience.",
    "both": "L'équipe interviendra tout au long de la procédure : en amont pour éviter la "
    "résiliation du bail, en aval pour préparer un relogement ou un hébergement lorsque "
    "l'expulsion ne peut être évitée.",
    "aval": "Le département concentre l'effort sur les ménages au stade du commandement de "
    "quitter les lieux et de la réquisition de la force publique, peu suivis à ce jour.",
}
Q6_JUSTIFICATIONS = [
    "Recrutement de {n} intervenants ({etp} ETP) travaillant en binômes qui associent "
    "compétences juridiques et sociales.",
    "Une équipe de {n} personnes, pour {etp} ETP, qui consacrent une partie de leur temps "
    "aux visites à domicile ; le reste de l'accompagnement est financé par d'autres crédits.",
]
PROFILES = [
    "cesf",
    "assistant_social_competence_juridique",
    "juriste_competence_sociale",
    "equipe_pluridisciplinaire",
]


def _lettre_plans(
    rng: random.Random, campaign: Campaign, teams: dict[int, TeamProfile]
) -> list[AnswerPlan]:
    respondents = _respondent_teams(campaign, teams)
    outcomes = _outcomes(rng, LETTRE_MIX, [t.territory.code for t in respondents], {})
    return [
        _lettre_plan(rng, campaign, team, outcomes[team.territory.code]) for team in respondents
    ]


def _lettre_plan(
    rng: random.Random, campaign: Campaign, team: TeamProfile, outcome: Outcome
) -> AnswerPlan:
    signed_on, submitted = _lettre_dates(rng, outcome)
    post = _lettre_post(rng, team, signed_on)
    if outcome.kind == "draft":
        saved = _at(rng, _day_between(rng, datetime.date(2020, 12, 7), datetime.date(2020, 12, 22)))
        return AnswerPlan(
            campaign=campaign,
            organisation=team.organisation,
            post=post,
            created_at=_created_at(rng, campaign, saved),
            draft_share=rng.uniform(0.3, 0.6),
            draft_saved_at=saved,
        )
    return AnswerPlan(
        campaign=campaign,
        organisation=team.organisation,
        post=post,
        created_at=_created_at(rng, campaign, submitted),
        steps=_steps(rng, outcome, submitted, RETURN_COMMENTS["lettre"]),
        attach_letter=True,
    )


def _lettre_dates(rng: random.Random, outcome: Outcome) -> tuple[datetime.date, datetime.datetime]:
    """Signed in December 2020; transmitted by 28/12 or, when late, in early January."""
    if outcome.late:
        signed = _day_between(rng, datetime.date(2020, 12, 24), datetime.date(2020, 12, 31))
        submitted = _day_between(rng, datetime.date(2021, 1, 4), datetime.date(2021, 1, 12))
        return _working_day(signed), _at(rng, submitted)
    signed = _working_day(
        _day_between(rng, datetime.date(2020, 12, 7), datetime.date(2020, 12, 21))
    )
    submitted = signed + datetime.timedelta(days=rng.randint(0, 4))
    latest = datetime.date(2020, 12, 28)
    return signed, _at(rng, min(_working_day(submitted), latest))


def _lettre_post(rng: random.Random, team: TeamProfile, signed_on: datetime.date) -> dict[str, Any]:
    title = rng.choice(["Le préfet", "La préfète"])
    return {
        "signataire_prefet": f"{title} {team.place}",
        "date_signature": signed_on.isoformat(),
        **_lettre_q1(rng, team),
        **_lettre_q2(rng, team),
        **_lettre_q3(rng),
        **_lettre_q4(rng),
        **_lettre_q5(team),
        **_lettre_q6(rng, team),
    }


def _lettre_q1(rng: random.Random, team: TeamProfile) -> dict[str, Any]:
    existing, mode, text = rng.choice(Q1_TEMPLATES)
    return {
        "q1_equipes_existantes": existing,
        "q1_description": text.format(op=team.operators[0][0]),
        "q1_mode_creation": mode,
    }


def _lettre_q2(rng: random.Random, team: TeamProfile) -> dict[str, Any]:
    count = len(team.operators)
    return {
        "q2_nb_operateurs": str(count),
        **_group_post("q2_operateurs_pressentis", _operator_rows(team)),
        "q2_justification": rng.choice(Q2_JUSTIFICATIONS[min(count, 3)]),
    }


def _lettre_q3(rng: random.Random) -> dict[str, Any]:
    scale = rng.choices(["departement", "metropole", "epci_communes"], weights=[7, 2, 1])[0]
    if scale == "departement":
        population = assignations = ""
    else:
        pop = Decimal(rng.randint(104, 160)) / 2
        population = _fr(pop)
        assignations = _fr(min(Decimal(95), pop + rng.randint(3, 12)))
    text = rng.choice(Q3_JUSTIFICATIONS[scale]).format(pop=population, ass=assignations)
    return {
        "q3_echelle": scale,
        "q3_part_population_pct": population,
        "q3_part_assignations_pct": assignations,
        "q3_justification": text,
    }


def _lettre_q4(rng: random.Random) -> dict[str, Any]:
    partners = ["conseil_departemental"]
    partners += [key for key in ("metropole", "caf", "autre") if rng.random() < 0.5]
    names = [PARTNER_NAMES[key] for key in partners]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    month = rng.choice(["octobre", "novembre", "début décembre"])
    return {
        "q4_partenaires_contactes": partners,
        "q4_etat": f"Les échanges avec {joined} sont engagés depuis {month} ; "
        + rng.choice(Q4_NEXT),
    }


def _lettre_q5(team: TeamProfile) -> dict[str, Any]:
    upstream = bool({"cdp", "assignation"} & set(team.stages))
    downstream = bool({"cql", "rfp_cfp"} & set(team.stages))
    reason = "both" if upstream and downstream else ("amont" if upstream else "aval")
    return {"q5_stades": list(team.stages), "q5_justification": Q5_JUSTIFICATIONS[reason]}


def _lettre_q6(rng: random.Random, team: TeamProfile) -> dict[str, Any]:
    etp = Decimal(team.territory.etp) - rng.choice([Decimal(0), Decimal(0), Decimal("0.5")])
    people = int(etp) + rng.randint(0, team.territory.etp)
    part_time = people > etp
    visits = rng.choice(["40", "50", "60"]) if part_time else ""
    template = Q6_JUSTIFICATIONS[1] if part_time else Q6_JUSTIFICATIONS[0]
    return {
        "q6_nb_personnes": str(people),
        "q6_etp": _fr(etp),
        "q6_profils": sorted(rng.sample(PROFILES, rng.randint(1, 2)), key=PROFILES.index),
        "q6_part_temps_visites_pct": visits,
        "q6_justification": template.format(n=people, etp=_fr(etp)),
    }


# ---------------------------------------------------------------------------------------
# Bilans d'étape
# ---------------------------------------------------------------------------------------

DIFFICULTY_COMMENTS = [
    "",
    "Recrutement plus long que prévu : l'équipe n'a été au complet qu'au printemps.",
    "Difficulté à joindre les ménages avant l'audience ; le partenariat avec la CAF permet "
    "désormais d'obtenir des coordonnées à jour.",
    "Hausse des commandements de quitter les lieux après la fin de la trêve hivernale prolongée.",
    "Bonne articulation avec la CCAPEX ; les bailleurs privés restent difficiles à mobiliser.",
]


def _bilan_plans(
    rng: random.Random, campaign: Campaign, year: int, teams: dict[int, TeamProfile]
) -> list[AnswerPlan]:
    respondents = _respondent_teams(campaign, teams)
    codes = [team.territory.code for team in respondents]
    mix = BILAN_MIX.get(year, BILAN_MIX[2022])
    outcomes = _outcomes(rng, mix, codes, BILAN_FORCED.get(year, {}))
    return [
        _bilan_plan(rng, campaign, year, team, outcomes[team.territory.code])
        for team in respondents
    ]


def _bilan_plan(
    rng: random.Random, campaign: Campaign, year: int, team: TeamProfile, outcome: Outcome
) -> AnswerPlan:
    post = _bilan_post(rng, campaign, year, team)
    due = campaign.due_on
    if outcome.kind == "draft":
        saved = _at(rng, _day_between(rng, campaign.opens_on, due - datetime.timedelta(days=2)))
        return AnswerPlan(
            campaign=campaign,
            organisation=team.organisation,
            post=post,
            created_at=_created_at(rng, campaign, saved),
            draft_share=rng.uniform(0.3, 0.7),
            draft_saved_at=saved,
        )
    if outcome.late:
        day = due + datetime.timedelta(days=rng.randint(2, 14))
    else:
        day = min(_working_day(due - datetime.timedelta(days=rng.randint(1, 20))), due)
    submitted = _at(rng, day)
    return AnswerPlan(
        campaign=campaign,
        organisation=team.organisation,
        post=post,
        created_at=_created_at(rng, campaign, submitted),
        steps=_steps(rng, outcome, submitted, RETURN_COMMENTS["bilan"]),
    )


def _bilan_post(
    rng: random.Random, campaign: Campaign, year: int, team: TeamProfile
) -> dict[str, Any]:
    figures = team.years.get(year) or team.years[2022]
    return {
        **_bilan_header(rng, campaign, year, team, figures),
        **_bilan_activity(rng, figures.met, figures.days, team.stages),
        **_bilan_satisfaction(rng, figures.met),
        **_bilan_procedures(rng, year, figures),
        "nb_orientations_hebergement": str(round(figures.met * rng.uniform(0.01, 0.05))),
        "commentaire_difficultes": rng.choice(DIFFICULTY_COMMENTS),
    }


def _bilan_header(
    rng: random.Random, campaign: Campaign, year: int, team: TeamProfile, figures: YearFigures
) -> dict[str, Any]:
    territory = team.territory
    if territory.code in DRIHL_CODES:
        service = f"DRIHL — Unité départementale {team.place}"
    else:
        service = f"DDETS {team.place} — Service logement et prévention des expulsions"
    credits = (territory.budget_2021 / 2 * figures.credits_share).quantize(Decimal("0.01"))
    stages = [part for stage in team.stages for part in STAGE_PARTS.get(stage, [stage])]
    return {
        "annee": str(year),
        "periode_debut": (campaign.period_start or datetime.date(year, 1, 1)).isoformat(),
        "periode_fin": (campaign.period_end or datetime.date(year, 6, 30)).isoformat(),
        "redacteur_service": service,
        **_group_post("operateurs", _operator_rows(team)),
        "etp_finances": _fr(territory.etp),
        "etp_pourvus": _fr(figures.etp_filled),
        "date_demarrage_effectif": team.started_on.isoformat(),
        "credits_consommes": _fr(credits),
        "stades_couverts": stages,
    }


def _bilan_activity(rng: random.Random, met: int, days: int, stages: list[str]) -> dict[str, str]:
    """Households met and what followed: ≈ 60 % diagnosed, 40 % accompanied, 15 % resolved."""
    diagnostics = round(met * rng.uniform(0.55, 0.65))
    counts = {
        "nb_menages_rencontres": met,
        "nb_jours_intervention": days,
        "nb_diagnostics": diagnostics,
        "nb_dsf": round(diagnostics * rng.uniform(0.3, 0.6)),
        "nb_menages_accompagnes": round(met * rng.uniform(0.35, 0.45)),
        "nb_bailleurs_contactes": round(met * rng.uniform(0.5, 0.8)),
        "nb_dispositifs_apurement": round(met * rng.uniform(0.2, 0.35)),
        "nb_impayes_resorbes": round(met * rng.uniform(0.12, 0.18)),
        "nb_relogements_accompagnes": round(met * rng.uniform(0.03, 0.08)),
    }
    counts.update(_households_by_stage(rng, met, stages))
    return {key: str(value) for key, value in counts.items()}


def _households_by_stage(rng: random.Random, met: int, stages: list[str]) -> dict[str, int]:
    """Splits the households met over the procedure's stages, mostly the team's own."""
    keys = ["cdp", "assignation", "cql", "rfp_cfp"]
    weights = [rng.uniform(1, 3) if key in stages else 0.15 for key in keys]
    total = sum(weights)
    shares = [int(met * weight / total) for weight in weights]
    shares[weights.index(max(weights))] += met - sum(shares)
    return {f"nb_menages_stade_{key}": share for key, share in zip(keys, shares, strict=True)}


def _bilan_satisfaction(rng: random.Random, met: int) -> dict[str, str]:
    """Mean satisfaction on a 1–4 scale; some teams have not surveyed anyone yet."""
    if rng.random() < 0.15:
        keys = ("satisf_menages_moy", "nb_repondants_menages")
        keys += ("satisf_bailleurs_moy", "nb_repondants_bailleurs")
        return dict.fromkeys(keys, "")
    return {
        "satisf_menages_moy": _fr(round(rng.uniform(2.9, 3.8), 2)),
        "nb_repondants_menages": str(round(met * rng.uniform(0.1, 0.2))),
        "satisf_bailleurs_moy": _fr(round(rng.uniform(2.5, 3.5), 2)),
        "nb_repondants_bailleurs": str(round(met * rng.uniform(0.05, 0.15))),
    }


def _bilan_procedures(rng: random.Random, year: int, figures: YearFigures) -> dict[str, str]:
    """The private park's procedures, year N and N-1, in the national proportions."""
    # Executions stayed low in 2020 and early 2021 (winter truce extended to 31 May 2021).
    execution = {2021: (0.2, 0.35), 2022: (0.4, 0.5)}.get(year, (0.4, 0.5))
    current = _procedure_chain(rng, figures.assignations, rng.uniform(*execution))
    previous = _procedure_chain(rng, figures.assignations_previous, rng.uniform(0.2, 0.45))
    post = {f"{key}_n": str(value) for key, value in current.items()}
    post.update({f"{key}_n1": str(value) for key, value in previous.items()})
    return post


def _procedure_chain(rng: random.Random, assignations: int, execution: float) -> dict[str, int]:
    decisions = round(assignations * rng.uniform(0.85, 0.95))
    orders = round(assignations * rng.uniform(0.45, 0.55))
    requests = round(assignations * rng.uniform(0.22, 0.3))
    granted = round(requests * rng.uniform(0.6, 0.72))
    return {
        "nb_assignations": assignations,
        "nb_decisions": decisions,
        "nb_cql": orders,
        "nb_rfp": requests,
        "nb_cfp": granted,
        "nb_expulsions": round(granted * execution),
    }
