"""Renders a .docx template with a context into a .docx document.

``render_docx_plain`` is docxtpl as its authors use it (load, render, save), always in the
portal's sandbox and under its deadline; it is the reference the faster path is checked
against, and the path for what the faster one does not cover.
"""

from __future__ import annotations

import io
from typing import Any

from docxtpl import DocxTemplate

from documents.fast import NeedsPlainDocxtpl, render_docx_fast
from documents.rendering import DEFAULT_LIMITS, PortalSandbox, RenderLimits
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


def render_docx(
    *, template: bytes, context: dict[str, Any], limits: RenderLimits = DEFAULT_LIMITS
) -> bytes:
    """The document of ``template`` and ``context`` (the portal's one entry point), rendered
    in a worker process with operating-system limits (``documents.isolation``)."""
    from documents.isolation import render_isolated

    return render_isolated(template=template, context=context, limits=limits)


def render_docx_many(
    *, template: bytes, contexts: list[dict[str, Any]], limits: RenderLimits = DEFAULT_LIMITS
) -> list[bytes]:
    """The documents of ``template`` for each of ``contexts``, in order, rendered in one
    worker process in one round trip (a zip sends its documents in batches)."""
    from documents.isolation import render_many_isolated

    return render_many_isolated(template=template, contexts=contexts, limits=limits)


def render_docx_local(
    *, template: bytes, context: dict[str, Any], limits: RenderLimits = DEFAULT_LIMITS
) -> bytes:
    """The document of ``template`` and ``context``, rendered in this process: plain
    docxtpl's document, made from the compiled template (``documents.fast``) unless the
    template or the context needs docxtpl itself. Characters XML 1.0 forbids are taken out
    of the context first, for answers stored before they were taken out on saving."""
    context = xml_safe_value(context)
    try:
        return render_docx_fast(template=template, context=context, limits=limits)
    except NeedsPlainDocxtpl:
        return render_docx_plain(template=template, context=context, limits=limits)
