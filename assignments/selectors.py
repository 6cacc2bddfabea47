"""Reads for assignments: each learner's state per assignment, quiz reviews, scan results.

Every state is built for one moment, ``now``, taken once by the caller; every "is
it open, overdue, late" question is a property of the state. The learner pages
and the trainer's screens read through these same functions.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from assignments.charts import phase_steps, quadrant_chart
from assignments.deadlines import DeadlineBook, deadline_book, due_at, due_on
from assignments.diff import DiffPart, has_changes, word_diff
from assignments.models import (
    Assignment,
    AssignmentDeadline,
    CommentSnippet,
    Extension,
    Grade,
    Submission,
)
from assignments.scoring import quiz_draw, quiz_grade, quiz_needed, scoring_version
from cohorts.models import Cohort, Enrollment
from courses.selectors import one_module_opens_on


@dataclass
class AssignmentState:
    """One learner's position on one assignment at the moment ``now``."""

    assignment: Assignment
    opens_on: datetime.date
    due_on: datetime.date
    due_at: datetime.datetime
    now: datetime.datetime
    # Newest revision first: Submissions, or WorkRecords from ``submissions_by_work``.
    submissions: list = field(default_factory=list)

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
    """The current assignments of the courses, per module, in order (one query).

    The definition stays unloaded; two values are read from it: ``scan_role`` ("pre"
    for a baseline scan, "post" for its repeat, None otherwise), so the next step can
    put the baseline first, and a quiz's ``pass_mark`` for the completion checklist.
    """
    by_module = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(course_id__in=course_ids, archived=False, module__archived=False)
        .defer("config", "instructions")
        .annotate(scan_role=KT("config__pre_post"), pass_mark=KT("config__pass_mark"))
        .order_by("position")
    ):
        by_module[assignment.module_id].append(assignment)
    return by_module


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """A revision as progress reads it (``AssignmentState``): its status, score and
    moments; no text, answers or result. Plain values: the sweep reads a hundred
    thousand of them, and a model instance each costs several times more."""

    pk: int
    revision: int
    status: str
    score: float | None
    passed: bool | None
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime


def submissions_by_work(enrollments) -> dict[tuple[int, int], list[WorkRecord]]:
    """Every revision per (enrolment, assignment), newest first, as ``WorkRecord``s
    (one query)."""
    submissions = defaultdict(list)
    rows = (
        Submission.objects.filter(enrollment__in=enrollments)
        .order_by("-revision")
        .values_list(
            "enrollment_id",
            "assignment_id",
            "pk",
            "revision",
            "status",
            "score",
            "passed",
            "submitted_at",
            "updated_at",
        )
    )
    for enrollment_id, assignment_id, *fields in rows:
        submissions[(enrollment_id, assignment_id)].append(WorkRecord(*fields))
    return submissions


def build_assignment_state(
    *,
    assignment: Assignment,
    enrollment: Enrollment,
    opens_on: datetime.date,
    book: DeadlineBook,
    submissions: list,
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
        opens_on=assignment_opens_on(enrollment=enrollment, assignment=assignment),
        book=deadline_book([enrollment], assignment=assignment),
        submissions=list(submission_history(enrollment, assignment)),
        now=now,
    )


def assignment_opens_on(*, enrollment: Enrollment, assignment: Assignment) -> datetime.date:
    """When the assignment's module opens for the learner's cohort (one query): all a
    hand-in needs to know before the service takes over. Expects ``assignment.module``
    selected."""
    return one_module_opens_on(cohort=enrollment.cohort, module=assignment.module)


def submission_history(enrollment, assignment) -> QuerySet[Submission]:
    """Every revision of the learner's work with its grade, newest first."""
    return (
        Submission.objects.filter(enrollment=enrollment, assignment=assignment)
        .select_related("grade", "grade__trainer")
        .order_by("-revision")
    )


# --- Quiz review ----------------------------------------------------------------


@dataclass
class QuizReview:
    attempt: Submission
    questions: list[dict]
    # Questions of the attempt that have since left the quiz (not shown; its score stands).
    gone: int = 0


