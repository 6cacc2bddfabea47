"""Feedback as the learner reads it, and the short thread about a submission.

Reads and writes for both sides: the learner's reflection page and the trainer's
grading page show one thread through ``submission_thread`` and the include
``templates/assignments/_thread.html``; both post through ``submission_message_post``.
Grading itself (scores, decisions, release) lives in ``assignments.services``.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assignments.models import Grade, Submission, SubmissionMessage
from assignments.selectors import RubricRow, rubric_rows, rubric_rows_gone
from assignments.services import AssignmentError

MAX_MESSAGE_CHARACTERS = 2000


@dataclass
class Feedback:
    """A released grade as the learner reads it: one row per criterion, the total."""

    submission: Submission
    grade: Grade
    rows: list[RubricRow] = field(default_factory=list)
    # Scores for criteria that have left the rubric since (shown by id, not in the total).
    gone: list[RubricRow] = field(default_factory=list)
    # Not seen before this page view: the page says "new" once.
    is_new: bool = False

    @property
    def total(self) -> int:
        return sum(row.points for row in self.rows)

    @property
    def max_total(self) -> int:
        return sum(row.max_points for row in self.rows)


@dataclass
class Thread:
    """The messages about one submission, oldest first.

    ``text`` and ``error`` carry a refused message back to the form, so nothing
    written is lost.
    """

    submission: Submission
    messages: list[SubmissionMessage] = field(default_factory=list)
    text: str = ""
    error: str = ""
    max_length: int = MAX_MESSAGE_CHARACTERS


def released_grade(submission: Submission) -> Grade | None:
    """The submission's grade once released (expects ``grade`` selected)."""
    grade = getattr(submission, "grade", None)
    return grade if grade is not None and grade.released_at is not None else None


def latest_handed_in(history: list[Submission]) -> Submission | None:
    """The newest revision the trainer has seen (``history`` newest first)."""
    return next((s for s in history if s.status != Submission.Status.DRAFT), None)


def latest_feedback(assignment, history: list[Submission]) -> Feedback | None:
    """The feedback to show on top: the newest handed-in revision's, once graded and released.

    While a newer revision waits for the trainer there is none: the earlier feedback
    stays with its revision.
    """
    handed_in = latest_handed_in(history)
    grade = released_grade(handed_in) if handed_in is not None else None
    if grade is None:
        return None
    return Feedback(
        submission=handed_in,
        grade=grade,
        rows=rubric_rows(assignment, grade),
        gone=rubric_rows_gone(assignment, grade),
        is_new=grade.seen_at is None,
    )


def unseen_grades(history: list[Submission]) -> list[Grade]:
    return [
        grade
        for grade in (released_grade(s) for s in history)
        if grade is not None and grade.seen_at is None
    ]


@dataclass(frozen=True, slots=True)
class FeedbackNote:
    """A released grade as the learner's dashboard lists it: never the comment, the
    rubric or the answers."""

    cohort_id: int
    assignment_slug: str
    assignment_title: str
    decision: str
    trainer: str
    released_at: datetime.datetime
    is_new: bool

    @property
    def decision_label(self) -> str:
        return Grade.Decision(self.decision).label


@dataclass(frozen=True)
class LearnerFeedback:
    recent: list[FeedbackNote]  # the latest released grades, newest first
    unseen: set[tuple[int, int]]  # (enrolment id, assignment id), as ``unseen_feedback``


