from django.shortcuts import get_object_or_404

from assignments.models import Assignment, Submission


def assignment_for_cohort(cohort, slug: str) -> Assignment:
    """A current assignment of the cohort's course; anything else is 404."""
    return get_object_or_404(
        Assignment.objects.select_related("module"),
        course_id=cohort.course_id,
        slug=slug,
        archived=False,
        module__archived=False,
    )


def assignment_for_enrollment(enrollment, slug: str) -> Assignment:
    """A current assignment of the enrolment's course; anything else is 404."""
    return assignment_for_cohort(enrollment.cohort, slug)


def submission_for_learner(enrollment, assignment: Assignment, revision: int) -> Submission:
    """One handed-in revision of the learner's own work; drafts and anything else are 404."""
    submission = get_object_or_404(
        Submission.objects.exclude(status=Submission.Status.DRAFT),
        enrollment=enrollment,
        assignment=assignment,
        revision=revision,
    )
    submission.enrollment, submission.assignment = enrollment, assignment
    return submission


def submission_for_trainer(user, submission_id: int) -> Submission:
    """A learner's work (any revision) in a cohort the user trains; anything else is 404."""
    return get_object_or_404(
        Submission.objects.select_related(
            "assignment", "enrollment__user", "enrollment__cohort__course"
        ),
        pk=submission_id,
        enrollment__cohort__trainers=user,
    )
