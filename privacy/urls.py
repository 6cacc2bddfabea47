from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("gegevens/", views.export, name="export"),
    path("verwijderen/", views.deletion, name="deletion"),
]
