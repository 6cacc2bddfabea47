from django.shortcuts import get_object_or_404

from assignments.models import Assignment, Submission


def assignment_for_enrollment(enrollment, slug: str) -> Assignment:
    """A current assignment of the enrolment's course; anything else is 404."""
    return get_object_or_404(
        Assignment.objects.select_related("module"),
        course_id=enrollment.cohort.course_id,
        slug=slug,
        archived=False,
        module__archived=False,
    )


def submission_for_trainer(user, submission_id: int) -> Submission:
    """A learner's work (any revision) in a cohort the user trains; anything else is 404."""
    return get_object_or_404(
        Submission.objects.select_related(
            "assignment", "enrollment__user", "enrollment__cohort__course"
        ),
        pk=submission_id,
        enrollment__cohort__trainers=user,
    )
