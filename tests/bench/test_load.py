"""The load test's pieces that need no running portal: the paths it builds resolve to the
views it means, the forms it posts are the ones a browser sends, TOTP codes match allauth's,
only this machine is a target, and the locustfiles import (in a child process: locust patches
the standard library)."""

import json
import subprocess
import sys
from http.cookiejar import Cookie
from pathlib import Path

import pytest
from django.urls import resolve

from bench.load import pages
from bench.load.portal_client import (
    LoopbackCookieJar,
    PortalError,
    loopback_only,
    totp_code,
)
from demo.accounts import DEMO_ACCOUNTS, demo_totp_code

ROOT = Path(__file__).resolve().parents[2]

FILL_PAGE = """
<form method="post" action="/accounts/logout/"><input name="csrfmiddlewaretoken" value="x"></form>
<form method="post" enctype="multipart/form-data" novalidate id="formulaire-reponse"
      data-autosave-url="/reponses/59/brouillon/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="revision" value="4" data-revision>
  <input type="text" name="annee" value="2022">
  <input type="radio" name="type" value="adil"><input type="radio" name="type" value="asso" checked>
  <input type="checkbox" name="public" value="jeunes" checked>
  <input type="checkbox" name="public" value="seniors">
  <input type="file" name="piece">
  <select name="region"><option value="">Choisir</option>
    <option value="ara" selected>ARA</option></select>
  <select name="mode"><option value="">Choisir</option><option value="sms">SMS</option></select>
  <textarea name="commentaire">
Première ligne</textarea>
  <button type="submit" name="action" value="review">Vérifier et transmettre</button>
  <input type="hidden" name="_fin" value="1">
</form>
"""


@pytest.mark.parametrize(
    ("path", "view_name"),
    [
        (pages.word_path("/reponses/7/"), "documents:submission_word"),
        (pages.contact_path("/menages/3/"), "forms_app:household_contact_add"),
        (pages.tracker_path(2), "forms_app:campaign_answers"),
        (pages.consolidation_path(2), "documents:consolidation"),
        (pages.autosave_path(FILL_PAGE), "forms_app:answer_autosave"),
        ("/_charge/base/", "home:load_test_base"),
    ],
)
def test_the_paths_built_resolve_to_the_views_meant(path, view_name):
    assert resolve(path).view_name == view_name


def test_links_are_read_once_each_in_page_order():
    html = (
        '<a href="/reponses/9/modifier/"></a><a href="/reponses/3/"></a>'
        '<a href="/reponses/9/modifier/"></a>'
    )
    assert pages.draft_paths(html) == ["/reponses/9/modifier/"]
    assert pages.answer_paths(html) == ["/reponses/3/"]
    assert pages.campaign_pks(
        '<a href="/suivi/campagnes/4/"></a><a href="/suivi/campagnes/4/tableaux/">'
    ) == [4]


def test_autosave_posts_the_fill_form_as_the_script_does():
    fields = pages.autosave_fields(FILL_PAGE)
    assert fields == [
        ("csrfmiddlewaretoken", "tok"),
        ("revision", "4"),
        ("annee", "2022"),
        ("type", "asso"),
        ("public", "jeunes"),
        ("region", "ara"),
        ("mode", ""),
        ("commentaire", "Première ligne"),
        ("_fin", "1"),
    ]
    assert pages.with_revision(fields, 5)[1] == ("revision", "5")
    assert pages.revision(FILL_PAGE) == 4


def test_the_contact_attempt_fills_mode_result_and_note_and_ends_with_the_marker():
    html = """<form method="post" action="/menages/1/contacts/#contacts">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input type="hidden" name="creation_token" value="u">
      <input type="date" name="date" value="2026-12-04">
      <select name="mode"><option value="" selected></option>
        <option value="telephone"></option></select>
      <select name="result"><option value="" selected></option>
        <option value="sans_reponse"></option></select>
      <textarea name="note"></textarea><input type="hidden" name="_fin" value="1"></form>"""
    fields = dict(pages.contact_fields(html, note="n"))
    assert fields == {
        "csrfmiddlewaretoken": "t",
        "creation_token": "u",
        "date": "2026-12-04",
        "mode": "telephone",
        "result": "sans_reponse",
        "note": "n",
        "_fin": "1",
    }
    assert pages.contact_fields(html, note="n")[-1] == ("_fin", "1")


def test_the_transmission_is_confirmed_only_when_the_review_page_offers_it():
    review = """<form method="post" action="/reponses/5/modifier/">
      <input name="csrfmiddlewaretoken" value="t">
      <input type="hidden" name="revision" value="7">
      <button type="submit" name="action" value="submit">Confirmer</button></form>"""
    assert pages.submit_fields(review, edit_path="/reponses/5/modifier/") == [
        ("csrfmiddlewaretoken", "t"),
        ("revision", "7"),
        ("action", "submit"),
        ("_fin", "1"),
    ]
    assert pages.submit_fields(FILL_PAGE, edit_path="/reponses/59/modifier/") is None


def test_totp_codes_are_the_ones_allauth_accepts():
    secret = DEMO_ACCOUNTS[0].totp_secret
    moment = 1_800_000_000
    assert totp_code(secret, moment // 30) == demo_totp_code(secret, at=moment)
    assert totp_code(secret, moment // 30 + 1) == demo_totp_code(secret, at=moment + 30)


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1:8050", "http://example.org", "http://10.0.0.1:8050", ""]
)
def test_only_this_machine_over_http_is_a_target(url):
    with pytest.raises(PortalError):
        loopback_only(url)


def test_loopback_targets_are_accepted():
    assert loopback_only("http://127.0.0.1:8050/") == "http://127.0.0.1:8050"
    assert loopback_only("http://localhost:8050") == "http://localhost:8050"


def secure_cookie(domain: str) -> Cookie:
    return Cookie(0, "sessionid", "v", None, False, domain, False, False, "/", True, True,
                  None, False, None, None, {})  # fmt: skip


def test_secure_cookies_of_this_machine_are_sent_over_http_and_no_others():
    jar = LoopbackCookieJar()
    jar.set_cookie(secure_cookie("127.0.0.1"))
    jar.set_cookie(secure_cookie("example.org"))
    assert {cookie.domain: cookie.secure for cookie in jar} == {
        "127.0.0.1": False,
        "example.org": True,
    }


def test_the_locustfiles_import_with_their_users_and_shape():
    probe = (
        "import locust, json\n"
        "from bench.load import locustfile, locustfile_capacity as capacity\n"
        "users = [locustfile.PrefectureUser, locustfile.OperatorUser, locustfile.DihalUser]\n"
        "print(json.dumps({"
        "'tasks': {u.__name__: sorted({t.__name__ for t in u.tasks}) for u in users},"
        "'phases': [[p[0], [u.__name__ for u in p[1]]] for p in capacity.PHASES],"
        "'shape': issubclass(capacity.CapacityShape, locust.LoadTestShape)}))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a probe written above
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["tasks"]["PrefectureUser"] == [
        "draft_autosave", "my_space", "sign_out_and_in", "transmit", "word_document"
    ]  # fmt: skip
    assert found["tasks"]["OperatorUser"] == [
        "contact_attempt", "household_list", "household_page", "sign_out_and_in"
    ]  # fmt: skip
    assert found["tasks"]["DihalUser"] == [
        "campaigns", "consolidation", "sign_out_and_in", "tracker"
    ]  # fmt: skip
    assert found["phases"] == [
        ["portail", ["PrefectureUser", "OperatorUser", "DihalUser"]],
        ["page nue", ["BareUser"]],
    ]
    assert found["shape"] is True
