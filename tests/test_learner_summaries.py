"""Stored progress summaries (dashboards.summaries): every change shows at once.

The cohort pages read each learner's progress from a stored summary. Each test
builds the summaries first (a cohort page), changes something through the service
that does it in the product, and checks the next page shows the change: a service
that forgot to mark the summary out of date fails here.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from assignments.deadlines import assignment_deadline_set, extension_grant
from assignments.models import Assignment, Grade
from assignments.services import (
    draft_save,
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
    submission_grade,
)
from cohorts.models import Cohort, Enrollment
from cohorts.services import cohort_update, enrollment_move, module_release_set
from courses.services import course_import, lesson_mark_read
from dashboards.models import LearnerSummary
from dashboards.selectors import cohort_overview, cohort_report, forget_kept_rows
from dashboards.summaries import MAX_AGE, forget_all
from tests.assignment_helpers import (
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.factories import CohortFactory


def _new_process() -> None:
    """As another web process: no summaries or cohort rows in memory."""
    forget_all()
    forget_kept_rows()


def _enrollment(world) -> Enrollment:
    return world.learner.enrollments.select_related("cohort", "cohort__course").get()


def _row(world, *, now=None, cohort=None):
    cohort = Cohort.objects.select_related("course").get(pk=(cohort or world.cohort).pk)
    with translation.override("en"):
        overview = cohort_overview(cohort, now=now or timezone.now())
    return next(row for row in overview.rows if row.enrollment.user_id == world.learner.pk)


def _cells(row) -> dict[str, str]:
    slugs = dict(Assignment.objects.filter(pk__in=row.assignment_ids).values_list("pk", "slug"))
    return {slugs[pk]: cell.key for pk, cell in zip(row.assignment_ids, row.cells, strict=True)}


def _submitted_reflection(world):
    enrollment = _enrollment(world)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    return reflection_submit(
        submission=draft, answers={"verhaal": words(100)}, based_on=0, now=timezone.now()
    )


# --- Every write path marks the summary out of date ---------------------------------


def test_reading_a_lesson_shows_in_the_progress(world):
    before = _row(world).percent
    lesson_mark_read(
        enrollment=_enrollment(world),
        lesson=world.course.lessons.filter(archived=False).first(),
        now=timezone.now(),
    )
    assert _row(world).percent > before


def test_a_draft_and_its_autosave_show_as_activity(world):
    assert _cells(_row(world))[REFLECTION] == "not_started"
    draft = reflection_draft(enrollment=_enrollment(world), assignment=assignment(REFLECTION))
    row = _row(world)
    assert _cells(row)[REFLECTION] == "draft"
    first_activity = row.last_activity
    later = timezone.now() + datetime.timedelta(hours=1)
    draft_save(submission=draft, answers={"verhaal": words(5)}, based_on=0, now=later)
    assert _row(world, now=later).last_activity > first_activity


def test_handing_in_and_grading_show_in_the_cell(world):
    submission = _submitted_reflection(world)
    assert _cells(_row(world))[REFLECTION] == "submitted"
    criteria = submission.assignment.config["rubric"]["criteria"]
    submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores={c["id"]: c["levels"][-1]["points"] for c in criteria},
        comment="Sterk.",
        decision=Grade.Decision.APPROVED,
        now=timezone.now(),
    )
    assert _cells(_row(world))[REFLECTION] == "approved"


def test_quiz_and_scan_show_in_the_cells(world):
    enrollment = _enrollment(world)
    cells = _cells(_row(world))
    assert (cells[QUIZ], cells[SCAN]) == ("not_started", "overdue")
    quiz = assignment(QUIZ)
    quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=timezone.now()
    )
    scan = assignment(SCAN)
    scan_submit(
        enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan), now=timezone.now()
    )
    cells = _cells(_row(world))
    assert (cells[QUIZ], cells[SCAN]) == ("passed", "done")


def test_an_extension_lifts_the_overdue_mark(world):
    assert _cells(_row(world))[SCAN] == "overdue"
    extension_grant(
        enrollment=_enrollment(world),
        assignment=assignment(SCAN),
        due_on=world.cohort.local_today(timezone.now()) + datetime.timedelta(days=3),
        granted_by=world.trainer,
        now=timezone.now(),
    )
    assert _cells(_row(world))[SCAN] == "not_started"


def test_a_cohort_deadline_moves_every_learner(world):
    assert _cells(_row(world))[SCAN] == "overdue"
    assignment_deadline_set(
        cohort=world.cohort,
        assignment=assignment(SCAN),
        due_on=world.cohort.ends_on,
    )
    assert _cells(_row(world))[SCAN] == "not_started"


def test_a_later_module_opening_closes_its_overdue_work(world):
    scan = assignment(SCAN)
    assert _cells(_row(world))[SCAN] == "overdue"
    module_release_set(
        cohort=world.cohort,
        module=scan.module,
        opens_on=world.cohort.local_today(timezone.now()) + datetime.timedelta(days=2),
    )
    # The module is closed again: its work is not overdue while it cannot be done.
    assert _cells(_row(world))[SCAN] == "not_started"


def test_moving_the_cohort_start_moves_the_deadlines(world):
    cohort = world.cohort
    assert _cells(_row(world))[SCAN] == "overdue"
    today = cohort.local_today(timezone.now())
    cohort_update(
        cohort=cohort,
        name=cohort.name,
        starts_on=today,
        ends_on=cohort.ends_on,
        time_zone=cohort.time_zone,
        course=cohort.course,
    )
    assert _cells(_row(world))[SCAN] == "not_started"


def test_a_course_import_rebuilds_the_summaries_of_its_cohorts(world, shipped_course):
    import copy

    _row(world)
    built = LearnerSummary.objects.get(enrollment=_enrollment(world))
    spec = copy.deepcopy(shipped_course)
    # The second edition drops the quiz: its column goes.
    for module in spec.modules:
        module.items["assignments"] = [
            item for item in module.items.get("assignments", []) if item.slug != QUIZ
        ]
    course_import(spec=spec)
    row = _row(world)
    rebuilt = LearnerSummary.objects.get(enrollment=_enrollment(world))
    assert rebuilt.cohort_version == built.cohort_version + 1
    active = set(world.course.assignments.filter(archived=False).values_list("slug", flat=True))
    assert set(_cells(row)) == active


def test_a_moved_learner_takes_current_progress_along(world):
    enrollment = _enrollment(world)
    lesson_mark_read(
        enrollment=enrollment,
        lesson=world.course.lessons.filter(archived=False).first(),
        now=timezone.now(),
    )
    _row(world)
    target = CohortFactory(
        organisation=world.acme,
        course=world.course,
        name="Acme later",
        starts_on=world.cohort.local_today(timezone.now()),
    )
    enrollment_move(enrollment=enrollment, to_cohort=target, by=world.staff, now=timezone.now())
    row = _row(world, cohort=target)
    # Nothing is due yet in the new cohort, so nothing is overdue.
    assert row.overdue_count == 0
    assert row.percent > 0


# --- The clock changes what is overdue and who is quiet, without a rebuild ---------


def test_time_passing_makes_work_overdue_without_rebuilding(world):
    now = timezone.now()
    quiz = assignment(QUIZ)
    assert _cells(_row(world, now=now))[QUIZ] == "not_started"
    built = LearnerSummary.objects.get(enrollment=_enrollment(world)).built_at
    later = now + datetime.timedelta(days=quiz.due_offset_days + 1)
    row = _row(world, now=later)
    assert _cells(row)[QUIZ] == "overdue"
    assert row.is_inactive
    assert LearnerSummary.objects.get(enrollment=_enrollment(world)).built_at == built


# --- Stored rows, memory and their limits --------------------------------------------


def _queries(world) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        _row(world)
    return len(queries), [q["sql"] for q in queries]


def test_current_summaries_are_read_not_rebuilt(world):
    _row(world)
    built = LearnerSummary.objects.get(enrollment=_enrollment(world)).built_at
    forget_kept_rows()  # the rows are built again, from the summaries in memory
    from_memory, _sql = _queries(world)
    _new_process()  # the stored row, not this process's memory
    from_rows, sql = _queries(world)
    assert from_rows == from_memory + 1
    assert any("dashboards_learnersummary" in s for s in sql)
    assert not any("courses_lessonprogress" in s for s in sql)
    assert LearnerSummary.objects.get(enrollment=_enrollment(world)).built_at == built


def test_a_change_from_another_process_is_seen_despite_this_process_memory(world):
    """The versions are read from the database on every request: memory cannot hide a
    change another web process made."""
    _row(world)
    before = _row(world).percent
    lesson = world.course.lessons.filter(archived=False).first()
    lesson_mark_read(enrollment=_enrollment(world), lesson=lesson, now=timezone.now())
    assert _row(world).percent > before


def test_an_old_summary_is_rebuilt(world):
    _row(world)
    old = timezone.now() - MAX_AGE - datetime.timedelta(minutes=1)
    LearnerSummary.objects.update(built_at=old)
    _new_process()
    _row(world)
    assert LearnerSummary.objects.get(enrollment=_enrollment(world)).built_at > old


def test_a_summary_built_from_older_versions_is_not_used(world):
    """A summary written while a change committed carries the old version."""
    _row(world)
    LearnerSummary.objects.update(data={"format": 1, "percent": 99})
    enrollment = _enrollment(world)
    Enrollment.objects.filter(pk=enrollment.pk).update(progress_version=5)
    _new_process()
    assert _row(world).percent != 99
    assert LearnerSummary.objects.get(enrollment=enrollment).enrollment_version == 5


@pytest.mark.parametrize("view", ["overview", "report"])
def test_both_cohort_pages_agree_with_a_rebuild(world, view):
    _submitted_reflection(world)
    now = timezone.now()
    with translation.override("en"):
        first = (
            cohort_overview(world.cohort, now=now).rows
            if view == "overview"
            else [r.row for r in cohort_report(world.cohort, now=now).rows]
        )
        LearnerSummary.objects.all().delete()
        _new_process()
        again = (
            cohort_overview(world.cohort, now=now).rows
            if view == "overview"
            else [r.row for r in cohort_report(world.cohort, now=now).rows]
        )
    assert [(r.percent, r.overdue_count, r.last_activity) for r in first] == [
        (r.percent, r.overdue_count, r.last_activity) for r in again
    ]
    assert [[c.label for c in r.cells] for r in first] == [
        [c.label for c in r.cells] for r in again
    ]
