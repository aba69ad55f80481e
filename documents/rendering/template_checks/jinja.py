"""The Jinja of an uploaded template: every text docxtpl renders, prepared as it prepares
it; what it may not reach for (Python internals, other templates); and Jinja's errors told
in French."""

from __future__ import annotations

import re

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes

from documents.rendering.template_checks.rules import FOOTNOTES

PROPERTIES = {
    "title": "titre",
    "subject": "objet",
    "author": "auteur",
    "comments": "commentaires",
    "identifier": "identifiant",
    "language": "langue",
}


def templated_sources(template: DocxTemplate) -> list[tuple[str, str]]:
    """Every text docxtpl renders, prepared as it prepares it (one paragraph a line)."""
    parts = [("corps du document", template.get_xml())]
    for uri, label in ((template.HEADER_URI, "en-tête"), (template.FOOTER_URI, "pied de page")):
        for _, part in template.get_headers_footers(uri):
            number = re.sub(r"\D", "", str(part.partname)) or "1"
            parts.append((f"{label} {number}", template.get_part_xml(part)))
    for part in template.docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            parts.append(("notes de bas de page", part.blob.decode("utf-8")))
    sources = [
        (label, re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(xml))) for label, xml in parts
    ]
    properties = template.docx.core_properties
    for name, label in PROPERTIES.items():
        value = getattr(properties, name) or ""
        if value:
            sources.append((f"propriétés du document, {label}", value))
    return sources


SYNTAX_MESSAGES = [
    (r"Unexpected end of template\..*innermost block that needs to be closed is '(\w+)'",
     "le bloc « {0} » n'est jamais fermé (il manque « end{0} »)"),
    (r"unexpected end of template", "une balise ou une expression n'est pas fermée"),
    (r"Encountered unknown tag '(\w+)'", "balise inconnue « {0} »"),
    (r"No filter named '(\w+)'", "filtre inconnu « {0} »"),
    (r"expected token '(.+)', got '(.+)'", "« {1} » trouvé là où « {0} » était attendu"),
    (r"unexpected char '(.+)' at \d+", "caractère « {0} » inattendu"),
    (r"unexpected '(.+)'", "« {0} » inattendu"),
]  # fmt: skip


TOKEN_NAMES = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "end of template": "fin du modèle",
    "name": "nom",
}


def syntax_message(label: str, source: str, exc: TemplateSyntaxError) -> str:
    """A Jinja syntax error in French, with the template's text near it."""
    reason = exc.message or "syntaxe invalide"
    for english, french in TOKEN_NAMES.items():
        reason = reason.replace(f"'{english}'", f"'{french}'")
    for pattern, french in SYNTAX_MESSAGES:
        match = re.match(pattern, reason, re.DOTALL)
        if match:
            reason = french.format(*match.groups())
            break
    lines = source.splitlines()
    index = min(max((exc.lineno or 1) - 1, 0), max(len(lines) - 1, 0))
    near = ""
    for line in reversed(lines[max(index - 3, 0) : index + 1]):
        near = " ".join(_visible(line).split())
        if near:
            break
    near = near[:100] + ("…" if len(near) > 100 else "")
    return f"Erreur de syntaxe dans le modèle ({label}) : {reason} près de « {near} »."


def _visible(xml_line: str) -> str:
    text = re.sub(r"<[^>]+>", "", xml_line)
    for entity, character in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        text = text.replace(entity, character)
    return text


def forbidden_nodes(label: str, tree: nodes.Template) -> list[str]:
    """Reaching for ``_`` attributes or other templates is refused before anything runs
    (the sandbox would stop it too, but maybe only in a branch the sample does not take)."""
    errors = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
            name = getattr(node.args[0], "value", None)
        if isinstance(name, str) and name.startswith("_"):
            errors.append(
                f"Le modèle est refusé ({label}) : il accède à « {name} », un élément interne "
                "de Python qu'un modèle ne peut pas utiliser."
            )
    for _ in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        errors.append(f"Le modèle est refusé ({label}) : il ne peut pas inclure d'autre modèle.")
    return list(dict.fromkeys(errors))


RUNTIME_MESSAGES = [
    (r"access to attribute '(.+?)' of '(.+?)' object is unsafe", "accès à « {0} » refusé"),
    (r"'(.+?)' is undefined", "« {0} » n'existe pas"),
    (r"'(.+?)' has no attribute '(.+?)'", "« {1} » n'existe pas dans « {0} »"),
]


def in_french(exc: Exception) -> str:
    """A Jinja error raised while rendering, in French when it is a known one."""
    message = str(exc).rstrip(".")
    for pattern, french in RUNTIME_MESSAGES:
        match = re.search(pattern, message)
        if match:
            return french.format(*match.groups())
    return message[:200]
