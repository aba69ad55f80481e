"""Time and peak memory of a campaign's consolidation into the XLSX workbook vs Wagtail's.

30 000 generated answers (the bilans d'étape 2021 and 2022 of the 26 territories, and the
household documents of one operator per territory) are read for the DIHAL's national tables
of the bilan 2022 (``campaign_consolidation`` then ``consolidation_xlsx``), against the
bounds of issue 6: ≤ 15 s, peak memory ≤ 1 GB. In the same run, Wagtail's own export
(``SpreadsheetExportMixin``, the code behind the form-submission XLSX download) writes the
same answers, one workbook per form, one row per answer, one column per key; the ratio of the
two times is printed.

    .venv/bin/python bench/consolidation.py [--submissions 30000] [--keep]

Everything happens in a throwaway SQLite database in a temporary directory (never
var/db.sqlite3), removed at the end unless ``--keep``. Each measured part runs in a process
forked from the same lean parent (Django, pandas and openpyxl imported, no data loaded), which
reports its own wall time and peak RSS. Exits 1 when a bound is exceeded.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import io
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR_DIR = Path(tempfile.mkdtemp(prefix="bench-consolidation-"))
KEEP = {"database": False}  # --keep


@atexit.register
def _var_dir_remove() -> None:
    """The temporary directory goes, however the script ends, unless it is to be kept."""
    if not KEEP["database"]:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


# Set before Django reads its settings: the database, media and exports go to the temp dir.
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
os.environ["PORTAL_VAR_DIR"] = str(VAR_DIR)
os.environ["DATABASE_URL"] = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
for _name in ("MEDIA_ROOT", "STATIC_ROOT", "PORTAL_EXPORTS_DIR"):
    os.environ.pop(_name, None)

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.admin.views.mixins import SpreadsheetExportMixin  # noqa: E402
from wagtailstreamforms.models import Form  # noqa: E402

from documents.consolidation import FILED_STATUSES, campaign_consolidation  # noqa: E402
from documents.consolidation_files import consolidation_xlsx  # noqa: E402
from forms_app.form_builder import input_items  # noqa: E402
from forms_app.households.services import household_forms, household_role  # noqa: E402
from forms_app.models import (  # noqa: E402
    Campaign,
    FormVersion,
    Household,
    HouseholdRole,
    HouseholdSource,
    HouseholdStatus,
    ProcedureStage,
    Submission,
    SubmissionStatus,
)
from home.content_loader import portal_content_load  # noqa: E402
from portal.models import Organisation, OrganisationKind, Role, Territory, User  # noqa: E402
from portal.services import membership_set, organisation_create  # noqa: E402

SEED = 2022
BILAN_SLUG = "bilan-d-etape"
TIME_BOUND_S = 15.0
MEMORY_BOUND_BYTES = 1_000_000_000  # 1 GB
MIB = 2**20

# ---------------------------------------------------------------------------------------
# Invented people and words
# ---------------------------------------------------------------------------------------

SYLLABLES = (
    ("Bar", "Cor", "Del", "Fau", "Gar", "Lam", "Mor", "Per", "Ros", "Tal", "Ver", "Vil", "Quen"),
    ("an", "el", "i", "o", "ec", "ard", "ain", "ou", "eu", "ab"),
    ("d", "t", "nec", "s", "ne", "lle", "rieux", "vin", "zac", "mont"),
)
FIRST_NAMES = (
    "Camille", "Sandrine", "Mehdi", "Léa", "Yannick", "Fatou", "Hugo", "Inès", "Paul",
    "Aïcha", "Thomas", "Chloé", "Rachid", "Manon", "Bruno", "Sarah",
)  # fmt: skip
STREETS = ("rue des Lilas", "avenue Jean-Jaurès", "place du Marché", "chemin des Vignes")
SHORT_TEXTS = (
    "Suivi assuré par le CCAS",
    "Régie du Centre (fictive)",
    "T3, 64 m²",
    "Orientation vers la Maison départementale des solidarités",
    "Par l'intermédiaire du mandataire",
)
LONG_TEXTS = (
    "Le ménage a repris le paiement du loyer courant ; un plan d'apurement est proposé.",
    "Premier contact difficile : le ménage ignorait l'avancement de la procédure.\n"
    "Un second rendez-vous est fixé au domicile.",
    "Dossier FSL déposé, en attente de la commission.",
    "",
)
SERVICES = (
    "DDETS — Service logement et prévention des expulsions",
    "DRIHL — Unité départementale, bureau de la prévention des expulsions",
)
OPERATOR_NAMES = ("Association Accès au Logement", "ADIL", "CCAS de la ville-centre")


def invented_surname(rng: random.Random) -> str:
    return "".join(rng.choice(part) for part in SYLLABLES)


# ---------------------------------------------------------------------------------------
# Answers made from a form version's schema
# ---------------------------------------------------------------------------------------


def _day(rng: random.Random, start: datetime.date, span: int) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max(span, 1)))


def _field_value(rng: random.Random, kind: str, block: dict, around: datetime.date) -> Any:
    """A plausible stored value for a field, as the answer form stores it (numbers with
    decimals and dates as strings, booleans, lists for multiple choices)."""
    if kind == "integer":
        low = block.get("min_value") or 0
        high = block.get("max_value") or low + 12
        return rng.randint(low, high)
    if kind == "decimal":
        low = block.get("min_value") or 0
        high = block.get("max_value") or low + 10
        return f"{rng.uniform(low, high):.{block.get('decimal_places', 2)}f}"
    if kind == "money":
        return f"{rng.uniform(20, 3000):.2f}"
    if kind == "percent":
        return f"{rng.uniform(0, 100):.0f}"
    if kind == "date":
        return _day(rng, around - datetime.timedelta(days=400), 400).isoformat()
    if kind == "yes_no":
        return rng.random() < 0.5
    if kind == "choice":
        return rng.choice(block["choices"])["value"]
    if kind == "multi_choice":
        values = [choice["value"] for choice in block["choices"]]
        return rng.sample(values, k=rng.randint(1, min(3, len(values))))
    if kind == "email":
        return f"contact{rng.randrange(10**6)}@example.org"
    if kind == "phone":
        return f"06{rng.randrange(10**8):08d}"
    if kind == "long_text":
        return rng.choice(LONG_TEXTS)
    return rng.choice(SHORT_TEXTS)


def schema_answers(
    rng: random.Random, schema: list[dict], *, around: datetime.date, rows: int = 2
) -> dict[str, Any]:
    """An answer to every input field of ``schema`` (files left out, a quarter of the
    optional fields left empty), ``1..rows`` lines in each repeatable group."""
    data: dict[str, Any] = {}
    for item in input_items(schema):
        kind, block = item["type"], item["value"]
        if kind == "file":
            continue
        if not block.get("required") and rng.random() < 0.25:
            data[block["key"]] = [] if kind in ("multi_choice", "group") else None
        elif kind == "group":
            data[block["key"]] = [
                {
                    sub["value"]["key"]: _field_value(rng, sub["type"], sub["value"], around)
                    for sub in block["fields"]
                    if sub["type"] != "file"
                }
                for _ in range(rng.randint(max(block.get("min_rows") or 0, 1), rows))
            ]
        else:
            data[block["key"]] = _field_value(rng, kind, block, around)
    return data


# ---------------------------------------------------------------------------------------
# The throwaway database
# ---------------------------------------------------------------------------------------


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _latest_version(form) -> FormVersion:
    return FormVersion.objects.filter(form=form).order_by("-number").first()


def _people() -> tuple[User, dict[int, Organisation], dict[int, User]]:
    """The DIHAL reader, and one operator (with one agent) per territory."""
    dihal = User.objects.create_user(email="dihal@bench.test", password=None)
    membership_set(
        organisation=Organisation.objects.get(kind=OrganisationKind.DIHAL),
        user=dihal,
        role=Role.RESPONSABLE,
    )
    operators, agents = {}, {}
    for territory in Territory.objects.order_by("code"):
        operator = organisation_create(
            name=f"Équipe mobile {territory.name} (banc d'essai)",
            kind=OrganisationKind.OPERATEUR,
            territory=territory,
        )
        agent = User.objects.create_user(email=f"agent{territory.code}@bench.test", password=None)
        membership_set(organisation=operator, user=agent, role=Role.AGENT)
        operators[territory.pk], agents[territory.pk] = operator, agent
    return dihal, operators, agents


def bilan_answers(
    rng: random.Random,
    *,
    territory: Territory,
    campaign: Campaign,
    previous: dict[str, int] | None,
) -> dict[str, Any]:
    """A territory's bilan d'étape: counters consistent with one another and with the team's
    size, procedure figures whose N-1 is the previous bilan's N."""
    etp = float(territory.etp or 3)
    months = (campaign.period_end - campaign.period_start).days / 30.4
    met = max(1, round(etp * months * rng.uniform(4, 8)))
    accompanied = round(met * rng.uniform(0.35, 0.6))
    diagnostics = round(met * rng.uniform(0.55, 0.8))
    split = sorted(rng.sample(range(1, met), 3)) if met > 3 else [0, 0, 0]
    base = previous or {"nb_assignations_n": rng.randint(500, 5000)}
    assignations = round(base["nb_assignations_n"] * rng.uniform(0.9, 1.1))
    counts = {
        "nb_assignations_n": assignations,
        "nb_decisions_n": round(assignations * rng.uniform(0.8, 0.9)),
        "nb_cql_n": round(assignations * rng.uniform(0.45, 0.55)),
        "nb_rfp_n": round(assignations * rng.uniform(0.25, 0.3)),
        "nb_cfp_n": round(assignations * rng.uniform(0.15, 0.2)),
        "nb_expulsions_n": round(assignations * rng.uniform(0.03, 0.05)),
    }
    earlier = previous or {
        key: round(value * rng.uniform(0.9, 1.1)) for key, value in counts.items()
    }
    operators = [
        {"nom": f"{name} — {territory.name} (fictif)", "type": kind}
        for name, kind in rng.sample(
            list(zip(OPERATOR_NAMES, ("association", "adil", "ccas"), strict=True)),
            k=rng.randint(1, 3),
        )
    ]
    data = {
        "annee": campaign.period_end.year,
        "periode_debut": campaign.period_start.isoformat(),
        "periode_fin": campaign.period_end.isoformat(),
        "redacteur_service": f"{rng.choice(SERVICES)} ({territory.name})",
        "operateurs": operators,
        "etp_finances": f"{etp:.2f}",
        "etp_pourvus": f"{etp * rng.choice((1, 1, 0.75, 0.5)):.2f}",
        "date_demarrage_effectif": _day(rng, datetime.date(2021, 2, 1), 100).isoformat(),
        "credits_consommes": f"{etp * months * rng.uniform(3500, 5000):.2f}",
        "stades_couverts": sorted(rng.sample(["cdp", "assignation", "cql", "rfp", "cfp"], k=3)),
        "nb_menages_rencontres": met,
        "nb_jours_intervention": max(1, round(etp * months * rng.uniform(12, 18))),
        "nb_diagnostics": diagnostics,
        "nb_dsf": round(diagnostics * rng.uniform(0.3, 0.6)),
        "nb_menages_accompagnes": accompanied,
        "nb_bailleurs_contactes": round(met * rng.uniform(0.4, 0.8)),
        "nb_dispositifs_apurement": round(accompanied * rng.uniform(0.5, 1)),
        "nb_impayes_resorbes": round(accompanied * rng.uniform(0.2, 0.5)),
        "nb_relogements_accompagnes": round(accompanied * rng.uniform(0.05, 0.15)),
        "nb_menages_stade_cdp": split[0],
        "nb_menages_stade_assignation": split[1] - split[0],
        "nb_menages_stade_cql": split[2] - split[1],
        "nb_menages_stade_rfp_cfp": met - split[2] if met > 3 else met,
        "satisf_menages_moy": f"{rng.uniform(2.6, 3.9):.2f}",
        "nb_repondants_menages": rng.randint(5, 40),
        "satisf_bailleurs_moy": f"{rng.uniform(2.2, 3.6):.2f}",
        "nb_repondants_bailleurs": rng.randint(3, 25),
        "nb_orientations_hebergement": round(accompanied * rng.uniform(0, 0.1)),
        "commentaire_difficultes": rng.choice(LONG_TEXTS),
        **counts,
        # Known N-1 most of the time (optional in the form).
        **{
            f"{key}1": (earlier[key] if rng.random() < 0.95 else None)
            for key in counts  # nb_assignations_n -> nb_assignations_n1
        },
    }
    if rng.random() < 0.1:
        data["satisf_bailleurs_moy"] = data["nb_repondants_bailleurs"] = None
    return data


