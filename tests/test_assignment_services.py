import datetime

import pytest
from django.utils import timezone

from assignments.deadlines import DeadlineError, assignment_deadline_set, extension_grant
from assignments.models import Grade, Submission
from assignments.scoring import InvalidAnswers
from assignments.services import (
    AssignmentError,
    StaleDraft,
    draft_save,
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
    submission_grade,
)
from cohorts.models import Cohort, Enrollment
from cohorts.services import enrollment_create
from learning.progress import course_state
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


def _now():
    return timezone.now()


def _save(draft, answers):
    """Autosave the way a page does: based on the version it last saw."""
    return draft_save(submission=draft, answers=answers, based_on=draft.version, now=_now())


def _submit(draft, answers):
    return reflection_submit(submission=draft, answers=answers, based_on=draft.version, now=_now())


def _state(enrollment, work):
    return course_state(enrollment, now=_now()).assignment_state(work)


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
    _save(draft, {"verhaal": text})
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": text}
    assert draft.status == Submission.Status.DRAFT


def test_draft_refuses_unknown_fields(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    with pytest.raises(InvalidAnswers, match="unknown field"):
        _save(draft, {"verhaal": "x", "anders": "y"})


@pytest.mark.parametrize(
    ("text", "fragment"), [("", "minstens"), (words(20), "minstens"), (words(601), "hooguit")]
)
def test_submit_outside_the_word_limits_is_refused_and_the_draft_kept(enrollment, text, fragment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    with pytest.raises(AssignmentError, match="aantal woorden") as caught:
        _submit(draft, {"verhaal": text})
    assert fragment in caught.value.field_messages["verhaal"]
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT
    assert draft.answers == {"verhaal": text}


def test_submit_makes_it_read_only_and_a_second_submit_fails(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    submitted = _submit(draft, {"verhaal": words(100)})
    assert submitted.status == Submission.Status.SUBMITTED
    assert submitted.submitted_at is not None
    with pytest.raises(AssignmentError, match="al ingediend"):
        _submit(draft, {"verhaal": words(120)})
    with pytest.raises(AssignmentError, match="al ingediend"):
        _save(draft, {"verhaal": "later"})
    assert Submission.objects.get().answers == {"verhaal": words(100)}


def test_returned_work_opens_a_new_revision_and_keeps_the_old_one(world, enrollment):
    reflection = assignment(REFLECTION)
    first = _submit(
        reflection_draft(enrollment=enrollment, assignment=reflection), {"verhaal": words(100)}
    )
    submission_grade(
        submission=first,
        trainer=world.trainer,
        rubric_scores=_rubric(reflection, 0),
        comment="Werk het actiedeel uit.",
        decision=Grade.Decision.RETURNED,
        now=_now(),
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
    submission = _submit(
        reflection_draft(enrollment=enrollment, assignment=reflection), {"verhaal": words(100)}
    )
    state = _state(enrollment, reflection)
    assert state.is_handed_in
    assert not state.is_done
    submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores=_rubric(reflection),
        comment="",
        decision=Grade.Decision.APPROVED,
        now=_now(),
    )
    assert _state(enrollment, reflection).is_done


def test_grading_rules(world, enrollment):
    reflection = assignment(REFLECTION)
    submission = _submit(
        reflection_draft(enrollment=enrollment, assignment=reflection), {"verhaal": words(100)}
    )
    with pytest.raises(AssignmentError, match="trainer van deze groep"):  # another cohort
        submission_grade(
            submission=submission,
            trainer=world.trainer_other,
            rubric_scores=_rubric(reflection),
            comment="",
            decision="approved",
            now=_now(),
        )
    with pytest.raises(AssignmentError, match="elk criterium"):  # a criterion missing
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores={},
            comment="",
            decision="approved",
            now=_now(),
        )
    with pytest.raises(AssignmentError, match="niveaus"):  # points that are no level
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores=dict.fromkeys(_rubric(reflection), 99),
            comment="",
            decision="approved",
            now=_now(),
        )
    submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores=_rubric(reflection),
        comment="",
        decision="approved",
        now=_now(),
    )
    with pytest.raises(AssignmentError, match="wacht niet"):  # already graded
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores=_rubric(reflection),
            comment="",
            decision="returned",
            now=_now(),
        )
    assert Grade.objects.count() == 1


