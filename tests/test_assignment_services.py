import datetime

import pytest
from django.utils import timezone

from assignments.models import Grade, Submission
from assignments.scoring import InvalidAnswers
from assignments.services import (
    AssignmentError,
    draft_save,
    extension_grant,
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
    submission_grade,
)
from cohorts.models import Cohort, Enrollment
from cohorts.services import assignment_deadline_set, enrollment_create
from courses.selectors import course_state
from tests.assignment_helpers import (
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.factories import UserFactory


@pytest.fixture
def enrollment(world):
    return Enrollment.objects.select_related("cohort__course").get(user=world.learner)


def _rubric(reflection, level=-1):
    return {c["id"]: c["levels"][level]["points"] for c in reflection.config["rubric"]["criteria"]}


# --- Reflections ----------------------------------------------------------------


def test_draft_keeps_text_as_written_even_over_the_maximum(enrollment):
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    text = "<script>alert(1)</script> " + words(700)
    draft_save(submission=draft, answers={"verhaal": text})
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": text}
    assert draft.status == Submission.Status.DRAFT


def test_draft_refuses_unknown_fields(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    with pytest.raises(InvalidAnswers):
        draft_save(submission=draft, answers={"verhaal": "x", "anders": "y"})


@pytest.mark.parametrize(
    ("text", "fragment"), [("", "minstens"), (words(20), "minstens"), (words(601), "hooguit")]
)
def test_submit_outside_the_word_limits_is_refused_and_the_draft_kept(enrollment, text, fragment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    with pytest.raises(AssignmentError) as caught:
        reflection_submit(submission=draft, answers={"verhaal": text})
    assert fragment in caught.value.field_messages["verhaal"]
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT
    assert draft.answers == {"verhaal": text}


def test_submit_makes_it_read_only_and_a_second_submit_fails(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    submitted = reflection_submit(submission=draft, answers={"verhaal": words(100)})
    assert submitted.status == Submission.Status.SUBMITTED
    assert submitted.submitted_at is not None
    with pytest.raises(AssignmentError):
        reflection_submit(submission=draft, answers={"verhaal": words(120)})
    with pytest.raises(AssignmentError):
        draft_save(submission=draft, answers={"verhaal": "later"})
    assert Submission.objects.get().answers == {"verhaal": words(100)}


def test_returned_work_opens_a_new_revision_and_keeps_the_old_one(world, enrollment):
    reflection = assignment(REFLECTION)
    first = reflection_submit(
        submission=reflection_draft(enrollment=enrollment, assignment=reflection),
        answers={"verhaal": words(100)},
    )
    submission_grade(
        submission=first,
        trainer=world.trainer,
        rubric_scores=_rubric(reflection, 0),
        comment="Werk het actiedeel uit.",
        decision=Grade.Decision.RETURNED,
    )
    second = reflection_draft(enrollment=enrollment, assignment=reflection)
    assert second.revision == 2
    assert second.answers == {"verhaal": words(100)}
    first.refresh_from_db()
    assert first.status == Submission.Status.RETURNED
    assert first.grade.comment == "Werk het actiedeel uit."
    assert reflection_draft(enrollment=enrollment, assignment=reflection).pk == second.pk


def test_approval_completes_the_reflection(world, enrollment):
    reflection = assignment(REFLECTION)
    submission = reflection_submit(
        submission=reflection_draft(enrollment=enrollment, assignment=reflection),
        answers={"verhaal": words(100)},
    )
    state = course_state(enrollment).assignment_state(reflection)
    assert state.is_handed_in and not state.is_done
    submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores=_rubric(reflection),
        comment="",
        decision=Grade.Decision.APPROVED,
    )
    assert course_state(enrollment).assignment_state(reflection).is_done


def test_grading_rules(world, enrollment):
    reflection = assignment(REFLECTION)
    submission = reflection_submit(
        submission=reflection_draft(enrollment=enrollment, assignment=reflection),
        answers={"verhaal": words(100)},
    )
    with pytest.raises(AssignmentError):  # trainer of another cohort
        submission_grade(
            submission=submission,
            trainer=world.trainer_other,
            rubric_scores=_rubric(reflection),
            comment="",
            decision="approved",
        )
    with pytest.raises(AssignmentError):  # a criterion missing
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores={},
            comment="",
            decision="approved",
        )
    with pytest.raises(AssignmentError):  # points that are no level
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores=dict.fromkeys(_rubric(reflection), 99),
            comment="",
            decision="approved",
        )
    submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores=_rubric(reflection),
        comment="",
        decision="approved",
    )
    with pytest.raises(AssignmentError):  # already graded
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores=_rubric(reflection),
            comment="",
            decision="returned",
        )
    assert Grade.objects.count() == 1


