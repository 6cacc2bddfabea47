"""A learner's own progress rows kept in memory (learning.progress.progress_rows).

The learner's pages keep the rows progress reads (lessons read, work, extensions, the
cohort's opening dates and deadlines) under the enrolment's and the cohort's
``progress_version``. Each test lets a page keep the rows, changes something through
the service that does it in the product, and checks the next request's progress is
exactly what a fresh read gives: a service that forgot to raise a version fails here.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.deadlines import assignment_deadline_set, extension_grant
from assignments.models import Grade, Submission
from assignments.services import (
    draft_save,
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
    submission_grade,
)
from cohorts.models import Enrollment
from cohorts.services import cohort_update, module_release_set
from courses.services import lesson_mark_read
from learning import progress
from learning.progress import course_state, course_states, forget_kept_progress
from tests.assignment_helpers import (
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.factories import make_learner

PROGRESS_TABLES = (
    "courses_lessonprogress",
    "assignments_submission",
    "assignments_extension",
    "assignments_assignmentdeadline",
    "cohorts_modulerelease",
)


def _enrollment(world) -> Enrollment:
    """The enrolment as the next request reads it."""
    return Enrollment.objects.select_related("cohort", "cohort__course").get(user=world.learner)


def _facts(state) -> tuple:
    return (
        state.percent,
        state.read_count,
        tuple(
            (s.assignment.slug, s.status_key, s.is_open, s.due_on, len(s.submissions))
            for s in state.assignments
        ),
    )


def _next_page(world, now=None) -> tuple:
    """Progress as the next page shows it, checked against a read from scratch."""
    now = now or timezone.now()
    kept = _facts(course_state(_enrollment(world), now=now))
    saved = dict(progress._kept_rows), dict(progress._kept_cohorts)
    forget_kept_progress()
    fresh = _facts(course_state(_enrollment(world), now=now))
    progress._kept_rows.update(saved[0])
    progress._kept_cohorts.update(saved[1])
    assert kept == fresh
    return kept


def _progress_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if any(f'"{t}"' in q["sql"] for t in PROGRESS_TABLES)]


def test_a_learners_next_page_reads_no_progress_rows(world):
    course_state(_enrollment(world), now=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        course_state(_enrollment(world), now=timezone.now())
    assert _progress_reads(queries.captured_queries) == []
    assert len(queries) == 1  # the enrolment itself


def test_a_learners_own_change_reads_their_rows_again_and_keeps_the_cohorts(world):
    course_state(_enrollment(world), now=timezone.now())
    lesson_mark_read(
        enrollment=_enrollment(world),
        lesson=world.course.lessons.filter(archived=False).first(),
        now=timezone.now(),
    )
    with CaptureQueriesContext(connection) as queries:
        course_state(_enrollment(world), now=timezone.now())
    tables = {t for t in PROGRESS_TABLES for q in queries if f'"{t}"' in q["sql"]}
    assert tables == {"courses_lessonprogress", "assignments_submission", "assignments_extension"}


def test_the_learner_pages_keep_working_from_kept_rows(client, world):
    client.force_login(world.learner)
    lesson = world.course.lessons.filter(archived=False).first()
    url = reverse("learn:lesson", args=[world.cohort.pk, lesson.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    assert _progress_reads(queries.captured_queries) == []
    assert lesson.title in body
    client.post(reverse("learn:lesson_read", args=[world.cohort.pk, lesson.slug]))
    home = client.get(reverse("learn:home")).content.decode()
    assert "1 van" in home  # "1 van N lessen gelezen"


def test_reading_a_lesson_shows_on_the_next_page(world):
    before = _next_page(world)
    lesson_mark_read(
        enrollment=_enrollment(world),
        lesson=world.course.lessons.filter(archived=False).first(),
        now=timezone.now(),
    )
    assert _next_page(world)[1] == before[1] + 1


def test_work_saved_handed_in_and_graded_shows_on_the_next_page(world):
    seen = [_next_page(world)]
    draft = reflection_draft(enrollment=_enrollment(world), assignment=assignment(REFLECTION))
    seen.append(_next_page(world))
    draft_save(submission=draft, answers={"verhaal": words(5)}, based_on=0, now=timezone.now())
    draft.refresh_from_db()
    submitted = reflection_submit(
        submission=draft,
        answers={"verhaal": words(100)},
        based_on=draft.version,
        now=timezone.now(),
    )
    seen.append(_next_page(world))
    criteria = submitted.assignment.config["rubric"]["criteria"]
    submission_grade(
        submission=Submission.objects.get(pk=submitted.pk),
        trainer=world.trainer,
        rubric_scores={c["id"]: c["levels"][-1]["points"] for c in criteria},
        comment="Sterk.",
        decision=Grade.Decision.APPROVED,
        now=timezone.now(),
    )
    seen.append(_next_page(world))
    enrollment = _enrollment(world)
    quiz, scan = assignment(QUIZ), assignment(SCAN)
    quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=timezone.now()
    )
    seen.append(_next_page(world))
    scan_submit(
        enrollment=_enrollment(world),
        assignment=scan,
        raw_answers=scan_answers(scan),
        now=timezone.now(),
    )
    seen.append(_next_page(world))
    assert len(set(seen)) == len(seen), "every change shows"


def test_an_extension_shows_on_the_next_page(world):
    before = {slug: due for slug, _k, _o, due, _n in _next_page(world)[2]}
    new_day = world.cohort.local_today(timezone.now()) + datetime.timedelta(days=3)
    extension_grant(
        enrollment=_enrollment(world),
        assignment=assignment(SCAN),
        due_on=new_day,
        granted_by=world.trainer,
        now=timezone.now(),
    )
    after = {slug: due for slug, _k, _o, due, _n in _next_page(world)[2]}
    assert before[SCAN] != new_day
    assert after[SCAN] == new_day


def test_a_cohort_deadline_release_and_dates_show_on_the_next_page(world):
    seen = [_next_page(world)]
    assignment_deadline_set(
        cohort=world.cohort, assignment=assignment(SCAN), due_on=world.cohort.ends_on
    )
    seen.append(_next_page(world))
    module_release_set(
        cohort=world.cohort,
        module=assignment(SCAN).module,
        opens_on=world.cohort.local_today(timezone.now()) + datetime.timedelta(days=2),
    )
    seen.append(_next_page(world))
    cohort = _enrollment(world).cohort
    cohort_update(
        cohort=cohort,
        name=cohort.name,
        starts_on=cohort.starts_on - datetime.timedelta(days=7),
        ends_on=cohort.ends_on,
        time_zone=cohort.time_zone,
        course=cohort.course,
    )
    seen.append(_next_page(world))
    assert len(set(seen)) == len(seen), "every change shows"


def test_a_change_in_this_request_shows_through_the_enrolment_in_hand(world):
    enrollment = _enrollment(world)
    before = course_state(enrollment, now=timezone.now()).read_count
    lesson_mark_read(
        enrollment=enrollment,
        lesson=world.course.lessons.filter(archived=False).first(),
        now=timezone.now(),
    )
    # The same object, its version as read before the change: read again, not kept.
    assert course_state(enrollment, now=timezone.now()).read_count == before + 1


def test_rows_changed_outside_the_services_show_once_they_are_old(world, monkeypatch):
    course_state(_enrollment(world), now=timezone.now())
    # As the admin would: no service, so no version is raised.
    Submission.objects.create(
        enrollment=_enrollment(world),
        assignment=assignment(SCAN),
        revision=1,
        status=Submission.Status.SUBMITTED,
        answers=scan_answers(assignment(SCAN)),
        submitted_at=timezone.now(),
    )

    def scan_state():
        state = course_state(_enrollment(world), now=timezone.now())
        return next(s for s in state.assignments if s.assignment.slug == SCAN)

    assert not scan_state().is_handed_in, "kept while young"
    later = progress.time.monotonic() + progress.KEEP_SECONDS + 1
    monkeypatch.setattr(progress.time, "monotonic", lambda: later)
    assert scan_state().is_handed_in


@pytest.mark.parametrize("count", [progress.KEEP_FOR_AT_MOST + 1])
def test_many_enrolments_at_once_are_read_not_kept(world, count):
    for i in range(count - 1):
        make_learner(world.cohort, email=f"veel{i}@example.com")
    enrollments = list(
        Enrollment.objects.filter(cohort=world.cohort).select_related("cohort", "cohort__course")
    )
    assert len(enrollments) == count
    course_states(enrollments, now=timezone.now())
    assert progress._kept_rows == {}
    assert progress._kept_cohorts == {}
