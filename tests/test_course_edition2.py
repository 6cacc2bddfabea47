"""Importing the second edition over a database that holds the first edition's work.

``fixtures/course_edition1.json`` is what the first edition's files defined (modules,
lesson slugs and every assignment's definition as it was stored). The test builds that
state, lets learners do work on it, imports the shipped (second) edition and checks that
the import is accepted, nothing learners did is lost or rewritten, and progress and
completion follow the new rule from the stored work.
"""

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone

from assignments.models import Assignment, Grade, Submission
from assignments.services import quiz_submit
from cohorts.models import Enrollment
from courses.models import Course, Lesson, LessonProgress, Module
from courses.services import course_import
from learning.progress import course_state
from tests.assignment_helpers import drawn_quiz_answers
from tests.course_files import SHIPPED
from tests.factories import CohortFactory, OrganisationFactory, UserFactory, make_learner

EDITION1 = json.loads(
    (Path(__file__).parent / "fixtures" / "course_edition1.json").read_text(encoding="utf-8")
)


def _edition1() -> Course:
    """The database as the first edition's import left it."""
    course = Course.objects.create(slug=EDITION1["slug"], title=EDITION1["title"])
    for position, spec in enumerate(EDITION1["modules"], start=1):
        module = Module.objects.create(
            course=course,
            slug=spec["slug"],
            title=spec["title"],
            position=position,
            release_offset_days=spec["release_offset_days"],
        )
        for lesson_position, slug in enumerate(spec["lessons"], start=1):
            Lesson.objects.create(
                course=course,
                module=module,
                slug=slug,
                title=slug,
                body="Eerste editie.",
                minutes=3,
                position=lesson_position,
            )
        for item_position, item in enumerate(spec["assignments"], start=1):
            Assignment.objects.create(
                course=course,
                module=module,
                slug=item["slug"],
                kind=item["kind"],
                title=item["title"],
                due_offset_days=item["due_offset_days"],
                config=item["config"],
                position=item_position,
            )
    return course


def _v1_scan_result(config: dict, value: int) -> dict:
    """A scan result as the first edition stored it: the mean of the dimensions."""
    scores = {dimension["id"]: float(value) for dimension in config["dimensions"]}
    if config["result_model"] == "quadrant":
        return {"scores": scores, "x": float(value), "y": float(value), "outcome": "high_high"}
    return {"scores": scores, "overall": float(value), "outcome": "klantbekwaam"}


def _all_edition1_work(enrollment: Enrollment, trainer, now) -> None:
    """Everything the first edition asked, done: the learner was complete then."""
    for lesson in Lesson.objects.filter(course=enrollment.cohort.course):
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson, read_at=now)
    for assignment in Assignment.objects.filter(course=enrollment.cohort.course):
        config = assignment.config
        if assignment.kind == "quiz":
            answers = {
                q["id"]: [o["id"] for o in q["options"] if o["correct"]]
                for q in config["questions"]
            }
            Submission.objects.create(
                enrollment=enrollment,
                assignment=assignment,
                status=Submission.Status.SUBMITTED,
                answers=answers,
                score=100.0,
                passed=True,
                submitted_at=now,
            )
        elif assignment.kind == "scan":
            Submission.objects.create(
                enrollment=enrollment,
                assignment=assignment,
                status=Submission.Status.SUBMITTED,
                answers={s["id"]: 4 for s in config["statements"]},
                result=_v1_scan_result(config, 4),
                submitted_at=now,
            )
        else:
            submission = Submission.objects.create(
                enrollment=enrollment,
                assignment=assignment,
                status=Submission.Status.APPROVED,
                answers={p["id"]: f"Mijn antwoord op {p['id']}." for p in config["prompts"]},
                submitted_at=now,
            )
            Grade.objects.create(
                submission=submission,
                trainer=trainer,
                # The first edition's own top levels: points the new 0–3 scale may not have.
                rubric_scores={
                    c["id"]: c["levels"][-1]["points"] for c in config["rubric"]["criteria"]
                },
                comment="Goed gedaan.",
                decision=Grade.Decision.APPROVED,
                released_at=now,
            )


