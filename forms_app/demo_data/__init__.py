"""Synthetic demo answers: their content (``answers.yaml``) and the code that draws them.

``forms_app.demo.demo_answers_load()`` is the entry point; the modules here build the plans
it stores: ``content`` reads the YAML file, ``plans`` holds what the lettre and the bilans
share (outcomes, dates, status changes), ``teams`` each territory's team and base figures,
``lettre`` and ``bilan`` the answers to each form, ``pdf`` the signed letter's stand-in.
"""