@dataclass(frozen=True)
class QuizDraw:
    """The questions of a learner's next attempt and the number that attempt gets."""

    attempt: int
    question_ids: list[str]
    bank_size: int
    needed: int  # questions fully right to pass

    @property
    def is_drawn(self) -> bool:
        """Taken from a larger bank, so a retry gets other questions."""
        return len(self.question_ids) < self.bank_size


def attempt_question_ids(attempt: "Submission | QuizAttempt") -> list[str]:
    """The questions an attempt was given: as stored with it, or, for an attempt from
    before that was stored, the questions it has answers for. Answers an import moved
    to a new id (``replaces``) count for the attempt too."""
    stored = list((attempt.result or {}).get("questions") or [])
    answered = [question_id for question_id, chosen in attempt.answers.items() if chosen]
    return stored + [question_id for question_id in answered if question_id not in stored]


@dataclass(frozen=True, slots=True)
class QuizAttempt:
    """An earlier attempt as the next draw counts it (``attempt_question_ids``)."""

    revision: int
    answers: dict
    result: dict | None


def quiz_attempts(*, enrollment_id: int, assignment_id: int) -> list[QuizAttempt]:
    """The learner's attempts at a quiz as plain values (one query): what submitting
    needs to draw the next attempt's questions."""
    return [
        QuizAttempt(*row)
        for row in Submission.objects.filter(
            enrollment_id=enrollment_id, assignment_id=assignment_id
        ).values_list("revision", "answers", "result")
    ]


def quiz_next_draw(*, enrollment_id: int, assignment: Assignment, attempts) -> QuizDraw:
    """The questions of the next attempt, the same on the page and at submitting.

    Derived from (enrolment, assignment, attempt number) and how often each question
    was shown in ``attempts`` (every earlier attempt, with answers and result), so
    nothing needs storing until the attempt is submitted; a retry takes the questions
    seen least first.
    """
    attempts = list(attempts)
    number = max((attempt.revision for attempt in attempts), default=0) + 1
    seen = Counter(qid for attempt in attempts for qid in attempt_question_ids(attempt))
    question_ids = quiz_draw(
        assignment.config, seed=f"{enrollment_id}:{assignment.pk}:{number}", seen=seen
    )
    return QuizDraw(
        attempt=number,
        question_ids=question_ids,
        bank_size=len(assignment.config["questions"]),
        needed=quiz_needed(assignment.config, len(question_ids)),
    )


def quiz_form_questions(
    assignment: Assignment, draw: QuizDraw, chosen: dict, field_messages: dict[str, str]
) -> list[dict]:
    """The attempt's questions for the form, with what was chosen and the message per question."""
    drawn = set(draw.question_ids)
    return [
        question
        | {
            "error": field_messages.get(question["id"]),
            "options": [
                option | {"checked": option["id"] in chosen.get(question["id"], [])}
                for option in question["options"]
            ],
        }
        for question in assignment.config["questions"]
        if question["id"] in drawn
    ]


def quiz_attempt(state: AssignmentState, revision: str | None) -> Submission | None:
    """The attempt to show: ``revision`` when given (None if there is no such attempt),
    else the latest."""
    if not revision:
        return state.latest
    return next((s for s in state.submissions if str(s.revision) == revision), None)


def quiz_review(assignment: Assignment, attempt: Submission) -> QuizReview:
    """Feedback on each chosen option of the attempt's own questions, and whether a right
    option was left out.

    The answer key stays hidden: options the learner did not choose are not shown,
    but a question counted wrong while every chosen option was right says that a
    correct option is missing. Questions that have left the quiz since the attempt
    are not shown (``gone`` counts them); the attempt's stored score stands.
    """
    question_ids = attempt_question_ids(attempt)
    _score, _passed, results = quiz_grade(
        assignment.config, attempt.answers, question_ids=question_ids
    )
    correct = {result.id: result.correct for result in results}
    questions = []
    for question in assignment.config["questions"]:
        if question["id"] not in correct:
            continue
        chosen_ids = set(attempt.answers.get(question["id"], []))
        options = [
            option | {"chosen": option["id"] in chosen_ids} for option in question["options"]
        ]
        chosen = [option for option in options if option["chosen"]]
        is_correct = correct[question["id"]]
        questions.append(
            {
                "question": question,
                "correct": is_correct,
                "options": options,
                "chosen": chosen,
                "missed_correct": not is_correct and all(option["correct"] for option in chosen),
            }
        )
    return QuizReview(
        attempt=attempt, questions=questions, gone=len(set(question_ids) - set(correct))
    )


