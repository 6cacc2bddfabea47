"""A learner's combined progress: lessons read (content) and assignments done (work).

This module sits above ``courses`` and ``assignments`` and is the one place that
puts them together. ``course_states`` builds any number of enrolments' views of the
course in a fixed number of queries (five, none for a learner's own pages while
their rows are kept, and three more when a course's outline is read anew), for one
moment ``now`` that the caller takes once; the dashboard, course, module and lesson
pages, the trainer's and HR's overviews and the reminders all read progress through
it. Completion follows one rule: every lesson read and every assignment done
(``AssignmentState.is_done``): every quiz passed at its pass mark (the final test's is
70 %), every scan done, every reflection approved. ``CourseState.completion`` lists
the rule part by part.

The course's outline (its modules, lessons and assignments) changes only when the
course does, so each process keeps the outlines it has read under the course's
``updated_at`` (``course_outlines``); every save or delete of a module, lesson or
assignment moves that stamp (``courses.signals``). In the same way a learner's own
rows (lessons read, work, extensions, and the cohort's opening dates and deadlines)
are kept for the learner's own pages under the enrolment's and the cohort's
``progress_version``, which every service that changes them raises
(``cohorts.services.progress_changed``); see ``progress_rows``.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.db.models import Max, Q

from assignments.deadlines import DeadlineBook, deadline_extensions, deadline_overrides
from assignments.feedback import unseen_feedback
from assignments.models import Assignment, Submission
from assignments.selectors import (
    AssignmentState,
    assignments_by_module,
    build_assignment_state,
    submissions_by_work,
)
from cohorts.models import Cohort, Enrollment
from courses.models import Course, Lesson, LessonProgress, Module
from courses.selectors import (
    lessons_by_module,
    lessons_read,
    module_opens_on,
    modules_by_course,
    release_overrides,
)


@dataclass
class LessonState:
    lesson: Lesson
    module: "ModuleState"
    is_read: bool = False

    @property
    def is_open(self) -> bool:
        return self.module.is_open


@dataclass
class ModuleState:
    module: Module
    opens_on: datetime.date
    is_open: bool
    lessons: list[LessonState] = field(default_factory=list)
    assignments: list[AssignmentState] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return self.read_count + sum(1 for state in self.assignments if state.is_done)

    @property
    def item_count(self) -> int:
        return self.total + len(self.assignments)

    @property
    def read_count(self) -> int:
        return sum(1 for state in self.lessons if state.is_read)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def minutes(self) -> int:
        return sum(state.lesson.minutes for state in self.lessons)

    @property
    def is_done(self) -> bool:
        return self.total > 0 and self.read_count == self.total


@dataclass(frozen=True)
class CompletionPart:
    """One part of the completion rule, as the learner's course page lists it."""

    key: str  # "lessons", "quizzes", "scans" or "reflections"
    done: int
    total: int
    # What is still missing, in course order (assignments only: a lesson count says enough).
    missing: tuple[AssignmentState, ...] = ()

    @property
    def is_done(self) -> bool:
        return self.done == self.total


