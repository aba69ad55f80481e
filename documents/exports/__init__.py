"""Campaign exports: the zip of a campaign's Word documents, built in the background within
the requester's scope (``campaign_zips``: the request, the task, the finished file), and how
long a zip is kept (``retention``, which imports ``campaign_zips``).

It may import Django, ``documents.models``, ``documents.rendering``, ``forms_app`` and
``portal``; nothing imports it but the views, ``forms_app``'s retention command and tests.
"""
