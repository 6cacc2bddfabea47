"""Reads for assignments: each learner's state per assignment, quiz reviews, scan results.

Every state is built for one moment, ``now``, taken once by the caller; every "is
it open, overdue, late" question is a property of the state. The learner pages
and the trainer's screens read through these same functions.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from assignments.charts import phase_steps, quadrant_chart
from assignments.deadlines import DeadlineBook, deadline_book, due_at
from assignments.diff import DiffPart, has_changes, word_diff
from assignments.models import Assignment, CommentSnippet, Extension, Grade, Submission
from assignments.scoring import quiz_grade
from cohorts.models import Cohort, Enrollment
from courses.selectors import module_opens_on, release_overrides


@dataclass
class AssignmentState:
    """One learner's position on one assignment at the moment ``now``."""

    assignment: Assignment
    opens_on: datetime.date
    due_on: datetime.date
    due_at: datetime.datetime
    now: datetime.datetime
    submissions: list[Submission] = field(default_factory=list)  # newest revision first

    @property
    def today(self) -> datetime.date:
        return self.now.astimezone(self.due_at.tzinfo).date()

    @property
    def is_open(self) -> bool:
        return self.today >= self.opens_on

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

    @property
    def handed_in_at(self) -> datetime.datetime | None:
        """When the work that counts first came in: the first passing quiz attempt, the
        scan, or a reflection's first submitted revision."""
        if not self.is_handed_in:
            return None
        if self.assignment.is_quiz:
            moments = [s.submitted_at for s in self.submissions if s.passed]
        else:
            moments = [
                s.submitted_at
                for s in self.submissions
                if s.status != Submission.Status.DRAFT and s.submitted_at
            ]
        return min(moments) if moments else None

    @property
    def is_overdue(self) -> bool:
        return not self.is_handed_in and self.now > self.due_at

    @property
    def is_late(self) -> bool:
        """Handed in, but after the (extended) deadline."""
        moment = self.handed_in_at
        return moment is not None and moment > self.due_at

    @property
    def late_revisions(self) -> set[int]:
        """Revision numbers that came in after the deadline (for marking each one)."""
        return {
            s.revision
            for s in self.submissions
            if s.submitted_at is not None and s.submitted_at > self.due_at
        }

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

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status_key]()


STATUS_LABELS = {
    "not_started": lambda: _("Not started"),
    "draft": lambda: _("Draft"),
    "submitted": lambda: _("Submitted, awaiting feedback"),
    "returned": lambda: _("Returned for revision"),
    "approved": lambda: _("Approved"),
    "passed": lambda: _("Passed"),
    "failed": lambda: _("Not passed yet"),
    "done": lambda: _("Done"),
}


def assignments_by_module(course_ids) -> dict[int, list[Assignment]]:
    """The current assignments of the courses, per module, in order (one query)."""
    by_module = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(course_id__in=course_ids, archived=False, module__archived=False)
        .defer("config", "instructions")
        .order_by("position")
    ):
        by_module[assignment.module_id].append(assignment)
    return by_module


def submissions_by_work(enrollments) -> dict[tuple[int, int], list[Submission]]:
    """Every revision per (enrolment, assignment), newest first, without answers (one query)."""
    submissions = defaultdict(list)
    for submission in (
        Submission.objects.filter(enrollment__in=enrollments)
        .defer("answers", "result")
        .order_by("-revision")
    ):
        submissions[(submission.enrollment_id, submission.assignment_id)].append(submission)
    return submissions


def build_assignment_state(
    *,
    assignment: Assignment,
    enrollment: Enrollment,
    opens_on: datetime.date,
    book: DeadlineBook,
    submissions: list[Submission],
    now: datetime.datetime,
) -> AssignmentState:
    day = book.due_on(assignment, enrollment)
    return AssignmentState(
        assignment=assignment,
        opens_on=opens_on,
        due_on=day,
        due_at=due_at(day, enrollment.cohort.tz),
        now=now,
        submissions=submissions,
    )


