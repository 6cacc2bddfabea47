"""The learner's view of a course: modules, release dates, lessons read, what's next.

Built for any number of enrolments in a fixed number of queries (eight), so the
dashboard, module and lesson pages do not grow with the course or the learner.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from assignments.selectors import assignment_data, assignment_state, course_assignments
from cohorts.models import AssignmentDeadline, ModuleRelease
from courses.models import Lesson, LessonProgress, Module


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
    assignments: list = field(default_factory=list)  # AssignmentState

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


@dataclass
class CourseState:
    enrollment: object
    modules: list[ModuleState] = field(default_factory=list)

    @property
    def course(self):
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
    def assignments(self) -> list:
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
    def next_lesson(self) -> LessonState | None:
        """The first unread lesson in an open module: where "Ga verder" goes."""
        return next((s for s in self.lessons if not s.is_read and s.is_open), None)

    def upcoming(self, now: datetime.datetime) -> list:
        """Open work not yet handed in, soonest first (overdue work included)."""
        return sorted(
            (s for s in self.assignments if s.is_open and not s.is_handed_in),
            key=lambda s: s.due_at,
        )

    @property
    def upcoming_now(self) -> list[dict]:
        """For templates: open work not handed in, with whether it is overdue now."""
        now = timezone.now()
        return [{"state": s, "overdue": s.is_overdue(now)} for s in self.upcoming(now)]

    def assignment_state(self, assignment):
        return next((s for s in self.assignments if s.assignment.pk == assignment.pk), None)

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


def course_states(enrollments, *, now: datetime.datetime | None = None) -> list[CourseState]:
    """One CourseState per enrolment (enrolments without a course get an empty one).

    Expects enrolments with ``cohort`` and ``cohort__course`` selected.
    """
    now = now or timezone.now()
    enrollments = list(enrollments)
    course_ids = {e.cohort.course_id for e in enrollments if e.cohort.course_id}
    if not course_ids:
        return [CourseState(enrollment=e) for e in enrollments]
    modules_by_course = defaultdict(list)
    for module in Module.objects.filter(course_id__in=course_ids, archived=False).order_by(
        "position"
    ):
        modules_by_course[module.course_id].append(module)
    lessons_by_module = defaultdict(list)
    for lesson in (
        Lesson.objects.filter(course_id__in=course_ids, archived=False, module__archived=False)
        .defer("body")
        .order_by("position")
    ):
        lessons_by_module[lesson.module_id].append(lesson)
    overrides = {
        (release.cohort_id, release.module_id): release.opens_on
        for release in ModuleRelease.objects.filter(
            cohort_id__in={e.cohort_id for e in enrollments}
        )
    }
    read = set(
        LessonProgress.objects.filter(enrollment__in=enrollments).values_list(
            "enrollment_id", "lesson_id"
        )
    )
    assignments_by_module, deadlines, extensions, submissions = assignment_data(
        enrollments, course_ids
    )
    states = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        today = cohort.local_today(now)
        state = CourseState(enrollment=enrollment)
        for module in modules_by_course.get(cohort.course_id, []):
            opens_on = overrides.get((cohort.pk, module.pk)) or module.default_opens_on(
                cohort.starts_on
            )
            module_state = ModuleState(module=module, opens_on=opens_on, is_open=today >= opens_on)
            module_state.lessons = [
                LessonState(
                    lesson=lesson,
                    module=module_state,
                    is_read=(enrollment.pk, lesson.pk) in read,
                )
                for lesson in lessons_by_module.get(module.pk, [])
            ]
            module_state.assignments = [
                assignment_state(
                    assignment=assignment,
                    module_state=module_state,
                    enrollment=enrollment,
                    deadlines=deadlines,
                    extensions=extensions,
                    submissions=submissions,
                )
                for assignment in assignments_by_module.get(module.pk, [])
            ]
            state.modules.append(module_state)
        states.append(state)
    return states


@dataclass
class ScheduledModule:
    module: Module
    default_opens_on: datetime.date
    override: datetime.date | None

    @property
    def opens_on(self) -> datetime.date:
        return self.override or self.default_opens_on


def module_schedule(cohort) -> list[ScheduledModule]:
    """When each module of the cohort's course opens, with staff overrides (two queries)."""
    if not cohort.course_id:
        return []
    overrides = dict(
        ModuleRelease.objects.filter(cohort=cohort).values_list("module_id", "opens_on")
    )
    return [
        ScheduledModule(
            module=module,
            default_opens_on=module.default_opens_on(cohort.starts_on),
            override=overrides.get(module.pk),
        )
        for module in Module.objects.filter(course_id=cohort.course_id, archived=False).order_by(
            "position"
        )
    ]


@dataclass
class ScheduledAssignment:
    assignment: object
    default_due_on: datetime.date
    override: datetime.date | None


def assignment_schedule(cohort) -> list[ScheduledAssignment]:
    """Each assignment's due date for the cohort, with staff overrides (two queries)."""
    if not cohort.course_id:
        return []
    overrides = dict(
        AssignmentDeadline.objects.filter(cohort=cohort).values_list("assignment_id", "due_on")
    )
    return [
        ScheduledAssignment(
            assignment=assignment,
            default_due_on=assignment.due_on(cohort=cohort, personal_start=cohort.starts_on),
            override=overrides.get(assignment.pk),
        )
        for assignment in course_assignments(cohort.course_id)
    ]


def course_state(enrollment, *, now: datetime.datetime | None = None) -> CourseState:
    return course_states([enrollment], now=now)[0]
