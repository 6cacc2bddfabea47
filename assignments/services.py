"""Writes for assignments: drafts, submitting, grading, extensions.

Every function raises ``AssignmentError`` with a message for the person when the
write cannot be done; nothing is changed in that case (except a draft's text,
which is always kept).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assignments.models import Assignment, Extension, Grade, Submission
from assignments.scoring import (
    InvalidAnswers,
    quiz_clean_answers,
    quiz_grade,
    scan_clean_answers,
    scan_result,
)
from cohorts.models import Enrollment

MAX_FIELD_CHARACTERS = 40_000


class AssignmentError(Exception):
    """A write was refused; ``messages`` maps a field id ('' for the whole form) to text."""

    def __init__(self, message: str = "", *, field_messages: dict[str, str] | None = None):
        self.field_messages = field_messages or {}
        super().__init__(message or "; ".join(self.field_messages.values()))


def word_count(text: str) -> int:
    return len(text.split())


def _refuse_if_closed(enrollment: Enrollment, now: datetime.datetime | None = None) -> None:
    if enrollment.cohort.has_ended(now):
        raise AssignmentError(_("This course has ended, so work can no longer be submitted."))
    if enrollment.status != Enrollment.Status.ACTIVE:
        raise AssignmentError(_("Your enrolment is not active, so you cannot submit work."))


def _clean_texts(assignment: Assignment, raw: dict) -> dict[str, str]:
    """Only the assignment's prompts, as text, each within the storage limit."""
    prompt_ids = [prompt["id"] for prompt in assignment.config["prompts"]]
    unknown = set(raw) - set(prompt_ids)
    if unknown:
        raise InvalidAnswers(f"unknown field(s): {sorted(unknown)}")
    cleaned = {}
    for prompt_id in prompt_ids:
        value = raw.get(prompt_id, "")
        if not isinstance(value, str):
            raise InvalidAnswers(f"field {prompt_id} must be text")
        if len(value) > MAX_FIELD_CHARACTERS:
            raise AssignmentError(
                _("This text is too long to store (more than %(n)s characters).")
                % {"n": MAX_FIELD_CHARACTERS},
                field_messages={prompt_id: _("Too long to store.")},
            )
        cleaned[prompt_id] = value
    return cleaned


def reflection_problems(assignment: Assignment, answers: dict[str, str]) -> dict[str, str]:
    """Word limits per prompt: what stops a submit (a draft may break them)."""
    problems = {}
    for prompt in assignment.config["prompts"]:
        text = answers.get(prompt["id"], "")
        words = word_count(text)
        if words == 0 and not prompt["required"]:
            continue
        if words < max(prompt["min_words"], 1):
            problems[prompt["id"]] = ngettext(
                "Write at least %(n)d word (now %(words)d).",
                "Write at least %(n)d words (now %(words)d).",
                max(prompt["min_words"], 1),
            ) % {"n": max(prompt["min_words"], 1), "words": words}
        elif words > prompt["max_words"]:
            problems[prompt["id"]] = ngettext(
                "Use at most %(n)d word (now %(words)d).",
                "Use at most %(n)d words (now %(words)d).",
                prompt["max_words"],
            ) % {"n": prompt["max_words"], "words": words}
    return problems


@transaction.atomic
def reflection_draft(*, enrollment: Enrollment, assignment: Assignment) -> Submission:
    """The revision the learner works on: the open draft, or a new one after a return.

    A returned revision stays as it was (readable, with its feedback); the new
    draft starts from its text.
    """
    latest = (
        Submission.objects.select_for_update()
        .filter(enrollment=enrollment, assignment=assignment)
        .order_by("-revision")
        .first()
    )
    if latest is None:
        return Submission.objects.create(enrollment=enrollment, assignment=assignment)
    if latest.status == Submission.Status.RETURNED:
        return Submission.objects.create(
            enrollment=enrollment,
            assignment=assignment,
            revision=latest.revision + 1,
            answers=latest.answers,
        )
    return latest


def draft_save(*, submission: Submission, answers: dict) -> Submission:
    """Autosave: store the text as written. Refused only once the revision is submitted."""
    cleaned = _clean_texts(submission.assignment, answers)
    now = timezone.now()
    updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.DRAFT).update(
        answers=cleaned, updated_at=now
    )
    if not updated:
        raise AssignmentError(_("This work has already been submitted and can no longer change."))
    submission.answers, submission.updated_at = cleaned, now
    return submission


