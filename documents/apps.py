"""The documents application: Word documents of answers, their templates, campaign zips and
consolidated tables."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Documents Word et tableaux consolidés"

    def ready(self) -> None:
        """Registers the consolidated report's variables and sample with the template
        store, which checks and previews report templates with them (the store never
        imports the report). Imported here: models are loaded only once apps are ready."""
        from documents.consolidation import report as consolidation_report
        from documents.models import TemplatePurpose
        from documents.rendering.store import template_samples_register

        template_samples_register(
            purpose=TemplatePurpose.RAPPORT,
            known_keys=consolidation_report.report_keys,
            sample_context=consolidation_report.sample_report_context,
        )
