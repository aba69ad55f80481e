from django.urls import path

from forms_app import views

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
    path("reponses/<int:pk>/renvoyer/", views.answer_return, name="answer_return"),
    path("reponses/<int:pk>/accepter/", views.answer_accept, name="answer_accept"),
    path("suivi/campagnes/", views.campaign_list, name="campaign_list"),
    path("suivi/campagnes/<int:pk>/", views.campaign_answers, name="campaign_answers"),
    path("suivi/campagnes/<int:pk>/relancer/", views.campaign_remind, name="campaign_remind"),
]