def _bilans(rng: random.Random, *, user_by_territory: dict[int, User]) -> list[Submission]:
    form = Form.objects.get(slug=BILAN_SLUG)
    version = _latest_version(form)
    keys = set(version.input_keys)
    prefectures = {
        organisation.territory_id: organisation
        for organisation in Organisation.objects.filter(kind=OrganisationKind.PREFECTURE)
    }
    previous: dict[int, dict[str, int]] = {}
    rows = []
    for campaign in Campaign.objects.filter(form=form).order_by("period_start"):
        for territory in Territory.objects.order_by("code"):
            data = bilan_answers(
                rng, territory=territory, campaign=campaign, previous=previous.get(territory.pk)
            )
            if set(data) != keys:
                raise RuntimeError(f"bilan keys differ from the form's: {set(data) ^ keys}")
            previous[territory.pk] = {k: v for k, v in data.items() if k.endswith("_n")}
            rows.append(
                Submission(
                    campaign=campaign,
                    organisation=prefectures[territory.pk],
                    territory=territory,
                    form_version=version,
                    data=data,
                    status=rng.choice((SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)),
                    submitted_at=_aware(_day(rng, campaign.opens_on, 35), 14),
                    updated_by=user_by_territory[territory.pk],
                )
            )
    return rows


def _household_documents(
    rng: random.Random,
    *,
    wanted: int,
    operators: dict[int, Organisation],
    agents: dict[int, User],
) -> tuple[list[Household], list[tuple[int, Submission]]]:
    """Households and their filed diagnostic, contract and veilles until ``wanted``
    documents exist, most of them dated within the bilan 2022's period (July 2021 to June
    2022). Documents are returned with their household's index (saved afterwards)."""
    versions = {household_role(form): _latest_version(form) for form in household_forms()}
    territories = list(Territory.objects.order_by("code"))
    households: list[Household] = []
    documents: list[tuple[int, Submission]] = []
    stages = list(ProcedureStage.values)
    sources = list(HouseholdSource.values)
    while len(documents) < wanted:
        territory = rng.choice(territories)
        referred = _day(rng, datetime.date(2021, 5, 1), 395)
        nom, prenom = invented_surname(rng), rng.choice(FIRST_NAMES)
        index = len(households)
        households.append(
            Household(
                reference=f"{territory.code}-B{index:06d}",
                operator=operators[territory.pk],
                territory=territory,
                source=rng.choice(sources),
                referred_on=referred,
                stage=rng.choice(stages),
                known_to_social_services=rng.random() < 0.6,
                nom=nom,
                prenom=prenom,
                adresse_logement=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                telephone=f"06{rng.randrange(10**8):08d}",
                email=f"{prenom.lower()}.{nom.lower()}@example.org",
                created_by=agents[territory.pk],
            )
        )
        identity = {"nom": nom, "prenom": prenom}
        day = referred + datetime.timedelta(days=rng.randint(5, 30))
        plan = [(HouseholdRole.DIAGNOSTIC, "date_entretien", day)]
        if rng.random() < 0.75:
            day += datetime.timedelta(days=rng.randint(7, 30))
            plan.append((HouseholdRole.CONTRAT, "date_signature", day))
            for _ in range(rng.choice((0, 1, 1, 2))):
                day += datetime.timedelta(days=rng.randint(15, 60))
                plan.append((HouseholdRole.VEILLE, "date_contact", day))
        households[-1].status = (
            HouseholdStatus.DIAGNOSTIQUE if len(plan) == 1 else HouseholdStatus.ACCOMPAGNE
        )
        contract_steps: list[str] = []
        for role, date_key, when in plan[: wanted - len(documents)]:
            version = versions[role]
            data = schema_answers(rng, version.schema, around=when, rows=4)
            data[date_key] = when.isoformat()
            if role == HouseholdRole.DIAGNOSTIC:
                data.update(identity, adresse_logement=households[-1].adresse_logement)
            elif role == HouseholdRole.CONTRAT:
                data.update(identity)
                contract_steps = [line["demarche"] for line in data["engagements"]]
            else:
                data["engagements"] = [
                    {"demarche": step, "statut": rng.choice(("en_cours", "realisee"))}
                    for step in contract_steps
                ]
                data["impaye_resorbe"] = rng.random() < 0.35
            documents.append(
                (
                    index,
                    Submission(
                        organisation=operators[territory.pk],
                        territory=territory,
                        form_version=version,
                        data=data,
                        status=SubmissionStatus.SUBMITTED,
                        submitted_at=_aware(when, 17),
                        updated_by=agents[territory.pk],
                    ),
                )
            )
    return households, documents


