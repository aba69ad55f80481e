from django.urls import path

from documents import admin_views

app_name = "documents_admin"

urlpatterns = [
    path("", admin_views.templates_index, name="index"),
    path("formulaire/<int:form_id>/", admin_views.form_templates, name="form_templates"),
    path("formulaire/<int:form_id>/modele/", admin_views.template_current, name="template_current"),
    path(
        "formulaire/<int:form_id>/modele-par-defaut/",
        admin_views.templates_use_defaults,
        name="use_defaults",
    ),
    path("version/<int:pk>/", admin_views.template_download, name="template_download"),
    path("version/<int:pk>/apercu/", admin_views.template_preview, name="template_preview"),
    path("version/<int:pk>/activer/", admin_views.template_activate, name="template_activate"),
]
