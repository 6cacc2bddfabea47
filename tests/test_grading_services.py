"""Grading and the comment bank as services: what is stored, and what is refused."""

import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.diff import DELETED, EQUAL, INSERTED, DiffPart, has_changes, word_diff
from assignments.models import CommentSnippet, Grade, Submission
from assignments.services import (
    MAX_COMMENT_CHARACTERS,
    MAX_SNIPPET_CHARACTERS,
    AssignmentError,
    GradingConflict,
    comment_snippet_add,
    comment_snippet_delete,
    reflection_draft,
    reflection_submit,
    submission_grade,
)
from tests.assignment_helpers import REFLECTION, assignment, words
from tests.factories import make_trainer


def _says(msgid: str) -> str:
    """A pattern for a message, in whatever language the tests run."""
    return re.escape(_(msgid))


@pytest.fixture
def submission(world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    return reflection_submit(
        submission=draft, answers={"verhaal": words(100)}, based_on=0, now=timezone.now()
    )


def _scores(submission, level=0):
    criteria = submission.assignment.config["rubric"]["criteria"]
    return {c["id"]: c["levels"][level]["points"] for c in criteria}


def _grade(submission, trainer, **overrides):
    arguments = {
        "submission": submission,
        "trainer": trainer,
        "rubric_scores": _scores(submission),
        "comment": "Goed.",
        "decision": Grade.Decision.RETURNED,
        "now": timezone.now(),
    } | overrides
    return submission_grade(**arguments)


def test_a_return_stores_scores_and_comment_and_releases_them(world, submission):
    now = timezone.now()
    grade = _grade(submission, world.trainer, rubric_scores=_scores(submission, 2), now=now)
    assert grade.rubric_scores == _scores(submission, 2)
    assert (grade.comment, grade.released_at) == ("Goed.", now)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED


def test_an_approval_approves(world, submission):
    _grade(submission, world.trainer, rubric_scores=_scores(submission, -1), decision="approved")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED


def test_a_missing_criterion_gets_a_message_at_that_criterion(world, submission):
    scores = _scores(submission)
    missing = next(iter(scores))
    del scores[missing]
    with pytest.raises(
        AssignmentError, match=_says("Score every criterion of the rubric.")
    ) as raised:
        _grade(submission, world.trainer, rubric_scores=scores, comment="x" * 20)
    assert set(raised.value.field_messages) == {f"rubric-{missing}"}
    assert not Grade.objects.exists()
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


@pytest.mark.parametrize("points", [99, -1, "2", True, None])
def test_a_level_that_is_not_in_the_rubric_is_refused(world, submission, points):
    scores = _scores(submission)
    criterion = list(scores)[-1]
    scores[criterion] = points
    wrong = _says("A rubric score is not one of the criterion's levels.")
    with pytest.raises(AssignmentError, match=wrong) as raised:
        _grade(submission, world.trainer, rubric_scores=scores)
    assert set(raised.value.field_messages) == {f"rubric-{criterion}"}
    assert not Grade.objects.exists()


def test_a_criterion_the_rubric_does_not_have_is_refused(world, submission):
    wrong = _says("A rubric score is not one of the criterion's levels.")
    with pytest.raises(AssignmentError, match=wrong):
        _grade(submission, world.trainer, rubric_scores=_scores(submission) | {"extra": 1})
    assert not Grade.objects.exists()


def test_an_overlong_comment_and_a_missing_decision_are_refused_per_field(world, submission):
    with pytest.raises(
        AssignmentError, match=_says("Not saved: check the marked fields.")
    ) as raised:
        _grade(submission, world.trainer, comment="x" * (MAX_COMMENT_CHARACTERS + 1), decision="")
    assert set(raised.value.field_messages) == {"comment", "decision"}
    assert not Grade.objects.exists()


def test_a_second_trainer_gets_a_conflict_naming_the_first(world, submission):
    colleague = make_trainer(world.cohort, display_name="Kees Collega")
    stale = Submission.objects.get(pk=submission.pk)  # the second trainer's copy
    _grade(submission, colleague, comment="Eerste.")
    with pytest.raises(GradingConflict, match="Kees Collega"):
        _grade(
            stale,
            world.trainer,
            rubric_scores=_scores(stale, -1),
            comment="Tweede.",
            decision=Grade.Decision.APPROVED,
        )
    assert Grade.objects.get().comment == "Eerste."
    assert Submission.objects.get().status == Submission.Status.RETURNED


def test_a_draft_is_refused(world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    not_yet = _says("This revision has not been submitted yet, so it cannot be graded.")
    with pytest.raises(AssignmentError, match=not_yet) as raised:
        _grade(draft, world.trainer)
    assert not isinstance(raised.value, GradingConflict)
    assert not Grade.objects.exists()


def test_approved_work_is_refused(world, submission):
    _grade(
        submission,
        world.trainer,
        rubric_scores=_scores(submission, -1),
        decision=Grade.Decision.APPROVED,
    )
    with pytest.raises(GradingConflict, match="Tara"):
        _grade(submission, world.trainer, comment="Nog eens.")
    assert Grade.objects.get().comment == "Goed."


# --- Comment bank -------------------------------------------------------------------------


def test_a_snippet_is_trimmed(world):
    snippet = comment_snippet_add(trainer=world.trainer, text="  Mooi voorbeeld.\n")
    assert snippet.text == "Mooi voorbeeld."


EMPTY_SNIPPET = "Select or write some text to keep as a snippet."


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", _says(EMPTY_SNIPPET)),
        ("   \n", _says(EMPTY_SNIPPET)),
        ("x" * (MAX_SNIPPET_CHARACTERS + 1), str(MAX_SNIPPET_CHARACTERS)),
    ],
    ids=["empty", "blank", "long"],
)
def test_an_empty_or_overlong_snippet_is_refused(world, text, problem):
    with pytest.raises(AssignmentError, match=problem):
        comment_snippet_add(trainer=world.trainer, text=text)
    assert not CommentSnippet.objects.exists()


