"""Deadlines: when each assignment is due for each learner. One rule, one place.

An assignment is due at 23:59 in the cohort's time zone on:

1. the learner's extension, when a trainer or staff granted one; otherwise
2. the cohort's date (staff's override, or cohort start + ``due_offset_days``),
   moved by as many days as the learner started after the cohort.

Nothing here reads the clock. The caller takes ``now`` once at the edge (a view, a
task, a command's ``--at``) and passes it down, so every "is it open, due, overdue,
late" question can be asked for any moment. Dates that reach this module are
bounded where they enter (course import, staff forms, extensions), so the
arithmetic below cannot overflow.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assignments.models import Assignment, AssignmentDeadline, Extension
from cohorts.models import Cohort, Enrollment, ModuleRelease
from cohorts.services import module_release_set, progress_changed
from courses.models import Module

DUE_TIME = datetime.time(23, 59)

# How far from the cohort's dates staff may put a deadline or an extension: long
# enough for any real course, short enough that date arithmetic stays safe.
MAX_DAYS_AFTER_END = 366


class DeadlineError(Exception):
    """A deadline could not be set; the message is shown to the person."""


def due_on(
    *,
    assignment: Assignment,
    cohort: Cohort,
    personal_start: datetime.date,
    cohort_override: datetime.date | None = None,
    extension: datetime.date | None = None,
) -> datetime.date:
    """The learner's due date (see the module docstring for the rule)."""
    if extension is not None:
        return extension
    base = cohort_override or cohort.starts_on + datetime.timedelta(days=assignment.due_offset_days)
    return base + max(datetime.timedelta(0), personal_start - cohort.starts_on)