def assignment_state_for(
    *, enrollment: Enrollment, assignment: Assignment, now: datetime.datetime
) -> AssignmentState:
    """One learner's state on one assignment, with every revision, its answers and its
    grade (four queries). Expects ``assignment.module`` selected."""
    return build_assignment_state(
        assignment=assignment,
        enrollment=enrollment,
        opens_on=module_opens_on(
            cohort=enrollment.cohort,
            module=assignment.module,
            overrides=release_overrides([enrollment.cohort_id]),
        ),
        book=deadline_book([enrollment], assignment=assignment),
        submissions=list(submission_history(enrollment, assignment)),
        now=now,
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


# --- Quiz review ----------------------------------------------------------------


@dataclass
class QuizReview:
    attempt: Submission
    questions: list[dict]


def quiz_attempt(state: AssignmentState, revision: str | None) -> Submission | None:
    """The attempt to show: ``revision`` when given (None if there is no such attempt),
    else the latest."""
    if not revision:
        return state.latest
    return next((s for s in state.submissions if str(s.revision) == revision), None)


def quiz_review(assignment: Assignment, attempt: Submission) -> QuizReview:
    """Feedback on each chosen option, and whether a right option was left out.

    The answer key stays hidden: options the learner did not choose are not shown,
    but a question counted wrong while every chosen option was right says that a
    correct option is missing.
    """
    _score, _passed, results = quiz_grade(assignment.config, attempt.answers)
    correct = {result.id: result.correct for result in results}
    questions = []
    for question in assignment.config["questions"]:
        chosen_ids = set(attempt.answers.get(question["id"], []))
        options = [
            option | {"chosen": option["id"] in chosen_ids} for option in question["options"]
        ]
        chosen = [option for option in options if option["chosen"]]
        is_correct = correct.get(question["id"], False)
        questions.append(
            {
                "question": question,
                "correct": is_correct,
                "options": options,
                "chosen": chosen,
                "missed_correct": not is_correct and all(option["correct"] for option in chosen),
            }
        )
    return QuizReview(attempt=attempt, questions=questions)


def quiz_attempts_left(assignment: Assignment, attempts_used: int) -> int | None:
    """None when the quiz has no limit; the one place the attempt limit is counted."""
    limit = assignment.config.get("max_attempts")
    if not limit:
        return None
    return max(0, limit - attempts_used)


# --- Scan results ---------------------------------------------------------------


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


def scan_outcome(enrollment: Enrollment, assignment: Assignment, submission: Submission) -> dict:
    """What the scan page shows once the scan is done: the result, the chart, growth."""
    config, result = assignment.config, submission.result
    if config["result_model"] == "quadrant":
        return {
            "chart": quadrant_chart(
                config, result, cohort_scan_points(assignment, enrollment.cohort)
            ),
            "outcome": config["quadrants"][result["outcome"]],
            "dimension_labels": {d["id"]: d["label"] for d in config["dimensions"]},
        }
    phases = {phase["key"]: phase for phase in config["phases"]}
    context = {"outcome": phases[result["outcome"]]}
    previous = None
    if config.get("pre_post") == "post":
        pre = Submission.objects.filter(
            enrollment=enrollment,
            assignment__course=assignment.course_id,
            assignment__slug=config["pair"],
        ).first()
        if pre is not None:
            previous = pre.result["outcome"]
            order = [phase["key"] for phase in config["phases"]]
            context["growth"] = {
                "before": phases[previous],
                "after": phases[result["outcome"]],
                "steps": order.index(result["outcome"]) - order.index(previous),
                "before_score": pre.result["overall"],
                "after_score": result["overall"],
            }
    context["steps"] = phase_steps(config, result["outcome"], previous)
    return context


# --- Lists for staff and trainers -----------------------------------------------


def course_assignments(course_id) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(course_id=course_id, archived=False, module__archived=False)
        .select_related("module")
        .defer("config", "instructions")
        .order_by("module__position", "position")
    )


def cohort_extensions(cohort) -> QuerySet[Extension]:
    return (
        Extension.objects.filter(enrollment__cohort=cohort)
        .select_related("enrollment__user", "assignment", "granted_by")
        .order_by("due_on")
    )


# --- Grading ----------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class GradingFilters:
    """The queue's filters as ids; ``query`` carries them from page to page."""

    cohort_id: int | None = None
    assignment_id: int | None = None

    @property
    def query(self) -> str:
        return urlencode(
            {
                name: value
                for name, value in (("cohort", self.cohort_id), ("assignment", self.assignment_id))
                if value is not None
            }
        )

    @property
    def is_active(self) -> bool:
        return self.cohort_id is not None or self.assignment_id is not None