def reflection_submit(
    *, submission: Submission, answers: dict, now: datetime.datetime | None = None
) -> Submission:
    """Save the text, then submit it if it meets the word limits.

    The draft is saved first and in its own transaction, so a refused submit never
    loses what was written. The status change is a conditional update: of two
    tabs submitting the same draft, exactly one succeeds.
    """
    draft_save(submission=submission, answers=answers)
    _refuse_if_closed(submission.enrollment, now)
    problems = reflection_problems(submission.assignment, submission.answers)
    if problems:
        raise AssignmentError(
            _("Not submitted yet: some answers do not meet the word limits."),
            field_messages=problems,
        )
    now = now or timezone.now()
    claimed = Submission.objects.filter(pk=submission.pk, status=Submission.Status.DRAFT).update(
        status=Submission.Status.SUBMITTED, submitted_at=now, updated_at=now
    )
    if not claimed:
        raise AssignmentError(_("This work has already been submitted."))
    submission.refresh_from_db()
    return submission


@transaction.atomic
def quiz_submit(*, enrollment: Enrollment, assignment: Assignment, raw_answers: dict) -> Submission:
    """Grade an attempt and store it as the next revision; the best attempt counts."""
    _refuse_if_closed(enrollment)
    answers = quiz_clean_answers(assignment.config, raw_answers)
    score, passed, _results = quiz_grade(assignment.config, answers)
    # Serialise attempts of one learner so two tabs never race for a revision number.
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    last = Submission.objects.filter(enrollment=enrollment, assignment=assignment).aggregate(
        last=Max("revision")
    )["last"]
    limit = assignment.config.get("max_attempts")
    if limit and (last or 0) >= limit:
        raise AssignmentError(
            ngettext(
                "This quiz allows %(n)d attempt, and you have used it.",
                "This quiz allows %(n)d attempts, and you have used them all.",
                limit,
            )
            % {"n": limit}
        )
    now = timezone.now()
    return Submission.objects.create(
        enrollment=enrollment,
        assignment=assignment,
        revision=(last or 0) + 1,
        status=Submission.Status.SUBMITTED,
        answers=answers,
        score=score,
        passed=passed,
        submitted_at=now,
    )


def scan_submit(*, enrollment: Enrollment, assignment: Assignment, raw_answers: dict) -> Submission:
    """Score a scan once; a second submit (another tab, a replay) is refused."""
    _refuse_if_closed(enrollment)
    answers = scan_clean_answers(assignment.config, raw_answers)
    try:
        with transaction.atomic():
            return Submission.objects.create(
                enrollment=enrollment,
                assignment=assignment,
                revision=1,
                status=Submission.Status.SUBMITTED,
                answers=answers,
                result=scan_result(assignment.config, answers),
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        raise AssignmentError(_("You have already completed this scan.")) from None


@transaction.atomic
def submission_grade(
    *,
    submission: Submission,
    trainer,
    rubric_scores: dict[str, int],
    comment: str,
    decision: str,
) -> Grade:
    """A trainer approves or returns a submitted reflection, with rubric scores.

    The grade is released at once; the learner sees it on their next visit.
    """
    if not submission.enrollment.cohort.trainers.filter(pk=trainer.pk).exists():
        raise AssignmentError(_("Only a trainer of this cohort can grade this work."))
    if decision not in Grade.Decision.values:
        raise AssignmentError(_("Choose to approve or to return the work."))
    criteria = {
        c["id"]: c for c in submission.assignment.config.get("rubric", {}).get("criteria", [])
    }
    if set(rubric_scores) != set(criteria):
        raise AssignmentError(_("Score every criterion of the rubric."))
    for criterion_id, points in rubric_scores.items():
        if points not in {level["points"] for level in criteria[criterion_id]["levels"]}:
            raise AssignmentError(_("A rubric score is not one of the criterion's levels."))
    status = (
        Submission.Status.APPROVED
        if decision == Grade.Decision.APPROVED
        else Submission.Status.RETURNED
    )
    claimed = Submission.objects.filter(
        pk=submission.pk, status=Submission.Status.SUBMITTED
    ).update(status=status, updated_at=timezone.now())
    if not claimed:
        raise AssignmentError(_("This work is not waiting for a grade."))
    grade = Grade.objects.create(
        submission=submission,
        trainer=trainer,
        rubric_scores=rubric_scores,
        comment=comment,
        decision=decision,
        released_at=timezone.now(),
    )
    submission.status = status
    return grade


@transaction.atomic
def extension_grant(
    *, enrollment: Enrollment, assignment: Assignment, due_on: datetime.date, granted_by
) -> Extension:
    """One learner gets a later deadline on one assignment (trainer of the cohort or staff)."""
    cohort = enrollment.cohort
    if not (granted_by.is_staff or cohort.trainers.filter(pk=granted_by.pk).exists()):
        raise AssignmentError(_("Only a trainer of this cohort or staff can grant an extension."))
    if assignment.course_id != cohort.course_id:
        raise AssignmentError(_("This assignment is not part of the cohort's course."))
    if due_on < cohort.local_today():
        raise AssignmentError(_("An extension cannot end in the past."))
    extension, _created = Extension.objects.update_or_create(
        enrollment=enrollment,
        assignment=assignment,
        defaults={"due_on": due_on, "granted_by": granted_by},
    )
    return extension
