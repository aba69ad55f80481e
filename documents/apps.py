"""The documents app's configuration: at start-up, registers its step of the retention
purge (forms_app.retention)."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Documents Word et tableaux consolidés"

    def ready(self) -> None:
        # Imports inside ready(): Django's documented place to connect to other apps, once
        # the app registry (and so every model) is loaded.
        from documents.retention import purge_expired_exports
        from forms_app.retention import purge_step_register

        # The purge (manage.py purge_expired_data) deletes the expired exports too.
        purge_step_register(name="exports", purge=purge_expired_exports)
