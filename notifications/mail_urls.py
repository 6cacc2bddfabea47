"""Email preferences (in the profile area) and the unsubscribe link in every reminder."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("profiel/meldingen/", views.preferences, name="preferences"),
    path("meldingen/afmelden/<str:token>/", views.unsubscribe_link, name="unsubscribe"),
]
