from django.apps import AppConfig


class FormsAppConfig(AppConfig):
    name = "forms_app"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Formulaires et campagnes"

    def ready(self) -> None:
        from wagtailstreamforms.models import Form

        from forms_app import stored_files  # noqa: F401  (connects its signal)
        from forms_app.admin_forms import FormDefinitionAdminForm

        # Wagtail's panels build a model's admin form on ``Model.base_form_class``: this is
        # how the form builder gets machine keys and their uniqueness check.
        Form.base_form_class = FormDefinitionAdminForm