def database_build(*, submissions: int) -> dict[str, Any]:
    """Migrates the throwaway database, loads the portal's content and generates the
    answers; returns what the measured parts need."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
    content_s = time.perf_counter() - started
    rng = random.Random(SEED)  # noqa: S311 - reproducible fake data
    started = time.perf_counter()
    with transaction.atomic():
        dihal, operators, agents = _people()
        bilans = _bilans(rng, user_by_territory=agents)
        households, documents = _household_documents(
            rng, wanted=submissions - len(bilans), operators=operators, agents=agents
        )
        Household.objects.bulk_create(households, batch_size=1000)
        for index, document in documents:
            document.household = households[index]
        Submission.objects.bulk_create(bilans, batch_size=500)
        Submission.objects.bulk_create([d for _, d in documents], batch_size=1000)
    campaign = Campaign.objects.filter(form__slug=BILAN_SLUG).order_by("-period_start").first()
    by_role = {
        role: Submission.objects.filter(
            form_version__form__advanced_settings__household_role=role
        ).count()
        for role in HouseholdRole.values
    }
    return {
        "content_s": content_s,
        "generate_s": time.perf_counter() - started,
        "dihal": dihal.pk,
        "campaign": campaign.pk,
        "campaign_title": campaign.title,
        "submissions": Submission.objects.count(),
        "bilans": Submission.objects.filter(campaign__form__slug=BILAN_SLUG).count(),
        "households": Household.objects.count(),
        "by_role": by_role,
    }


# ---------------------------------------------------------------------------------------
# The measured parts
# ---------------------------------------------------------------------------------------


def ours(*, campaign: int, dihal: int) -> dict[str, Any]:
    """The portal's path: the campaign's consolidation for DIHAL, then the workbook."""
    started = time.perf_counter()
    consolidation = campaign_consolidation(
        campaign=Campaign.objects.select_related("form").get(pk=campaign),
        user=User.objects.get(pk=dihal),
    )
    consolidated = time.perf_counter()
    content = consolidation_xlsx(consolidation=consolidation)
    ended = time.perf_counter()
    counts = consolidation.field_counts
    return {
        "seconds": ended - started,
        "consolidation_s": consolidated - started,
        "xlsx_s": ended - consolidated,
        "bytes": len(content),
        "content": content,
        "answers": len(consolidation.answers),
        "met": int(counts["nb_menages_rencontres"].sum()) if counts is not None else 0,
        "diagnostics": int(counts["nb_diagnostics"].sum()) if counts is not None else 0,
    }


def _group_text(value: Any) -> str:
    """A repeatable group's lines as one cell (Wagtail's forms have no groups, and its
    ``list_to_str`` joins strings only)."""
    return " | ".join(
        ", ".join("" if v is None else str(v) for v in line.values())
        for line in value or []
        if isinstance(line, dict)
    )


class WagtailFormExport(SpreadsheetExportMixin):
    """Wagtail's form-submission export (``wagtail.contrib.forms.views.SubmissionsListView``)
    over one of the portal's forms: the columns are the form's fields, after the submission
    date, with their labels as headings; each row is what ``FormSubmission.get_data()``
    gives."""

    def __init__(self, *, version: FormVersion) -> None:
        items = input_items(version.schema)
        data_fields = [("submit_time", "Date de transmission")] + [
            (item["value"]["key"], item["value"]["label"]) for item in items
        ]
        self.list_export = [key for key, _ in data_fields]
        self.export_headings = dict(data_fields)
        self.custom_field_preprocess = {
            item["value"]["key"]: {self.FORMAT_XLSX: _group_text}
            for item in items
            if item["type"] == "group"
        }

    def to_row_dict(self, item: Submission) -> OrderedDict:
        data = {**item.data, "submit_time": item.submitted_at}
        return OrderedDict((field, data.get(field)) for field in self.list_export)


def baseline() -> dict[str, Any]:
    """Wagtail's export of every filed answer: one workbook per form, as its admin gives."""
    started = time.perf_counter()
    size = rows = files = 0
    for form in Form.objects.order_by("pk"):
        answers = Submission.objects.filter(
            form_version__form=form, status__in=FILED_STATUSES
        ).order_by("submitted_at")
        if not answers.exists():
            continue
        output = io.BytesIO()
        WagtailFormExport(version=_latest_version(form)).write_xlsx(answers, output)
        size, files = size + output.tell(), files + 1
        rows += len(answers)  # evaluated by write_xlsx: no new query
    return {"seconds": time.perf_counter() - started, "bytes": size, "rows": rows, "files": files}


