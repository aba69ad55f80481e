"""Synthetic data for local development and tests, never under production settings.

Installed by ``portal.settings.dev`` and ``portal.settings.test`` only: the production
settings do not even load it (and ``PORTAL_DEMO_DATA_ENABLED`` refuses it there anyway).
It sits above every other app and may import them all; nothing imports it but the tests,
the benches of ``bench/`` (``bench/scale.py``) and its own commands ``load_demo_data`` (run
by ``make run``) and ``generate_scale_data``.

``loader.demo_data_load()`` is the entry point. ``accounts`` holds the demo operators,
accounts and their TOTP secrets; ``answers`` stores the campaigns' answers whose plans
``answer_content`` (reading ``answers.yaml``), ``answer_plans`` (what the lettre and the
bilans share: outcomes, dates, status changes), ``teams`` (each territory's team and base
figures), ``lettre_plans``, ``bilan_plans`` and ``pdf`` (the signed letter's stand-in) draw;
``households`` stores the households whose plans ``household_plans`` draws from
``household_content`` (reading ``households.yaml``), ``household_situation``,
``household_stories`` and ``household_documents``.

``scale_data.scale_data_generate()`` is the scale data's entry point (docs/performance.md):
the 101 départements of ``data/departements.csv``, their operators and accounts
(``scale_accounts``), the demo's answers for every prefecture and a third year of bilans,
then the demo's households copied in bulk to the other operators (``scale_households``).
"""
