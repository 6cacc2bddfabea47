"""Fetching what the learner's job aids and the course preview show; anything else is a 404."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404

from cohorts.access import cohort_for_staff, cohort_for_trainer
from cohorts.models import Cohort, Enrollment
from courses.models import Lesson, Module
from courses.selectors import one_module_opens_on


def job_aid_for_enrollment(
    enrollment: Enrollment, module_slug: str, *, now: datetime.datetime
) -> Module:
    """The job aid (its module) of a current, open module of the enrolment's course.

    Unlike a lesson, a job aid of a module that has not opened yet is a 404: no page
    links to it, and there is nothing to explain on a card nobody can have seen.
    """
    cohort = enrollment.cohort
    module = _module_with_job_aid(cohort.course_id, module_slug)
    opens_on = one_module_opens_on(cohort=cohort, module=module)
    if cohort.local_today(now) < opens_on:
        raise Http404
    return module


def cohort_for_preview(user, cohort_id: int) -> Cohort:
    """A cohort the user trains, or any cohort for platform staff."""
    if user.is_staff:
        return cohort_for_staff(user, cohort_id)
    return cohort_for_trainer(user, cohort_id)


def lesson_for_preview(cohort: Cohort, slug: str) -> Lesson:
    """A current lesson of the cohort's course, with its text."""
    return get_object_or_404(
        Lesson.objects.select_related("module"),
        course_id=cohort.course_id,
        slug=slug,
        archived=False,
        module__archived=False,
    )


def job_aid_for_preview(cohort: Cohort, module_slug: str) -> Module:
    """The job aid (its module) of a current module of the cohort's course, open or not."""
    return _module_with_job_aid(cohort.course_id, module_slug)


def _module_with_job_aid(course_id: int | None, slug: str) -> Module:
    return get_object_or_404(
        Module.objects.exclude(job_aid=""), course_id=course_id, slug=slug, archived=False
    )