def quiz_attempts_left(assignment: Assignment, attempts_used: int) -> int | None:
    """None when the quiz has no limit; the one place the attempt limit is counted."""
    limit = assignment.config.get("max_attempts")
    if not limit:
        return None
    return max(0, limit - attempts_used)


# --- Scan results ---------------------------------------------------------------


def cohort_scan_points(assignment, cohort, *, minimum: int = 5) -> list[dict] | None:
    """The cohort's scan results, anonymous; None while fewer than ``minimum`` people have one.

    Results of any scoring version: a dot is drawn where its scores are, whatever
    quadrant its own version gave it.
    """
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
    """What the scan page shows once the scan is done: the result, the chart, growth.

    A result is shown as it was scored: a first-edition result (no "scoring") keeps its
    stored outcome and its chart lines at 3.0, and the page says how it was scored.
    """
    config, result = assignment.config, submission.result
    context = {
        "first_edition": scoring_version(result) == 1,
        "dimension_labels": {d["id"]: d["label"] for d in config["dimensions"]},
    }
    if config["result_model"] == "quadrant":
        return context | {
            "chart": quadrant_chart(
                config, result, cohort_scan_points(assignment, enrollment.cohort)
            ),
            "outcome": config["quadrants"][result["outcome"]],
        }
    phases = {phase["key"]: phase for phase in config["phases"]}
    context["outcome"] = phases[result["outcome"]]
    previous = None
    if config.get("pre_post") == "post":
        pre = Submission.objects.filter(
            enrollment=enrollment,
            assignment__course=assignment.course_id,
            assignment__slug=config["pair"],
        ).first()
        if pre is not None:
            previous = pre.result["outcome"]
            context["growth"] = _scan_growth(config, pre.result, result, phases)
    context["steps"] = phase_steps(config, result["outcome"], previous)
    return context


def _scan_growth(config: dict, before: dict, after: dict, phases: dict) -> dict:
    """From the pre scan to the post scan: the phases, and the scores each was placed by.

    Two first-edition results compare their "overall"; otherwise both dimension scores
    are shown before and after (every version stores them). ``mixed`` says the two were
    scored by different versions, so part of a move can come from the scoring.
    """
    order = [phase["key"] for phase in config["phases"]]
    versions = scoring_version(before), scoring_version(after)
    growth = {
        "before": phases[before["outcome"]],
        "after": phases[after["outcome"]],
        "steps": order.index(after["outcome"]) - order.index(before["outcome"]),
        "mixed": versions[0] != versions[1],
    }
    if versions == (1, 1):
        return growth | {"before_score": before["overall"], "after_score": after["overall"]}
    return growth | {
        "dimensions": [
            {
                "label": dimension["label"],
                "before": before.get("scores", {}).get(dimension["id"]),
                "after": after.get("scores", {}).get(dimension["id"]),
            }
            for dimension in config["dimensions"]
        ]
    }


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


def _waiting_for(trainer, filters: GradingFilters | None = None) -> QuerySet[Submission]:
    """Reflections waiting for a grade in the trainer's cohorts, under the filters."""
    queue = Submission.objects.filter(
        status=Submission.Status.SUBMITTED,
        assignment__kind=Assignment.Kind.REFLECTION,
        enrollment__cohort__trainers=trainer,
    )
    if filters is not None and filters.cohort_id is not None:
        queue = queue.filter(enrollment__cohort_id=filters.cohort_id)
    if filters is not None and filters.assignment_id is not None:
        queue = queue.filter(assignment_id=filters.assignment_id)
    return queue.order_by("submitted_at", "pk")


