"""/leren/: the course pages and, from ``assignments.urls``, the assignment pages."""

from django.urls import path

from assignments.urls import learner_patterns as assignment_patterns
from learning import views

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
    path("groepen/<int:cohort_id>/deadlines.ics", views.calendar, name="calendar"),
    *assignment_patterns,
]