def test_nothing_can_be_submitted_after_the_cohort_ended(world, enrollment):
    Cohort.objects.filter(pk=world.cohort.pk).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    enrollment = Enrollment.objects.select_related("cohort").get(pk=enrollment.pk)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    with pytest.raises(AssignmentError, match="afgelopen"):
        reflection_submit(submission=draft, answers={"verhaal": words(100)})
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": words(100)}, "the text is still saved"
    with pytest.raises(AssignmentError):
        quiz_submit(enrollment=enrollment, assignment=assignment(QUIZ), raw_answers={})


# --- Quizzes and scans ----------------------------------------------------------------


def test_quiz_attempts_are_revisions_and_the_best_counts(enrollment):
    quiz = assignment(QUIZ)
    first = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz, wrong=3)
    )
    second = quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz))
    third = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz, wrong=5)
    )
    assert [first.revision, second.revision, third.revision] == [1, 2, 3]
    assert (first.passed, second.passed, third.passed) == (False, True, False)
    state = course_state(enrollment).assignment_state(quiz)
    assert state.best_score == 100
    assert state.is_done


def test_scan_is_scored_once(enrollment):
    scan = assignment(SCAN)
    submission = scan_submit(
        enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan, 5)
    )
    assert submission.result["outcome"] in {"high_high", "high_low", "low_high", "low_low"}
    with pytest.raises(AssignmentError):
        scan_submit(enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan, 2))
    assert Submission.objects.filter(assignment=scan).count() == 1


# --- Deadlines -----------------------------------------------------------------------


def test_due_at_2359_in_the_cohorts_time_zone(world, enrollment):
    reflection = assignment(REFLECTION)
    state = course_state(enrollment).assignment_state(reflection)
    expected_day = world.cohort.starts_on + datetime.timedelta(days=reflection.due_offset_days)
    assert state.due_on == expected_day
    local = state.due_at.astimezone(world.cohort.tz)
    assert (local.date(), local.hour, local.minute) == (expected_day, 23, 59)


def test_late_joiner_counts_from_their_own_start(world):
    user = UserFactory()
    late = enrollment_create(
        cohort=world.cohort,
        user=user,
        starts_on=world.cohort.starts_on + datetime.timedelta(days=5),
    )
    quiz = assignment(QUIZ)
    state = course_state(late).assignment_state(quiz)
    assert state.due_on == world.cohort.starts_on + datetime.timedelta(
        days=quiz.due_offset_days + 5
    )


def test_staff_override_and_extension(world, enrollment):
    quiz = assignment(QUIZ)
    override = world.cohort.starts_on + datetime.timedelta(days=30)
    assignment_deadline_set(cohort=world.cohort, assignment=quiz, due_on=override)
    assert course_state(enrollment).assignment_state(quiz).due_on == override
    later = timezone.localdate() + datetime.timedelta(days=40)
    extension_grant(enrollment=enrollment, assignment=quiz, due_on=later, granted_by=world.trainer)
    assert course_state(enrollment).assignment_state(quiz).due_on == later
    other = Enrollment.objects.select_related("cohort").get(user=world.learner_other)
    assert course_state(other).assignment_state(quiz).due_on != later


def test_extension_rules(world, enrollment):
    quiz = assignment(QUIZ)
    soon = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(AssignmentError):
        extension_grant(
            enrollment=enrollment, assignment=quiz, due_on=soon, granted_by=world.trainer_other
        )
    with pytest.raises(AssignmentError):
        extension_grant(
            enrollment=enrollment, assignment=quiz, due_on=soon, granted_by=world.learner
        )
    with pytest.raises(AssignmentError):
        extension_grant(
            enrollment=enrollment,
            assignment=quiz,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            granted_by=world.trainer,
        )
    extension_grant(enrollment=enrollment, assignment=quiz, due_on=soon, granted_by=world.staff)


def test_overdue_until_handed_in(world, enrollment):
    quiz = assignment(QUIZ)
    state = course_state(enrollment).assignment_state(quiz)
    after = state.due_at + datetime.timedelta(minutes=1)
    assert not state.is_overdue(state.due_at)
    assert state.is_overdue(after)
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz))
    assert not course_state(enrollment).assignment_state(quiz).is_overdue(after)


def test_quiz_attempts_can_be_limited(enrollment):
    quiz = assignment(QUIZ)
    quiz.config = quiz.config | {"max_attempts": 2}
    quiz.save()
    for _ in range(2):
        quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz, wrong=4))
    with pytest.raises(AssignmentError, match="2 pogingen"):
        quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz))
    assert Submission.objects.filter(assignment=quiz).count() == 2
