"""The tracker's map as HTML, rendered once per process for each set of territories'
progress: it depends on that alone (the départements' outlines are fixed), and its 101
outlines (about 130 KB) took a few milliseconds to render on every tracker page."""

from __future__ import annotations

from collections import OrderedDict

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from forms_app.tracker import TerritoryMap

MAP_TEMPLATE = "forms_app/includes/campaign_map.html"
# A few campaigns × scopes are looked at on any day; each entry holds about 130 KB.
KEPT_MAPS = 32

_kept: OrderedDict[tuple, SafeString] = OrderedDict()  # least recently shown first


def territory_map_html(*, shown: TerritoryMap) -> SafeString:
    """The map, its legend and its text alternative for ``shown``'s territories' progress
    (the template reads nothing else of it)."""
    key = tuple(sorted(shown.territories.items()))
    html = _kept.get(key)
    if html is None:
        html = render_to_string(MAP_TEMPLATE, {"map": shown.map, "tracker": shown})
        _kept[key] = html
        while len(_kept) > KEPT_MAPS:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(key)
    return html