def test_nothing_can_be_submitted_after_the_cohort_ended(world, enrollment):
    Cohort.objects.filter(pk=world.cohort.pk).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    enrollment = Enrollment.objects.select_related("cohort").get(pk=enrollment.pk)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    _save(draft, {"verhaal": words(100)})
    with pytest.raises(AssignmentError, match="afgelopen"):
        _submit(draft, {"verhaal": words(100)})
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": words(100)}, "the text is still saved"
    assert draft.status == Submission.Status.DRAFT
    quiz = assignment(QUIZ)
    with pytest.raises(AssignmentError, match="afgelopen"):
        quiz_submit(
            enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=_now()
        )


# --- Quizzes and scans ----------------------------------------------------------------


def test_quiz_attempts_are_revisions_and_the_best_counts(enrollment):
    quiz = assignment(QUIZ)
    first = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz, wrong=3), now=_now()
    )
    second = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=_now()
    )
    third = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz, wrong=5), now=_now()
    )
    assert [first.revision, second.revision, third.revision] == [1, 2, 3]
    assert (first.passed, second.passed, third.passed) == (False, True, False)
    state = _state(enrollment, quiz)
    assert state.best_score == 100
    assert state.is_done


def test_scan_is_scored_once(enrollment):
    scan = assignment(SCAN)
    submission = scan_submit(
        enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan, 5), now=_now()
    )
    assert submission.result["outcome"] in {"high_high", "high_low", "low_high", "low_low"}
    with pytest.raises(AssignmentError, match="al gedaan"):
        scan_submit(
            enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan, 2), now=_now()
        )
    assert Submission.objects.filter(assignment=scan).count() == 1


# --- Deadlines -----------------------------------------------------------------------


def test_due_at_2359_in_the_cohorts_time_zone(world, enrollment):
    reflection = assignment(REFLECTION)
    state = _state(enrollment, reflection)
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
    state = _state(late, quiz)
    assert state.due_on == world.cohort.starts_on + datetime.timedelta(
        days=quiz.due_offset_days + 5
    )


def test_staff_override_and_extension(world, enrollment):
    quiz = assignment(QUIZ)
    override = world.cohort.starts_on + datetime.timedelta(days=30)
    assignment_deadline_set(cohort=world.cohort, assignment=quiz, due_on=override)
    assert _state(enrollment, quiz).due_on == override
    later = timezone.localdate() + datetime.timedelta(days=40)
    extension_grant(
        enrollment=enrollment, assignment=quiz, due_on=later, granted_by=world.trainer, now=_now()
    )
    assert _state(enrollment, quiz).due_on == later
    other = Enrollment.objects.select_related("cohort").get(user=world.learner_other)
    assert _state(other, quiz).due_on != later


def test_extension_rules(world, enrollment):
    quiz = assignment(QUIZ)
    soon = timezone.localdate() + datetime.timedelta(days=3)
    now = _now()
    with pytest.raises(DeadlineError, match="trainer van deze groep"):
        extension_grant(
            enrollment=enrollment,
            assignment=quiz,
            due_on=soon,
            granted_by=world.trainer_other,
            now=now,
        )
    with pytest.raises(DeadlineError, match="trainer van deze groep"):
        extension_grant(
            enrollment=enrollment, assignment=quiz, due_on=soon, granted_by=world.learner, now=now
        )
    with pytest.raises(DeadlineError, match="verleden"):
        extension_grant(
            enrollment=enrollment,
            assignment=quiz,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            granted_by=world.trainer,
            now=now,
        )
    with pytest.raises(DeadlineError, match="Kies een datum tussen"):
        extension_grant(
            enrollment=enrollment,
            assignment=quiz,
            due_on=datetime.date(9999, 12, 31),
            granted_by=world.trainer,
            now=now,
        )
    extension_grant(
        enrollment=enrollment, assignment=quiz, due_on=soon, granted_by=world.staff, now=now
    )


def test_overdue_until_handed_in_and_then_late(world, enrollment):
    quiz = assignment(QUIZ)
    due_at = _state(enrollment, quiz).due_at
    after = due_at + datetime.timedelta(minutes=1)
    assert not course_state(enrollment, now=due_at).assignment_state(quiz).is_overdue
    assert course_state(enrollment, now=after).assignment_state(quiz).is_overdue
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=after)
    state = course_state(enrollment, now=after).assignment_state(quiz)
    assert not state.is_overdue
    assert state.is_late


