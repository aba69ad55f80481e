"""Loaded once by the render workers' fork server: Django set up, then the renderer and its
worker pool imported, so that a new worker (at start, or replacing a killed one) is a fork of
a warm process."""

import django

django.setup()

import documents.rendering.isolation  # noqa: E402, F401
