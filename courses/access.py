from django.shortcuts import get_object_or_404

from courses.models import Lesson


def lesson_for_enrollment(enrollment, slug: str) -> Lesson:
    """A current lesson of the enrolment's course; archived or foreign lessons are 404.

    Whether its module is open yet is a question for the course state, which the
    view asks next (a locked module gets its own page, not a 404).
    """
    return get_object_or_404(
        Lesson.objects.select_related("module"),
        course_id=enrollment.cohort.course_id,
        slug=slug,
        archived=False,
        module__archived=False,
    )
