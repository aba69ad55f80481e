"""``{% pdf_available as pdf_available %}``: whether answers can be downloaded as PDF here
(LibreOffice installed, ``documents.rendering.pdf``), for the pages that offer « Télécharger (PDF) »
without their app knowing about documents."""

from django import template

from documents.rendering.pdf import pdf_available as documents_pdf_available

register = template.Library()


@register.simple_tag(name="pdf_available")
def pdf_available() -> bool:
    """True when LibreOffice can convert a document to PDF on this server."""
    return documents_pdf_available()
