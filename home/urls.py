from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("territoires/", views.territories, name="territories"),
    path("_charge/base/", views.load_test_base, name="load_test_base"),
]
