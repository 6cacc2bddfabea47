"""The learner's area, /leren/."""

from django.shortcuts import render

from accounts.access import role_required
from cohorts.access import enrollment_for_learner
from cohorts.selectors import cohort_trainers, enrollments_of_learner


@role_required("learner")
def home(request):
    """Mijn leertraject."""
    enrollments = enrollments_of_learner(request.user)
    return render(request, "courses/home.html", {"enrollments": enrollments})


@role_required("learner")
def cohort(request, cohort_id: int):
    enrollment = enrollment_for_learner(request.user, cohort_id)
    return render(
        request,
        "courses/cohort.html",
        {
            "enrollment": enrollment,
            "cohort": enrollment.cohort,
            "trainers": cohort_trainers(enrollment.cohort),
        },
    )
