"""Writes for assignments: drafts, submitting, grading.

Every function raises ``AssignmentError`` with a message for the person when the
write cannot be done; nothing is changed in that case (except a draft's text,
which is always kept). Deadlines and extensions live in ``assignments.deadlines``.
Times come in as ``now``, taken once by the caller.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assignments.models import Assignment, CommentSnippet, Grade, Submission
from assignments.scoring import (
    InvalidAnswers,
    quiz_clean_answers,
    quiz_grade,
    quiz_unanswered,
    scan_clean_answers,
    scan_result,
)
from assignments.selectors import quiz_attempts, quiz_attempts_left, quiz_next_draw
from assignments.signals import grade_released
from cohorts.models import Enrollment
from cohorts.services import progress_changed

MAX_FIELD_CHARACTERS = 40_000


class AssignmentError(Exception):
    """A write was refused; ``field_messages`` maps a field id to text for that field."""

    def __init__(self, message: str = "", *, field_messages: dict[str, str] | None = None):
        self.field_messages = field_messages or {}
        super().__init__(message or "; ".join(self.field_messages.values()))


class StaleDraft(AssignmentError):
    """An autosave or submit was based on an older version of the text than the stored one."""


def word_count(text: str) -> int:
    return len(text.split())


def _refuse_if_closed(enrollment: Enrollment, now: datetime.datetime) -> None:
    if enrollment.cohort.has_ended(now):
        raise AssignmentError(_("This course has ended, so work can no longer be submitted."))
    if enrollment.status != Enrollment.Status.ACTIVE:
        raise AssignmentError(_("Your enrolment is not active, so you cannot submit work."))


def _clean_texts(assignment: Assignment, raw: dict) -> dict[str, str]:
    """Only the assignment's prompts, as text, each within the storage limit.

    NUL characters are dropped: they are invisible, and PostgreSQL cannot store them.
    """
    prompt_ids = [prompt["id"] for prompt in assignment.config["prompts"]]
    unknown = set(raw) - set(prompt_ids)
    if unknown:
        raise InvalidAnswers(f"unknown field(s): {sorted(unknown)}")
    cleaned, too_long = {}, {}
    for prompt_id in prompt_ids:
        value = raw.get(prompt_id, "")
        if not isinstance(value, str):
            raise InvalidAnswers(f"field {prompt_id} must be text")
        value = value.replace("\x00", "")
        if len(value) > MAX_FIELD_CHARACTERS:
            excess = len(value) - MAX_FIELD_CHARACTERS
            too_long[prompt_id] = ngettext(
                "This answer is %(excess)d character too long to store "
                "(at most %(max)d characters). Shorten it to save it.",
                "This answer is %(excess)d characters too long to store "
                "(at most %(max)d characters). Shorten it to save it.",
                excess,
            ) % {"excess": excess, "max": MAX_FIELD_CHARACTERS}
        cleaned[prompt_id] = value
    if too_long:
        raise AssignmentError(field_messages=too_long)
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


def reflection_draft(*, enrollment: Enrollment, assignment: Assignment) -> Submission:
    """The revision the learner works on: the open draft, or a new one after a return.

    A returned revision stays as it was (readable, with its feedback); the new
    draft starts from its text. Two first saves racing each other both end on the
    one draft the unique constraint lets through.
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return _draft_get_or_create(enrollment=enrollment, assignment=assignment)
        except IntegrityError:
            continue  # the other request created it: read it on the next pass
    raise AssignmentError(_("Your work could not be opened. Please reload the page."))


def _draft_get_or_create(*, enrollment: Enrollment, assignment: Assignment) -> Submission:
    latest = (
        Submission.objects.select_for_update()
        .filter(enrollment=enrollment, assignment=assignment)
        .order_by("-revision")
        .first()
    )
    if latest is None:
        draft = Submission.objects.create(enrollment=enrollment, assignment=assignment)
    elif latest.status == Submission.Status.RETURNED:
        draft = Submission.objects.create(
            enrollment=enrollment,
            assignment=assignment,
            revision=latest.revision + 1,
            answers=latest.answers,
        )
    else:
        return latest
    progress_changed(enrollments=[enrollment])
    return draft


def reflection_working_revision(
    *, enrollment: Enrollment, assignment: Assignment, revision: int
) -> Submission | None:
    """The revision a page posts to: an existing one, or the next draft (created now).

    Any other number (a tampered or stale form) gets None, which views turn into 404.
    The revision carries ``enrollment`` and ``assignment``, so saving or submitting it
    does not read them again.
    """
    latest = (
        Submission.objects.filter(enrollment=enrollment, assignment=assignment)
        .order_by("-revision")
        .first()
    )
    if latest is not None and latest.revision == revision:
        working = latest
    elif (revision == (1 if latest is None else latest.revision + 1)) and (
        latest is None or latest.status == Submission.Status.RETURNED
    ):
        working = reflection_draft(enrollment=enrollment, assignment=assignment)
    else:
        return None
    working.enrollment, working.assignment = enrollment, assignment
    return working


