"""The learner's area, /leren/: the journey through the course.

Each view takes ``now`` once and builds the learner's progress for that moment.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import login_required, role_required
from assignments.access import assignment_for_cohort
from assignments.calendar import deadlines_calendar
from assignments.feedback import learner_feedback
from cohorts.access import enrollment_for_learner
from cohorts.selectors import cohort_trainers, enrollments_of_learner
from courses.access import lesson_for_enrollment
from courses.selectors import one_module_opens_on
from courses.services import lesson_mark_read
from courses.views import module_locked
from learning.access import (
    cohort_for_preview,
    job_aid_for_enrollment,
    job_aid_for_preview,
    lesson_for_preview,
)
from learning.progress import course_preview, course_state, course_states, with_unseen_feedback


@role_required("learner")
def home(request):
    """Mijn leertraject: every course the learner follows, with progress and what's next."""
    enrollments = list(enrollments_of_learner(request.user))
    feedback = learner_feedback(enrollments)
    states = course_states(enrollments, now=timezone.now())
    return render(
        request,
        "courses/home.html",
        {
            "states": with_unseen_feedback(states, unseen=feedback.unseen),
            "feedback": feedback.recent,
        },
    )


@role_required("learner")
def cohort(request, cohort_id: int):
    """The course as this cohort follows it: modules, opening dates, progress."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    return render(
        request,
        "courses/course.html",
        {
            "enrollment": enrollment,
            "cohort": enrollment.cohort,
            "state": course_state(enrollment, now=timezone.now()),
            "trainers": cohort_trainers(enrollment.cohort),
        },
    )


def _locked(request, enrollment, module_state):
    return module_locked(
        request,
        cohort=enrollment.cohort,
        module=module_state.module,
        opens_on=module_state.opens_on,
    )


@role_required("learner")
def module(request, cohort_id: int, module_slug: str):
    enrollment = enrollment_for_learner(request.user, cohort_id)
    state = with_unseen_feedback([course_state(enrollment, now=timezone.now())])[0]
    module_state = state.module(module_slug)
    if module_state is None:
        raise Http404
    if not module_state.is_open:
        return _locked(request, enrollment, module_state)
    return render(
        request,
        "courses/module.html",
        {"cohort": enrollment.cohort, "state": state, "module_state": module_state},
    )


@role_required("learner")
def lesson(request, cohort_id: int, lesson_slug: str):
    enrollment = enrollment_for_learner(request.user, cohort_id)
    lesson = lesson_for_enrollment(enrollment, lesson_slug)
    state = course_state(enrollment, now=timezone.now())
    lesson_state = state.lesson_state(lesson)
    if not lesson_state.is_open:
        return _locked(request, enrollment, lesson_state.module)
    previous, following = state.neighbours(lesson)
    return render(
        request,
        "courses/lesson.html",
        {
            "cohort": enrollment.cohort,
            "state": state,
            "lesson": lesson,
            "lesson_state": lesson_state,
            "previous": previous,
            "following": following,
        },
    )


@role_required("learner")
def job_aid(request, cohort_id: int, module_slug: str):
    """The module's printable one-page card (kaart), once the module is open."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    module = job_aid_for_enrollment(enrollment, module_slug, now=timezone.now())
    return render(
        request,
        "learning/job_aid.html",
        {"cohort": enrollment.cohort, "module": module, "is_preview": False},
    )


@role_required("learner")
@require_POST
def lesson_read(request, cohort_id: int, lesson_slug: str):
    """ "Gelezen": a POST, so following a link never changes progress."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    lesson = lesson_for_enrollment(enrollment, lesson_slug)
    now = timezone.now()
    # Only whether the lesson's module is open (``ModuleState.is_open``): no course state.
    cohort = enrollment.cohort
    opens_on = one_module_opens_on(cohort=cohort, module=lesson.module)
    if cohort.local_today(now) < opens_on:
        return module_locked(request, cohort=cohort, module=lesson.module, opens_on=opens_on)
    lesson_mark_read(enrollment=enrollment, lesson=lesson, now=now)
    messages.success(request, _("Marked as read."))
    return redirect("learn:lesson", cohort_id=cohort_id, lesson_slug=lesson_slug)


@role_required("learner")
def calendar(request, cohort_id: int):
    """The learner's deadlines as an iCalendar file."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    state = course_state(enrollment, now=timezone.now())
    response = HttpResponse(deadlines_calendar(state), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="klantbekwaam-deadlines.ics"'
    return response


# --- The course preview: a trainer reads what their group gets -----------------------
#
# Open to any logged-in person by decorator; ``cohort_for_preview`` lets through only
# a trainer of the cohort or platform staff (everyone else: 404). Every module is
# readable whatever its opening date, and nothing is recorded: no progress, no work.


@login_required
def preview(request, cohort_id: int):
    cohort = cohort_for_preview(request.user, cohort_id)
    return render(
        request,
        "learning/preview_course.html",
        {"cohort": cohort, "preview": course_preview(cohort, now=timezone.now())},
    )


@login_required
def preview_lesson(request, cohort_id: int, lesson_slug: str):
    cohort = cohort_for_preview(request.user, cohort_id)
    lesson = lesson_for_preview(cohort, lesson_slug)
    preview = course_preview(cohort, now=timezone.now())
    previous, following = preview.neighbours(lesson)
    return render(
        request,
        "learning/preview_lesson.html",
        {
            "cohort": cohort,
            "lesson": lesson,
            "module": preview.module_of(lesson.module_id),
            "previous": previous,
            "following": following,
        },
    )


@login_required
def preview_job_aid(request, cohort_id: int, module_slug: str):
    cohort = cohort_for_preview(request.user, cohort_id)
    module = job_aid_for_preview(cohort, module_slug)
    return render(
        request,
        "learning/job_aid.html",
        {"cohort": cohort, "module": module, "is_preview": True},
    )


@login_required
def preview_assignment(request, cohort_id: int, assignment_slug: str):
    cohort = cohort_for_preview(request.user, cohort_id)
    assignment = assignment_for_cohort(cohort, assignment_slug)
    preview = course_preview(cohort, now=timezone.now())
    return render(
        request,
        "learning/preview_assignment.html",
        {
            "cohort": cohort,
            "assignment": assignment,
            "module": preview.module_of(assignment.module_id),
        },
    )
