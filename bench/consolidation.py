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
reports its own wall time and peak RSS. Exits 1 when a bound is exceeded. The answers, the
database and the measured parts are in ``bench/consolidation_parts/``; this script prints.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import shutil
import sys
import tempfile
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
from django.db import connections  # noqa: E402

from bench.consolidation_parts.database import database_build  # noqa: E402
from bench.consolidation_parts.measures import baseline, current_rss, in_child, ours  # noqa: E402

TIME_BOUND_S = 15.0
MEMORY_BOUND_BYTES = 1_000_000_000  # 1 GB
MIB = 2**20


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
        _database_print(built)
        at_fork = current_rss()
        portal = in_child(ours, campaign=built["campaign"], dihal=built["dihal"])
        wagtail = in_child(baseline)
    finally:
        connections.close_all()
    ok = _portal_print(portal, title=built["campaign_title"], at_fork=at_fork)
    _wagtail_print(wagtail, portal=portal)
    if options.keep:
        print(f"\nBase conservée : {VAR_DIR / 'db.sqlite3'}")
    if not ok:
        sys.exit(1)


def _database_print(built: dict[str, Any]) -> None:
    """Where the throwaway database is, how long it took and what it holds."""
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


def _portal_print(portal: dict[str, Any], *, title: str, at_fork: int) -> bool:
    """The portal's figures against the bounds of issue 6; whether both hold."""
    time_ok = portal["seconds"] <= TIME_BOUND_S
    memory_ok = portal["peak_rss"] <= MEMORY_BOUND_BYTES
    print(f"\n{title}, tableaux nationaux de la DIHAL, classeur XLSX")
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
    return time_ok and memory_ok


def _wagtail_print(wagtail: dict[str, Any], *, portal: dict[str, Any]) -> None:
    """Wagtail's export of the same answers, and how much longer it takes."""
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


if __name__ == "__main__":
    main()
