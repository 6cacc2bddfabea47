"""Reads for assignments: each learner's state per assignment, in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from assignments.models import Assignment, Extension, Grade, Submission
from cohorts.models import AssignmentDeadline


@dataclass
class AssignmentState:
    assignment: Assignment
    module: object  # courses.selectors.ModuleState
    due_on: datetime.date
    due_at: datetime.datetime
    submissions: list[Submission] = field(default_factory=list)  # newest revision first

    @property
    def is_open(self) -> bool:
        return self.module.is_open

    @property
    def latest(self) -> Submission | None:
        return self.submissions[0] if self.submissions else None

    @property
    def best_score(self) -> float | None:
        scores = [s.score for s in self.submissions if s.score is not None]
        return max(scores) if scores else None

    @property
    def is_done(self) -> bool:
        """The completion rule: quiz passed, scan done, reflection approved."""
        kind = self.assignment.kind
        if kind == Assignment.Kind.QUIZ:
            return any(s.passed for s in self.submissions)
        if kind == Assignment.Kind.SCAN:
            return bool(self.submissions)
        return self.latest is not None and self.latest.status == Submission.Status.APPROVED

    @property
    def is_handed_in(self) -> bool:
        """Done, or waiting for the trainer: nothing more is due from the learner now."""
        if self.is_done:
            return True
        return (
            self.assignment.is_reflection
            and self.latest is not None
            and self.latest.status == Submission.Status.SUBMITTED
        )

    def is_overdue(self, now: datetime.datetime) -> bool:
        return not self.is_handed_in and now > self.due_at

    @property
    def status_key(self) -> str:
        """One word for the badge: not_started, draft, submitted, returned, approved,
        passed, failed, done."""
        latest = self.latest
        kind = self.assignment.kind
        if latest is None:
            return "not_started"
        if kind == Assignment.Kind.QUIZ:
            return "passed" if self.is_done else "failed"
        if kind == Assignment.Kind.SCAN:
            return "done"
        return latest.status


def assignment_data(enrollments, course_ids):
    """Everything the course state needs about assignments, in four queries."""
    by_module = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(course_id__in=course_ids, archived=False, module__archived=False)
        .defer("config", "instructions")
        .order_by("position")
    ):
        by_module[assignment.module_id].append(assignment)
    cohort_ids = {e.cohort_id for e in enrollments}
    deadlines = {
        (row.cohort_id, row.assignment_id): row.due_on
        for row in AssignmentDeadline.objects.filter(cohort_id__in=cohort_ids)
    }
    extensions = {
        (row.enrollment_id, row.assignment_id): row.due_on
        for row in Extension.objects.filter(enrollment__in=enrollments)
    }
    submissions = defaultdict(list)
    for submission in (
        Submission.objects.filter(enrollment__in=enrollments)
        .defer("answers", "result")
        .order_by("-revision")
    ):
        submissions[(submission.enrollment_id, submission.assignment_id)].append(submission)
    return by_module, deadlines, extensions, submissions


def assignment_state(*, assignment, module_state, enrollment, deadlines, extensions, submissions):
    cohort = enrollment.cohort
    due_on = assignment.due_on(
        cohort=cohort,
        personal_start=enrollment.starts_on,
        cohort_override=deadlines.get((cohort.pk, assignment.pk)),
        extension=extensions.get((enrollment.pk, assignment.pk)),
    )
    return AssignmentState(
        assignment=assignment,
        module=module_state,
        due_on=due_on,
        due_at=Assignment.due_at(due_on, cohort),
        submissions=submissions.get((enrollment.pk, assignment.pk), []),
    )


def submission_history(enrollment, assignment) -> QuerySet[Submission]:
    """Every revision of the learner's work with its grade, newest first."""
    return (
        Submission.objects.filter(enrollment=enrollment, assignment=assignment)
        .select_related("grade", "grade__trainer")
        .order_by("-revision")
    )


def recent_feedback(enrollments, limit: int = 5) -> QuerySet[Grade]:
    return (
        Grade.objects.filter(submission__enrollment__in=enrollments, released_at__isnull=False)
        .select_related("submission__assignment", "submission__enrollment", "trainer")
        .order_by("-released_at")[:limit]
    )


def cohort_scan_points(assignment, cohort, *, minimum: int = 5) -> list[dict] | None:
    """The cohort's scan results, anonymous; None while fewer than ``minimum`` people have one."""
    results = list(
        Submission.objects.filter(
            assignment=assignment,
            enrollment__cohort=cohort,
            status=Submission.Status.SUBMITTED,
        ).values_list("result", flat=True)
    )
    if len(results) < minimum:
        return None
    return results


def course_assignments(course_id) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(course_id=course_id, archived=False, module__archived=False)
        .defer("config", "instructions")
        .order_by("module__position", "position")
    )


def cohort_extensions(cohort) -> QuerySet[Extension]:
    return (
        Extension.objects.filter(enrollment__cohort=cohort)
        .select_related("enrollment__user", "assignment", "granted_by")
        .order_by("due_on")
    )


def grading_queue_for(trainer) -> QuerySet[Submission]:
    """Reflections waiting for a grade in the trainer's cohorts, oldest first."""
    return (
        Submission.objects.filter(
            status=Submission.Status.SUBMITTED,
            assignment__kind=Assignment.Kind.REFLECTION,
            enrollment__cohort__trainers=trainer,
        )
        .select_related("enrollment__user", "enrollment__cohort", "assignment")
        .defer("answers", "result", "assignment__config", "assignment__instructions")
        .order_by("submitted_at")
    )
