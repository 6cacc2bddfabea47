"""The learner's assignment pages; ``learning.urls`` mounts them under /leren/ in the
``learn`` namespace, next to the course pages."""

from django.urls import path

from assignments import views

learner_patterns = [
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/",
        views.detail,
        name="assignment",
    ),
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/indienen/",
        views.submit,
        name="assignment_submit",
    ),
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/concept/<int:revision>/",
        views.draft,
        name="assignment_draft",
    ),
]
