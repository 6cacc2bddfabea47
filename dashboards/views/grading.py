"""The trainer's grading: the queue (/trainer/) and the grading page."""

from django.shortcuts import render

from accounts.access import role_required
from assignments.selectors import grading_queue_for
from cohorts.selectors import cohorts_trained_by


@role_required("trainer")
def queue(request):
    """Beoordelen: the grading queue, with the trainer's cohorts beside it."""
    return render(
        request,
        "dashboards/trainer_home.html",
        {
            "cohorts": cohorts_trained_by(request.user),
            "queue": grading_queue_for(request.user),
        },
    )