def _snapshot():
    return {
        "submissions": sorted(
            Submission.objects.values_list(
                "pk", "assignment__slug", "status", "answers", "result", "score", "passed"
            )
        ),
        "grades": sorted(Grade.objects.values_list("pk", "rubric_scores", "decision")),
        "progress": LessonProgress.objects.count(),
    }


@pytest.fixture
def edition1_world(db):
    now = timezone.now()
    course = _edition1()
    cohort = CohortFactory(
        organisation=OrganisationFactory(),
        course=course,
        starts_on=now.date() - datetime.timedelta(days=50),
        ends_on=now.date() + datetime.timedelta(days=30),
    )
    trainer = UserFactory(email="trainer@example.com")
    complete = make_learner(cohort, email="klaar@example.com")
    halfway = make_learner(cohort, email="halfweg@example.com")
    complete_enrollment = Enrollment.objects.get(user=complete)
    halfway_enrollment = Enrollment.objects.get(user=halfway)
    _all_edition1_work(complete_enrollment, trainer, now)
    draft = Submission.objects.create(
        enrollment=halfway_enrollment,
        assignment=Assignment.objects.get(slug="driehoek-case"),
        answers={"erkenning": "Ik begon met begrip voor zijn haast.", "uitleg": ""},
    )
    return {
        "now": now,
        "complete": complete_enrollment,
        "halfway": halfway_enrollment,
        "draft": draft,
    }


def test_the_first_edition_learner_was_complete_before_the_import(edition1_world):
    state = course_state(edition1_world["complete"], now=edition1_world["now"])
    assert state.is_complete
    assert state.percent == 100


def test_the_second_edition_imports_over_stored_work_and_changes_none_of_it(edition1_world):
    before = _snapshot()
    report = course_import(folder=SHIPPED)
    assert report.changed
    assert _snapshot() == before
    # The draft's text is where it was, under the prompt ids the new files keep.
    draft = Submission.objects.get(pk=edition1_world["draft"].pk)
    assert draft.answers["erkenning"] == "Ik begon met begrip voor zijn haast."
    # Old scan results are not rescored: still the first edition's outcome, no version key.
    for submission in Submission.objects.filter(assignment__kind="scan"):
        assert "scoring" not in submission.result
    # The baseline scan moved to module 1 with its results.
    pre = Assignment.objects.get(slug="fasescan-voor")
    assert pre.module.slug == "klantgericht-of-klantvriendelijk"
    assert pre.submissions.count() == 1


def test_completion_follows_the_new_rule_from_the_stored_work(edition1_world):
    course_import(folder=SHIPPED)
    enrollment = Enrollment.objects.select_related("cohort__course").get(
        pk=edition1_world["complete"].pk
    )
    now = edition1_world["now"]
    state = course_state(enrollment, now=now)
    # The final test is new; lessons the second edition did not rename stay read.
    assert not state.is_complete
    parts = {part.key: part for part in state.completion}
    quizzes = parts["quizzes"]
    assert [work.assignment.slug for work in quizzes.missing] == ["eindtoets"]
    assert parts["scans"].is_done
    assert parts["reflections"].is_done
    assert parts["lessons"].done == parts["lessons"].total
    assert 90 <= state.percent < 100

    final = Assignment.objects.get(slug="eindtoets")
    answers, shown = drawn_quiz_answers(final, enrollment, wrong=5)
    failed = quiz_submit(
        enrollment=enrollment, assignment=final, raw_answers=answers, now=now, shown=shown
    )
    assert failed.passed is False
    assert failed.score < 70
    assert not course_state(enrollment, now=now).is_complete

    answers, shown = drawn_quiz_answers(final, enrollment, wrong=4)
    assert set(shown) != set(failed.result["questions"]), "a retry sees other items"
    passed = quiz_submit(
        enrollment=enrollment, assignment=final, raw_answers=answers, now=now, shown=shown
    )
    assert passed.passed is True
    assert passed.score >= 70
    state = course_state(enrollment, now=now)
    assert state.is_complete
    assert state.percent == 100
