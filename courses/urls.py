from django.urls import path

from assignments import views as assignment_views
from courses import views

app_name = "learn"

urlpatterns = [
    path("", views.home, name="home"),
    path("groepen/<int:cohort_id>/", views.cohort, name="cohort"),
    path("groepen/<int:cohort_id>/modules/<slug:module_slug>/", views.module, name="module"),
    path("groepen/<int:cohort_id>/lessen/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path(
        "groepen/<int:cohort_id>/lessen/<slug:lesson_slug>/gelezen/",
        views.lesson_read,
        name="lesson_read",
    ),
    path("groepen/<int:cohort_id>/deadlines.ics", assignment_views.calendar, name="calendar"),
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/",
        assignment_views.detail,
        name="assignment",
    ),
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/indienen/",
        assignment_views.submit,
        name="assignment_submit",
    ),
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/concept/<int:revision>/",
        assignment_views.draft,
        name="assignment_draft",
    ),
]
