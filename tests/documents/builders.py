"""Builders for template tests: .docx bytes made with python-docx, zip surgery on them, and
a template put in service as an upload would."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from django.core.files.base import ContentFile
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from documents.models import TemplatePurpose, WordTemplate

FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)


def docx_bytes(
    *paragraphs: str,
    header: str | None = None,
    footer: str | None = None,
    **properties: str,
) -> bytes:
    """A Word document whose body holds ``paragraphs``, with an optional header and footer
    and core ``properties`` (title, subject, comments…)."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    for name, value in properties.items():
        setattr(document.core_properties, name, value)
    return _saved(document)


def docx_with_external_image(url: str) -> bytes:
    """A document showing a picture linked by ``url`` rather than embedded."""
    document = Document()
    rel_id = document.part.relate_to(url, RT.IMAGE, is_external=True)
    run = document.add_paragraph("Logo : ").add_run()
    run._r.append(
        parse_xml(
            f"<w:drawing {nsdecls('w', 'wp', 'a', 'pic', 'r')}><wp:inline>"
            '<wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="logo"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="logo"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:link="{rel_id}"/></pic:blipFill><pic:spPr/></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing>"
        )
    )
    return _saved(document)


def docx_with_hyperlink(url: str) -> bytes:
    """A document with a clickable link to ``url``."""
    document = Document()
    rel_id = document.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph = document.add_paragraph("Voir ")
    link = parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{rel_id}"><w:r><w:t>le site</w:t></w:r>'
        "</w:hyperlink>"
    )
    paragraph._p.append(link)
    return _saved(document)


def docx_with_field(instruction: str) -> bytes:
    """A document with a simple Word field (``DDEAUTO …``, ``INCLUDETEXT …``)."""
    document = Document()
    field = parse_xml(f"<w:fldSimple {nsdecls('w')} w:instr={quoteattr(instruction)}/>")
    document.add_paragraph("Champ : ")._p.append(field)
    return _saved(document)


def docx_with_split_field(*pieces: str) -> bytes:
    """A document with a complex Word field whose instruction is split over several runs,
    as Word itself writes a field typed in pieces (``INCLUDEPICT`` + ``URE …``)."""
    document = Document()
    paragraph = document.add_paragraph("Champ : ")._p
    runs = [f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>']
    runs += [
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve">{escape(piece)}</w:instrText></w:r>'
        for piece in pieces
    ]
    runs += [
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {nsdecls('w')}><w:t>résultat</w:t></w:r>",
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for run in runs:
        paragraph.append(parse_xml(run))
    return _saved(document)


def docx_with_footnote(text: str) -> bytes:
    """A document whose footnotes part holds ``text``."""
    data = docx_bytes("Corps¹")
    footnotes = FOOTNOTES_XML.format(text=text).encode()
    return zip_patched(
        data,
        add={"word/footnotes.xml": footnotes},
        edit={
            "[Content_Types].xml": _add_before(
                b"</Types>",
                b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>',
            ),
            "word/_rels/document.xml.rels": _add_before(
                b"</Relationships>",
                b'<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>',
            ),
        },
    )


def docx_with_macro() -> bytes:
    """A document carrying a VBA project, declared as Word declares a .docm."""
    return zip_patched(
        docx_bytes("Bonjour"),
        add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake VBA project"},
        edit={
            "[Content_Types].xml": lambda xml: xml.replace(
                b"wordprocessingml.document.main+xml",
                b"ms-word.document.macroEnabled.main+xml",
            ).replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            )
        },
    )


def zip_patched(
    data: bytes,
    *,
    add: dict[str, bytes] | None = None,
    edit: dict[str, Callable[[bytes], bytes]] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """``data`` rezipped with entries added (names taken as given, ``..`` included) and
    existing ones passed through ``edit``."""
    edit = edit or {}
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in edit:
                content = edit[info.filename](content)
            target.writestr(info.filename, content, compress_type=compression)
        for name, content in (add or {}).items():
            target.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return output.getvalue()


def zip_with_lying_size(data: bytes, *, name: str, announced: int) -> bytes:
    """``data`` where entry ``name`` claims ``announced`` bytes in both its headers."""
    patched = bytearray(data)
    encoded = name.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if patched[name_at : name_at + len(encoded)] == encoded:
                struct.pack_into("<I", patched, start + size_at, announced)
            start += 4
    return bytes(patched)


def paragraphs_text(data: bytes) -> list[str]:
    """The body's paragraphs as python-docx reads them back."""
    return [paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs]


def all_text(data: bytes) -> str:
    """Body, tables, headers and footers of a document, as one string."""
    document = Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [paragraph.text for paragraph in section.header.paragraphs]
        texts += [paragraph.text for paragraph in section.footer.paragraphs]
    return "\n".join(texts)


def _add_before(marker: bytes, addition: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(marker, addition + marker)


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def docx_with_body(
    fragment: str,
    *,
    add: dict[str, bytes] | None = None,
    types: str = "",
    relationships: str = "",
) -> bytes:
    """A real document whose body starts with the raw ``fragment`` (prefixes w, r, v, o
    declared on it), with parts ``add``-ed, ``types`` added to [Content_Types].xml and
    ``relationships`` to the main document's."""
    namespaces = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    )
    wrapped = f"<w:p {namespaces}>{fragment}</w:p>".encode()
    return zip_patched(
        docx_bytes("Corps"),
        add=add,
        edit={
            "word/document.xml": lambda xml: xml.replace(b"<w:body>", b"<w:body>" + wrapped, 1),
            "[Content_Types].xml": _add_before(b"</Types>", types.encode()),
            "word/_rels/document.xml.rels": _add_before(
                b"</Relationships>", relationships.encode()
            ),
        },
    )


def relationship(kind: str, target: str, rel_id: str = "rIdX") -> str:
    """A relationship of type ``kind`` (last segment of an officeDocument type, or a full
    URI) to ``target``."""
    if "://" not in kind:
        kind = f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"
    return f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}"/>'


def docx_with_svg(svg: bytes) -> bytes:
    """A document showing ``svg`` as Word 2016+ does: a PNG picture with the SVG beside."""
    document = docx_with_body(
        "<w:r><w:t>Logo</w:t></w:r>",
        add={"word/media/image9.png": b"\x89PNG", "word/media/image9.svg": svg},
        types='<Default Extension="svg" ContentType="image/svg+xml"/>',
        relationships=relationship("image", "media/image9.png", "rIdPng")
        + relationship("image", "media/image9.svg", "rIdSvg"),
    )
    return document


def template_put_in_service(form, data: bytes) -> None:
    """A template that passed the upload check (it behaved on the sample answer) and now
    meets real answers: stored and activated as the upload would."""
    WordTemplate.objects.filter(form=form, purpose=TemplatePurpose.DOCUMENT).update(is_active=False)
    number = WordTemplate.objects.filter(form=form).count() + 1
    WordTemplate.objects.create(
        form=form,
        purpose=TemplatePurpose.DOCUMENT,
        number=number,
        file=ContentFile(data, name=f"{form.slug}-v{number}.docx"),
        original_name="modele.docx",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        is_active=True,
    )