def _stale_or_closed(submission: Submission) -> AssignmentError:
    """Why a conditional update on a draft matched nothing."""
    current = Submission.objects.filter(pk=submission.pk).values("status", "version").first()
    if current is None or current["status"] != Submission.Status.DRAFT:
        return AssignmentError(_("This work has already been submitted and can no longer change."))
    return StaleDraft(
        _(
            "Not saved: this text was changed in another window or on another device after "
            "you opened this page. The newer text is kept; what you wrote here stays on this "
            "page and in this browser. Reload the page to see the newer text."
        )
    )


def draft_save(
    *, submission: Submission, answers: dict, based_on: int, now: datetime.datetime
) -> Submission:
    """Autosave: store the text as written, if nobody saved a newer version meanwhile.

    ``based_on`` is the version the page started from (or last saved); a save from a
    page that has not seen the latest version is refused, so stale text never
    overwrites newer text. Refused too once the revision is submitted.
    """
    cleaned = _clean_texts(submission.assignment, answers)
    with transaction.atomic():
        updated = Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.DRAFT, version=based_on
        ).update(answers=cleaned, version=F("version") + 1, updated_at=now)
        if updated:
            # Editing a draft is activity the trainer's overview shows.
            progress_changed(enrollments=[submission.enrollment_id])
    if not updated:
        raise _stale_or_closed(submission)
    submission.answers, submission.updated_at = cleaned, now
    submission.version = based_on + 1
    return submission


def reflection_submit(
    *, submission: Submission, answers: dict, based_on: int, now: datetime.datetime
) -> Submission:
    """Save the text, then submit exactly that text if it meets the word limits.

    Saving, checking and claiming happen on the locked row in one transaction, so
    no autosave can slip in between the check and the claim: what is submitted is
    what was checked. A refused submit still stores the text (and says why); of
    two tabs submitting the same draft, exactly one succeeds.
    """
    cleaned = _clean_texts(submission.assignment, answers)
    _refuse_if_closed(submission.enrollment, now)
    with transaction.atomic():
        row = (
            Submission.objects.select_for_update()
            .filter(pk=submission.pk, status=Submission.Status.DRAFT, version=based_on)
            .first()
        )
        if row is None:
            raise _stale_or_closed(submission)
        problems = reflection_problems(submission.assignment, cleaned)
        fields = {"answers": cleaned, "version": based_on + 1, "updated_at": now}
        if not problems:
            fields |= {"status": Submission.Status.SUBMITTED, "submitted_at": now}
        Submission.objects.filter(pk=row.pk).update(**fields)
        progress_changed(enrollments=[row.enrollment_id])
    submission.refresh_from_db()
    if problems:
        raise AssignmentError(
            _("Not submitted yet: some answers do not meet the word limits."),
            field_messages=problems,
        )
    return submission


class QuizDrawChanged(AssignmentError):
    """The attempt's questions are not the ones the page showed (another tab submitted)."""


@transaction.atomic
def quiz_submit(
    *,
    enrollment: Enrollment,
    assignment: Assignment,
    raw_answers: dict,
    now: datetime.datetime,
    shown: list[str] | None = None,
) -> Submission:
    """Grade an attempt and store it as the next revision; the best attempt counts.

    The attempt's questions are drawn on the locked row exactly as the page drew them
    (``quiz_next_draw``) and stored with it (``result["questions"]``); only they count.
    ``shown`` is the question ids the page showed: if they are not this attempt's (an
    attempt was submitted from another tab meanwhile), ``QuizDrawChanged`` is raised.
    Unanswered questions are refused with a message at each one; an answer to a
    question outside the attempt is refused as tampering. Nothing is stored then.
    """
    _refuse_if_closed(enrollment, now)
    # Serialise attempts of one learner so two tabs never race for a revision number.
    # SQLite has no row locks: its write transaction (IMMEDIATE) serialises them already.
    if connection.features.has_select_for_update:
        Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    draw = quiz_next_draw(
        enrollment_id=enrollment.pk,
        assignment=assignment,
        attempts=quiz_attempts(enrollment_id=enrollment.pk, assignment_id=assignment.pk),
    )
    if quiz_attempts_left(assignment, draw.attempt - 1) == 0:
        limit = assignment.config["max_attempts"]
        raise AssignmentError(
            ngettext(
                "This quiz allows %(n)d attempt, and you have used it.",
                "This quiz allows %(n)d attempts, and you have used them all.",
                limit,
            )
            % {"n": limit}
        )
    if shown is not None and list(shown) != draw.question_ids:
        raise QuizDrawChanged(
            _(
                "Not checked: an attempt at this quiz was handed in from another window "
                "after you opened this page, so this attempt has other questions now. "
                "Your answers to questions that are still in it are kept below; answer "
                "the others and check again."
            )
        )
    unanswered = quiz_unanswered(raw_answers, question_ids=draw.question_ids)
    if unanswered:
        raise AssignmentError(
            ngettext(
                "Not checked yet: %(n)d question has no answer.",
                "Not checked yet: %(n)d questions have no answer.",
                len(unanswered),
            )
            % {"n": len(unanswered)},
            field_messages={question_id: _("Choose an answer.") for question_id in unanswered},
        )
    answers = quiz_clean_answers(assignment.config, raw_answers, question_ids=draw.question_ids)
    score, passed, _results = quiz_grade(assignment.config, answers, question_ids=draw.question_ids)
    progress_changed(enrollments=[enrollment])
    return Submission.objects.create(
        enrollment=enrollment,
        assignment=assignment,
        revision=draw.attempt,
        status=Submission.Status.SUBMITTED,
        answers=answers,
        score=score,
        passed=passed,
        result={"questions": draw.question_ids},
        submitted_at=now,
    )


