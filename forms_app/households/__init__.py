"""Households' case files: the operators' follow-up of each household and what it feeds.

Holds the writes (``services``: the case file, its contact attempts and documents), the
reads (``selectors``), the pages (``views``) and their Django forms (``forms``), the
prefilling of a household document from the case file (``prefill``) and the bilan's
figures computed from the case files (``indicators``). The models stay in
``forms_app.models``.

May import: ``portal`` and the core of ``forms_app`` (models, field types, form builder,
versions, idempotency, lifecycle, selectors, answer views). The core never imports this
package: ``forms_app.lifecycle`` tells it about filed and reopened answers through the
signals of ``forms_app.signals``, connected in ``forms_app.apps``. Never imports
``documents`` nor ``home``.
"""