def test_the_same_snippet_is_not_kept_twice(world):
    comment_snippet_add(trainer=world.trainer, text="Mooi.")
    with pytest.raises(AssignmentError, match=_says("This text is already in your comment bank.")):
        comment_snippet_add(trainer=world.trainer, text=" Mooi. ")
    comment_snippet_add(trainer=world.trainer_other, text="Mooi.")  # another trainer's bank
    assert CommentSnippet.objects.count() == 2


def test_a_full_comment_bank_refuses_more(world, monkeypatch):
    monkeypatch.setattr("assignments.services.MAX_SNIPPETS", 2)
    comment_snippet_add(trainer=world.trainer, text="een")
    comment_snippet_add(trainer=world.trainer, text="twee")
    with pytest.raises(AssignmentError, match="2"):
        comment_snippet_add(trainer=world.trainer, text="drie")


def test_only_own_snippets_can_be_deleted(world):
    theirs = comment_snippet_add(trainer=world.trainer_other, text="Van Theo")
    mine = comment_snippet_add(trainer=world.trainer, text="Van Tara")
    with pytest.raises(
        AssignmentError, match=_says("This snippet is no longer in your comment bank.")
    ):
        comment_snippet_delete(trainer=world.trainer, snippet_id=theirs.pk)
    comment_snippet_delete(trainer=world.trainer, snippet_id=mine.pk)
    assert list(CommentSnippet.objects.values_list("text", flat=True)) == ["Van Theo"]


# --- Word diff ------------------------------------------------------------------------------


def test_diff_marks_inserted_and_deleted_words():
    parts = word_diff("de klant was boos", "de klant was erg blij")
    assert parts == [
        DiffPart(EQUAL, "de klant was "),
        DiffPart(DELETED, "boos"),
        DiffPart(INSERTED, "erg blij"),
    ]


def test_diff_keeps_line_breaks_and_ignores_changed_spacing():
    parts = word_diff("een twee\n\ndrie", "een  twee\n\ndrie vier")
    assert "".join(p.text for p in parts if p.kind != DELETED) == "een  twee\n\ndrie vier"
    assert [p for p in parts if p.kind != EQUAL] == [DiffPart(INSERTED, "vier")]


def test_diff_of_identical_texts_has_no_changes():
    assert not has_changes(word_diff("zelfde tekst", "zelfde tekst"))
    assert has_changes(word_diff("", "nieuw"))
