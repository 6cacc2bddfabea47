"""The trainer workspace, /trainer/: cohorts and their learners (grading is in grading.py)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from cohorts.access import cohort_for_trainer
from cohorts.selectors import cohorts_trained_by
from dashboards.views.shared import cohort_page, grant_extension


@role_required("trainer")
def cohorts(request):
    """Groepen."""
    return render(
        request, "dashboards/trainer_cohorts.html", {"cohorts": cohorts_trained_by(request.user)}
    )


@role_required("trainer")
def cohort(request, cohort_id: int):
    cohort = cohort_for_trainer(request.user, cohort_id)
    return cohort_page(
        request,
        cohort,
        back_url=reverse("trainer:cohorts"),
        back_label=_("Cohorts"),
        extension_action=reverse("trainer:extension", args=[cohort.pk]),
    )


@role_required("trainer")
@require_POST
def extension(request, cohort_id: int):
    cohort = cohort_for_trainer(request.user, cohort_id)
    return grant_extension(request, cohort, back=reverse("trainer:cohort", args=[cohort.pk]))
