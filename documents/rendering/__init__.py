"""How an answer becomes a Word document (or a PDF), and which template makes it.

It holds the sandboxed Jinja environment and its limits, the French filters, the context of a
submission, the compiled and the plain docxtpl renderers, the pool of render worker processes
(the portal's entry points ``isolation.render_docx`` and ``isolation.render_docx_many``), the
checks of an uploaded template, the PDF conversion and the versioned template store.

It may import Django, python-docx, docxtpl, Jinja, lxml, the project's ``portal`` and
``forms_app`` (their models included) and ``documents.models``; never
``documents.consolidation`` nor ``documents.exports``, which import it. A template that
renders something else than an answer (the consolidated report) is known to the store by the
samples its provider registers (``store.template_samples_register``).

Each module imports only those before it, in this order:

1. ``filters`` — the French filters;
2. ``sandbox`` — ``PortalSandbox``, its deadline and limits (``filters``);
3. ``context`` — the context of a submission (``filters``);
4. ``compiled_zip`` — zip archives written from ready bytes;
5. ``compiled_source`` — what a template's source and a context allow the compiled path;
6. ``compiled`` — the compiled template and its cache (4, 5, ``sandbox``);
7. ``engine`` — docxtpl plain, and the rendering in this process (``compiled``, ``sandbox``);
8. ``isolation`` — the render worker pool and the entry points (``engine``, ``sandbox``);
9. ``render_boot`` — what the workers' fork server loads (``isolation``);
10. ``pdf`` — Word → PDF by LibreOffice (imports nothing of the project);
11. ``template_checks`` — the checks of an uploaded template (``context``, ``engine``,
    ``isolation``, ``sandbox``; its own modules are ordered in its docstring);
12. ``store`` — which template renders a form, its versions, a submission's document
    (``context``, ``isolation``, ``template_checks``).
"""