def grading_queue_count(trainer) -> int:
    """How much work waits for the trainer: the navigation's badge (one COUNT query)."""
    return _waiting_for(trainer).order_by().count()


def grading_next(trainer, filters: GradingFilters) -> int | None:
    """The id of the oldest work still waiting under the same filters: "save and next"."""
    return _waiting_for(trainer, filters).values_list("pk", flat=True).first()


@dataclass
class QueueRow:
    """One waiting revision as the queue's table shows it."""

    submission_id: int
    submitted_at: datetime.datetime | None
    # submitted_at for <time datetime="…"> in the current time zone, as the template's
    # date:"Y-m-d\TH:i:sO" wrote it (formatted here: fifty date filters cost more
    # than the rest of a row).
    submitted_datetime: str
    revision: int
    learner: str
    cohort_name: str
    assignment_title: str
    due_at: datetime.datetime

    @property
    def is_late(self) -> bool:
        """This revision came in after the learner's (extended) deadline."""
        return self.submitted_at is not None and self.submitted_at > self.due_at


@dataclass
class QueuePage:
    page: Page
    rows: list[QueueRow]
    # All the trainer's waiting work when no filter applies (the navigation's badge then
    # shows this number instead of counting again), else None.
    all_waiting: int | None = None


def grading_queue_page(trainer, filters: GradingFilters, page_number) -> QueuePage:
    """One page of the queue with each row's deadline (two queries, whatever the size):
    the ids of all the waiting work in order (their number is the total), then the
    page's rows as plain values with the learner's extension and the cohort's deadline
    for the work, so ``due_on`` can apply the one deadline rule."""
    ids = list(_waiting_for(trainer, filters).values_list("pk", flat=True))
    page = Paginator(ids, QUEUE_PAGE_SIZE).get_page(page_number)
    values = (
        _waiting_for(trainer, filters)
        .filter(pk__in=page.object_list)
        .annotate(
            extension=Subquery(
                Extension.objects.filter(
                    enrollment_id=OuterRef("enrollment_id"), assignment_id=OuterRef("assignment_id")
                ).values("due_on")[:1]
            ),
            override=Subquery(
                AssignmentDeadline.objects.filter(
                    cohort_id=OuterRef("enrollment__cohort_id"),
                    assignment_id=OuterRef("assignment_id"),
                ).values("due_on")[:1]
            ),
        )
        .values(
            "pk",
            "submitted_at",
            "revision",
            "extension",
            "override",
            personal_start=F("enrollment__starts_on"),
            display_name=F("enrollment__user__display_name"),
            email=F("enrollment__user__email"),
            cohort_id=F("enrollment__cohort_id"),
            cohort_name=F("enrollment__cohort__name"),
            cohort_start=F("enrollment__cohort__starts_on"),
            time_zone=F("enrollment__cohort__time_zone"),
            title=F("assignment__title"),
            offset=F("assignment__due_offset_days"),
        )
    )
    # The deadline rule reads a cohort and an assignment: one unsaved instance each,
    # holding only what the rule needs.
    cohorts, assignments = {}, {}
    rows = []
    for row in values:
        cohort = cohorts.get(row["cohort_id"])
        if cohort is None:
            cohort = cohorts[row["cohort_id"]] = Cohort(
                pk=row["cohort_id"], starts_on=row["cohort_start"], time_zone=row["time_zone"]
            )
        assignment = assignments.get(row["offset"])
        if assignment is None:
            assignment = assignments[row["offset"]] = Assignment(due_offset_days=row["offset"])
        day = due_on(
            assignment=assignment,
            cohort=cohort,
            personal_start=row["personal_start"],
            cohort_override=row["override"],
            extension=row["extension"],
        )
        rows.append(
            QueueRow(
                submission_id=row["pk"],
                submitted_at=row["submitted_at"],
                submitted_datetime=(
                    localtime(row["submitted_at"]).strftime("%Y-%m-%dT%H:%M:%S%z")
                    if row["submitted_at"] is not None
                    else ""
                ),
                revision=row["revision"],
                learner=row["display_name"] or row["email"],  # as User.__str__
                cohort_name=row["cohort_name"],
                assignment_title=row["title"],
                due_at=due_at(day, cohort.tz),
            )
        )
    return QueuePage(page=page, rows=rows, all_waiting=None if filters.is_active else len(ids))


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


