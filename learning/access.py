"""Fetching what the course preview shows; anything else is a 404."""

from django.shortcuts import get_object_or_404

from cohorts.access import cohort_for_staff, cohort_for_trainer
from cohorts.models import Cohort
from courses.models import Lesson


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
