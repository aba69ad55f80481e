"""Uploaded templates: hostile packages and hostile Jinja are refused, or fail in the sandbox,
with no side effect and within the time limit; good templates pass with a preview
(security.md #4–7)."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from jinja2.exceptions import SecurityError

from documents.rendering.context import META_KEYS, answers_context
from documents.rendering.isolation import render_docx
from documents.rendering.sandbox import DEFAULT_LIMITS, RenderLimitExceeded, RenderLimits
from documents.rendering.template_checks import check as checks
from documents.rendering.template_checks import rules, sample
from documents.rendering.template_checks.check import template_check
from documents.rendering.template_checks.package import package_problems
from documents.rendering.template_checks.sample import sample_data
from tests.documents.builders import (
    all_text,
    docx_bytes,
    docx_with_body,
    docx_with_external_image,
    docx_with_field,
    docx_with_footnote,
    docx_with_hyperlink,
    docx_with_macro,
    docx_with_split_field,
    docx_with_svg,
    paragraphs_text,
    relationship,
    zip_patched,
    zip_with_lying_size,
)

MB = 1024 * 1024
TIME_BOUND = 15.0  # seconds: far above every limit, so no test depends on the machine's speed

SCHEMA = [
    {"type": "section", "value": {"label": "Identité"}},
    {"type": "short_text", "value": {"key": "nom", "label": "Nom"}},
    {"type": "long_text", "value": {"key": "situation", "label": "Situation"}},
    {"type": "integer", "value": {"key": "nb_personnes", "label": "Personnes", "max_value": 3}},
    {"type": "decimal", "value": {"key": "taux", "label": "Taux"}},
    {"type": "money", "value": {"key": "dette", "label": "Dette"}},
    {"type": "percent", "value": {"key": "part", "label": "Part"}},
    {"type": "date", "value": {"key": "date_audience", "label": "Audience"}},
    {"type": "yes_no", "value": {"key": "accompagne", "label": "Accompagné"}},
    {
        "type": "choice",
        "value": {
            "key": "stade_procedure",
            "label": "Stade",
            "choices": [
                {"value": "assignation", "label": "Assignation"},
                {"value": "cfp", "label": "Concours de la force publique"},
            ],
        },
    },
    {
        "type": "multi_choice",
        "value": {
            "key": "aides",
            "label": "Aides",
            "choices": [{"value": "fsl", "label": "Fonds de solidarité logement"}],
        },
    },
    {"type": "email", "value": {"key": "courriel", "label": "Courriel"}},
    {"type": "phone", "value": {"key": "telephone", "label": "Téléphone"}},
    {"type": "file", "value": {"key": "piece", "label": "Pièce"}},
    {
        "type": "group",
        "value": {
            "key": "operateurs",
            "label": "Opérateurs",
            "fields": [
                {"type": "short_text", "value": {"key": "nom_operateur", "label": "Nom"}},
                {"type": "money", "value": {"key": "montant", "label": "Montant"}},
            ],
        },
    },
]
FULL_TEMPLATE = docx_bytes(
    "Nom : {{ nom }}",
    "Situation : {{ situation }}",
    "{{ nb_personnes }} personnes, taux {{ taux }}, dette {{ dette }}, part {{ part }}",
    "Audience le {{ date_audience }} ; accompagné : {{ accompagne }}",
    "Stade : {{ stade_procedure }} ; aides : {{ aides }}",
    "Contact : {{ courriel }} {{ telephone }} ; pièce : {{ piece }}",
    "{% for ligne in operateurs %}{{ ligne.nom_operateur }} = {{ ligne.montant }} ; {% endfor %}",
    header="{{ formulaire }} — {{ territoire }}",
    footer="Édité le {{ date_document }}",
    title="{{ formulaire }}",
)


@pytest.fixture
def marker(tmp_path):
    """A file hostile templates try to create; it must never exist."""
    path = tmp_path / "pwned"
    yield path
    assert not path.exists()


@pytest.fixture
def short_limits(monkeypatch):
    """Lower bounds for templates that run until stopped, to keep the suite quick."""
    monkeypatch.setattr(checks, "PREVIEW_SECONDS", 1.0)
    monkeypatch.setattr(checks, "ANALYSIS_SECONDS", 4.0)


def timed_check(data: bytes, **kwargs) -> tuple[checks.TemplateCheck, float]:
    started = time.monotonic()
    check = template_check(data=data, schema=SCHEMA, **kwargs)
    return check, time.monotonic() - started


def assert_portal_still_renders() -> None:
    document = render_docx(template=docx_bytes("Bonjour {{ nom }}"), context={"nom": "Ada"})
    assert paragraphs_text(document) == ["Bonjour Ada"]


def assert_refused(check: checks.TemplateCheck) -> None:
    assert not check.ok
    assert check.preview is None
    assert all(isinstance(error, str) and error for error in check.errors)


# --- Packages ---------------------------------------------------------------------


def _bomb() -> bytes:
    return zip_patched(docx_bytes("Bonjour"), add={"word/media/image1.png": bytes(60 * MB)})


def _lying_bomb() -> bytes:
    return zip_with_lying_size(_bomb(), name="word/media/image1.png", announced=100)


def _many_entries() -> bytes:
    tiny = {f"word/media/image{number}.png": b"x" for number in range(1_001)}
    return zip_patched(docx_bytes("Bonjour"), add=tiny)


HOSTILE_PACKAGES = {
    "not a zip": (lambda: b"%PDF-1.4 not a Word document", None),
    "no word/document.xml": (
        lambda: docx_bytes("x").replace(b"word/document.xml", b"word/documenX.xml"),
        None,
    ),
    "macro": (docx_with_macro, "vbaProject.bin"),
    "macro-enabled content type only": (
        lambda: zip_patched(
            docx_bytes("x"),
            edit={
                "[Content_Types].xml": lambda xml: xml.replace(
                    b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
                )
            },
        ),
        None,
    ),
    "embedded OLE object": (
        lambda: zip_patched(docx_bytes("x"), add={"word/embeddings/oleObject1.bin": b"\0" * 64}),
        "oleObject1.bin",
    ),
    "ActiveX control": (
        lambda: zip_patched(docx_bytes("x"), add={"word/activeX/activeX1.xml": b"<ax/>"}),
        "activeX1.xml",
    ),
    "image linked by URL": (
        lambda: docx_with_external_image("https://tracker.example/pixel.png"),
        "https://tracker.example/pixel.png",
    ),
    "hyperlink to an external URL": (
        lambda: docx_with_hyperlink("https://phishing.example/login"),
        "https://phishing.example/login",
    ),
    "DDE field": (lambda: docx_with_field('DDEAUTO c:\\windows\\cmd.exe "/k calc"'), "DDEAUTO"),
    "INCLUDEPICTURE field": (
        lambda: docx_with_field('INCLUDEPICTURE "http://x.example/a.png"'),
        "INCLUDEPICTURE",
    ),
    "INCLUDEPICTURE split across runs": (
        lambda: docx_with_split_field("INCLUDEPICT", 'URE "http://x.example/a.png"'),
        "INCLUDEPICTURE",
    ),
    "DDEAUTO split across three runs": (
        lambda: docx_with_split_field("DD", "EAU", 'TO c:\\windows\\cmd.exe "/k calc"'),
        "DDEAUTO",
    ),
    "external HYPERLINK field split across runs": (
        lambda: docx_with_split_field("HYPER", 'LINK "https://phishing.example"'),
        "lien hypertexte",
    ),
    "zip bomb: 60 MB of zeros": (_bomb, "image1.png"),
    "zip bomb: sizes lie in the headers": (_lying_bomb, "image1.png"),
    "1 001 tiny entries": (_many_entries, str(rules.MAX_ENTRIES)),
    "path going up with ..": (
        lambda: zip_patched(docx_bytes("x"), add={"word/../../evil.sh": b"#!/bin/sh"}),
        "word/../../evil.sh",
    ),
    "absolute path": (
        lambda: zip_patched(docx_bytes("x"), add={"/etc/cron.d/evil": b"* * * * *"}),
        "/etc/cron.d/evil",
    ),
    "unknown part": (
        lambda: zip_patched(docx_bytes("x"), add={"word/afchunk.mht": b"MIME-Version: 1.0"}),
        "afchunk.mht",
    ),
    "DOCTYPE with entities": (
        lambda: zip_patched(
            docx_bytes("x"),
            edit={
                "word/styles.xml": lambda xml: xml.replace(
                    b"?>",
                    b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                    1,
                )
            },
        ),
        "styles.xml",
    ),
    ".dotx saved as a template": (
        lambda: zip_patched(
            docx_bytes("x"),
            edit={
                "[Content_Types].xml": lambda xml: xml.replace(
                    b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                )
            },
        ),
        None,
    ),
}


SVG_HEAD = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
CLEAN_SVG = (
    SVG_HEAD + b'<defs><linearGradient id="g"/></defs><circle r="4" fill="url(#g)"/>'
    b'<use xlink:href="#g"/><image href="data:image/png;base64,iVBORw0KGgo="/></svg>'
)
VML_PICTURE = "<w:r><w:pict><v:shape><v:imagedata {}/></v:shape></w:pict></w:r>"


def _field_in(container: str, instruction: str) -> bytes:
    simple = f'<w:fldSimple w:instr="{instruction}"><w:r><w:t>x</w:t></w:r></w:fldSimple>'
    return docx_with_body(container.format(simple))


def _nested_field(before: str, after: str) -> bytes:
    run = "<w:r>{}</w:r>"
    begin, end = '<w:fldChar w:fldCharType="begin"/>', '<w:fldChar w:fldCharType="end"/>'
    text = '<w:instrText xml:space="preserve">{}</w:instrText>'
    return docx_with_body(
        "".join(
            run.format(piece)
            for piece in (begin, text.format(before), begin, text.format(" QUOTE "), end)
            + (text.format(after), end)
        )
    )


HOSTILE_PACKAGES.update(
    {
        # Fields
        "fldSimple INCLUDETEXT inside a hyperlink": (
            lambda: _field_in('<w:hyperlink w:anchor="a">{}</w:hyperlink>', "INCLUDETEXT c:\\x"),
            "INCLUDETEXT",
        ),
        "fldSimple DDEAUTO inside a smartTag": (
            lambda: _field_in('<w:smartTag w:element="x">{}</w:smartTag>', "DDEAUTO cmd"),
            "DDEAUTO",
        ),
        "DATABASE field": (lambda: docx_with_field("DATABASE \\c x \\s y"), "DATABASE"),
        "INCLUDEPICT + empty nested field + URE": (
            lambda: _nested_field("INCLUDEPICT", 'URE "http://x.example/a.png"'),
            "produit par un autre champ",
        ),
        "field keyword produced by a nested field": (
            lambda: _nested_field(" ", ' "http://x.example/a.png"'),
            "produit par un autre champ",
        ),
        # altChunk
        "altChunk element and part": (
            lambda: docx_with_body(
                '<w:altChunk r:id="rIdX"/>',
                add={"word/afchunk1.xml": b"<html/>"},
                relationships=relationship("aFChunk", "afchunk1.xml"),
            ),
            "altChunk",
        ),
        "aFChunk relationship alone": (
            lambda: docx_with_body(
                "",
                add={"word/chunk.xml": b"<x/>"},
                relationships=relationship("aFChunk", "chunk.xml"),
            ),
            "altChunk",
        ),
        # OLE objects and ActiveX
        "w:object with o:OLEObject": (
            lambda: docx_with_body(
                '<w:r><w:object><o:OLEObject ProgID="Package"/></w:object></w:r>'
            ),
            "OLEObject",
        ),
        "oleObject relationship to a .png name": (
            lambda: docx_with_body(
                "",
                add={"word/media/image7.png": b"\xd0\xcf\x11\xe0"},
                relationships=relationship("oleObject", "media/image7.png"),
            ),
            "oleObject",
        ),
        "word/embeddings/ part with an image extension": (
            lambda: zip_patched(docx_bytes("x"), add={"word/embeddings/object1.png": b"x"}),
            "object1.png",
        ),
        "ActiveX part in capitals": (
            lambda: zip_patched(docx_bytes("x"), add={"WORD/ACTIVEX/activeX1.xml": b"<ax/>"}),
            "ActiveX",
        ),
        "w:control element": (
            lambda: docx_with_body('<w:r><w:control r:id="rId1" w:name="c"/></w:r>'),
            "control",
        ),
        # SVG
        "SVG with a script": (
            lambda: docx_with_svg(SVG_HEAD + b"<script>alert(1)</script></svg>"),
            "un script",
        ),
        "SVG with onload": (
            lambda: docx_with_svg(SVG_HEAD + b'<rect onload="alert(1)"/></svg>'),
            "onload",
        ),
        "SVG with an external image": (
            lambda: docx_with_svg(
                SVG_HEAD + b'<image xlink:href="https://t.example/p.png"/></svg>'
            ),
            "https://t.example/p.png",
        ),
        "SVG with a DOCTYPE and an entity": (
            lambda: docx_with_svg(
                b'<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                + SVG_HEAD
                + b"<text>&e;</text></svg>"
            ),
            "DOCTYPE",
        ),
        "SVG with foreignObject": (
            lambda: docx_with_svg(SVG_HEAD + b"<foreignObject><p>x</p></foreignObject></svg>"),
            "foreignObject",
        ),
        "SVG with <use> pointing outside": (
            lambda: docx_with_svg(SVG_HEAD + b'<use href="https://t.example/s.svg#a"/></svg>'),
            "https://t.example/s.svg#a",
        ),
        "SVG with a CSS @import": (
            lambda: docx_with_svg(
                SVG_HEAD + b"<style>@import url(https://t.example/c.css);</style></svg>"
            ),
            "feuille de style",
        ),
        "SVG declared by content type under a .png name": (
            lambda: docx_with_body(
                "",
                add={"word/media/image8.png": SVG_HEAD + b"<script>x</script></svg>"},
                types='<Override PartName="/word/media/image8.png" ContentType="image/svg+xml"/>',
            ),
            "un script",
        ),
        # VML
        "VML imagedata src by URL": (
            lambda: docx_with_body(VML_PICTURE.format('src="https://t.example/p.png"')),
            "https://t.example/p.png",
        ),
        "VML imagedata o:href to a UNC path": (
            lambda: docx_with_body(VML_PICTURE.format('o:href="\\\\evil\\share\\p.png"')),
            "\\\\evil\\share",
        ),
        "VML fill r:id naming no relationship": (
            lambda: docx_with_body(
                '<w:r><w:pict><v:rect><v:fill r:id="rIdNone"/></v:rect></w:pict></w:r>'
            ),
            "rIdNone",
        ),
        # Case and encoding of part names
        "WORD/VBAPROJECT.BIN": (
            lambda: zip_patched(docx_bytes("x"), add={"WORD/VBAPROJECT.BIN": b"\xd0\xcf"}),
            "WORD/VBAPROJECT.BIN",
        ),
        "two entries equal ignoring case": (
            lambda: zip_patched(docx_bytes("x"), add={"WORD/Document.xml": b"<x/>"}),
            "WORD/Document.xml",
        ),
        "percent-encoded vbaProject": (
            lambda: zip_patched(docx_bytes("x"), add={"word/%76baProject.bin": b"\xd0\xcf"}),
            "word/%76baProject.bin",
        ),
        "percent-encoded Override of a macro part": (
            lambda: docx_with_body(
                "", types='<Override PartName="/word/%76baProject.bin" ContentType="image/png"/>'
            ),
            "/word/%76baProject.bin",
        ),
        # Content types
        "chart content type": (
            lambda: docx_with_body(
                "",
                types='<Override PartName="/word/chart1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.drawingml.chart+xml"/>',
            ),
            "drawingml.chart+xml",
        ),
        "OLE object content type for .png": (
            lambda: docx_with_body(
                "",
                types='<Default Extension="PNG2" '
                'ContentType="application/vnd.ms-office.oleObject"/>',
            ),
            "application/vnd.ms-office.oleobject",
        ),
        # Relationship types
        "internal attachedTemplate relationship": (
            lambda: docx_with_body(
                "",
                add={"word/t.xml": b"<x/>"},
                relationships=relationship("attachedTemplate", "t.xml"),
            ),
            "attachedTemplate",
        ),
        "internal subDocument relationship": (
            lambda: docx_with_body(
                "",
                add={"word/sub.xml": b"<x/>"},
                relationships=relationship("subDocument", "sub.xml"),
            ),
            "subDocument",
        ),
    }
)


class TestHostilePackages:
    @pytest.mark.parametrize("name", HOSTILE_PACKAGES)
    def test_refused_on_upload_with_a_message_naming_the_culprit(self, name):
        build, culprit = HOSTILE_PACKAGES[name]
        data = build()

        problems = package_problems(data=data)
        check, elapsed = timed_check(data, filename="modele.docx")

        assert problems
        assert_refused(check)
        assert check.errors == problems
        if culprit:
            assert culprit in " ".join(problems)
        assert elapsed < TIME_BOUND
        assert_portal_still_renders()

    @pytest.mark.parametrize("build", [_bomb, _lying_bomb], ids=["announced", "lying"])
    def test_a_bomb_is_refused_without_being_inflated(self, build):
        data = build()
        tracemalloc.start()
        try:
            problems = package_problems(data=data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert problems
        assert peak < 5 * MB

    def test_the_upload_itself_is_capped(self):
        too_big = b"PK" + bytes(rules.MAX_UPLOAD_BYTES)

        problems = package_problems(data=too_big)

        assert len(problems) == 1
        assert "Mo" in problems[0]

    @pytest.mark.parametrize("filename", ["modele.docm", "modele.dotm", "modele.pdf"])
    def test_a_file_not_named_docx_is_refused(self, filename):
        check = template_check(data=docx_bytes("x"), schema=SCHEMA, filename=filename)

        assert_refused(check)

    def test_the_parts_word_libreoffice_and_docxtpl_write_are_accepted(self):
        with_extras = zip_patched(
            docx_bytes("x", header="h", footer="f"),
            add={
                "word/media/image1.png": b"\x89PNG",
                "word/fonts/font1.odttf": b"font",
                "word/glossary/document.xml": b"<glossaryDocument/>",
                "customXml/item9.xml": b"<Sources/>",
                "docProps/custom.xml": b"<Properties/>",
                "word/printerSettings/printerSettings1.bin": b"\0" * 16,
            },
        )

        assert package_problems(data=with_extras) == []

    def test_a_clean_svg_with_its_png_is_accepted(self):
        assert package_problems(data=docx_with_svg(CLEAN_SVG)) == []

    def test_a_libreoffice_document_is_accepted(self):
        # samples/libreoffice.docx: samples/libreoffice.fodt converted by LibreOffice 7.4
        # (soffice --headless --convert-to docx): header, footer, notes, comment, list,
        # table, pictures, a text box drawn in VML too, a DATE field.
        data = (Path(__file__).parent / "samples" / "libreoffice.docx").read_bytes()

        assert package_problems(data=data) == []
        assert template_check(data=data, schema=SCHEMA).ok

    def test_a_clean_vml_picture_with_its_relationship_is_accepted(self):
        data = docx_with_body(
            VML_PICTURE.format('r:id="rIdPng" o:title=""'),
            add={"word/media/image9.png": b"\x89PNG"},
            relationships=relationship("image", "media/image9.png", "rIdPng"),
        )

        assert package_problems(data=data) == []


# --- Hostile Jinja --------------------------------------------------------------------

HOSTILE_EXPRESSIONS = [
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ joiner|attr('__init__') }}",
    "{{ brut['__class__'] }}",
    "{% include '/etc/passwd' %}",
]
PLACES = {
    "body": lambda text: docx_bytes("Début", text, "Fin"),
    "header": lambda text: docx_bytes("Corps", header=text),
    "footer": lambda text: docx_bytes("Corps", footer=text),
    "footnotes": docx_with_footnote,
    "title": lambda text: docx_bytes("Corps", title=text),
    "subject": lambda text: docx_bytes("Corps", subject=text),
    "comments": lambda text: docx_bytes("Corps", comments=text),
}


class TestHostileTemplates:
    @pytest.mark.parametrize("place", PLACES)
    @pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS)
    def test_python_internals_are_refused_wherever_they_hide(self, place, expression, marker):
        data = PLACES[place](expression.replace("MARKER", str(marker)))

        check, elapsed = timed_check(data)

        assert_refused(check)
        assert elapsed < TIME_BOUND

    @pytest.mark.parametrize(
        "expression",
        [
            # Names built at run time escape the reading of the template: the sandbox stops them.
            "{% set i = '__in' ~ 'it__' %}{% set g = '__glo' ~ 'bals__' %}"
            "{{ cycler[i][g].os.system('touch MARKER') }}",
            "{{ '{0.__class__.__mro__}'.format(brut) }}",
            "{% set i = '__in' ~ 'it__' %}{{ (cycler|attr(i))() }}",
        ],
    )
    def test_names_built_at_run_time_are_stopped_by_the_sandbox(self, expression, marker):
        template = docx_bytes(expression.replace("MARKER", str(marker)))

        check, elapsed = timed_check(template)
        with pytest.raises(SecurityError):
            render_docx(template=template, context={"brut": {}})

        assert_refused(check)
        assert elapsed < TIME_BOUND
        assert_portal_still_renders()

    def test_unknown_names_read_as_empty_and_are_listed(self):
        template = docx_bytes("{{ request }}{{ config }}{{ settings }}{{ nom }}")

        check = template_check(data=template, schema=SCHEMA)

        assert check.ok
        assert check.unknown_variables == ["config", "request", "settings"]
        assert settings.SECRET_KEY not in all_text(check.preview)

    def test_reaching_into_an_unknown_name_is_refused(self):
        check = template_check(data=docx_bytes("{{ settings.SECRET_KEY }}"), schema=SCHEMA)

        assert_refused(check)
        assert "settings" in check.unknown_variables


RUNAWAYS = {
    "10⁸ iterations": "{% for i in range(10**8) %}x{% endfor %}",
    "10¹⁰ nested iterations": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
    ),
    "a billion characters": "{{ 'a' * 10**9 }}",
    "a recursive macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    # Iterating a string never looks at the clock: only the child's own bound stops it.
    "loops over a long string": (
        "{% set s = 'a' * 999999 %}{% for x in s %}{% for y in s %}{% endfor %}{% endfor %}"
    ),
    # Each iteration within the size limits, together far beyond memory.
    "a gigabyte per second of output": "{% for i in range(100000) %}{{ 'a' * 999999 }}{% endfor %}",
}


class TestRunawayTemplates:
    @pytest.mark.parametrize("name", RUNAWAYS)
    def test_stopped_within_the_bound_and_the_worker_lives_on(self, name, short_limits):
        check, elapsed = timed_check(docx_bytes("Début", RUNAWAYS[name], "Fin"))

        assert_refused(check)
        assert elapsed < TIME_BOUND
        assert_portal_still_renders()

    def test_with_the_real_limits_a_long_loop_stops_at_the_deadline(self):
        check, elapsed = timed_check(docx_bytes(RUNAWAYS["10¹⁰ nested iterations"]))

        assert_refused(check)
        assert checks.PREVIEW_SECONDS <= elapsed < TIME_BOUND

    def test_a_template_docxtpl_takes_ages_to_prepare_is_stopped(self, short_limits):
        # patch_xml's regular expressions are quadratic in unclosed tags: ~20 s here.
        check, elapsed = timed_check(docx_bytes(*["{%aaaaaaaaaa"] * 8_000))

        assert_refused(check)
        assert elapsed < TIME_BOUND

    @pytest.mark.parametrize(
        ("name", "error"),
        [
            ("10⁸ iterations", RenderLimitExceeded),
            ("10¹⁰ nested iterations", RenderLimitExceeded),
            ("a billion characters", RenderLimitExceeded),
            ("a recursive macro", RecursionError),
        ],
    )
    def test_the_sandbox_itself_raises(self, name, error):
        limits = RenderLimits(seconds=1.0, max_range=DEFAULT_LIMITS.max_range)
        started = time.monotonic()

        with pytest.raises(error):
            render_docx(template=docx_bytes(RUNAWAYS[name]), context={}, limits=limits)

        assert time.monotonic() - started < TIME_BOUND
        assert_portal_still_renders()


# --- Good templates -------------------------------------------------------------------


class TestGoodTemplates:
    def test_the_preview_opens_and_shows_the_sample_answer(self):
        check = template_check(data=FULL_TEMPLATE, schema=SCHEMA, filename="Modèle.DOCX")

        assert check.ok, check.errors
        assert check.unknown_variables == []
        text = all_text(check.preview)
        for shown in [
            sample.SAMPLE_TEXT,
            sample.SAMPLE_LONG_TEXT,
            "29 décembre 2020",
            "117\u202f600,00\u00a0€",
            "Assignation",
            "Fonds de solidarité logement",
            "piece-jointe.pdf",
            "Formulaire d'exemple — Isère",
            "Édité le 15 décembre 2020",
        ]:
            assert shown in text
        assert text.count(f"{sample.SAMPLE_TEXT} = ") == 2

    def test_unknown_variables_pass_as_a_warning_with_the_known_keys(self):
        template = docx_bytes(
            "{{ nom }} {{ nom_famille }}",
            "{% for ligne in operateurs %}{{ ligne.montant }}{{ total_ligne }}{% endfor %}",
            "{% if nom %}{% set calcule = 1 %}{% endif %}{{ calcule }}",
            header="{{ commune }}",
        )

        check = template_check(data=template, schema=SCHEMA)

        assert check.ok
        assert check.preview is not None
        assert check.unknown_variables == ["commune", "nom_famille", "total_ligne"]
        assert {"nom", "operateurs", "nom_operateur", "montant"} <= set(check.known_keys)
        assert set(check.known_keys) >= META_KEYS

    @pytest.mark.parametrize(
        ("build", "part", "visible"),
        [
            (lambda: docx_bytes("Bonjour", "Montant : {{ dette ", "Fin"), "corps", "Montant"),
            (lambda: docx_bytes("Corps", header="{% if nom %}Madame"), "en-tête", "Madame"),
            (lambda: docx_bytes("Corps", footer="{{ nom|inconnu }}"), "pied de page", "inconnu"),
            (lambda: docx_bytes("Corps", title="{% endfor %}"), "titre", "endfor"),
        ],
    )
    def test_a_syntax_error_names_the_part_and_its_text(self, build, part, visible):
        check = template_check(data=build(), schema=SCHEMA)

        assert_refused(check)
        assert len(check.errors) == 1
        assert part in check.errors[0]
        assert visible in check.errors[0]


class TestEscaping:
    def test_answers_with_markup_come_out_unchanged_in_a_valid_document(self):
        answers = {
            "nom": "Dupont </w:t></w:r><w:r><w:t>injecté",
            "situation": "Loyer < 500 & charges\n<b>gras</b> ?\nfin",
        }
        template = docx_bytes("{{ nom }}", "{{ situation }}")

        document = render_docx(
            template=template, context=answers_context(schema=SCHEMA, data=answers)
        )

        assert paragraphs_text(document) == [answers["nom"], answers["situation"]]
        with zipfile.ZipFile(io.BytesIO(document)) as archive:
            assert b"&lt;/w:t&gt;" in archive.read("word/document.xml")


class TestSampleData:
    def test_every_input_has_a_plausible_answer(self):
        data = sample_data(SCHEMA)

        assert set(data) == {item["value"]["key"] for item in SCHEMA if item["type"] != "section"}
        assert data["nb_personnes"] == 3  # within the field's maximum
        assert data["stade_procedure"] == "assignation"
        assert data["aides"] == ["fsl"]
        assert data["date_audience"] == "2020-12-29"
        assert len(data["operateurs"]) == 2
        assert set(data["operateurs"][0]) == {"nom_operateur", "montant"}
        for text in (data["nom"], data["situation"]):
            assert all(part in text for part in ("<", "&", "</w:t>"))