@dataclass
class CourseState:
    enrollment: Enrollment
    now: datetime.datetime
    modules: list[ModuleState] = field(default_factory=list)
    # Assignment ids with released feedback the learner has not opened yet; filled
    # by ``with_unseen_feedback`` for the learner's own pages only.
    unseen_feedback: set[int] = field(default_factory=set)

    @property
    def course(self) -> Course | None:
        return self.enrollment.cohort.course

    @property
    def lessons(self) -> list[LessonState]:
        return [state for module in self.modules for state in module.lessons]

    @property
    def read_count(self) -> int:
        return sum(module.read_count for module in self.modules)

    @property
    def total(self) -> int:
        return sum(module.total for module in self.modules)

    @property
    def assignments(self) -> list[AssignmentState]:
        return [state for module in self.modules for state in module.assignments]

    @property
    def assignments_done(self) -> int:
        return sum(1 for state in self.assignments if state.is_done)

    @property
    def percent(self) -> int:
        """Completion: lessons read, quizzes passed, scans done, reflections approved."""
        items = sum(module.item_count for module in self.modules)
        done = sum(module.done_count for module in self.modules)
        return round(100 * done / items) if items else 0

    @property
    def is_complete(self) -> bool:
        return bool(self.modules) and all(
            module.done_count == module.item_count for module in self.modules
        )

    @property
    def completion(self) -> list[CompletionPart]:
        """The completion rule part by part: every lesson read, every quiz passed at its
        pass mark (the final test's is 70 %), every scan done, every reflection approved.
        Parts the course does not have are left out."""
        parts = [CompletionPart("lessons", self.read_count, self.total)]
        for key, kind in (
            ("quizzes", Assignment.Kind.QUIZ),
            ("scans", Assignment.Kind.SCAN),
            ("reflections", Assignment.Kind.REFLECTION),
        ):
            states = [s for s in self.assignments if s.assignment.kind == kind]
            missing = tuple(s for s in states if not s.is_done)
            parts.append(CompletionPart(key, len(states) - len(missing), len(states), missing))
        return [part for part in parts if part.total]

    @property
    def baseline(self) -> AssignmentState | None:
        """An open baseline scan not done yet: it comes before the first lesson."""
        return next(
            (
                s
                for s in self.assignments
                if getattr(s.assignment, "scan_role", "") == "pre" and s.is_open and not s.is_done
            ),
            None,
        )

    @property
    def next_lesson(self) -> LessonState | None:
        """The first unread lesson in an open module: where "Ga verder" goes."""
        return next((s for s in self.lessons if not s.is_read and s.is_open), None)

    @property
    def upcoming(self) -> list[AssignmentState]:
        """Open work not yet handed in, soonest first (overdue work included)."""
        return sorted(
            (s for s in self.assignments if s.is_open and not s.is_handed_in),
            key=lambda s: s.due_at,
        )

    @property
    def overdue(self) -> list[AssignmentState]:
        return [s for s in self.assignments if s.is_open and s.is_overdue]

    def assignment_state(self, assignment) -> AssignmentState | None:
        return next((s for s in self.assignments if s.assignment.pk == assignment.pk), None)

    @property
    def new_feedback(self) -> list[AssignmentState]:
        """Work with feedback the learner has not opened yet, in course order."""
        return [s for s in self.assignments if s.assignment.pk in self.unseen_feedback]

    @property
    def next_opening(self) -> ModuleState | None:
        return next((m for m in self.modules if not m.is_open), None)

    def module(self, slug: str) -> ModuleState | None:
        return next((m for m in self.modules if m.module.slug == slug), None)

    def neighbours(self, lesson: Lesson) -> tuple[LessonState | None, LessonState | None]:
        lessons = self.lessons
        for index, state in enumerate(lessons):
            if state.lesson.pk == lesson.pk:
                previous = lessons[index - 1] if index > 0 else None
                following = lessons[index + 1] if index + 1 < len(lessons) else None
                return previous, following
        return None, None

    def lesson_state(self, lesson: Lesson) -> LessonState | None:
        return next((s for s in self.lessons if s.lesson.pk == lesson.pk), None)


# --- Activity ---------------------------------------------------------------------

# No activity for this long while the cohort runs counts as inactive (the default).
INACTIVE_AFTER = datetime.timedelta(days=7)


def inactive_since(enrollment: Enrollment, last: datetime.datetime | None) -> datetime.datetime:
    """Since when the learner has been idle: their last activity, or their own start."""
    return last or datetime.datetime.combine(
        enrollment.starts_on, datetime.time(), enrollment.cohort.tz
    )


def is_inactive(
    enrollment: Enrollment,
    last: datetime.datetime | None,
    *,
    now: datetime.datetime,
    after: datetime.timedelta = INACTIVE_AFTER,
    running: bool | None = None,
) -> bool:
    """No activity for a week while the cohort runs, counted from the learner's own
    start when they have done nothing yet (someone who joined yesterday is not idle).
    ``running``: whether the cohort runs at ``now``, when the caller knows it already."""
    if running is None:
        running = enrollment.cohort.is_running(now)
    if not running:
        return False
    return now - inactive_since(enrollment, last) >= after


