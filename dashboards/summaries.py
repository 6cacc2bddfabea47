"""Each learner's progress facts for the cohort pages, stored and kept current.

``cohort_overview`` and ``cohort_report`` need every learner of a cohort (to sort,
filter, count who is at risk and draw the weekly completion), not just the page
shown. Rebuilding every course state per request grows with the cohort (about
650 ms at 500 learners); a ``LearnerSummary`` row holds what those pages need, so
a request reads one row per learner and rebuilds only what changed.

What is stored never depends on the clock: per assignment its status, whether it
is handed in, whether that was late, its deadline and its module's opening day;
the completion percentage; the last activity; the moments items became done.
Whether work is overdue, a module open or a learner inactive is worked out from
those facts for the request's ``now``, so a summary does not go stale with time.

It goes stale with data: every service that changes a learner's work, deadlines,
releases, cohort dates or the course raises a version
(``cohorts.services.progress_changed``) in its own transaction, and a summary
built from older versions is rebuilt. The versions are read before the data, so a
summary built while a change commits carries the old version and is rebuilt on
the next request. ``MAX_AGE`` bounds how long a change made past the services
(the Django admin, a shell) can go unseen.

Each process keeps the summaries it read or built in memory too, under the same
versions (and the enrolment's creation moment, so a reused id never matches): a
current one costs no query and no JSON decoding. The versions themselves are read
from the database on every request, so the memory never serves an outdated one.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone

from assignments.models import Assignment, Submission
from cohorts.models import Enrollment
from courses.models import LessonProgress
from dashboards.models import LearnerSummary
from learning.progress import (
    CourseState,
    course_states,
    last_activity_by_enrollment,
    read_version,
)

# Raise when what ``summary_of`` stores changes shape: older rows are rebuilt.
FORMAT = 2
MAX_AGE = datetime.timedelta(hours=12)
# Summaries kept in this process's memory (a few kilobytes each); over the limit it
# starts again empty.
MEMORY_LIMIT = 20_000
_memory: dict[int, tuple] = {}


def forget_all() -> None:
    """Empty this process's memory of summaries (tests; the stored rows stay)."""
    _memory.clear()


def _stamp(enrollment: Enrollment) -> tuple:
    return (enrollment.created_at, enrollment.progress_version, enrollment.cohort_progress_version)


def _remember(enrollment: Enrollment, built_at: datetime.datetime, data: dict) -> None:
    if len(_memory) >= MEMORY_LIMIT:
        _memory.clear()
    _memory[enrollment.pk] = (_stamp(enrollment), built_at, data)


def with_versions(enrollments):
    """Enrolments annotated with their cohort's ``progress_version`` (in the same query),
    as ``learner_summaries`` expects."""
    return enrollments.annotate(cohort_progress_version=F("cohort__progress_version"))


def _timestamp(moment: datetime.datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def done_at(state) -> datetime.datetime | None:
    """When the work became done: the first passing quiz attempt, the scan, or the
    reflection's approval (``submission_grade`` sets ``updated_at`` then)."""
    if not state.is_done:
        return None
    if state.assignment.is_reflection:
        return state.latest.updated_at
    return state.handed_in_at


def summary_of(
    state: CourseState,
    *,
    last_activity: datetime.datetime | None,
    lessons_read_at: list,
    scans: dict | None = None,
) -> dict:
    """The facts of one course state that the cohort pages use (JSON-ready).

    ``cells`` has, per assignment in course order: status key, handed in, handed in
    late, the deadline (a POSIX timestamp) and the opening day (an ordinal).
    ``done`` holds the moments lessons were read and work became done, sorted.
    ``scans`` maps a scan's id (a string, as JSON keys are) to its result's outcome,
    scoring version and axis scores, for the cohort charts.
    """
    lesson_ids = {lesson.lesson.pk for lesson in state.lessons}
    done = [_timestamp(at) for lesson_id, at in lessons_read_at if lesson_id in lesson_ids]
    done += [_timestamp(moment) for s in state.assignments if (moment := done_at(s)) is not None]
    return {
        "format": FORMAT,
        "assignments": [s.assignment.pk for s in state.assignments],
        "cells": [
            [s.status_key, s.is_handed_in, s.is_late, s.due_at.timestamp(), s.opens_on.toordinal()]
            for s in state.assignments
        ],
        "percent": state.percent,
        "complete": state.is_complete,
        "items": sum(module.item_count for module in state.modules),
        "last": _timestamp(last_activity),
        "done": sorted(done),
        "scans": scans or {},
    }


def scan_points(enrollments) -> dict[int, dict[str, list]]:
    """Each learner's scan results as the cohort charts count them: outcome, scoring
    version and the two axis scores, taken out of the stored JSON by the database
    (one query; never the answers)."""
    points: dict[int, dict[str, list]] = {}
    rows = (
        Submission.objects.filter(
            enrollment__in=enrollments,
            assignment__kind=Assignment.Kind.SCAN,
            status=Submission.Status.SUBMITTED,
        )
        .order_by()
        .values_list(
            "enrollment_id",
            "assignment_id",
            KT("result__outcome"),
            KT("result__scoring"),
            KT("result__x"),
            KT("result__y"),
        )
    )
    for enrollment_id, assignment_id, outcome, version, x, y in rows:
        has_point = x is not None and y is not None
        points.setdefault(enrollment_id, {})[str(assignment_id)] = [
            outcome,
            int(version) if version is not None else None,
            float(x) if has_point else None,
            float(y) if has_point else None,
        ]
    return points


def summaries_build(enrollments, *, now: datetime.datetime) -> dict[int, dict]:
    """Fresh summaries of ``enrolments`` (eleven queries, whatever their number)."""
    enrollments = list(enrollments)
    reads: dict[int, list] = {e.pk: [] for e in enrollments}
    for enrollment_id, lesson_id, read_at in LessonProgress.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "lesson_id", "read_at"):
        reads[enrollment_id].append((lesson_id, read_at))
    activity = last_activity_by_enrollment(enrollments, lessons_read_at=reads)
    scans = scan_points(enrollments)
    return {
        state.enrollment.pk: summary_of(
            state,
            last_activity=activity.get(state.enrollment.pk),
            lessons_read_at=reads[state.enrollment.pk],
            scans=scans.get(state.enrollment.pk),
        )
        for state in course_states(enrollments, now=now)
    }


