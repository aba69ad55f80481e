"""Names and personal fields of operateur38a's households reach no one else: not the other
operator of Isère, not the prefectures, not DIHAL, on any page or in any file they can ask
for. The same pages show them to operateur38a (so the search can find them)."""

import pytest
from django.test import Client
from django.utils.html import escape

from forms_app.models import Campaign, Household, Submission, SubmissionFile
from portal.models import Organisation
from tests.signing import signed_in

OWNER = "operateur38a@demo.test"
OTHERS = (
    "operateur38b@demo.test",
    "prefecture38@demo.test",
    "prefecture93@demo.test",
    "dihal@demo.test",
)


def _client(email: str) -> Client:
    return signed_in(email)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture
def owned(demo_households_once, db):
    operator = Organisation.objects.get(memberships__user__email=OWNER)
    households = list(Household.objects.filter(operator=operator))
    assert len(households) >= 40
    secrets = set()
    for household in households:
        secrets |= {household.nom, household.telephone, household.email, household.adresse_logement}
    secrets.discard("")
    documents = list(Submission.objects.filter(household__in=households))
    assert documents, "the demo households have documents"
    return {"households": households, "secrets": secrets, "documents": documents}


def _urls(owned) -> list[str]:
    urls = [
        "/",
        "/mon-espace/",
        "/menages/",
        "/menages/?q=a",
        "/menages/veilles/",
        "/suivi/menages/",
        "/suivi/menages/?territoire=38",
        "/suivi/campagnes/",
    ]
    urls += [f"/suivi/campagnes/{campaign.pk}/" for campaign in Campaign.objects.all()]
    urls += [
        f"/reponses/{submission.pk}/modifier/"
        for submission in Submission.objects.filter(campaign__isnull=False, territory__code="38")
    ]
    for household in owned["households"]:
        urls += [f"/menages/{household.pk}/", f"/menages/{household.pk}/modifier/"]
    for document in owned["documents"]:
        urls += [f"/reponses/{document.pk}/", f"/reponses/{document.pk}/modifier/"]
    for stored in SubmissionFile.objects.filter(submission__in=owned["documents"]):
        urls.append(f"/reponses/{stored.submission_id}/fichiers/{stored.pk}/")
    return urls


def _leaks(body: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in body or escape(s) in body)


@pytest.mark.parametrize("email", OTHERS)
def test_no_one_else_sees_the_names_of_an_operator_households(owned, email):
    client = _client(email)
    leaks = {}
    for url in _urls(owned):
        response = client.get(url)
        if url.startswith(("/menages/", "/reponses/")) and any(
            url.startswith(f"/menages/{h.pk}/") for h in owned["households"]
        ):
            assert response.status_code == 404, (email, url, response.status_code)
        found = _leaks(_body(response), owned["secrets"])
        if found:
            leaks[url] = found[:3]
    assert not leaks, f"{email} reads {len(leaks)} pages with personal data: {leaks}"


@pytest.mark.parametrize("email", OTHERS)
def test_no_one_else_opens_an_operator_household_documents(owned, email):
    client = _client(email)
    for document in owned["documents"]:
        for url in (f"/reponses/{document.pk}/", f"/reponses/{document.pk}/modifier/"):
            assert client.get(url).status_code == 404, (email, url)


def test_the_following_operator_does_see_them(owned):
    """The control: the same search finds the names on the operator's own pages."""
    client = _client(OWNER)
    body = _body(client.get("/menages/"))
    first_page = [h.nom for h in owned["households"] if h.nom in body]
    assert len(first_page) >= 40
    detail = _body(client.get(f"/menages/{owned['households'][0].pk}/"))
    assert owned["households"][0].telephone in detail


def test_the_overview_shows_references_and_counts_only(owned):
    client = _client("prefecture38@demo.test")
    response = client.get("/suivi/menages/?territoire=38")
    body = _body(response)
    references = [h.reference for h in owned["households"]]
    assert sum(reference in body for reference in references) == len(references)
    (isere,) = [row for row in response.context["territories"] if row.code == "38"]
    assert isere.total == Household.objects.filter(territory__code="38").count()
    # The picture: one bar per territory, one segment per status present, widths adding up.
    bar = body[
        body.index('data-territory="38"') : body.index("</svg>", body.index('data-territory="38"'))
    ]
    statuses = Household.objects.filter(territory__code="38").values_list("status", flat=True)
    assert bar.count("<rect") == len(set(statuses))
    assert round(sum(segment.width for segment in isere.segments)) == 100
    assert set(response.context["page"].object_list[0]) == {
        "reference",
        "territory__code",
        "operator__name",
        "source",
        "referred_on",
        "stage",
        "known_to_social_services",
        "status",
        "last_exchange_on",
        "veille_due_on",
    }
