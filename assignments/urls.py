"""The assignment pages; ``learning.urls`` mounts them under /leren/ in the ``learn``
namespace, next to the course pages."""

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
    path(
        "groepen/<int:cohort_id>/opdrachten/<slug:assignment_slug>/versies/<int:revision>/berichten/",
        views.message,
        name="assignment_message",
    ),
]

# The trainer's side of a submission's thread. It is mounted with the learner pages
# (``learning.urls``), so the name and the path say who posts here: a trainer of the
# submission's cohort (``submission_for_trainer``); everyone else gets 403 or 404.
trainer_patterns = [
    path(
        "trainer/inzendingen/<int:submission_id>/berichten/",
        views.trainer_message,
        name="trainer_message",
    ),
]