@dataclass
class GradingFilterChoices:
    """What the queue's filter form offers, and the filters that apply.

    ``rejected`` is true when a value named none of the trainer's own cohorts or
    assignments (a stale bookmark, a tampered link); the queue then shows all work.
    """

    filters: GradingFilters
    cohorts: list[Cohort]
    assignments: list[Assignment]
    rejected: bool = False


_INVALID = object()


def _id_param(params, name: str):
    """An id from the query string: None when absent or empty, ``_INVALID`` when not an id."""
    value = params.get(name, "")
    if value == "":
        return None
    # isascii: isdigit() also accepts digits int() refuses, such as "²".
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else _INVALID


def grading_filters_from(params) -> GradingFilters:
    """The filters a grading page carries along, without a query: every queue query also
    filters on the trainer's own cohorts, so a foreign id only finds nothing."""
    cohort_id, assignment_id = _id_param(params, "cohort"), _id_param(params, "assignment")
    return GradingFilters(
        cohort_id=cohort_id if isinstance(cohort_id, int) else None,
        assignment_id=assignment_id if isinstance(assignment_id, int) else None,
    )


def grading_filter_choices(trainer, params) -> GradingFilterChoices:
    """The trainer's cohorts and reflections to filter on, and the valid filters (two queries)."""
    cohorts = list(Cohort.objects.filter(trainers=trainer).only("pk", "name").order_by("name"))
    assignments = list(
        Assignment.objects.filter(
            kind=Assignment.Kind.REFLECTION,
            archived=False,
            course_id__in=Cohort.objects.filter(trainers=trainer).values("course_id"),
        )
        .only("pk", "title")
        .order_by("course_id", "module__position", "position")
    )
    cohort_id, assignment_id = _id_param(params, "cohort"), _id_param(params, "assignment")
    rejected = False
    if cohort_id is not None and cohort_id not in {cohort.pk for cohort in cohorts}:
        cohort_id, rejected = None, True
    if assignment_id is not None and assignment_id not in {a.pk for a in assignments}:
        assignment_id, rejected = None, True
    return GradingFilterChoices(
        filters=GradingFilters(cohort_id=cohort_id, assignment_id=assignment_id),
        cohorts=cohorts,
        assignments=assignments,
        rejected=rejected,
    )


def grading_queue_for(trainer, filters: GradingFilters | None = None) -> QuerySet[Submission]:
    """Reflections waiting for a grade in the trainer's cohorts, oldest first."""
    queue = Submission.objects.filter(
        status=Submission.Status.SUBMITTED,
        assignment__kind=Assignment.Kind.REFLECTION,
        enrollment__cohort__trainers=trainer,
    )
    if filters is not None and filters.cohort_id is not None:
        queue = queue.filter(enrollment__cohort_id=filters.cohort_id)
    if filters is not None and filters.assignment_id is not None:
        queue = queue.filter(assignment_id=filters.assignment_id)
    return (
        queue.select_related("enrollment__user", "enrollment__cohort", "assignment")
        .defer("answers", "result", "assignment__config", "assignment__instructions")
        .order_by("submitted_at", "pk")
    )


def grading_queue_count(trainer) -> int:
    """How much work waits for the trainer: the navigation's badge (one COUNT query)."""
    return Submission.objects.filter(
        status=Submission.Status.SUBMITTED,
        assignment__kind=Assignment.Kind.REFLECTION,
        enrollment__cohort__trainers=trainer,
    ).count()


def grading_next(trainer, filters: GradingFilters) -> int | None:
    """The id of the oldest work still waiting under the same filters: "save and next"."""
    return grading_queue_for(trainer, filters).values_list("pk", flat=True).first()


@dataclass
class QueueRow:
    submission: Submission
    due_at: datetime.datetime

    @property
    def is_late(self) -> bool:
        """This revision came in after the learner's (extended) deadline."""
        submitted_at = self.submission.submitted_at
        return submitted_at is not None and submitted_at > self.due_at


@dataclass
class QueuePage:
    page: Page
    rows: list[QueueRow]