@dataclass
class RubricRow:
    criterion: str
    level: str  # "" when the points are no longer one of the criterion's levels
    points: int
    max_points: int | None  # None for a criterion that has left the rubric


def rubric_rows(assignment, grade: Grade) -> list[RubricRow]:
    """The grade's score per criterion of the rubric, with the level's title, in rubric order."""
    rows = []
    for criterion in assignment.config.get("rubric", {}).get("criteria", []):
        if criterion["id"] not in grade.rubric_scores:
            continue
        points = grade.rubric_scores[criterion["id"]]
        levels = criterion["levels"]
        rows.append(
            RubricRow(
                criterion=criterion["title"],
                level=next((lv["title"] for lv in levels if lv["points"] == points), ""),
                points=points,
                max_points=max((lv["points"] for lv in levels), default=0),
            )
        )
    return rows


def rubric_rows_gone(assignment, grade: Grade) -> list[RubricRow]:
    """Scores an older grade holds for criteria the rubric no longer has: the grade stands,
    so they are shown as stored, by criterion id."""
    current = {c["id"] for c in assignment.config.get("rubric", {}).get("criteria", [])}
    return [
        RubricRow(criterion=criterion_id, level="", points=points, max_points=None)
        for criterion_id, points in grade.rubric_scores.items()
        if criterion_id not in current
    ]


def with_rubric_rows(assignment, submissions) -> None:
    """Give each graded submission's grade its ``rubric_rows`` and ``rubric_gone`` for the
    page (the rubric as it is now, and scores on criteria that left it)."""
    for submission in submissions:
        grade = getattr(submission, "grade", None)
        if grade is not None:
            grade.rubric_rows = rubric_rows(assignment, grade)
            grade.rubric_gone = rubric_rows_gone(assignment, grade)


def grading_work_for(submission: Submission) -> GradingWork:
    """The revision with every earlier revision and its grade (one query)."""
    history = list(submission_history(submission.enrollment, submission.assignment))
    with_rubric_rows(submission.assignment, history)
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
    example: str = ""  # an anchor example, for the trainer
    is_pass_level: bool = False


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
    def has_examples(self) -> bool:
        return any(level.example for level in self.levels)

    @property
    def max_points(self) -> int:
        return max((level.points for level in self.levels), default=0)


@dataclass
class RubricForm:
    criteria: list[RubricCriterion]
    pass_level: int | None = None  # approving needs every criterion at this level or higher

    @property
    def total(self) -> int:
        return sum(level.points for c in self.criteria for level in c.levels if level.checked)

    @property
    def max_total(self) -> int:
        return sum(criterion.max_points for criterion in self.criteria)


def rubric_form(
    assignment: Assignment, chosen: dict[str, int | str], field_messages: dict[str, str]
) -> RubricForm:
    """The rubric as radio groups, with the chosen level of each criterion checked, each
    level's anchor example, and the pass level marked."""
    rubric = assignment.config.get("rubric", {})
    pass_level = rubric.get("pass_level")
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
                        example=level.get("example", ""),
                        is_pass_level=level["points"] == pass_level,
                    )
                    for level in criterion["levels"]
                ],
                error=field_messages.get(f"rubric-{criterion['id']}"),
            )
            for criterion in rubric.get("criteria", [])
        ],
        pass_level=pass_level,
    )


def comment_snippets_for(trainer) -> QuerySet[CommentSnippet]:
    """The trainer's own comment bank, newest first (bounded by the service's maximum)."""
    return CommentSnippet.objects.filter(trainer=trainer).order_by("-created_at", "-pk")