def test_work_handed_in_on_time_is_not_late(enrollment):
    quiz = assignment(QUIZ)
    due_at = _state(enrollment, quiz).due_at
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=due_at)
    later = due_at + datetime.timedelta(days=3)
    state = course_state(enrollment, now=later).assignment_state(quiz)
    assert state.is_handed_in
    assert not state.is_late


def test_quiz_attempts_can_be_limited(enrollment):
    quiz = assignment(QUIZ)
    quiz.config = quiz.config | {"max_attempts": 2}
    quiz.save()
    for _ in range(2):
        quiz_submit(
            enrollment=enrollment,
            assignment=quiz,
            raw_answers=quiz_answers(quiz, wrong=4),
            now=_now(),
        )
    with pytest.raises(AssignmentError, match="2 pogingen"):
        quiz_submit(
            enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=_now()
        )
    assert Submission.objects.filter(assignment=quiz).count() == 2


# --- Versions: stale text never overwrites newer text ----------------------------------


def test_an_autosave_from_an_older_page_is_refused_and_the_newer_text_kept(enrollment):
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    tab_b_version = draft.version  # tab B opened now and has not saved since
    _save(draft, {"verhaal": "nieuwere tekst uit tab A"})
    with pytest.raises(StaleDraft, match="ander venster"):
        draft_save(submission=draft, answers={"verhaal": ""}, based_on=tab_b_version, now=_now())
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": "nieuwere tekst uit tab A"}


def test_each_save_moves_the_version_on(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    assert draft.version == 0
    _save(draft, {"verhaal": "een"})
    _save(draft, {"verhaal": "een twee"})
    draft.refresh_from_db()
    assert (draft.version, draft.answers) == (2, {"verhaal": "een twee"})


def test_a_submit_based_on_an_older_version_is_refused(enrollment):
    """The submit race: an empty autosave lands first; the submit must not freeze it."""
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    _save(draft, {"verhaal": words(100)})
    page_version = draft.version
    _save(draft, {"verhaal": ""})  # a parallel empty autosave from another tab
    with pytest.raises(StaleDraft, match="ander venster"):
        reflection_submit(
            submission=draft, answers={"verhaal": words(100)}, based_on=page_version, now=_now()
        )
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT


def test_a_submit_freezes_exactly_the_text_it_checked(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    _save(draft, {"verhaal": ""})
    submitted = _submit(draft, {"verhaal": words(100)})
    assert submitted.status == Submission.Status.SUBMITTED
    assert submitted.answers == {"verhaal": words(100)}
    with pytest.raises(AssignmentError, match="al ingediend"):
        draft_save(submission=draft, answers={"verhaal": ""}, based_on=draft.version, now=_now())
    submitted.refresh_from_db()
    assert submitted.answers == {"verhaal": words(100)}


def test_nul_characters_are_dropped_from_text(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    _save(draft, {"verhaal": "klant\x00vriendelijk"})
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": "klantvriendelijk"}


def test_text_over_the_storage_limit_says_by_how_much(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    with pytest.raises(AssignmentError, match="te lang") as caught:
        _save(draft, {"verhaal": "x" * 40_012})
    assert "12 tekens te lang" in caught.value.field_messages["verhaal"]
    draft.refresh_from_db()
    assert draft.answers == {}


def test_the_first_draft_racing_itself_ends_on_one_draft(enrollment, monkeypatch):
    """Two first autosaves: the loser of the insert reads the winner's draft."""
    from assignments import services

    reflection = assignment(REFLECTION)
    winner = Submission.objects.create(enrollment=enrollment, assignment=reflection)
    real = services._draft_get_or_create
    calls = []

    def racing(**kwargs):
        calls.append(1)
        if len(calls) == 1:  # the other request inserted between our read and our insert
            return Submission.objects.create(enrollment=enrollment, assignment=reflection)
        return real(**kwargs)

    monkeypatch.setattr(services, "_draft_get_or_create", racing)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    assert draft.pk == winner.pk
    assert Submission.objects.filter(assignment=reflection).count() == 1


# --- Quiz: unanswered questions ----------------------------------------------------------


def test_a_quiz_with_an_unanswered_question_is_refused_per_question(enrollment):
    quiz = assignment(QUIZ)
    answers = quiz_answers(quiz)
    blank = quiz.config["questions"][-1]["id"]
    answers[blank] = []
    with pytest.raises(AssignmentError, match="1 vraag heeft nog geen antwoord") as caught:
        quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=answers, now=_now())
    assert set(caught.value.field_messages) == {blank}
    assert not Submission.objects.filter(assignment=quiz).exists()
