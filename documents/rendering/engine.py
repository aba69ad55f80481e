"""Renders a .docx template with a context into a .docx document, in this process.

``render_docx_plain`` is docxtpl as its authors use it (load, render, save), always in the
portal's sandbox and under its deadline; it is the reference the compiled path
(``documents.rendering.compiled``) is checked against, and the path for what the compiled
one does not cover. ``render_docx_local`` takes the compiled path when it can. The portal
itself renders through ``documents.rendering.isolation.render_docx``, in a worker process
that calls ``render_docx_local``.
"""

from __future__ import annotations

import io
from typing import Any

from docxtpl import DocxTemplate

from documents.rendering.compiled import render_docx_fast
from documents.rendering.compiled_source import NeedsPlainDocxtpl
from documents.rendering.sandbox import DEFAULT_LIMITS, PortalSandbox, RenderLimits
from portal.text import xml_safe_value


def render_docx_plain(
    *, template: bytes, context: dict[str, Any], limits: RenderLimits = DEFAULT_LIMITS
) -> bytes:
    """The document docxtpl makes of ``template`` and ``context``, rendered in the sandbox."""
    environment = PortalSandbox(limits)
    document = DocxTemplate(io.BytesIO(template))
    with environment.deadline():
        document.render(context, jinja_env=environment, autoescape=True)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def render_docx_local(
    *, template: bytes, context: dict[str, Any], limits: RenderLimits = DEFAULT_LIMITS
) -> bytes:
    """The document of ``template`` and ``context``, rendered in this process: plain
    docxtpl's document, made from the compiled template (``documents.rendering.compiled``)
    unless the template or the context needs docxtpl itself. Characters XML 1.0 forbids are
    taken out of the context first, for answers stored before they were taken out on saving."""
    context = xml_safe_value(context)
    try:
        return render_docx_fast(template=template, context=context, limits=limits)
    except NeedsPlainDocxtpl:
        return render_docx_plain(template=template, context=context, limits=limits)
