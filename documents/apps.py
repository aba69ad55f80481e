"""The documents application: Word documents of answers, their templates, campaign zips and
consolidated tables. At start-up it registers the consolidated report's samples with the
template store and its step of the retention purge (forms_app.retention)."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Documents Word et tableaux consolidés"

    def ready(self) -> None:
        """Registers the consolidated report's variables and sample with the template
        store, which checks and previews report templates with them (the store never
        imports the report), and the expired exports as a step of the retention purge
        (manage.py purge_expired_data), which forms_app runs without importing documents.

        Imports inside ready(): Django's documented place to connect to other apps, once
        the app registry (and so every model) is loaded."""
        from documents.consolidation import report as consolidation_report
        from documents.exports.retention import purge_expired_exports
        from documents.rendering.models import TemplatePurpose
        from documents.rendering.store import template_samples_register
        from forms_app.retention import purge_step_register

        template_samples_register(
            purpose=TemplatePurpose.RAPPORT,
            known_keys=consolidation_report.report_keys,
            sample_context=consolidation_report.sample_report_context,
        )
        purge_step_register(name="exports", purge=purge_expired_exports)
