"""The tracker's map is rendered once per set of territories' progress and kept: another
progress gives another map, never the one kept for the first."""

import re

from forms_app.territory_map import territory_map
from forms_app.tracker import Progress, TerritoryMap
from forms_app.tracker_map import territory_map_html


def _shown(territories: dict[str, Progress]) -> TerritoryMap:
    base = territory_map()
    departements = [{**d, "progress": territories.get(d["code"])} for d in base["departements"]]
    return TerritoryMap(territories=territories, map={**base, "departements": departements})


def _coloured(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-code="(\w+)" data-progress="(\w+)"', html))


def test_each_progress_has_its_own_map(portal_content):
    late = territory_map_html(shown=_shown({"38": Progress.LATE, "93": Progress.ACCEPTED}))
    assert _coloured(late) == {"38": "en_retard", "93": "acceptee"}
    assert territory_map_html(shown=_shown({"93": Progress.ACCEPTED, "38": Progress.LATE})) is late

    moved = territory_map_html(shown=_shown({"38": Progress.SUBMITTED, "93": Progress.ACCEPTED}))
    assert _coloured(moved) == {"38": "transmise", "93": "acceptee"}
    assert "transmise (à valider) : 1" in moved.lower()
