"""A campaign's consolidated tables: every filed answer in the reader's scope, totalled by
territory, region and nation by the form's declared rules, shown as a page (figures, SVG
charts, sortable tables) and as files (XLSX workbook, CSV per table, Word report).

Modules, from the bottom up; each imports only modules above it in this list (never one
below), so that there is no loop:

- ``vocabulary``: column kinds, meta column keys, ``Column``, ``Measure``, ``Procedure``.
  Standard library only, nothing of the project.
- ``rules``: what the declared rules mean (``Rule``, ``RuleKind``, defaults) and their
  checks (``declaration_problems``, called by ``ConsolidationRules.clean``). Imports
  ``vocabulary`` and ``forms_app.keys`` (which keys are years); no database, no pandas.
- ``frames``: pandas computation, frames in, frames out (totals, ratios, changes,
  comparison between campaigns, ``Consolidation``). Imports ``vocabulary`` and ``rules``;
  no ORM, no Django.
- ``blocks``: the admin StreamField blocks of the rules (``models`` uses them).
  Imports nothing of the package.
- ``fields``: a form's versions' fields as columns, stored values as cells. Imports
  ``vocabulary`` and ``forms_app.form_builder``.
- ``answers``: the answers table from the rows the selectors read. Imports ``vocabulary``,
  ``fields`` and ``frames``.
- ``format``: the French writing of a figure (page, charts, report). Imports
  ``vocabulary``, ``rules``, ``frames`` and ``portal.formatting``.
- ``charts`` then ``status_chart``: the SVG charts. Import ``vocabulary``, ``frames``,
  ``format`` (and ``status_chart`` the width of ``charts``).
- ``tables``: the files' tables (for the workbook and the CSV alike). Imports
  ``vocabulary``, ``rules`` and ``frames``.
- ``selectors``: every database read, through ``portal.permissions``, and the scope a
  person asked for. Imports the above and ``documents.models``.
- ``build``: the entry point, ``campaign_consolidation``. Imports ``selectors``,
  ``answers``, ``frames``.
- ``files`` (CSV, file names) then ``workbook`` (XLSX): import ``tables`` (and
  ``documents.rendering.store`` for the file names).
- ``display``: the page's tables as French text, sorted. Imports ``format``, ``tables``,
  ``status_chart``.
- ``report``: the Word report's context and document. Imports ``format``, ``tables``,
  ``selectors`` and the rendering side (``documents.rendering``).
- ``page``: what the page shows for a person's scope. Imports ``build``, ``display``,
  ``charts``, ``status_chart``, ``files``, ``selectors``.
- ``views``: the page and the downloads. Imports ``page``, ``build``, ``files``,
  ``workbook``, ``report``.
- ``seed``: the rules of the data file's forms (a service). Imports ``documents.models``.

``documents.models`` imports ``blocks``, ``fields`` and ``rules`` only. The rendering side
(``documents.rendering``) never imports this package: the report registers its variables
and sample with ``documents.rendering.store.template_samples_register`` from
``DocumentsConfig.ready``.
"""
