"""``{% pdf_available as pdf_available %}``: whether answers can be downloaded as PDF here
(LibreOffice installed, ``documents.rendering.pdf``), for the pages that offer
« Télécharger (PDF) » without their app knowing about documents."""

from django import template

from documents.rendering.pdf import pdf_available

register = template.Library()
register.simple_tag(pdf_available, name="pdf_available")
