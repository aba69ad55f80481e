"""Loads the portal's content: territories, organisations and the guidance page tree.

The data lives in ``home/content/`` (``cadrage.yaml``, derived word for word from the
framing document, and ``territories.csv``). Loading is re-runnable: a second run changes
nothing, and a page that a person has edited, unpublished or left a draft on is never
overwritten.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from documents.consolidation.seed import consolidation_rules_seed
from forms_app.seed import forms_seed_load
from home.blocks import GuidanceStreamBlock
from home.models import GuidancePage, HomePage
from portal.models import Organisation, OrganisationKind, Territory
from portal.services import editors_group_ensure

DIHAL_NAME = "DIHAL — Pôle national de prévention des expulsions locatives"
HOME_SLUG = "accueil"


@dataclass
class LoadReport:
    territories_created: int = 0
    organisations_created: int = 0
    pages_created: list[str] = field(default_factory=list)
    pages_updated: list[str] = field(default_factory=list)
    pages_unchanged: list[str] = field(default_factory=list)
    pages_kept: list[str] = field(default_factory=list)
    forms_created: list[str] = field(default_factory=list)
    campaigns_created: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.territories_created
            or self.organisations_created
            or self.pages_created
            or self.pages_updated
            or self.forms_created
            or self.campaigns_created
        )


@dataclass(frozen=True)
class PageSpec:
    slug: str
    title: str
    body: list[dict[str, Any]]
    fields: dict[str, str]


def read_territory_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_page_specs(path: Path) -> tuple[PageSpec, list[PageSpec]]:
    """The home page spec and the guidance page specs, in the data file's order."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    home = data["home"]
    home_spec = PageSpec(
        slug=HOME_SLUG,
        title=home["title"],
        body=[_block_raw(block) for block in home["body"]],
        fields={"subtitle": home.get("subtitle", ""), "intro": home.get("intro", "")},
    )
    guidance_specs = [
        PageSpec(
            slug=page["slug"],
            title=page["title"],
            body=[_block_raw(block) for block in page["body"]],
            fields={"nav_title": page.get("nav_title", ""), "summary": page.get("summary", "")},
        )
        for page in data["pages"]
    ]
    return home_spec, guidance_specs


def _block_raw(block: dict[str, Any]) -> dict[str, Any]:
    """Turns a data-file block into the StreamField's raw JSON form."""
    kind, value = block["type"], block.get("value")
    if kind == "table":
        value = {
            "data": [list(value["headers"]), *[list(row) for row in value["rows"]]],
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_caption": value.get("caption", ""),
        }
    elif kind in {"territories_table", "territories_map"}:
        value = None
    elif kind == "list":
        value = {"ordered": bool(value.get("ordered")), "items": list(value["items"])}
    if kind not in GuidanceStreamBlock.base_blocks:
        raise ValueError(f"Unknown block type {kind!r} in the content file.")
    return {"type": kind, "value": value}


def _normalised_stream(raw: list[dict[str, Any]]) -> Any:
    """The stream as stored, without the block ids, so two streams can be compared."""
    block = GuidanceStreamBlock()
    return _without_ids(block.get_prep_value(block.to_python(raw)))


def _without_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    return value


def _edited_by_a_person(page: Page) -> bool:
    """A page a person saved, unpublished or left a draft on belongs to the editors."""
    return (
        page.revisions.exclude(user=None).exists() or not page.live or page.has_unpublished_changes
    )


def _page_matches(page: Page, spec: PageSpec) -> bool:
    if page.title != spec.title:
        return False
    if any(getattr(page, name) != value for name, value in spec.fields.items()):
        return False
    current = _without_ids(list(page.body.raw_data))
    return current == _normalised_stream(spec.body)


def _apply(page: Page, spec: PageSpec) -> None:
    page.title = spec.title
    for name, value in spec.fields.items():
        setattr(page, name, value)
    page.body = spec.body


def _sync_page(page: Page, spec: PageSpec, report: LoadReport) -> None:
    if _edited_by_a_person(page):
        report.pages_kept.append(page.title)
    elif _page_matches(page, spec):
        report.pages_unchanged.append(spec.title)
    else:
        _apply(page, spec)
        page.save_revision().publish()
        report.pages_updated.append(spec.title)


def _load_home(spec: PageSpec, report: LoadReport) -> HomePage:
    home = HomePage.objects.first()
    if home is not None:
        _sync_page(home, spec, report)
        return home

    root = Page.get_first_root_node()
    # Wagtail's first migration leaves a placeholder "Welcome" page; the portal replaces it.
    for placeholder in root.get_children().filter(depth=2, numchild=0):
        if type(placeholder.specific) is Page:
            placeholder.delete()
    home = HomePage(slug=HOME_SLUG, show_in_menus=False)
    _apply(home, spec)
    root.add_child(instance=home)
    home.save_revision().publish()
    report.pages_created.append(spec.title)

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=spec.title,
        )
    else:
        site.root_page = home
        site.site_name = spec.title
        site.save()
    return home


def _load_guidance(home: HomePage, specs: list[PageSpec], report: LoadReport) -> None:
    for spec in specs:
        page = GuidancePage.objects.child_of(home).filter(slug=spec.slug).first()
        if page is not None:
            _sync_page(page, spec, report)
            continue
        page = GuidancePage(slug=spec.slug, show_in_menus=True)
        _apply(page, spec)
        home.add_child(instance=page)
        page.save_revision().publish()
        report.pages_created.append(spec.title)


def _load_territories(rows: list[dict[str, str]], report: LoadReport) -> None:
    for row in rows:
        territory, created = Territory.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["departement"],
                "region": row["region"],
                "etp": int(row["etp"]),
                "budget_2021": Decimal(row["budget_2021"]),
            },
        )
        report.territories_created += int(created)
        _, created = Organisation.objects.get_or_create(
            kind=OrganisationKind.PREFECTURE,
            territory=territory,
            defaults={"name": row["prefecture"]},
        )
        report.organisations_created += int(created)
    _, created = Organisation.objects.get_or_create(
        kind=OrganisationKind.DIHAL, defaults={"name": DIHAL_NAME}
    )
    report.organisations_created += int(created)


@transaction.atomic
def portal_content_load(*, content_dir: Path) -> LoadReport:
    """Loads territories, organisations, the editors' group and the page tree."""
    report = LoadReport()
    _load_territories(read_territory_rows(content_dir / "territories.csv"), report)
    editors_group_ensure()
    home_spec, guidance_specs = read_page_specs(content_dir / "cadrage.yaml")
    home = _load_home(home_spec, report)
    _load_guidance(home, guidance_specs, report)
    forms_report = forms_seed_load(path=settings.PORTAL_FORMS_FILE)
    report.forms_created = forms_report.created
    report.campaigns_created = forms_report.campaigns_created
    consolidation_rules_seed(path=settings.PORTAL_FORMS_FILE)
    return report
