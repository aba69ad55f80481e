from django.urls import path

from documents import admin_views
from documents.rendering.models import TemplatePurpose

app_name = "documents_admin"

REPORT = {"purpose": TemplatePurpose.RAPPORT}

urlpatterns = [
    path("", admin_views.templates_index, name="index"),
    path("formulaire/<int:form_id>/", admin_views.form_templates, name="form_templates"),
    path("formulaire/<int:form_id>/modele/", admin_views.template_current, name="template_current"),
    path(
        "formulaire/<int:form_id>/modele-par-defaut/",
        admin_views.templates_use_defaults,
        name="use_defaults",
    ),
    # The consolidated report of the form's campaigns: the same views, for its templates.
    path(
        "formulaire/<int:form_id>/rapport/",
        admin_views.form_templates,
        REPORT,
        name="report_templates",
    ),
    path(
        "formulaire/<int:form_id>/rapport/modele/",
        admin_views.template_current,
        REPORT,
        name="report_current",
    ),
    path(
        "formulaire/<int:form_id>/rapport/modele-par-defaut/",
        admin_views.templates_use_defaults,
        REPORT,
        name="report_use_defaults",
    ),
    path("version/<int:pk>/", admin_views.template_download, name="template_download"),
    path("version/<int:pk>/apercu/", admin_views.template_preview, name="template_preview"),
    path("version/<int:pk>/activer/", admin_views.template_activate, name="template_activate"),
]