def learner_summaries(cohort, enrollments, *, now) -> dict[int, dict]:
    """The summary of each of the cohort's ``enrollments``: from this process's memory
    or the stored rows when current (no query, or one), the rest built and stored
    again (twelve queries more, whatever their number).

    ``enrollments`` may be anything with the enrolment's ``pk``, ``created_at`` and
    ``progress_version`` and the cohort's as ``cohort_progress_version`` (see
    ``with_versions``), read before the data the summaries are built from.
    """
    # The age is wall-clock time (how long a change past the services can go unseen),
    # whatever moment ``now`` the page asks about.
    built_at = timezone.now()
    oldest = built_at - MAX_AGE
    current = {}
    for enrollment in enrollments:
        remembered = _memory.get(enrollment.pk)
        if remembered and remembered[0] == _stamp(enrollment) and remembered[1] > oldest:
            current[enrollment.pk] = remembered[2]
    wanted = {e.pk: e for e in enrollments if e.pk not in current}
    if not wanted:
        return current
    stored = LearnerSummary.objects.values_list(
        "enrollment_id", "enrollment_version", "cohort_version", "built_at", "data"
    )
    stored = (
        stored.filter(enrollment__cohort=cohort)
        if len(wanted) > 100
        else stored.filter(enrollment__in=list(wanted))
    )
    for enrollment_id, enrollment_version, cohort_version, stored_at, data in stored:
        enrollment = wanted.get(enrollment_id)
        if (
            enrollment is not None
            and enrollment_version == enrollment.progress_version
            and cohort_version == enrollment.cohort_progress_version
            and stored_at > oldest
            and data.get("format") == FORMAT
        ):
            current[enrollment_id] = data
            _remember(enrollment, stored_at, data)
    missing = [e for e in wanted.values() if e.pk not in current]
    if missing:
        # Built from the enrolments as models, each sharing ``cohort`` and its course.
        models = list(Enrollment.objects.filter(pk__in=[e.pk for e in missing]))
        for model in models:
            model.cohort = cohort
        built = summaries_build(models, now=now)
        LearnerSummary.objects.bulk_create(
            [
                LearnerSummary(
                    enrollment_id=e.pk,
                    enrollment_version=e.progress_version,
                    cohort_version=e.cohort_progress_version,
                    built_at=built_at,
                    data=built[e.pk],
                )
                for e in missing
            ],
            update_conflicts=True,
            unique_fields=["enrollment"],
            update_fields=["enrollment_version", "cohort_version", "built_at", "data"],
        )
        for enrollment in missing:
            _remember(enrollment, built_at, built[enrollment.pk])
        current |= built
    return current


@dataclass(frozen=True)
class _Versions:
    pk: int
    created_at: datetime.datetime
    progress_version: int
    cohort_progress_version: int


def learner_summary(enrollment: Enrollment, *, now: datetime.datetime) -> dict:
    """One learner's summary, for a page about their work: under the versions the
    enrolment and its cohort were read with in this request (or read in one query when
    they were not, or a service changed them since); the summary from memory, its
    stored row, or built again as above."""
    cohort = enrollment.cohort
    version, cohort_version = read_version(enrollment), read_version(cohort)
    if "created_at" in enrollment.__dict__ and None not in (version, cohort_version):
        versions = _Versions(enrollment.pk, enrollment.created_at, version, cohort_version)
    else:
        versions = _Versions(
            enrollment.pk,
            *with_versions(Enrollment.objects.filter(pk=enrollment.pk))
            .values_list("created_at", "progress_version", "cohort_progress_version")
            .get(),
        )
    return learner_summaries(cohort, [versions], now=now)[enrollment.pk]


def due_at_in(summary: dict, assignment_id: int, tz) -> datetime.datetime | None:
    """The learner's deadline for the assignment (extensions included), in ``tz``."""
    try:
        index = summary["assignments"].index(assignment_id)
    except ValueError:
        return None
    return datetime.datetime.fromtimestamp(summary["cells"][index][3], tz)
