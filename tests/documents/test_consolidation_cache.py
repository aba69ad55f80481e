"""The consolidated tables' page keeps its parts computed from the filed answers between
requests (documents.consolidation.page_cache): a transmitted, returned or accepted answer
shows at once; two people of different scope never share an entry; the answers' status is
never kept."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from documents.consolidation.display import sort_from
from documents.consolidation.page_cache import tables_key
from documents.consolidation.selectors import consolidation_scope
from forms_app.models import Campaign, Submission, SubmissionStatus
from portal.models import User
from tests.factories import filled_input, seeded_answer, submission_file
from tests.signing import signed_in

BILAN_2021 = "Bilan d'étape 2021"
DIHAL = "dihal@demo.test"


def _page(client: Client, campaign: Campaign) -> BeautifulSoup:
    response = client.get(reverse("documents:consolidation", kwargs={"pk": campaign.pk}))
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _filed(page: BeautifulSoup) -> int:
    """The count of filed answers the scope's line gives (« … · 2 réponses transmises »)."""
    return int(re.search(r"· (\d+) réponse", page.select_one("[data-scope]").get_text())[1])


def _territory_rows(page: BeautifulSoup) -> list[str]:
    table = page.select_one('table[data-table="par-territoire"]')
    return [] if table is None else [tr["data-row"] for tr in table.select("tbody tr[data-row]")]


def _status(page: BeautifulSoup) -> dict[str, int]:
    table = page.select_one('table[data-table="etat-des-reponses"]')
    return {
        tr["data-row"]: int(tr.select_one('[data-key="nombre"]').get_text(strip=True))
        for tr in table.select("tbody tr[data-row]")
    }


def _key(email: str, campaign: Campaign, params: dict | None = None) -> str:
    user = User.objects.get(email=email)
    scope = consolidation_scope(user=user, params=params or {})
    return tables_key(campaign=campaign, user=user, scope=scope, sort=sort_from(params or {}))


def test_transmitted_returned_and_accepted_answers_show_at_once(demo_accounts):
    seeded_answer(BILAN_2021, "93")
    draft = seeded_answer(BILAN_2021, "38", status=SubmissionStatus.DRAFT)
    campaign = Campaign.objects.get(title=BILAN_2021)
    dihal = signed_in(DIHAL)
    assert _filed(_page(dihal, campaign)) == 1
    kept = _key(DIHAL, campaign)
    assert cache.get(kept) is not None  # the page is served from it from now on
    assert _filed(_page(dihal, campaign)) == 1

    submission_file(draft, filled_input(draft.form_version.schema), user=None)  # transmitted
    page = _page(dihal, campaign)
    assert _filed(page) == 2 and "38" in _territory_rows(page)
    assert _key(DIHAL, campaign) != kept

    returned = Submission.objects.get(campaign=campaign, territory__code="93")
    response = dihal.post(
        reverse("forms_app:answer_return", args=[returned.pk]),
        {"comment": "Le nombre de jours manque.", "revision": returned.revision},
    )
    assert response.status_code == 302
    assert _filed(_page(dihal, campaign)) == 1

    before_accepting = _key(DIHAL, campaign)
    draft.refresh_from_db()
    response = dihal.post(
        reverse("forms_app:answer_accept", args=[draft.pk]), {"revision": draft.revision}
    )
    assert response.status_code == 302
    assert Submission.objects.get(pk=draft.pk).status == SubmissionStatus.ACCEPTED
    assert _key(DIHAL, campaign) != before_accepting
    assert _filed(_page(dihal, campaign)) == 1


def test_people_of_different_scope_never_share_an_entry(demo_accounts):
    seeded_answer(BILAN_2021, "38")
    seeded_answer(BILAN_2021, "93")
    campaign = Campaign.objects.get(title=BILAN_2021)
    national = _territory_rows(_page(signed_in(DIHAL), campaign))
    assert {"38", "93"} < set(national)  # every territory, cached first

    for email, code in (("prefecture38@demo.test", "38"), ("prefecture93@demo.test", "93")):
        page = _page(signed_in(email), campaign)
        assert _territory_rows(page) == [code], email
        assert _filed(page) == 1, email
    keys = {
        _key(DIHAL, campaign),
        _key(DIHAL, campaign, {"departement": "38"}),
        _key("prefecture38@demo.test", campaign),
        _key("prefecture93@demo.test", campaign),
    }
    assert len(keys) == 4


def test_the_answers_status_is_never_kept(demo_accounts):
    seeded_answer(BILAN_2021, "93")
    campaign = Campaign.objects.get(title=BILAN_2021)
    prefecture = signed_in("prefecture38@demo.test")
    assert _status(_page(prefecture, campaign))["en_cours"] == 0

    seeded_answer(BILAN_2021, "38", status=SubmissionStatus.DRAFT)  # a draft: no filed change

    assert _status(_page(prefecture, campaign))["en_cours"] == 1
