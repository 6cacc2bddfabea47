from django.urls import path

from courses import views

app_name = "learn"

urlpatterns = [
    path("", views.home, name="home"),
    path("groepen/<int:cohort_id>/", views.cohort, name="cohort"),
]
