"""The portal's pages under hostile input, through HTTP (Django's test client, signed in):
the seeded forms (autosave and check), the household forms (create, edit, contact, status)
and the list filters. Never a server error; either saved — and what was saved reads back,
normalised — or refused with a French message, what was saved before left as it was."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from wagtailstreamforms.models import Form

from forms_app.answering import NOT_ANSWERS, holds_an_answer
from forms_app.complete_body import INCOMPLETE_AUTOSAVE_MESSAGE
from forms_app.form_builder import input_items
from forms_app.models import Campaign, ContactAttempt, Household, Submission
from portal.models import Organisation
from portal.text import normalise_text, normalise_value
from tests.fuzz.strategies import dates, hostile, hostile_key, raw_bytes, values_for
from tests.signing import signed_in

# Server errors come back as 500 responses (counted), not as exceptions in the test.

OPERATOR = "operateur38a@demo.test"
PREFECTURE = "prefecture38@demo.test"
TODAY = timezone.localdate()
ENGLISH = re.compile(r"\b(This field|Enter a|Ensure this|Select a valid|is not one of)\b")
# A multipart field's name cannot carry these (the test client's encoding, as a browser's),
# and Django's parser strips the whitespace around a name.
MULTIPART_MANGLED = set('\r\n"')


def _name_survives_multipart(key: str) -> bool:
    return not set(key) & MULTIPART_MANGLED and key == key.strip()


HOUSEHOLD_FIELDS = ("nom", "prenom", "adresse_logement", "telephone", "email")
VALID_HOUSEHOLD = {
    "nom": "Vasseur",
    "prenom": "Odile",
    "adresse_logement": "12 rue des Alpes",
    "telephone": "06 12 34 56 78",
    "email": "",
    "source": "ccapex",
    "referred_on": (TODAY - datetime.timedelta(days=30)).isoformat(),
    "stage": "assignation",
    "known_to_social_services": "non",
    "_fin": "1",  # the forms' closing marker (a body cut short is refused)
}
END = {"_fin": "1"}


def _no_english(html: str) -> None:
    assert not ENGLISH.search(html), ENGLISH.search(html)


@pytest.fixture
def operator(demo_accounts):
    return signed_in(OPERATOR, raise_request_exception=False)


@pytest.fixture
def household(operator) -> Household:
    response = operator.post("/menages/nouveau/", VALID_HOUSEHOLD)
    assert response.status_code == 302
    return Household.objects.latest("pk")


# -- the seeded forms ------------------------------------------------------------------


def _campaign_answer(client, title: str) -> Submission:
    model = Campaign.objects.get(title=title)
    campaign = Campaign.objects.create(
        form=model.form, title=f"{title} (fuzz)", opens_on=model.opens_on, due_on="2099-01-01"
    )
    organisation = Organisation.objects.get(kind="prefecture", territory__code="38")
    client.post(f"/campagnes/{campaign.pk}/repondre/{organisation.pk}/")
    return Submission.objects.get(campaign=campaign, organisation=organisation)


def _household_document(client, household, slug: str) -> Submission:
    form = Form.objects.get(slug=slug)
    response = client.post(f"/menages/{household.pk}/documents/{form.pk}/")
    assert response.status_code == 302
    return Submission.objects.filter(household=household, form_version__form=form).latest("pk")


def _field_values(item: dict, prefix: str = ""):
    """(posted key, strategy of values) of one schema item (groups: two rows and counts)."""
    kind, value = item["type"], item["value"]
    key = f"{prefix}{value['key']}"
    choices = [c["value"] for c in value.get("choices") or []] + ["oui", "non"]
    if kind == "group":
        counts = st.one_of(st.sampled_from(["0", "1", "2", "1000000"]), hostile)
        pairs = [
            (f"{key}-TOTAL_FORMS", st.lists(counts, min_size=1, max_size=2)),
            (f"{key}-INITIAL_FORMS", st.lists(counts, min_size=1, max_size=1)),
        ]
        for row in range(2):
            for child in value["fields"]:
                pairs += _field_values(child, prefix=f"{key}-{row}-")
        return pairs
    if kind == "date":
        return [(key, st.lists(st.one_of(dates, hostile), min_size=1, max_size=2))]
    return [(key, st.lists(values_for(choices), min_size=1, max_size=2))]


def _posts(schema: list[dict]):
    """A POST of the form: some of its fields (repeated keys possible), unknown keys."""
    pairs = [
        pair
        for item in input_items(schema)
        if item["type"] != "file"
        for pair in _field_values(item)
    ]
    known = st.fixed_dictionaries({}, optional=dict(pairs))
    unknown = st.dictionaries(hostile_key, st.lists(hostile, min_size=1, max_size=2), max_size=3)
    return st.tuples(known, unknown).map(lambda both: {**both[1], **both[0]})


def _expected_draft(post: dict[str, list[str]]) -> dict[str, list[str]]:
    expected: dict[str, list[str]] = {}
    for key, values in post.items():
        key = normalise_text(key)
        if key and key not in NOT_ANSWERS:
            expected.setdefault(key, []).extend(normalise_text(v) for v in values)
    return expected


SEEDED = [
    ("campaign", "Lettre de préfiguration"),
    ("campaign", "Bilan d'étape 2021"),
    ("household", "diagnostic-social-et-financier"),
    ("household", "contrat-d-engagement"),
    ("household", "veille-sociale-post-intervention"),
]


@pytest.mark.parametrize(
    ("where", "which"), SEEDED, ids=["lettre", "bilan", "diagnostic", "contrat", "veille"]
)
def test_seeded_form(where, which, demo_accounts, fuzz_count):
    if where == "campaign":
        client = signed_in(PREFECTURE, raise_request_exception=False)
        submission = _campaign_answer(client, which)
    else:
        client = signed_in(OPERATOR, raise_request_exception=False)
        assert client.post("/menages/nouveau/", VALID_HOUSEHOLD).status_code == 302
        submission = _household_document(client, Household.objects.latest("pk"), which)
    schema = submission.form_version.schema

    @given(post=_posts(schema), stale=st.booleans(), check=st.booleans(), cut=st.booleans())
    def run(post, stale, check, cut):
        fuzz_count.example()
        submission.refresh_from_db()
        before = (submission.revision, submission.draft_input)
        revision = submission.revision - 1 if stale else submission.revision
        end = {} if cut else END  # a body cut before its closing marker
        if check:
            data = {**post, "action": ["review"], "revision": [str(revision)], **end}
            response = client.post(f"/reponses/{submission.pk}/modifier/", data)
        else:
            data = {**post, "revision": [str(revision)], **end}
            response = client.post(f"/reponses/{submission.pk}/brouillon/", data)
        fuzz_count.response(response)
        assert response.status_code < 500
        submission.refresh_from_db()
        if cut and "_fin" not in {normalise_text(key) for key in post}:
            assert response.status_code == 400
            assert (submission.revision, submission.draft_input) == before
            return
        expected = _expected_draft(post)
        if before[1] and not holds_an_answer(schema=schema, typed=expected):
            # A body with no answer of the form (the page's controls, row counts, unknown
            # keys) never replaces a draft: refused in French, whatever its revision.
            assert response.status_code == 400
            if not check:
                assert response.json()["error"] == INCOMPLETE_AUTOSAVE_MESSAGE
            assert (submission.revision, submission.draft_input) == before
            return
        if stale:
            assert response.status_code == 409
            assert (submission.revision, submission.draft_input) == before
            return
        assert response.status_code == 200, response.content[:300]
        stored = submission.draft_input
        assert normalise_value(stored) == stored
        for key, values in expected.items():
            if _name_survives_multipart(key):
                assert stored[key] == values, key
        if check:
            _no_english(response.content.decode())

    run()


# -- the household forms -----------------------------------------------------------------

household_posts = st.fixed_dictionaries(
    {},
    optional={
        "nom": st.one_of(st.just("Nom"), hostile),
        "prenom": hostile,
        "adresse_logement": hostile,
        "telephone": st.one_of(st.just("+262 692 12 34 56"), hostile),
        "email": st.one_of(st.just("a@b.fr"), hostile),
        "source": values_for(["ccapex", "autre"]),
        "referred_on": st.one_of(dates, hostile),
        "stage": values_for(["assignation", "cdp", "cql"]),
        "known_to_social_services": values_for(["oui", "non", ""]),
    },
)


def _filled(post: dict) -> dict:
    """Half the time the fuzzed fields over a valid case file, so that some are saved."""
    return {**VALID_HOUSEHOLD, **post}


def _stored(household: Household) -> dict:
    return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}


def _reads_back(household: Household, post: dict) -> None:
    for name in ("nom", "prenom", "adresse_logement"):
        assert getattr(household, name) == normalise_text(post[name]).strip()


def test_household_create(operator, fuzz_count):
    @given(post=household_posts, over_valid=st.booleans())
    def run(post, over_valid):
        fuzz_count.example()
        post = _filled(post) if over_valid else post
        count = Household.objects.count()
        response = operator.post("/menages/nouveau/", {**post, **END})
        fuzz_count.response(response)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            _reads_back(Household.objects.latest("pk"), post)
        else:
            assert Household.objects.count() == count
            assert response.context["form"].errors or not post  # an empty POST: a new form
            _no_english(str(response.context["form"].errors))

    run()


def test_household_edit(operator, household, fuzz_count):
    @given(post=household_posts, over_valid=st.booleans())
    def run(post, over_valid):
        fuzz_count.example()
        post = _filled(post) if over_valid else post
        household.refresh_from_db()
        before = _stored(household)
        response = operator.post(
            f"/menages/{household.pk}/modifier/",
            {**post, "revision": str(household.revision), **END},
        )
        fuzz_count.response(response)
        assert response.status_code in (200, 302)
        household.refresh_from_db()
        if response.status_code == 302:
            _reads_back(household, post)
        else:
            assert _stored(household) == before
            _no_english(str(response.context["form"].errors))

    run()


contact_posts = st.fixed_dictionaries(
    {},
    optional={
        "date": st.one_of(st.just(TODAY.isoformat()), dates, hostile),
        "mode": values_for(["telephone", "sms", "visite"]),
        "result": values_for(["echange", "refus", "message"]),
        "note": st.one_of(st.just("\tNote"), hostile),
    },
)


def test_household_contact(operator, household, fuzz_count):
    @given(post=contact_posts)
    def run(post):
        fuzz_count.example()
        count = ContactAttempt.objects.filter(household=household).count()
        response = operator.post(f"/menages/{household.pk}/contacts/", {**post, **END})
        fuzz_count.response(response)
        assert response.status_code in (302, 400)
        attempts = ContactAttempt.objects.filter(household=household)
        if response.status_code == 302:
            note = attempts.latest("pk").note
            assert note == normalise_text(post.get("note", "")).rstrip()
            assert note == "" or note.strip()
        else:
            assert attempts.count() == count
            _no_english(str(response.context["contact_form"].errors))

    run()


def test_household_status(operator, household, fuzz_count):
    from forms_app.models import HouseholdStatus

    @given(status=st.lists(values_for(list(HouseholdStatus.values)), max_size=2))
    def run(status):
        fuzz_count.example()
        household.refresh_from_db()
        before = household.status
        response = operator.post(
            f"/menages/{household.pk}/statut/",
            {"status": status, "revision": str(household.revision)},
        )
        fuzz_count.response(response)
        assert response.status_code == 302
        household.refresh_from_db()
        chosen = normalise_text(status[-1]) if status else None
        if chosen in HouseholdStatus.values:
            assert household.status == chosen
        else:
            assert household.status == before

    run()


# -- the list filters --------------------------------------------------------------------

# Each person's filtered pages and the keys each reads ("{campaign}": a followed campaign).
FILTERED_PAGES = {
    OPERATOR: {
        "/menages/": ["q", "stage", "status", "page"],
        "/menages/veilles/": ["page"],
        "/mon-espace/journal-des-acces/": ["personne", "territoire", "action", "du", "au", "page"],
    },
    PREFECTURE: {
        "/suivi/menages/": ["territoire", "statut", "page"],
        "/suivi/campagnes/{campaign}/": ["territoire", "statut", "tri"],
        "/suivi/campagnes/{campaign}/tableaux/": ["region", "departement", "niveau"],
    },
    "dihal@demo.test": {
        "/admin/journal-des-acces/": [
            "personne",
            "organisation",
            "territoire",
            "action",
            "du",
            "au",
            "page",
        ],
        "/suivi/menages/": ["territoire", "statut", "page"],
        "/suivi/campagnes/{campaign}/tableaux/": ["region", "departement", "niveau"],
    },
}
filter_values = st.one_of(
    # NUL, an encoded surrogate, overlong and invalid UTF-8, a decomposed accent
    st.sampled_from(["%00", "38%00", "%ED%A0%80", "%C0%80", "%FF", "e%CC%81", "38", "2021-01-01"]),
    raw_bytes,
    hostile.map(lambda text: "".join(f"%{b:02X}" for b in text[:300].encode())),
)


def query_strings(keys: list[str]):
    """A query string of the page's keys (repeated or not) and a few unknown ones."""
    return st.lists(
        st.tuples(
            st.one_of(st.sampled_from(keys), st.sampled_from(keys), raw_bytes), filter_values
        ),
        min_size=1,
        max_size=6,
    ).map(lambda pairs: "&".join(f"{key}={value}" for key, value in pairs))


@pytest.mark.parametrize("email", list(FILTERED_PAGES))
def test_list_filters(email, demo_data, fuzz_count):
    """One example: every filtered page of the person, each with its own query string."""
    client = signed_in(email, raise_request_exception=False)
    campaign = Campaign.objects.get(title="Bilan d'étape 2021")
    pages = FILTERED_PAGES[email]

    @given(
        queries=st.fixed_dictionaries({page: query_strings(keys) for page, keys in pages.items()})
    )
    def run(queries):
        fuzz_count.example()
        for page, query in queries.items():
            response = client.get(f"{page.format(campaign=campaign.pk)}?{query}")
            fuzz_count.response(response)
            assert response.status_code < 500, (page, query)

    run()
