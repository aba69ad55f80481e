"""``template_check``: an uploaded template's package, its Jinja (syntax, Python internals),
its variables, and a sandboxed render of the sample answer — what an editor learns before
the portal keeps it (security.md #4–7).

docxtpl's own preparation of a template (``patch_xml``) has regular expressions whose cost
grows with the square of a part's size, and a Jinja loop over a long string never looks at
the render deadline: so everything that touches the template's text runs in a forked child
under a wall-clock and memory bound, and a runaway template costs the worker nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import multiprocessing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError

from documents.rendering.context import META_KEYS
from documents.rendering.engine import render_docx_local
from documents.rendering.isolation import limit_address_space, mark_render_child
from documents.rendering.sandbox import DEFAULT_LIMITS, PortalSandbox, RenderLimitExceeded
from documents.rendering.template_checks.jinja import (
    forbidden_nodes,
    in_french,
    syntax_message,
    templated_sources,
)
from documents.rendering.template_checks.package import package_problems
from documents.rendering.template_checks.rules import NOT_WORD
from documents.rendering.template_checks.sample import form_keys, sample_context

PREVIEW_SECONDS = 5.0  # the render deadline of the preview
ANALYSIS_SECONDS = 10.0  # the child's wall-clock bound: parsing, preparing and rendering
ANALYSIS_MEMORY_BYTES = 1024 * 1024 * 1024  # address space the child may add


@dataclass(frozen=True)
class TemplateCheck:
    """What an editor learns about an uploaded template: ``errors`` refuse it, unknown
    variables only warn (they read as empty), ``preview`` is the sample answer's document."""

    errors: list[str] = field(default_factory=list)
    unknown_variables: list[str] = field(default_factory=list)
    known_keys: list[str] = field(default_factory=list)
    preview: bytes | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


_BUILT_IN_NAMES = set(PortalSandbox().globals) | {"_champs"}  # range, cycler…, internals


def template_check(
    *,
    data: bytes,
    schema: list[dict] | None = None,
    filename: str = "",
    known_keys: Iterable[str] | None = None,
    context: dict[str, Any] | None = None,
) -> TemplateCheck:
    """Checks an uploaded template against the form ``schema`` it will render: its package,
    its Jinja (syntax, Python internals), its variables, and a sandboxed sample render.

    A template that renders something else than an answer (the consolidated report of a
    campaign) gives its own ``known_keys`` and sample ``context`` instead of a schema."""
    if known_keys is None:
        known_keys = set(form_keys(schema or [])) | META_KEYS
    if context is None:
        context = sample_context(schema or [])
    known_keys = sorted(known_keys)
    problems = package_problems(data=data, filename=filename)
    if problems:
        return TemplateCheck(errors=problems, known_keys=known_keys)
    try:
        found = _isolated(_analyse, data=data, context=context)
    except _AnalysisFailed as failure:
        return TemplateCheck(errors=[_sandbox_failure(str(failure))], known_keys=known_keys)
    unknown = sorted(set(found["names"]) - set(known_keys) - _BUILT_IN_NAMES)
    return TemplateCheck(
        errors=found["errors"],
        unknown_variables=unknown,
        known_keys=known_keys,
        preview=None if found["errors"] else found["preview"],
    )


def _sandbox_failure(detail: str) -> str:
    return f"Le modèle a échoué dans le bac à sable : {detail}"


def _analyse(*, data: bytes, context: dict[str, Any]) -> dict[str, Any]:
    """In the child: each templated part parsed as docxtpl prepares it, then the render."""
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
        sources = templated_sources(template)
    except Exception:  # python-docx's errors on a broken package vary
        return {"errors": [NOT_WORD], "names": [], "preview": None}
    environment = PortalSandbox()
    errors: list[str] = []
    names: set[str] = set()
    for label, source in sources:
        try:
            tree = environment.parse(source)
            environment.compile(tree)
        except TemplateSyntaxError as exc:
            errors.append(syntax_message(label, source, exc))
            continue
        errors += forbidden_nodes(label, tree)
        # A name the template sets in some branch only is still the template's own.
        assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx != "load"}
        names |= meta.find_undeclared_variables(tree) - assigned
    preview = None
    if not errors:
        try:
            preview = _render_preview(data, context)
        except _AnalysisFailed as failure:
            errors.append(_sandbox_failure(str(failure)))
    return {"errors": errors, "names": sorted(names), "preview": preview}


def _render_preview(data: bytes, context: dict[str, Any]) -> bytes:
    limits = dataclasses.replace(DEFAULT_LIMITS, seconds=PREVIEW_SECONDS)
    try:
        preview = render_docx_local(template=data, context=context, limits=limits)
        Document(io.BytesIO(preview))
    except RenderLimitExceeded as exc:
        raise _AnalysisFailed(str(exc)[:1].lower() + str(exc)[1:]) from exc
    except SecurityError as exc:
        raise _AnalysisFailed(f"opération interdite ({in_french(exc)}).") from exc
    except TemplateError as exc:
        raise _AnalysisFailed(f"erreur du modèle ({in_french(exc)}).") from exc
    except RecursionError as exc:
        raise _AnalysisFailed("appels imbriqués sans fin (macro récursive ?).") from exc
    except MemoryError as exc:
        raise _AnalysisFailed("le modèle demande trop de mémoire.") from exc
    except Exception as exc:  # any failure of a template is the template's
        raise _AnalysisFailed(f"erreur inattendue ({type(exc).__name__} : {exc})"[:300]) from exc
    return preview


# --- The child process ---------------------------------------------------------------


class _AnalysisFailed(Exception):
    """The analysis of a template stopped; the message says why, in French."""


def _isolated(function: Callable[..., Any], **kwargs: Any) -> Any:
    """``function(**kwargs)`` in a forked child that may take ANALYSIS_SECONDS and
    ANALYSIS_MEMORY_BYTES more than this process; killed beyond."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, function, kwargs), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(ANALYSIS_SECONDS):
            raise _AnalysisFailed(
                f"l'analyse du modèle a dépassé {ANALYSIS_SECONDS:.0f} secondes et a été "
                "interrompue (boucle sans fin ou document trop lourd ?)."
            )
        try:
            status, value = receiver.recv()
        except EOFError as exc:
            raise _AnalysisFailed(
                "l'analyse du modèle s'est arrêtée net (mémoire épuisée ?)."
            ) from exc
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if status != "ok":
        raise _AnalysisFailed(value)
    return value


def _child_main(sender, function: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    mark_render_child()
    _limit_memory()
    try:
        result = ("ok", function(**kwargs))
    except MemoryError:
        result = ("failed", "le modèle demande trop de mémoire.")
    except BaseException as exc:  # reported to the parent, never raised
        result = ("failed", f"erreur inattendue ({type(exc).__name__}).")
    sender.send(result)
    sender.close()


def _limit_memory() -> None:
    # No /proc or no rlimits here: the wall-clock bound still holds.
    with contextlib.suppress(ImportError, OSError, ValueError):
        limit_address_space(ANALYSIS_MEMORY_BYTES)
