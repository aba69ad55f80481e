from django.urls import path

from forms_app import campaign_views, reprise_views, views
from forms_app.households import views as household_views

app_name = "forms_app"

urlpatterns = [
    path(
        "campagnes/<int:campaign_id>/repondre/<int:organisation_id>/",
        views.answer_start,
        name="answer_start",
    ),
    path("reponses/<int:pk>/", views.answer_detail, name="answer_detail"),
    path("reponses/<int:pk>/modifier/", views.answer_edit, name="answer_edit"),
    path("reponses/<int:pk>/brouillon/", views.answer_autosave, name="answer_autosave"),
    path("reponses/<int:pk>/fichiers/<int:file_id>/", views.answer_file, name="answer_file"),
    path(
        "reponses/<int:pk>/indicateurs/",
        reprise_views.answer_copy_indicators,
        name="answer_copy_indicators",
    ),
    path("reponses/<int:pk>/renvoyer/", campaign_views.answer_return, name="answer_return"),
    path("reponses/<int:pk>/accepter/", campaign_views.answer_accept, name="answer_accept"),
    path("suivi/campagnes/", campaign_views.campaign_list, name="campaign_list"),
    path("suivi/campagnes/<int:pk>/", campaign_views.campaign_answers, name="campaign_answers"),
    path(
        "suivi/campagnes/<int:pk>/relancer/",
        campaign_views.campaign_remind,
        name="campaign_remind",
    ),
    path("menages/", household_views.household_list, name="household_list"),
    path("menages/nouveau/", household_views.household_create, name="household_create"),
    path("menages/veilles/", household_views.veilles_to_do, name="veilles_to_do"),
    path("menages/<int:pk>/", household_views.household_detail, name="household_detail"),
    path("menages/<int:pk>/modifier/", household_views.household_edit, name="household_edit"),
    path(
        "menages/<int:pk>/contacts/",
        household_views.household_contact_add,
        name="household_contact_add",
    ),
    path("menages/<int:pk>/statut/", household_views.household_status_set, name="household_status"),
    path(
        "menages/<int:pk>/documents/<int:form_id>/",
        household_views.household_document_open,
        name="household_document_open",
    ),
    path(
        "reponses/<int:pk>/preremplir/",
        reprise_views.household_document_refill,
        name="household_document_refill",
    ),
    path(
        "reponses/<int:pk>/rouvrir/",
        household_views.household_document_reopen,
        name="household_document_reopen",
    ),
    path("suivi/menages/", household_views.household_overview, name="household_overview"),
]
