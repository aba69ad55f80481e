"""Checks an uploaded .docx template before the portal keeps it (security.md #4–7).

Modules, each importing only those before it: ``rules`` (limits, allow-lists, French
messages), ``parts`` (the XML parts: fields, objects, VML and SVG pictures), ``package`` (the
zip and what it declares), ``sample`` (the sample answer), ``jinja`` (the template's Jinja and
its errors in French), ``check`` (``template_check``: everything, the Jinja in a forked
child).

A template is code. It is refused when its package could hurt (macros, external
relationships, zip bombs, unexpected parts: ``package_problems``) and when its Jinja does
not parse or reaches for Python internals; otherwise a sample answer is rendered with it,
and the editor gets the errors, the unknown variables and that preview (``template_check``).

docxtpl's own preparation of a template (``patch_xml``) has regular expressions whose cost
grows with the square of a part's size, and a Jinja loop over a long string never looks at
the render deadline: so everything that touches the template's text runs in a forked child
under a wall-clock and memory bound, and a runaway template costs the worker nothing.

Three allow-lists describe what Word and LibreOffice write for a text document: its parts
(``ALLOWED_PARTS``: the main document and its headers, footers, notes, styles, settings,
numbering, fonts, comments and glossary, their relationships, the theme, pictures in plain
image formats, embedded fonts, printer settings, document properties and custom XML), the
content types ``[Content_Types].xml`` may declare (``ALLOWED_CONTENT_TYPES``) and the
relationship types every ``.rels`` may hold (``ALLOWED_RELATIONSHIP_TYPES``). Part names
are compared as Word finds parts: in lower case, percent-encoding undone, so
``WORD/%76BAPROJECT.BIN`` is a macro and two entries equal but for case are refused.
Everything else — macros, ActiveX, OLE objects (``word/embeddings/``, ``w:object``,
``o:OLEObject``), charts, ``altChunk`` imports — is refused; every external relationship
is refused, hyperlinks included. Field instructions are read as Word reads them: runs
joined with nothing within each field, ``w:fldSimple`` wherever it sits, a field whose
keyword another field produces refused. SVG pictures are parsed without network, entities
or DTD and refused with a DOCTYPE, a script, an event attribute, an animation, a
``foreignObject`` or any reference outside themselves; VML pictures may not name an
address, and their relationship ids must be the part's own. Extend the lists deliberately
if editors need more.
"""