def due_at(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """Work is due at 23:59 on the due date, in the cohort's time zone."""
    return datetime.datetime.combine(day, DUE_TIME, tzinfo=tz)


@dataclass(frozen=True)
class DeadlineBook:
    """Staff's overrides and learners' extensions for a set of enrolments."""

    overrides: dict[tuple[int, int], datetime.date]  # (cohort id, assignment id)
    extensions: dict[tuple[int, int], datetime.date]  # (enrolment id, assignment id)

    def due_on(self, assignment: Assignment, enrollment: Enrollment) -> datetime.date:
        cohort = enrollment.cohort
        return due_on(
            assignment=assignment,
            cohort=cohort,
            personal_start=enrollment.starts_on,
            cohort_override=self.overrides.get((cohort.pk, assignment.pk)),
            extension=self.extensions.get((enrollment.pk, assignment.pk)),
        )


def deadline_book(enrollments, *, assignment: Assignment | None = None) -> DeadlineBook:
    """Overrides and extensions for ``enrollments`` (optionally one assignment): two queries."""
    return DeadlineBook(
        overrides=deadline_overrides({e.cohort_id for e in enrollments}, assignment=assignment),
        extensions=deadline_extensions(enrollments, assignment=assignment),
    )


def deadline_overrides(
    cohort_ids, *, assignment: Assignment | None = None
) -> dict[tuple[int, int], datetime.date]:
    """Staff's deadlines, keyed by (cohort id, assignment id) (one query)."""
    overrides = AssignmentDeadline.objects.filter(cohort_id__in=cohort_ids)
    if assignment is not None:
        overrides = overrides.filter(assignment=assignment)
    return {
        (cohort_id, assignment_id): day
        for cohort_id, assignment_id, day in overrides.values_list(
            "cohort_id", "assignment_id", "due_on"
        )
    }


def deadline_extensions(
    enrollments, *, assignment: Assignment | None = None
) -> dict[tuple[int, int], datetime.date]:
    """Learners' extensions, keyed by (enrolment id, assignment id) (one query)."""
    extensions = Extension.objects.filter(enrollment__in=enrollments)
    if assignment is not None:
        extensions = extensions.filter(assignment=assignment)
    return {
        (enrollment_id, assignment_id): day
        for enrollment_id, assignment_id, day in extensions.values_list(
            "enrollment_id", "assignment_id", "due_on"
        )
    }


@dataclass
class ScheduledAssignment:
    """An assignment's due date for a whole cohort, as staff plan it."""

    assignment: Assignment
    default_due_on: datetime.date
    override: datetime.date | None

    @property
    def due_on(self) -> datetime.date:
        return self.override or self.default_due_on


def cohort_deadline_schedule(cohort: Cohort) -> list[ScheduledAssignment]:
    """Each assignment's due date for the cohort, with staff overrides (two queries)."""
    if not cohort.course_id:
        return []
    overrides = dict(
        AssignmentDeadline.objects.filter(cohort=cohort).values_list("assignment_id", "due_on")
    )
    return [
        ScheduledAssignment(
            assignment=assignment,
            default_due_on=due_on(
                assignment=assignment, cohort=cohort, personal_start=cohort.starts_on
            ),
            override=overrides.get(assignment.pk),
        )
        for assignment in Assignment.objects.filter(
            course_id=cohort.course_id, archived=False, module__archived=False
        )
        .select_related("module")
        .defer("config", "instructions")
        .order_by("module__position", "position")
    ]


def date_range_problem(cohort: Cohort, day: datetime.date) -> str | None:
    """Why ``day`` cannot be a date in this cohort's schedule, or None.

    Dates stay within a year around the cohort, which is more than any real
    schedule needs and keeps every later calculation (late joiners) in range.
    """
    earliest = cohort.starts_on - datetime.timedelta(days=MAX_DAYS_AFTER_END)
    latest = cohort.ends_on + datetime.timedelta(days=MAX_DAYS_AFTER_END)
    if earliest <= day <= latest:
        return None
    return _("Choose a date between %(start)s and %(end)s.") % {
        "start": _format_date(earliest),
        "end": _format_date(latest),
    }


def check_deadline_date(cohort: Cohort, day: datetime.date) -> None:
    problem = date_range_problem(cohort, day)
    if problem:
        raise DeadlineError(problem)


def _format_date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


class ScheduleError(DeadlineError):
    """The schedule contradicts itself or leaves the allowed range; messages per field."""

    def __init__(self, *, module_messages: dict[int, str], assignment_messages: dict[int, str]):
        self.module_messages = module_messages
        self.assignment_messages = assignment_messages
        super().__init__(_("Some dates do not fit together; nothing was changed."))


def schedule_problems(
    *,
    cohort: Cohort,
    opens_on_by_module: dict[Module, datetime.date | None],
    due_on_by_assignment: dict[Assignment, datetime.date | None],
) -> tuple[dict[int, str], dict[int, str]]:
    """Messages per module id and per assignment id for a proposed cohort schedule.

    Empty dates mean the default. Every date must be in range, and no assignment may
    be due before its module opens (as the cohort runs it; late joiners move both).
    """
    module_messages, assignment_messages = {}, {}
    opens = {}
    for module, day in opens_on_by_module.items():
        if day is not None and (problem := date_range_problem(cohort, day)):
            module_messages[module.pk] = problem
        opens[module.pk] = day or module.default_opens_on(cohort.starts_on)
    for assignment, day in due_on_by_assignment.items():
        if day is not None and (problem := date_range_problem(cohort, day)):
            assignment_messages[assignment.pk] = problem
            continue
        due = day or due_on(assignment=assignment, cohort=cohort, personal_start=cohort.starts_on)
        module_opens = opens.get(assignment.module_id)
        if module_opens is not None and due < module_opens:
            assignment_messages[assignment.pk] = _(
                "Due on %(due)s, before its module opens on %(opens)s. Choose a later due "
                "date or an earlier opening date."
            ) % {"due": _format_date(due), "opens": _format_date(module_opens)}
    return module_messages, assignment_messages


@transaction.atomic
def cohort_schedule_update(
    *,
    cohort: Cohort,
    opens_on_by_module: dict[Module, datetime.date | None],
    due_on_by_assignment: dict[Assignment, datetime.date | None],
) -> int:
    """Set (or clear, with None) opening and due dates at once; returns how many changed.

    A contradictory schedule is refused whole (``ScheduleError``).
    """
    module_messages, assignment_messages = schedule_problems(
        cohort=cohort,
        opens_on_by_module=opens_on_by_module,
        due_on_by_assignment=due_on_by_assignment,
    )
    if module_messages or assignment_messages:
        raise ScheduleError(
            module_messages=module_messages, assignment_messages=assignment_messages
        )
    changed = 0
    current = dict(ModuleRelease.objects.filter(cohort=cohort).values_list("module_id", "opens_on"))
    for module, opens_on in opens_on_by_module.items():
        if current.get(module.pk) != opens_on:
            module_release_set(cohort=cohort, module=module, opens_on=opens_on)
            changed += 1
    current = dict(
        AssignmentDeadline.objects.filter(cohort=cohort).values_list("assignment_id", "due_on")
    )
    for assignment, day in due_on_by_assignment.items():
        if current.get(assignment.pk) != day:
            assignment_deadline_set(cohort=cohort, assignment=assignment, due_on=day)
            changed += 1
    return changed


@transaction.atomic
def assignment_deadline_set(
    *, cohort: Cohort, assignment: Assignment, due_on: datetime.date | None
) -> AssignmentDeadline | None:
    """Staff's override of an assignment's due date for one cohort; None restores the default."""
    if assignment.course_id != cohort.course_id:
        raise DeadlineError(_("This assignment is not part of the cohort's course."))
    progress_changed(cohorts=[cohort])
    if due_on is None:
        AssignmentDeadline.objects.filter(cohort=cohort, assignment=assignment).delete()
        return None
    check_deadline_date(cohort, due_on)
    deadline, _created = AssignmentDeadline.objects.update_or_create(
        cohort=cohort, assignment=assignment, defaults={"due_on": due_on}
    )
    return deadline


@transaction.atomic
def extension_grant(
    *,
    enrollment: Enrollment,
    assignment: Assignment,
    due_on: datetime.date,
    granted_by,
    now: datetime.datetime,
) -> Extension:
    """One learner gets a later deadline on one assignment (trainer of the cohort or staff)."""
    cohort = enrollment.cohort
    if not (granted_by.is_staff or cohort.has_trainer(granted_by)):
        raise DeadlineError(_("Only a trainer of this cohort or staff can grant an extension."))
    if assignment.course_id != cohort.course_id:
        raise DeadlineError(_("This assignment is not part of the cohort's course."))
    if due_on < cohort.local_today(now):
        raise DeadlineError(_("An extension cannot end in the past."))
    check_deadline_date(cohort, due_on)
    extension, _created = Extension.objects.update_or_create(
        enrollment=enrollment,
        assignment=assignment,
        defaults={"due_on": due_on, "granted_by": granted_by},
    )
    progress_changed(enrollments=[enrollment])
    return extension