def last_activity_by_enrollment(
    enrollments, *, lessons_read_at: dict[int, list] | None = None
) -> dict[int, datetime.datetime]:
    """The latest moment each learner did something (two aggregate queries; one when the
    caller has read every (lesson id, read at) per enrolment, ``lessons_read_at``).

    Activity is reading a lesson, starting or handing in work, and editing a draft.
    ``updated_at`` counts only for drafts: grading a reflection also moves it, and a
    trainer's approval is not the learner's activity.
    """
    latest: dict[int, datetime.datetime] = {}

    def keep(enrollment_id, *moments):
        for moment in moments:
            if moment is not None and (
                enrollment_id not in latest or moment > latest[enrollment_id]
            ):
                latest[enrollment_id] = moment

    if lessons_read_at is not None:
        for enrollment_id, reads in lessons_read_at.items():
            keep(enrollment_id, *(read_at for _lesson_id, read_at in reads))
    else:
        lessons = (
            LessonProgress.objects.filter(enrollment__in=enrollments)
            .values("enrollment_id")
            .annotate(last=Max("read_at"))
            .values_list("enrollment_id", "last")
        )
        for enrollment_id, moment in lessons:
            keep(enrollment_id, moment)
    work = (
        Submission.objects.filter(enrollment__in=enrollments)
        .values("enrollment_id")
        .annotate(
            created=Max("created_at"),
            submitted=Max("submitted_at"),
            edited=Max("updated_at", filter=Q(status=Submission.Status.DRAFT)),
        )
        .values_list("enrollment_id", "created", "submitted", "edited")
    )
    for enrollment_id, *moments in work:
        keep(enrollment_id, *moments)
    return latest


@dataclass(frozen=True)
class Outline:
    """The current modules of some courses (per course) with their lessons and
    assignments (per module), in order."""

    modules: dict[int, list[Module]]
    lessons: dict[int, list[Lesson]]
    assignments: dict[int, list[Assignment]]


# course id -> (its updated_at when read, its outline). Bounded by the number of courses.
_outlines: dict[int, tuple[datetime.datetime, Outline]] = {}


def forget_kept_progress() -> None:
    """Drop every outline and learner's rows this process keeps (tests start each
    database empty)."""
    _outlines.clear()
    _kept_cohorts.clear()
    _kept_rows.clear()


def _course_stamps(cohorts) -> dict[int, datetime.datetime]:
    """Each course's ``updated_at``: from the cohorts' selected course, else one query."""
    stamps, missing = {}, set()
    for cohort in cohorts:
        if not cohort.course_id:
            continue
        if Cohort.course.is_cached(cohort):
            stamps[cohort.course_id] = cohort.course.updated_at
        else:
            missing.add(cohort.course_id)
    if missing - stamps.keys():
        stamps.update(
            Course.objects.filter(pk__in=missing - stamps.keys()).values_list("pk", "updated_at")
        )
    return stamps


def course_outlines(cohorts) -> Outline:
    """The outline of the cohorts' courses: read once per course and stamp, then kept.

    Three queries for the courses not yet kept at their current stamp, none otherwise.
    The stamp is read with the cohort (or in one query), so a course changed in another
    process is read again at once. The kept instances are shared between requests:
    callers read them and never change them.
    """
    stamps = _course_stamps(cohorts)
    stale = {
        course_id
        for course_id, stamp in stamps.items()
        if course_id not in _outlines or _outlines[course_id][0] != stamp
    }
    if stale:
        modules = modules_by_course(stale)
        lessons = lessons_by_module(stale)
        assignments = assignments_by_module(stale)
        for course_id in stale:
            course_modules = modules.get(course_id, [])
            _outlines[course_id] = (
                stamps[course_id],
                Outline(
                    modules={course_id: course_modules},
                    lessons={m.pk: lessons.get(m.pk, []) for m in course_modules},
                    assignments={m.pk: assignments.get(m.pk, []) for m in course_modules},
                ),
            )
    outline = Outline(modules={}, lessons={}, assignments={})
    for course_id in stamps:
        kept = _outlines[course_id][1]
        outline.modules.update(kept.modules)
        outline.lessons.update(kept.lessons)
        outline.assignments.update(kept.assignments)
    return outline


@dataclass(frozen=True)
class CohortRows:
    """A cohort's own dates: staff's opening dates and deadlines."""

    releases: dict[tuple[int, int], datetime.date]  # (cohort id, module id)
    deadlines: dict[tuple[int, int], datetime.date]  # (cohort id, assignment id)


@dataclass(frozen=True)
class LearnerRows:
    """A learner's own rows: lessons read, extensions, every revision."""

    read: set[tuple[int, int]]  # (enrolment id, lesson id)
    extensions: dict[tuple[int, int], datetime.date]  # (enrolment id, assignment id)
    submissions: dict[tuple[int, int], list]  # (enrolment id, assignment id)


@dataclass(frozen=True)
class ProgressRows:
    """What progress reads besides the outline, for some enrolments."""

    releases: dict[tuple[int, int], datetime.date]
    read: set[tuple[int, int]]
    book: DeadlineBook
    submissions: dict[tuple[int, int], list]


