"""The home page and every guidance page, rendered in the DSFR look with the full content."""

import re
from html import unescape
from pathlib import Path

import pytest

from home.models import GuidancePage, HomePage

CADRAGE = Path(__file__).resolve().parents[3] / "shared" / "cadrage" / "document-de-cadrage.md"
SLUGS = [
    "contexte-et-objectifs",
    "objet-et-modes-d-action",
    "composition-et-territoires",
    "indicateurs",
    "criteres-selection-operateurs",
    "deploiement-suivi-pilotage",
    "annexe-1-territoires",
    "annexe-2-lettre-de-prefiguration",
]


def _text(html: str) -> str:
    html = re.sub(r"</?(?:b|i|a|strong|em|span)\b[^>]*>", "", html)  # inline: no space
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip()


def _dsfr_frame(html: str) -> None:
    assert 'class="fr-header"' in html
    assert "République<br>française" in html
    assert (
        "Délégation interministérielle à l&#x27;hébergement et à l&#x27;accès au logement" in html
        or ("Délégation interministérielle à l'hébergement et à l'accès au logement" in html)
    )
    assert 'class="fr-footer"' in html
    assert 'class="fr-skiplinks"' in html
    assert 'id="navigation-principale"' in html
    assert '<html lang="fr"' in html


def test_the_page_tree(portal_content):
    home = HomePage.objects.get()
    assert home.live and home.get_parent().is_root()
    assert list(GuidancePage.objects.child_of(home).values_list("slug", flat=True)) == SLUGS


@pytest.mark.parametrize("path", ["/"] + [f"/{slug}/" for slug in SLUGS])
def test_each_page_renders_in_the_dsfr_look(client, portal_content, path):
    response = client.get(path)
    assert response.status_code == 200
    _dsfr_frame(response.content.decode())


def test_main_navigation_lists_the_sections_and_territories(client, portal_content):
    html = client.get("/").content.decode()
    nav = html[
        html.index('id="navigation-principale"') : html.index(
            "</nav>", html.index('id="navigation-principale"')
        )
    ]
    assert ">Accueil<" in nav and ">Territoires<" in nav
    assert sum(f'href="/{slug}/"' in nav for slug in SLUGS) == 8
    assert "Mon espace" not in nav


def test_mon_espace_appears_when_signed_in(client, login):
    login("operateur93a@demo.test")
    assert 'href="/mon-espace/"' in client.get("/").content.decode()


def test_annexe_1_is_a_table_of_26_rows(client, portal_content):
    html = client.get("/annexe-1-territoires/").content.decode()
    assert html.count('<tr data-code="') == 26
    text = _text(html)
    assert "Total : 26 territoires 99 3 883 200 €" in text


def test_annexe_2_has_the_six_questions(client, portal_content):
    html = client.get("/annexe-2-lettre-de-prefiguration/").content.decode()
    ordered = re.search(r"<ol>(.*?)</ol>", html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", ordered, re.S)
    assert len(items) == 6
    assert unescape(items[1]).strip() == "Combien d'opérateurs envisagez-vous, et pourquoi ?"


def _source_sentences() -> list[str]:
    """Every paragraph and list item of the framing document, outside the annexe-1 table."""
    text = CADRAGE.read_text(encoding="utf-8")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = text.split("Note: the source prints")[0] + text.split("## Annexe 2", 1)[1]
    sentences = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "|", "---")):
            continue
        line = re.sub(r"^(?:- |\d+\. )", "", line)
        line = re.sub(r"\*+", "", line).strip()
        sentences.extend(s.strip() for s in re.split(r"(?<=[.;:?!])\s+(?=[A-ZÀ-Ý«(])", line))
    return [s for s in sentences if len(s) > 3]


@pytest.mark.skipif(not CADRAGE.exists(), reason="../shared/cadrage is beside the checkout in CI")
def test_the_framing_document_is_published_word_for_word(client, portal_content):
    published = " ".join(
        _text(client.get(path).content.decode()) for path in ["/"] + [f"/{s}/" for s in SLUGS]
    )
    sentences = _source_sentences()
    assert len(sentences) > 70
    missing = [s for s in sentences if _text(s) not in published]
    assert missing == []