def scan_submit(
    *,
    enrollment: Enrollment,
    assignment: Assignment,
    raw_answers: dict,
    now: datetime.datetime,
) -> Submission:
    """Score a scan once; a second submit (another tab, a replay) is refused."""
    _refuse_if_closed(enrollment, now)
    answers = scan_clean_answers(assignment.config, raw_answers)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                enrollment=enrollment,
                assignment=assignment,
                revision=1,
                status=Submission.Status.SUBMITTED,
                answers=answers,
                result=scan_result(assignment.config, answers),
                submitted_at=now,
            )
            progress_changed(enrollments=[enrollment])
            return submission
    except IntegrityError:
        raise AssignmentError(_("You have already completed this scan.")) from None


# --- Grading ------------------------------------------------------------------------

MAX_COMMENT_CHARACTERS = 10_000


class GradingConflict(AssignmentError):
    """Someone graded the work first; the grade that was sent is not saved."""


def _not_waiting(submission: Submission) -> AssignmentError:
    """Why this work cannot be graded now, read fresh from the database."""
    status = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).first()
    if status == Submission.Status.DRAFT:
        return AssignmentError(
            _("This revision has not been submitted yet, so it cannot be graded.")
        )
    grade = Grade.objects.filter(submission_id=submission.pk).select_related("trainer").first()
    if grade is None:
        return AssignmentError(_("This work is not waiting for a grade."))
    graded = _("It was already graded by %(name)s on %(date)s; your grade was not saved.") % {
        "name": grade.trainer,
        "date": date_format(localtime(grade.created_at), "DATETIME_FORMAT"),
    }
    return GradingConflict(f"{_('This work is not waiting for a grade.')} {graded}")


def grade_problems(
    assignment: Assignment, rubric_scores: dict, comment: str, decision: str
) -> dict[str, str]:
    """Messages per form field (``rubric-<criterion>``, ``comment``, ``decision``).

    Approving needs every criterion at the rubric's ``pass_level`` or higher; below it
    the work can only be returned.
    """
    problems = {}
    for criterion in assignment.config.get("rubric", {}).get("criteria", []):
        field = f"rubric-{criterion['id']}"
        if criterion["id"] not in rubric_scores:
            problems[field] = _("Choose a level for this criterion.")
        elif not _is_level(criterion, rubric_scores[criterion["id"]]):
            problems[field] = _("Choose one of this criterion's levels.")
    if decision == Grade.Decision.APPROVED:
        for criterion, message in _below_pass_level(assignment, rubric_scores):
            problems[f"rubric-{criterion['id']}"] = message
    if len(comment) > MAX_COMMENT_CHARACTERS:
        problems["comment"] = _(
            "The comment is %(length)d characters long; at most %(max)d fit. Shorten it."
        ) % {"length": len(comment), "max": MAX_COMMENT_CHARACTERS}
    if decision not in Grade.Decision.values:
        problems["decision"] = _("Choose to approve or to return the work.")
    return problems


def _is_level(criterion: dict, points) -> bool:
    return not isinstance(points, bool) and points in {lv["points"] for lv in criterion["levels"]}


