"""The forms app's configuration: at start-up, connects its signal receivers, gives the
form builder its admin form and registers its daily jobs (the purge, the reminders)."""

from django.apps import AppConfig


class FormsAppConfig(AppConfig):
    name = "forms_app"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Formulaires et campagnes"

    def ready(self) -> None:
        # Imports inside ready(): Django's documented place to connect signals, once the
        # app registry (and so every model) is loaded.
        from wagtailstreamforms.models import Form

        from forms_app import (
            signals,
            stored_files,  # noqa: F401  (connects its signal)
        )
        from forms_app.admin_forms import FormDefinitionAdminForm
        from forms_app.households import receivers
        from forms_app.reminders import scheduled_reminders_task
        from forms_app.retention import purge_expired_data_task
        from portal.schedule import scheduled_job_register

        # The lifecycle files or reopens an answer; the household's case file follows.
        signals.answer_filed.connect(
            receivers.household_answer_filed, dispatch_uid="households.answer_filed"
        )
        signals.answer_reopened.connect(
            receivers.household_answer_reopened, dispatch_uid="households.answer_reopened"
        )

        # Wagtail's panels build a model's admin form on ``Model.base_form_class``: this is
        # how the form builder gets machine keys and their uniqueness check.
        Form.base_form_class = FormDefinitionAdminForm

        # The daily jobs the task worker enqueues each morning (portal.schedule).
        scheduled_job_register(name="purge", enqueue=purge_expired_data_task.enqueue)
        scheduled_job_register(name="relances", enqueue=scheduled_reminders_task.enqueue)
