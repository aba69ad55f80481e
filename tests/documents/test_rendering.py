"""The sandbox's clock stops every runaway template in the rendering thread itself, the
ones its hooks cannot see included, and the thread goes on working afterwards."""

import io
import time

import pytest
from docx import Document

from documents.rendering.engine import render_docx_plain
from documents.rendering.sandbox import RenderLimitExceeded, RenderLimits

LIMITS = RenderLimits(seconds=1.0)


def _template(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        # No call, no attribute, no range(): only the watchdog sees it.
        "{% set s = 'a' * 999999 %}{% for x in s %}{% for y in s %}{% endfor %}{% endfor %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    ],
)
def test_a_runaway_template_stops_and_the_thread_lives_on(text):
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded):
        render_docx_plain(template=_template(text), context={}, limits=LIMITS)
    assert time.monotonic() - started < 10
    # The same thread renders the next document normally, and no late interruption comes.
    document = render_docx_plain(template=_template("Bonjour {{ nom }}"), context={"nom": "A & B"})
    time.sleep(2.5)
    assert Document(io.BytesIO(document)).paragraphs[0].text == "Bonjour A & B"
