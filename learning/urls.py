"""/leren/: the course pages and, from ``assignments.urls``, the assignment pages; the
trainer's course preview and the trainer's reply in a submission's thread."""

from django.urls import path

from assignments.urls import learner_patterns as assignment_patterns
from assignments.urls import trainer_patterns as thread_patterns_for_trainers
from learning import views

app_name = "learn"

urlpatterns = [
    path("", views.home, name="home"),
    path("groepen/<int:cohort_id>/", views.cohort, name="cohort"),
    path("groepen/<int:cohort_id>/modules/<slug:module_slug>/", views.module, name="module"),
    path(
        "groepen/<int:cohort_id>/modules/<slug:module_slug>/kaart/",
        views.job_aid,
        name="job_aid",
    ),
    path("groepen/<int:cohort_id>/lessen/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path(
        "groepen/<int:cohort_id>/lessen/<slug:lesson_slug>/gelezen/",
        views.lesson_read,
        name="lesson_read",
    ),
    path("groepen/<int:cohort_id>/deadlines.ics", views.calendar, name="calendar"),
    *assignment_patterns,
    # For trainers (and staff): the course as a group gets it, read-only.
    path("voorbeeld/<int:cohort_id>/", views.preview, name="preview"),
    path(
        "voorbeeld/<int:cohort_id>/lessen/<slug:lesson_slug>/",
        views.preview_lesson,
        name="preview_lesson",
    ),
    path(
        "voorbeeld/<int:cohort_id>/modules/<slug:module_slug>/kaart/",
        views.preview_job_aid,
        name="preview_job_aid",
    ),
    path(
        "voorbeeld/<int:cohort_id>/opdrachten/<slug:assignment_slug>/",
        views.preview_assignment,
        name="preview_assignment",
    ),
    *thread_patterns_for_trainers,
]
