from django.shortcuts import get_object_or_404

from assignments.models import Assignment


def assignment_for_enrollment(enrollment, slug: str) -> Assignment:
    """A current assignment of the enrolment's course; anything else is 404."""
    return get_object_or_404(
        Assignment.objects.select_related("module"),
        course_id=enrollment.cohort.course_id,
        slug=slug,
        archived=False,
        module__archived=False,
    )