# ---------------------------------------------------------------------------------------
# Forked children
# ---------------------------------------------------------------------------------------


def _child(sender, function: Callable[..., dict], kwargs: dict) -> None:
    try:
        figures = function(**kwargs)
        figures["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        sender.send(figures)
    except BaseException:  # noqa: BLE001 - reported by the parent
        sender.send({"error": traceback.format_exc()})
    finally:
        sender.close()


def in_child(function: Callable[..., dict], **kwargs) -> dict[str, Any]:
    """Runs ``function`` in a process forked from this one and returns its figures, with the
    child's peak RSS (which counts what it shares with this process)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    connections.close_all()  # the child opens its own connection
    process = context.Process(target=_child, args=(sender, function, kwargs))
    process.start()
    sender.close()
    try:
        figures = receiver.recv()
    except EOFError:
        figures = {"error": "the child ended without a word"}
    process.join()
    if "error" in figures and process.exitcode:
        figures["error"] += f" (exit code {process.exitcode})"
    if "error" in figures:
        raise RuntimeError(f"{function.__name__} failed:\n{figures['error']}")
    return figures


def current_rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _sheets(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheets = ", ".join(
        f"« {sheet.title} » {sum(1 for _ in sheet.iter_rows()) - 1}"
        for sheet in workbook.worksheets
    )
    workbook.close()
    return sheets


def _verdict(ok: bool) -> str:
    return "OK" if ok else "AU-DELÀ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=30_000, help="answers in total")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    options = parser.parse_args()
    KEEP["database"] = options.keep
    if options.submissions < 100:
        parser.error("--submissions: at least 100 (the 52 bilans and household documents)")
    try:
        built = in_child(database_build, submissions=options.submissions)
        roles = built["by_role"]
        print(f"Base jetable : {VAR_DIR / 'db.sqlite3'}")
        print(
            f"  contenu du portail chargé en {built['content_s']:.1f} s ; "
            f"réponses générées en {built['generate_s']:.1f} s"
        )
        print(
            f"  {built['submissions']} réponses : {built['bilans']} bilans d'étape "
            f"(2021 et 2022), {roles['diagnostic']} diagnostics, {roles['contrat']} contrats, "
            f"{roles['veille']} veilles de {built['households']} ménages"
        )
        at_fork = current_rss()
        portal = in_child(ours, campaign=built["campaign"], dihal=built["dihal"])
        wagtail = in_child(baseline)
    finally:
        connections.close_all()

    time_ok = portal["seconds"] <= TIME_BOUND_S
    memory_ok = portal["peak_rss"] <= MEMORY_BOUND_BYTES
    print(f"\n{built['campaign_title']}, tableaux nationaux de la DIHAL, classeur XLSX")
    print(
        f"  consolidation   {portal['consolidation_s']:7.2f} s  "
        f"({portal['answers']} bilans ; ménages rencontrés {portal['met']}, "
        f"diagnostics {portal['diagnostics']} d'après les dossiers)"
    )
    print(f"  classeur XLSX   {portal['xlsx_s']:7.2f} s  ({portal['bytes'] / 1024:.0f} Kio)")
    print(f"  feuilles (lignes sous l'en-tête) : {_sheets(portal['content'])}")
    print(
        f"  total           {portal['seconds']:7.2f} s  "
        f"borne {TIME_BOUND_S:.0f} s : {_verdict(time_ok)}"
    )
    print(
        f"  pic RSS         {portal['peak_rss'] / MIB:7.0f} Mio  "
        f"borne 1 Go ({MEMORY_BOUND_BYTES / MIB:.0f} Mio) : {_verdict(memory_ok)}  "
        f"(le parent, Django et bibliothèques chargés, occupait {at_fork / MIB:.0f} Mio au fork)"
    )
    print(
        f"\nRéférence : export tableur de Wagtail (SpreadsheetExportMixin.write_xlsx), "
        f"{wagtail['rows']} réponses en {wagtail['files']} classeurs (un par formulaire)"
    )
    print(f"  total           {wagtail['seconds']:7.2f} s  ({wagtail['bytes'] / MIB:.1f} Mio)")
    print(f"  pic RSS         {wagtail['peak_rss'] / MIB:7.0f} Mio")
    print(
        f"  rapport         {wagtail['seconds'] / portal['seconds']:7.1f}×  "
        "(temps de Wagtail ÷ temps du portail)"
    )
    print(
        "  à lire ainsi : les deux lisent les mêmes réponses, mais Wagtail écrit une ligne par "
        "réponse\n  quand le portail écrit les totaux (les dossiers ménages en décomptes) : "
        "le rapport mesure\n  ce que coûte la consolidation face à un export brut, pas deux "
        "écritures du même classeur"
    )
    if options.keep:
        print(f"\nBase conservée : {VAR_DIR / 'db.sqlite3'}")
    if not (time_ok and memory_ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
