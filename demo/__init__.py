"""Synthetic data for local development and tests, never under production settings.

Installed by ``portal.settings.dev`` and ``portal.settings.test`` only: the production
settings do not even load it (and ``PORTAL_DEMO_DATA_ENABLED`` refuses it there anyway).
It sits above every other app and may import them all; nothing imports it but the tests,
the benches of ``bench/`` (none does today) and its own command ``load_demo_data`` (run by
``make run``).

``loader.demo_data_load()`` is the entry point. ``accounts`` holds the demo operators,
accounts and their TOTP secrets; ``answers`` stores the campaigns' answers whose plans
``answer_content`` (reading ``answers.yaml``), ``answer_plans`` (what the lettre and the
bilans share: outcomes, dates, status changes), ``teams`` (each territory's team and base
figures), ``lettre_plans``, ``bilan_plans`` and ``pdf`` (the signed letter's stand-in) draw;
``households`` stores the households whose plans ``household_plans`` draws from
``household_content`` (reading ``households.yaml``), ``household_situation``,
``household_stories`` and ``household_documents``.
"""