# The learner's own pages ask for one to a few enrolments; the sweep and the cohort
# pages ask for hundreds and read them once.
KEEP_FOR_AT_MOST = 20
# Kept rows older than this are read again: changes made outside the services (the
# admin, a shell) show within this time.
KEEP_SECONDS = 600
# About 3 kB each (measured on the benchmark data): a worker keeps at most 15 MB of them.
KEEP_LIMIT = 5_000
# (cohort id, its version) -> (kept at, rows)
_kept_cohorts: dict[tuple, tuple[float, CohortRows]] = {}
# (enrolment id, created, its version, cohort id, the cohort's version) -> (kept at, rows)
_kept_rows: dict[tuple, tuple[float, LearnerRows]] = {}


def read_version(instance) -> int | None:
    """The ``progress_version`` an enrolment or cohort was read with; None when it was
    read without it, or a service changed its progress since (``progress_changed``)."""
    if getattr(instance, "progress_outdated", False):
        return None
    return instance.__dict__.get("progress_version")


def _cohort_key(cohort) -> tuple | None:
    version = read_version(cohort)
    return None if version is None else (cohort.pk, version)


def _learner_key(enrollment) -> tuple | None:
    cohort_key, version = _cohort_key(enrollment.cohort), read_version(enrollment)
    if cohort_key is None or version is None:
        return None
    return (enrollment.pk, enrollment.__dict__.get("created_at"), version, *cohort_key)


def _kept(store: dict, keys: list, moment: float) -> list | None:
    """The rows kept under every key, or None when one is missing or old."""
    found = []
    for key in keys:
        kept = store.get(key) if key is not None else None
        if kept is None or moment - kept[0] >= KEEP_SECONDS:
            return None
        found.append(kept[1])
    return found


def _keep(store: dict, key, moment: float, rows) -> None:
    if key is None:
        return
    if len(store) >= KEEP_LIMIT:
        store.clear()
    store[key] = (moment, rows)


def progress_rows(enrollments: list) -> ProgressRows:
    """The rows progress reads for ``enrollments`` (five queries; fewer when kept).

    For a few enrolments (the learner's own pages) the rows are kept in the process:
    each cohort's dates under the cohort's ``progress_version`` (two queries when read),
    each learner's own rows under the enrolment's and the cohort's (three), as read with
    the enrolment. A change through any service raises one of them, in this process or
    another, and the next page reads those rows again; a learner's own work leaves the
    cohort's dates kept.
    """
    cohorts = list({e.cohort_id: e.cohort for e in enrollments}.values())
    keep = len(enrollments) <= KEEP_FOR_AT_MOST
    moment = time.monotonic()
    cohort_keys = [_cohort_key(c) for c in cohorts] if keep else []
    learner_keys = [_learner_key(e) for e in enrollments] if keep else []

    cohort_parts = _kept(_kept_cohorts, cohort_keys, moment) if keep else None
    if cohort_parts is None:
        releases = release_overrides([c.pk for c in cohorts])
        deadlines = deadline_overrides([c.pk for c in cohorts])
        for cohort, key in zip(cohorts, cohort_keys, strict=False):
            _keep(
                _kept_cohorts,
                key,
                moment,
                CohortRows(
                    releases={k: v for k, v in releases.items() if k[0] == cohort.pk},
                    deadlines={k: v for k, v in deadlines.items() if k[0] == cohort.pk},
                ),
            )
    else:
        releases = {k: v for part in cohort_parts for k, v in part.releases.items()}
        deadlines = {k: v for part in cohort_parts for k, v in part.deadlines.items()}

    learner_parts = _kept(_kept_rows, learner_keys, moment) if keep else None
    if learner_parts is None:
        read = lessons_read(enrollments)
        extensions = deadline_extensions(enrollments)
        submissions = submissions_by_work(enrollments)
        for enrollment, key in zip(enrollments, learner_keys, strict=False):
            pk = enrollment.pk
            _keep(
                _kept_rows,
                key,
                moment,
                LearnerRows(
                    read={k for k in read if k[0] == pk},
                    extensions={k: v for k, v in extensions.items() if k[0] == pk},
                    submissions={k: v for k, v in submissions.items() if k[0] == pk},
                ),
            )
    else:
        read = {k for part in learner_parts for k in part.read}
        extensions = {k: v for part in learner_parts for k, v in part.extensions.items()}
        submissions = {k: v for part in learner_parts for k, v in part.submissions.items()}

    return ProgressRows(
        releases=releases,
        read=read,
        book=DeadlineBook(overrides=deadlines, extensions=extensions),
        submissions=submissions,
    )