def learner_feedback(enrollments, *, recent: int = 5) -> LearnerFeedback:
    """The learner's released grades for the dashboard (one query): the latest few, and
    the work whose feedback they have not opened yet. A learner has a released grade per
    graded revision of a handful of reflections, so all of them are read."""
    notes, unseen = [], set()
    rows = (
        Grade.objects.filter(submission__enrollment__in=enrollments, released_at__isnull=False)
        .order_by("-released_at", "-pk")
        .values_list(
            "submission__enrollment_id",
            "submission__enrollment__cohort_id",
            "submission__assignment_id",
            "submission__assignment__slug",
            "submission__assignment__title",
            "decision",
            "trainer__display_name",
            "trainer__email",
            "released_at",
            "seen_at",
        )
    )
    for (enrollment_id, cohort_id, assignment_id, slug, title, decision, trainer_name,
         trainer_email, released_at, seen_at) in rows:  # fmt: skip
        if seen_at is None:
            unseen.add((enrollment_id, assignment_id))
        if len(notes) < recent:
            notes.append(
                FeedbackNote(
                    cohort_id=cohort_id,
                    assignment_slug=slug,
                    assignment_title=title,
                    decision=decision,
                    trainer=trainer_name or trainer_email,  # as User.__str__
                    released_at=released_at,
                    is_new=seen_at is None,
                )
            )
    return LearnerFeedback(recent=notes, unseen=unseen)


def unseen_feedback(enrollments) -> set[tuple[int, int]]:
    """(enrolment id, assignment id) for every released grade the learner has not opened
    yet (one query)."""
    return set(
        Grade.objects.filter(
            submission__enrollment__in=enrollments,
            released_at__isnull=False,
            seen_at__isnull=True,
        ).values_list("submission__enrollment_id", "submission__assignment_id")
    )


def submission_threads(
    submissions: list[Submission], *, learner_id: int
) -> dict[int, list[SubmissionMessage]]:
    """The messages per submission id, oldest first, each marked ``from_learner`` (one query)."""
    threads: dict[int, list[SubmissionMessage]] = {s.pk: [] for s in submissions if s.pk}
    if not threads:
        return threads
    for message in (
        SubmissionMessage.objects.filter(submission__in=list(threads))
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        message.from_learner = message.author_id == learner_id
        threads[message.submission_id].append(message)
    return threads


def submission_thread(submission: Submission, *, learner_id: int | None = None) -> Thread:
    """One submission's thread (one query).

    For the trainer's grading page: pass a submission from
    ``assignments.access.submission_for_trainer`` (its learner is selected) and render
    ``{% include "assignments/_thread.html" with thread=thread as_trainer=True %}``.
    """
    if learner_id is None:
        learner_id = submission.enrollment.user_id
    messages = submission_threads([submission], learner_id=learner_id)[submission.pk]
    return Thread(submission=submission, messages=messages)


@transaction.atomic
def submission_message_post(
    *, submission: Submission, author, text: str, now: datetime.datetime
) -> SubmissionMessage:
    """Add a message to a handed-in submission's thread, by its learner or a trainer of
    the cohort. Refuses an empty or too long message, saying why."""
    # Browsers send line breaks as CRLF but count them as one character (maxlength).
    text = text.replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise AssignmentError(_("Write a message before sending it."))
    if len(text) > MAX_MESSAGE_CHARACTERS:
        excess = len(text) - MAX_MESSAGE_CHARACTERS
        raise AssignmentError(
            ngettext(
                "This message is %(excess)d character too long (at most %(max)d). "
                "Shorten it and send it again.",
                "This message is %(excess)d characters too long (at most %(max)d). "
                "Shorten it and send it again.",
                excess,
            )
            % {"excess": excess, "max": MAX_MESSAGE_CHARACTERS}
        )
    if submission.status == Submission.Status.DRAFT:
        raise AssignmentError(_("Messages can only be written about handed-in work."))
    enrollment = submission.enrollment
    if author.pk != enrollment.user_id and not enrollment.cohort.has_trainer(author):
        raise AssignmentError(_("Only the learner and the group's trainers can write here."))
    message = SubmissionMessage.objects.create(submission=submission, author=author, text=text)
    # ``created_at`` is stamped on insert; keep the caller's clock, as everywhere else.
    SubmissionMessage.objects.filter(pk=message.pk).update(created_at=now)
    message.created_at = now
    return message


def feedback_mark_seen(*, grades: list[Grade], now: datetime.datetime) -> int:
    """Record that the learner opened released feedback; only the first time counts."""
    if not grades:
        return 0
    return Grade.objects.filter(
        pk__in=[grade.pk for grade in grades],
        released_at__isnull=False,
        seen_at__isnull=True,
    ).update(seen_at=now)
