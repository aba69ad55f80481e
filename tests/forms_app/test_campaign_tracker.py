"""The campaign tracker (/suivi/campagnes/<pk>/): counts, rows by territory and the map, as
DIHAL and the prefectures see them; its queries do not grow with the respondents."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtailstreamforms.models import Form

from forms_app import selectors
from forms_app.lifecycle import submission_start
from forms_app.models import Campaign, CampaignReminder, Submission
from forms_app.tracker import Progress
from portal.models import Organisation, OrganisationKind, Territory
from portal.services import organisation_create
from tests.factories import seeded_answer

DEMO_CAMPAIGNS = ["Lettre de préfiguration", "Bilan d'étape 2021", "Bilan d'étape 2022"]
TRANSMITTED = {"soumise", "acceptee"}
PATH = re.compile(r"<path [^>]*?data-code=\"(?P<code>[^\"]+)\"(?P<rest>[^>]*)>")


@pytest.fixture
def answers(demo_accounts):
    """An answer in each status to each seeded campaign (the other prefectures have none)."""
    statuses = {"38": "acceptee", "93": "soumise", "69": "brouillon", "75": "renvoyee"}
    for title in DEMO_CAMPAIGNS:
        for code, status in statuses.items():
            seeded_answer(title, code, status=status)


def _tracker_url(campaign: Campaign) -> str:
    return f"/suivi/campagnes/{campaign.pk}/"


def _figures(html: str) -> dict[str, int]:
    """The tracker's counts, by their data-count key."""
    figures = {
        key: int(value)
        for key, value in re.findall(
            r'data-count="(\w+)"><p class="portal-figure__value">(\d+)<', html
        )
    }
    late = re.search(r'data-count="en_retard">(?:<span[^>]*>(\d+))?', html)
    figures["en_retard"] = int(late.group(1) or 0)
    return figures


def _coloured_paths(html: str) -> dict[str, str]:
    """Territory code → progress of every coloured shape of the map, checking that its CSS
    class says the same as its data attribute."""
    svg = re.search(r'<svg [^>]*data-map="suivi".*?</svg>', html, re.S)
    assert svg is not None
    coloured = {}
    for match in PATH.finditer(svg.group(0)):
        progress = re.search(r'data-progress="(\w+)"', match.group("rest"))
        if progress:
            assert f"portal-track--{progress.group(1)}" in match.group("rest")
            assert match.group("code") not in coloured
            coloured[match.group("code")] = progress.group(1)
    return coloured


def _expected_progress(submission: Submission | None, campaign: Campaign) -> str:
    """What the tracker should say of a prefecture's answer, from the Submission row."""
    status = submission.status if submission else None
    if status == "acceptee":
        return "acceptee"
    if status == "soumise":
        return "transmise"
    if campaign.due_on < selectors.today():
        return "en_retard"
    return "en_cours" if submission else "a_commencer"


@pytest.mark.parametrize("title", DEMO_CAMPAIGNS)
def test_the_counts_match_the_answers_in_the_database(client, answers, login, title):
    login("dihal@demo.test")
    campaign = Campaign.objects.get(title=title)
    submissions = Submission.objects.filter(campaign=campaign)
    expected = Organisation.objects.filter(kind=OrganisationKind.PREFECTURE).count()
    transmitted = submissions.filter(status__in=TRANSMITTED).count()
    is_past = campaign.due_on < selectors.today()

    response = client.get(_tracker_url(campaign))

    assert response.status_code == 200
    assert _figures(response.content.decode()) == {
        "attendues": expected,
        "transmises": transmitted,
        "acceptees": submissions.filter(status="acceptee").count(),
        "a_valider": submissions.filter(status="soumise").count(),
        "en_cours": submissions.filter(status__in=["brouillon", "renvoyee"]).count(),
        "a_commencer": expected - submissions.count(),
        "en_retard": expected - transmitted if is_past else 0,
    }


@pytest.mark.parametrize("title", DEMO_CAMPAIGNS)
def test_the_map_colours_each_territory_by_its_answer(client, answers, login, title):
    login("dihal@demo.test")
    campaign = Campaign.objects.get(title=title)
    by_organisation = {s.organisation_id: s for s in Submission.objects.filter(campaign=campaign)}
    expected = {
        prefecture.territory.code: _expected_progress(by_organisation.get(prefecture.pk), campaign)
        for prefecture in Organisation.objects.filter(
            kind=OrganisationKind.PREFECTURE
        ).select_related("territory")
    }

    html = client.get(_tracker_url(campaign)).content.decode()

    assert _coloured_paths(html) == expected
    assert len(expected) == Territory.objects.count() == 26
    title_match = re.search(
        r'<svg [^>]*role="img" aria-labelledby="(?P<id>[^"]+)"[^>]*>\s*<title id="(?P=id)">'
        r"(?P<text>[^<]+)</title>",
        html,
    )
    assert title_match, "the map is an image with a title"
    summary = title_match.group("text")
    for progress in Progress:
        count = list(expected.values()).count(progress.value)
        assert f'data-legend="{progress.value}"' in html
        assert re.search(rf"{re.escape(progress.label.lower())} : {count}\b", summary), summary
    rows = dict(re.findall(r'data-territory="(\w+)" data-progress="(\w+)"', html))
    assert rows == expected, "the table says what the map shows"


