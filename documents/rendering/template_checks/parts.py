"""What the XML parts of an uploaded template may hold: Word fields read as Word reads them
(none that reaches outside or runs a command), no OLE object, ActiveX control or altChunk,
VML pictures without addresses, SVG pictures that only draw."""

from __future__ import annotations

import re

from lxml import etree

from documents.rendering.template_checks.rules import (
    ALT_CHUNK,
    CSS_OUTSIDE,
    CSS_URL,
    LINK_FIELD,
    NESTED_FIELD,
    OBJECT_ELEMENTS,
    OBJECTS,
    OFFICE,
    OUTSIDE_FIELDS,
    OUTSIDE_KEYWORDS,
    RELATIONSHIP_ID,
    SVG,
    SVG_ANIMATIONS,
    SVG_SAFE_REFERENCE,
    SVG_SCRIPTS,
    VML,
    W,
    listed,
    shortened,
)


def safe_parser() -> etree.XMLParser:
    """lxml's parser with no entity, no network and no DTD."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _field_instructions(root) -> list[str]:
    """Each field's instruction as Word reads it: its ``w:instrText`` runs joined with
    nothing, from the field's begin character to its end; a field nested in it shows as
    NESTED_FIELD. ``w:fldSimple`` fields, wherever they sit, give their ``w:instr``."""
    done: list[str] = []
    open_fields: list[list[str]] = []
    loose: list[str] = []
    for element in root.iter(f"{W}instrText", f"{W}fldChar", f"{W}fldSimple"):
        if element.tag == f"{W}fldSimple":
            done.append(element.get(f"{W}instr") or "")
        elif element.tag == f"{W}instrText":
            (open_fields[-1] if open_fields else loose).append(element.text or "")
        elif element.get(f"{W}fldCharType") == "begin":
            open_fields.append([])
        elif element.get(f"{W}fldCharType") == "end" and open_fields:
            done.append("".join(open_fields.pop()))
            if open_fields:
                open_fields[-1].append(NESTED_FIELD)
    return done + ["".join(pieces) for pieces in open_fields] + ["".join(loose)]


def field_problems(root, name: str) -> list[str]:
    """Fields that reach outside the document, run a command or hide their keyword."""
    problems = []
    for instruction in _field_instructions(root):
        text = instruction.replace(NESTED_FIELD, "")
        keyword = re.match(r"\s*([A-Za-z]*)(.?)", instruction, re.DOTALL)
        if keyword.group(2) == NESTED_FIELD:
            problems.append(
                f"Le modèle contient un champ Word dont le nom est produit par un autre champ "
                f"(« {keyword.group(1) or '…'} », {name}) : Word ne le lirait pas comme il est "
                "écrit. Retirez-le."
            )
        elif LINK_FIELD.search(text) or (
            keyword.group(1).upper() == "HYPERLINK" and NESTED_FIELD in instruction
        ):
            problems.append(
                f"Le modèle contient un champ lien hypertexte vers une adresse externe ou "
                f"calculée ({name}) : les liens externes sont refusés."
            )
        elif found := OUTSIDE_FIELDS.search(text) or OUTSIDE_KEYWORDS.match(text):
            problems.append(
                f"Le modèle contient un champ Word « {found.group(1).upper()} » ({name}) qui va "
                "chercher un contenu extérieur ou lance une commande : retirez-le."
            )
    return problems


def object_problems(root, name: str) -> list[str]:
    """altChunk imports, OLE objects and ActiveX controls, by the elements that show them."""
    problems = []
    if next(root.iter(f"{W}altChunk"), None) is not None:
        problems.append(ALT_CHUNK.format(names=f"dans {name}"))
    objects = sorted({etree.QName(element).localname for element in root.iter(*OBJECT_ELEMENTS)})
    if objects:
        problems.append(OBJECTS.format(names=f"{', '.join(objects)}, dans {name}"))
    return problems


def vml_problems(root, name: str, relationships: dict[str, str]) -> list[str]:
    """VML pictures and fills (``v:imagedata``, ``v:fill``, ``v:stroke``…): a source is
    never an address, and a relationship id names one of the part's own relationships."""
    problems = []
    for element in root.iter(f"{{{VML}}}*", f"{{{OFFICE}}}*"):
        for attribute, value in element.attrib.items():
            qualified = etree.QName(attribute)
            local = qualified.localname.lower()
            value = value.strip()
            if local in ("src", "href", "althref") and value and not value.startswith("#"):
                problems.append(
                    "Le modèle contient une image VML liée à une adresse "
                    f"({shortened(value)}, dans {name}) : insérez l'image dans le document au "
                    "lieu de la lier."
                )
            elif (
                attribute.startswith(RELATIONSHIP_ID)
                or (qualified.namespace == OFFICE and local == "relid")
            ) and value not in relationships:
                problems.append(
                    f"Le modèle contient une image VML qui renvoie à une relation absente "
                    f"({shortened(value)}, dans {name}) : le document est endommagé."
                )
    return problems


def svg_problems(content: bytes, name: str) -> list[str]:
    """An SVG picture is accepted when it draws only: no DOCTYPE, script, event handler,
    animation, foreign content or reference outside itself (embedded PNG and JPEG aside)."""
    try:
        root = etree.fromstring(content, parser=safe_parser())
    except etree.XMLSyntaxError:
        return [f"L'image {name} n'est pas une image SVG lisible : enregistrez-la en PNG."]
    found = []
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        found.append("un DOCTYPE")
    if root.tag != f"{SVG}svg":
        found.append("autre chose qu'un dessin SVG")
    siblings = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for node in [*siblings, *root.iter()]:
        if isinstance(node, etree._ProcessingInstruction):
            found.append(f"une instruction de traitement ({node.target})")
            continue
        if isinstance(node, etree._Entity):
            found.append(f"une entité ({node.name})")
            continue
        if not isinstance(node.tag, str):
            continue  # comments
        local = etree.QName(node).localname.lower()
        if local in SVG_SCRIPTS:
            found.append("un script")
        elif local == "foreignobject":
            found.append("un contenu étranger (foreignObject)")
        elif local in SVG_ANIMATIONS:
            found.append(f"une animation ({etree.QName(node).localname})")
        elif local == "style" and _css_reaches_out(node.text or "", escapes=True):
            found.append("une feuille de style qui charge un contenu extérieur")
        for attribute, value in node.attrib.items():
            attribute_name = etree.QName(attribute).localname.lower()
            if attribute_name.startswith("on"):
                found.append(f"un attribut d'événement ({etree.QName(attribute).localname})")
            elif (
                attribute_name in ("href", "src") and not SVG_SAFE_REFERENCE.match(value.strip())
            ) or _css_reaches_out(value, escapes=attribute_name == "style"):
                found.append(f"une référence externe ({shortened(value.strip(), 60)})")
    if not found:
        return []
    return [
        f"L'image vectorielle {name} contient {listed(found)} : les images SVG avec scripts, "
        "références externes ou DOCTYPE sont refusées. Enregistrez l'image en PNG et "
        "insérez-la à nouveau."
    ]


def _css_reaches_out(text: str, *, escapes: bool) -> bool:
    if any(not address.startswith("#") for address in CSS_URL.findall(text)):
        return True
    return bool(CSS_OUTSIDE.search(text)) if escapes else "@import" in text.lower()
