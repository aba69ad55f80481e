from django.urls import path

from documents import views
from documents.consolidation import views as consolidation_views

app_name = "documents"

urlpatterns = [
    path("reponses/<int:pk>/word/", views.submission_word, name="submission_word"),
    path("reponses/<int:pk>/pdf/", views.submission_pdf, name="submission_pdf"),
    path(
        "suivi/campagnes/<int:pk>/documents/",
        views.campaign_export_start,
        name="campaign_export_start",
    ),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/etat/", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/telecharger/", views.export_download, name="export_download"),
    path("exports/<int:pk>/relancer/", views.export_retry, name="export_retry"),
    path(
        "suivi/campagnes/<int:pk>/tableaux/",
        consolidation_views.consolidation_page,
        name="consolidation",
    ),
    path(
        "suivi/campagnes/<int:pk>/tableaux.xlsx",
        consolidation_views.consolidation_xlsx,
        name="consolidation_xlsx",
    ),
    path(
        "suivi/campagnes/<int:pk>/tableaux/rapport.docx",
        consolidation_views.consolidation_docx,
        name="consolidation_docx",
    ),
    path(
        "suivi/campagnes/<int:pk>/tableaux/<str:table>.csv",
        consolidation_views.consolidation_csv,
        name="consolidation_csv",
    ),
]