def grading_queue_page(trainer, filters: GradingFilters, page_number) -> QueuePage:
    """One page of the queue with each row's deadline (four queries, whatever the size)."""
    page = Paginator(grading_queue_for(trainer, filters), QUEUE_PAGE_SIZE).get_page(page_number)
    submissions = list(page.object_list)
    enrollments = list({s.enrollment_id: s.enrollment for s in submissions}.values())
    book = deadline_book(enrollments)
    rows = [
        QueueRow(
            submission=submission,
            due_at=due_at(
                book.due_on(submission.assignment, submission.enrollment),
                submission.enrollment.cohort.tz,
            ),
        )
        for submission in submissions
    ]
    return QueuePage(page=page, rows=rows)


@dataclass
class PromptText:
    """One prompt of the work being graded, with what changed since the previous revision."""

    prompt: dict
    text: str
    diff: list[DiffPart] | None  # None on a first revision
    changed: bool = False


@dataclass
class GradingWork:
    """The work on the grading page: this revision, the earlier ones, the differences."""

    submission: Submission
    earlier: list[Submission]  # revisions before this one, newest first, with grades
    previous: Submission | None
    prompts: list[PromptText]

    @property
    def is_waiting(self) -> bool:
        return self.submission.status == Submission.Status.SUBMITTED

    @property
    def is_draft(self) -> bool:
        return self.submission.status == Submission.Status.DRAFT


def grading_work_for(submission: Submission) -> GradingWork:
    """The revision with every earlier revision and its grade (one query)."""
    history = list(submission_history(submission.enrollment, submission.assignment))
    current = next((s for s in history if s.pk == submission.pk), submission)
    earlier = [s for s in history if s.revision < submission.revision]
    previous = next(
        (s for s in earlier if s.status != Submission.Status.DRAFT),
        None,
    )
    prompts = []
    for prompt in submission.assignment.config.get("prompts", []):
        text = current.answers.get(prompt["id"], "")
        parts = None
        if previous is not None:
            parts = word_diff(previous.answers.get(prompt["id"], ""), text)
        prompts.append(
            PromptText(
                prompt=prompt, text=text, diff=parts, changed=bool(parts) and has_changes(parts)
            )
        )
    return GradingWork(submission=current, earlier=earlier, previous=previous, prompts=prompts)


def grade_input_from(data, assignment: Assignment) -> dict:
    """What the grading form posts: levels per criterion, the comment, the decision.

    Levels stay as sent when they are not numbers, so the service can say which
    criterion is wrong; a criterion not chosen is left out.
    """
    scores: dict[str, int | str] = {}
    for criterion in assignment.config.get("rubric", {}).get("criteria", []):
        value = data.get(f"rubric-{criterion['id']}", "")
        if value == "":
            continue
        is_number = value.isascii() and value.isdigit() and len(value) < 6
        scores[criterion["id"]] = int(value) if is_number else value
    return {
        "rubric_scores": scores,
        "comment": data.get("comment", ""),
        "decision": data.get("decision", ""),
    }


@dataclass
class RubricLevel:
    points: int
    title: str
    description: str
    checked: bool


@dataclass
class RubricCriterion:
    id: str
    title: str
    levels: list[RubricLevel]
    error: str | None = None

    @property
    def field_name(self) -> str:
        return f"rubric-{self.id}"

    @property
    def max_points(self) -> int:
        return max((level.points for level in self.levels), default=0)


@dataclass
class RubricForm:
    criteria: list[RubricCriterion]

    @property
    def total(self) -> int:
        return sum(level.points for c in self.criteria for level in c.levels if level.checked)

    @property
    def max_total(self) -> int:
        return sum(criterion.max_points for criterion in self.criteria)


def rubric_form(
    assignment: Assignment, chosen: dict[str, int | str], field_messages: dict[str, str]
) -> RubricForm:
    """The rubric as radio groups, with the chosen level of each criterion checked."""
    return RubricForm(
        criteria=[
            RubricCriterion(
                id=criterion["id"],
                title=criterion["title"],
                levels=[
                    RubricLevel(
                        points=level["points"],
                        title=level["title"],
                        description=level["description"],
                        checked=chosen.get(criterion["id"]) == level["points"],
                    )
                    for level in criterion["levels"]
                ],
                error=field_messages.get(f"rubric-{criterion['id']}"),
            )
            for criterion in assignment.config.get("rubric", {}).get("criteria", [])
        ]
    )


def comment_snippets_for(trainer) -> QuerySet[CommentSnippet]:
    """The trainer's own comment bank, newest first (bounded by the service's maximum)."""
    return CommentSnippet.objects.filter(trainer=trainer).order_by("-created_at", "-pk")