def course_states(enrollments, *, now: datetime.datetime) -> list[CourseState]:
    """One CourseState per enrolment (enrolments without a course get an empty one).

    Expects enrolments with ``cohort`` and ``cohort__course`` selected.
    """
    enrollments = list(enrollments)
    course_ids = {e.cohort.course_id for e in enrollments if e.cohort.course_id}
    if not course_ids:
        return [CourseState(enrollment=e, now=now) for e in enrollments]
    outline = course_outlines({e.cohort_id: e.cohort for e in enrollments}.values())
    modules, lessons = outline.modules, outline.lessons
    progress = progress_rows(enrollments)
    overrides, read, book = progress.releases, progress.read, progress.book
    assignments = outline.assignments
    submissions = progress.submissions
    states = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        today = cohort.local_today(now)
        state = CourseState(enrollment=enrollment, now=now)
        for module in modules.get(cohort.course_id, []):
            opens_on = module_opens_on(cohort=cohort, module=module, overrides=overrides)
            module_state = ModuleState(module=module, opens_on=opens_on, is_open=today >= opens_on)
            module_state.lessons = [
                LessonState(
                    lesson=lesson,
                    module=module_state,
                    is_read=(enrollment.pk, lesson.pk) in read,
                )
                for lesson in lessons.get(module.pk, [])
            ]
            module_state.assignments = [
                build_assignment_state(
                    assignment=assignment,
                    enrollment=enrollment,
                    opens_on=opens_on,
                    book=book,
                    submissions=submissions.get((enrollment.pk, assignment.pk), []),
                    now=now,
                )
                for assignment in assignments.get(module.pk, [])
            ]
            state.modules.append(module_state)
        states.append(state)
    return states


def course_state(enrollment: Enrollment, *, now: datetime.datetime) -> CourseState:
    return course_states([enrollment], now=now)[0]


def with_unseen_feedback(
    states: list[CourseState], unseen: set[tuple[int, int]] | None = None
) -> list[CourseState]:
    """Mark, on each state, the work whose released feedback is still unread: from
    ``unseen`` ((enrolment id, assignment id), as ``unseen_feedback``) when the caller has
    read it already, else in one query."""
    if unseen is None:
        unseen = unseen_feedback([state.enrollment for state in states])
    for state in states:
        state.unseen_feedback = {
            assignment_id
            for enrollment_id, assignment_id in unseen
            if enrollment_id == state.enrollment.pk
        }
    return states


# --- The course preview for trainers ----------------------------------------------


@dataclass
class PreviewModule:
    """A module as the cohort will get it, every part readable (no learner, no progress)."""

    module: Module
    opens_on: datetime.date
    is_open: bool
    lessons: list[Lesson] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)


@dataclass
class CoursePreview:
    cohort: Cohort
    modules: list[PreviewModule] = field(default_factory=list)

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def module_of(self, module_id: int) -> PreviewModule | None:
        return next((m for m in self.modules if m.module.pk == module_id), None)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        lessons = self.lessons
        ids = [item.pk for item in lessons]
        if lesson.pk not in ids:
            return None, None
        index = ids.index(lesson.pk)
        previous = lessons[index - 1] if index > 0 else None
        following = lessons[index + 1] if index + 1 < len(lessons) else None
        return previous, following


def course_preview(cohort: Cohort, *, now: datetime.datetime) -> CoursePreview:
    """The cohort's course with every module, lesson and assignment, and when each module
    opens for the cohort (one query, and the outline's three when it is read anew)."""
    preview = CoursePreview(cohort=cohort)
    if not cohort.course_id:
        return preview
    outline = course_outlines([cohort])
    lessons, assignments = outline.lessons, outline.assignments
    overrides = release_overrides([cohort.pk])
    today = cohort.local_today(now)
    for module in outline.modules.get(cohort.course_id, []):
        opens_on = module_opens_on(cohort=cohort, module=module, overrides=overrides)
        preview.modules.append(
            PreviewModule(
                module=module,
                opens_on=opens_on,
                is_open=today >= opens_on,
                lessons=lessons.get(module.pk, []),
                assignments=assignments.get(module.pk, []),
            )
        )
    return preview