def _below_pass_level(assignment: Assignment, rubric_scores: dict) -> list[tuple[dict, str]]:
    """The criteria scored at one of their levels, but below the rubric's pass level,
    each with the message for its field (none when the rubric has no pass level)."""
    rubric = assignment.config.get("rubric", {})
    pass_level = rubric.get("pass_level")
    if pass_level is None:
        return []
    below = []
    for criterion in rubric.get("criteria", []):
        points = rubric_scores.get(criterion["id"])
        if _is_level(criterion, points) and points < pass_level:
            title = next(
                (lv["title"] for lv in criterion["levels"] if lv["points"] == pass_level), ""
            )
            level = f"{pass_level} ({title})" if title else str(pass_level)
            message = _(
                "To approve, every criterion needs at least level %(level)s; "
                "return the work with feedback instead."
            ) % {"level": level}
            below.append((criterion, message))
    return below


@transaction.atomic
def submission_grade(
    *,
    submission: Submission,
    trainer,
    rubric_scores: dict,
    comment: str,
    decision: str,
    now: datetime.datetime,
) -> Grade:
    """A trainer approves or returns a submitted reflection, with rubric scores.

    The grade is released at once; the learner sees it on their next visit. Bad
    input is refused with a message per field and nothing stored. The work is
    claimed with a conditional update, so of two trainers grading at once exactly
    one grade is saved; the other gets a ``GradingConflict`` naming who was first.
    """
    if not submission.enrollment.cohort.has_trainer(trainer):
        raise AssignmentError(_("Only a trainer of this cohort can grade this work."))
    if submission.status != Submission.Status.SUBMITTED:
        raise _not_waiting(submission)
    criteria = {c["id"] for c in submission.assignment.config.get("rubric", {}).get("criteria", [])}
    if set(rubric_scores) - criteria:
        raise AssignmentError(_("A rubric score is not one of the criterion's levels."))
    comment = comment.replace("\x00", "").strip()
    problems = grade_problems(submission.assignment, rubric_scores, comment, decision)
    if problems:
        missing = any(c not in rubric_scores for c in criteria)
        below_pass = (
            _below_pass_level(submission.assignment, rubric_scores)
            if decision == Grade.Decision.APPROVED
            else []
        )
        wrong_level = sum(f"rubric-{c}" in problems for c in criteria) > len(below_pass)
        if missing:
            message = _("Score every criterion of the rubric.")
        elif wrong_level:
            message = _("A rubric score is not one of the criterion's levels.")
        elif below_pass:
            message = below_pass[0][1]
        else:
            message = _("Not saved: check the marked fields.")
        raise AssignmentError(message, field_messages=problems)
    status = (
        Submission.Status.APPROVED
        if decision == Grade.Decision.APPROVED
        else Submission.Status.RETURNED
    )
    claimed = Submission.objects.filter(
        pk=submission.pk, status=Submission.Status.SUBMITTED
    ).update(status=status, updated_at=now)
    if not claimed:
        raise _not_waiting(submission)
    progress_changed(enrollments=[submission.enrollment_id])
    grade = Grade.objects.create(
        submission=submission,
        trainer=trainer,
        rubric_scores=rubric_scores,
        comment=comment,
        decision=decision,
        released_at=now,
    )
    submission.status = status
    grade_released.send(sender=Grade, grade=grade, now=now)
    return grade


# --- The comment bank ------------------------------------------------------------------

MAX_SNIPPET_CHARACTERS = 2_000
MAX_SNIPPETS = 100


@transaction.atomic
def comment_snippet_add(*, trainer, text: str) -> CommentSnippet:
    """Keep a piece of feedback for reuse: trimmed, not empty, not too long, not twice."""
    text = text.replace("\x00", "").strip()
    if not text:
        raise AssignmentError(_("Select or write some text to keep as a snippet."))
    if len(text) > MAX_SNIPPET_CHARACTERS:
        raise AssignmentError(
            _("A snippet can hold at most %(max)d characters; this text has %(length)d.")
            % {"max": MAX_SNIPPET_CHARACTERS, "length": len(text)}
        )
    # One trainer's additions one at a time, so a double click cannot store a text twice.
    get_user_model().objects.select_for_update().filter(pk=trainer.pk).first()
    snippets = CommentSnippet.objects.filter(trainer=trainer)
    if snippets.filter(text=text).exists():
        raise AssignmentError(_("This text is already in your comment bank."))
    if snippets.count() >= MAX_SNIPPETS:
        raise AssignmentError(
            _("Your comment bank is full (%(max)d snippets). Delete one to add another.")
            % {"max": MAX_SNIPPETS}
        )
    return CommentSnippet.objects.create(trainer=trainer, text=text)


def comment_snippet_delete(*, trainer, snippet_id: int) -> None:
    """Remove one of the trainer's own snippets; anyone else's is never touched."""
    deleted, _details = CommentSnippet.objects.filter(pk=snippet_id, trainer=trainer).delete()
    if not deleted:
        raise AssignmentError(_("This snippet is no longer in your comment bank."))
