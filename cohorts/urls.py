from django.urls import path

from cohorts import views

app_name = "invitations"

urlpatterns = [
    path("opnieuw/<int:cohort_id>/<int:enrollment_id>/", views.resend, name="resend"),
    path("<str:token>/", views.accept, name="accept"),
    path("<str:token>/nieuwe-link/", views.renew, name="renew"),
]