def test_a_prefecture_sees_and_colours_only_its_territory(client, answers, login):
    login("prefecture93@demo.test")
    campaign = Campaign.objects.get(title="Bilan d'étape 2022")
    html = client.get(_tracker_url(campaign)).content.decode()
    rows = re.findall(r'<tr data-organisation="(\d+)" data-territory="(\w+)"', html)
    seine_saint_denis = Organisation.objects.get(kind="prefecture", territory__code="93")
    assert rows == [(str(seine_saint_denis.pk), "93")]
    assert list(_coloured_paths(html)) == ["93"]
    assert _figures(html)["attendues"] == 1
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    assert isere.name not in html


def test_rows_show_days_late_and_the_last_reminder(client, demo_accounts, login):
    login("dihal@demo.test")
    campaign = Campaign.objects.get(title="Bilan d'étape 2022")
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    CampaignReminder.objects.create(
        campaign=campaign, organisation=isere, sent_on=datetime.date(2022, 7, 12)
    )
    html = client.get(_tracker_url(campaign)).content.decode()
    row = re.search(rf'<tr data-organisation="{isere.pk}".*?</tr>', html, re.S).group(0)
    days_late = (selectors.today() - campaign.due_on).days
    assert f'data-days-late="{days_late}"' in row
    assert 'data-reminded-on="2022-07-12"' in row
    assert 'name="csrfmiddlewaretoken"' in html and "/relancer/" in html


def test_days_left_before_the_due_date(client, demo_accounts, login):
    login("dihal@demo.test")
    campaign = Campaign.objects.create(
        form=Form.objects.get(slug="bilan-d-etape"),
        title="Campagne à venir",
        opens_on=selectors.today(),
        due_on=selectors.today() + datetime.timedelta(days=10),
    )
    html = client.get(_tracker_url(campaign)).content.decode()
    assert html.count('data-days-left="10"') == 26
    assert "data-days-late" not in html
    assert _figures(html)["en_retard"] == 0
    assert "/relancer/" not in html, "nobody to remind before the due date"


@pytest.mark.parametrize("email", ["operateur38a@demo.test", "operateur93a@demo.test"])
def test_operators_are_refused_the_tracker(client, demo_accounts, login, email):
    login(email)
    campaign = Campaign.objects.get(title="Bilan d'étape 2022")
    assert client.get(_tracker_url(campaign)).status_code == 403
    assert client.get("/suivi/campagnes/").status_code == 403


def test_the_campaign_list_shows_progress_and_late_counts(client, answers, login):
    login("dihal@demo.test")
    html = client.get("/suivi/campagnes/").content.decode()
    for campaign in Campaign.objects.all():
        transmitted = Submission.objects.filter(campaign=campaign, status__in=TRANSMITTED).count()
        row = re.search(rf'<tr data-campaign="{campaign.pk}">.*?</tr>', html, re.S).group(0)
        assert f'data-late-count="{26 - transmitted}"' in row
        assert f'aria-label="{transmitted} transmise' in row


# --- Queries --------------------------------------------------------------------------


def _operators(count: int) -> list[Organisation]:
    """``count`` operators, at most 3 per territory (the demo's first)."""
    operators = list(Organisation.objects.filter(kind=OrganisationKind.OPERATEUR))
    for territory in Territory.objects.order_by("code"):
        for index in range(3 - territory.organisations.filter(kind="operateur").count()):
            operators.append(
                organisation_create(
                    name=f"Opérateur {territory.code}-{index}",
                    kind=OrganisationKind.OPERATEUR,
                    territory=territory,
                )
            )
    assert len(operators) >= count
    return operators[:count]


def _campaign_for(operators: list[Organisation], *, title: str) -> Campaign:
    """A past campaign expecting ``operators``: one in three has begun, half reminded."""
    campaign = Campaign.objects.create(
        form=Form.objects.get(slug="bilan-d-etape"),
        title=title,
        opens_on=datetime.date(2021, 6, 1),
        due_on=datetime.date(2021, 7, 7),
    )
    campaign.expected.set(operators)
    for index, organisation in enumerate(operators):
        if index % 3 == 0:
            submission_start(campaign=campaign, organisation=organisation, user=None)
        if index % 2 == 0:
            CampaignReminder.objects.create(
                campaign=campaign, organisation=organisation, sent_on=datetime.date(2021, 7, 9)
            )
    return campaign


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_tracker_queries_do_not_grow_with_the_respondents(client, demo_accounts, login):
    login("dihal@demo.test")
    operators = _operators(60)
    small = _campaign_for(operators[:5], title="Petite campagne")
    large = _campaign_for(operators, title="Grande campagne")

    few, many = _queries(client, _tracker_url(small)), _queries(client, _tracker_url(large))

    assert few == many, (few, many)
    html = client.get(_tracker_url(large)).content.decode()
    assert html.count("data-organisation=") == 60
    assert html.count('data-reminded-on="2021-07-09"') == 30
