"""Assignments in the learner's area: /leren/groepen/<cohort>/opdrachten/<slug>/,
and the trainer's reply in a submission's thread.

Each view checks access (own enrolment, own course, open module), calls one
service or selector, and renders. ``now`` is taken once per request.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from assignments.access import (
    assignment_for_enrollment,
    submission_for_learner,
    submission_for_trainer,
)
from assignments.feedback import (
    Thread,
    feedback_mark_seen,
    latest_feedback,
    latest_handed_in,
    submission_message_post,
    submission_thread,
    submission_threads,
    unseen_grades,
)
from assignments.forms import (
    positive_int,
    quiz_answers_from,
    quiz_shown_from,
    reflection_answers_from,
    scan_answers_from,
)
from assignments.models import Assignment, Submission
from assignments.scoring import InvalidAnswers
from assignments.selectors import (
    AssignmentState,
    assignment_opens_on,
    assignment_state_for,
    quiz_attempt,
    quiz_attempts_left,
    quiz_form_questions,
    quiz_next_draw,
    quiz_review,
    scan_outcome,
    with_rubric_rows,
)
from assignments.services import (
    AssignmentError,
    QuizDrawChanged,
    StaleDraft,
    draft_save,
    quiz_submit,
    reflection_submit,
    reflection_working_revision,
    scan_submit,
)
from cohorts.access import enrollment_for_learner
from courses.views import module_locked


def _work(request, cohort_id: int, assignment_slug: str, now):
    """Access shared by every assignment view: own enrolment, own course."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    assignment = assignment_for_enrollment(enrollment, assignment_slug)
    state = assignment_state_for(enrollment=enrollment, assignment=assignment, now=now)
    return enrollment, assignment, state


def _hand_in(request, cohort_id: int, assignment_slug: str, now):
    """Access for an autosave or a submit: own enrolment, own course, and whether the
    module is open (the rule of ``AssignmentState.is_open``). The service reads the work
    itself; the whole state is built only when a page is shown again."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    assignment = assignment_for_enrollment(enrollment, assignment_slug)
    opens_on = assignment_opens_on(enrollment=enrollment, assignment=assignment)
    return enrollment, assignment, opens_on, enrollment.cohort.local_today(now) >= opens_on


def _locked(request, enrollment, assignment, opens_on):
    return module_locked(
        request, cohort=enrollment.cohort, module=assignment.module, opens_on=opens_on
    )


def _page_context(enrollment, assignment, state: AssignmentState) -> dict:
    return {
        "cohort": enrollment.cohort,
        "enrollment": enrollment,
        "assignment": assignment,
        "assignment_state": state,
    }


@role_required("learner")
def detail(request, cohort_id: int, assignment_slug: str):
    enrollment, assignment, state = _work(request, cohort_id, assignment_slug, timezone.now())
    if not state.is_open:
        return _locked(request, enrollment, assignment, state.opens_on)
    if assignment.is_quiz:
        attempt = quiz_attempt(state, request.GET.get("poging"))
        if request.GET.get("poging") and attempt is None:
            raise Http404
        return _quiz_page(request, enrollment, assignment, state, attempt=attempt)
    if assignment.is_scan:
        return _scan_page(request, enrollment, assignment, state)
    return _reflection_page(request, enrollment, assignment, state)


def _quiz_page(request, enrollment, assignment, state, *, attempt, error=None, chosen=None):
    draw = quiz_next_draw(
        enrollment_id=enrollment.pk, assignment=assignment, attempts=state.submissions
    )
    context = _page_context(enrollment, assignment, state) | {
        "attempt": attempt,
        "review": quiz_review(assignment, attempt) if attempt else None,
        "attempts_left": quiz_attempts_left(assignment, len(state.submissions)),
        "draw": draw,
        "questions": quiz_form_questions(
            assignment, draw, chosen or {}, error.field_messages if error else {}
        ),
        "error": error,
    }
    return render(request, "assignments/quiz.html", context)


def _scan_page(request, enrollment, assignment, state):
    submission = state.latest
    context = _page_context(enrollment, assignment, state) | {
        "submission": submission,
        "scale": [1, 2, 3, 4, 5],
    }
    if submission is not None:
        context |= scan_outcome(enrollment, assignment, submission)
    return render(request, "assignments/scan.html", context)


def _reflection_page(
    request, enrollment, assignment, state, *, error=None, posted=None, refused=None, reply=None
):
    """The reflection as it can be written now, or as submitted.

    A refused submit comes back with what was sent, even text too long to store. A
    submit refused as stale shows the newer stored text to work on, and what was
    sent read-only beside it (``refused``), so neither is lost or overwrites the other.

    Released feedback comes first: on top of handed-in work, or beside the editor
    of a returned reflection's new revision, with its thread (a refused message
    comes back in ``reply``). Showing it records that the learner has seen it: a
    read receipt that changes none of the learner's work, so a GET may write it.
    """
    history = state.submissions
    current = history[0] if history else None
    if current is None or current.status == Submission.Status.RETURNED:
        # Shown, not stored: a GET changes nothing. The first autosave creates it.
        current = Submission(
            enrollment=enrollment,
            assignment=assignment,
            revision=current.revision + 1 if current else 1,
            answers=dict(current.answers) if current else {},
        )
    feedback = latest_feedback(assignment, history)
    feedback_mark_seen(grades=unseen_grades(history), now=state.now)
    with_rubric_rows(assignment, history)
    handed_in = [s for s in history if s.status != Submission.Status.DRAFT]
    threads = submission_threads(handed_in, learner_id=enrollment.user_id)
    thread = None
    open_thread = latest_handed_in(history)
    open_thread_id = open_thread.pk if open_thread else None
    if open_thread is not None and (feedback or threads[open_thread.pk] or reply):
        thread = Thread(submission=open_thread, messages=threads[open_thread.pk], **(reply or {}))
    field_messages = error.field_messages if error else {}
    prompts = [
        prompt
        | {
            "value": (posted or current.answers).get(prompt["id"], ""),
            "error": field_messages.get(prompt["id"]),
        }
        for prompt in assignment.config["prompts"]
    ]
    context = _page_context(enrollment, assignment, state) | {
        "submission": current,
        "prompts": prompts,
        "feedback": feedback,
        "thread": thread,
        # Earlier revisions keep their own feedback and messages; what is shown above
        # (the open thread, the latest feedback) is not repeated there.
        "earlier": [
            {
                "submission": s,
                "messages": [] if thread and s.pk == open_thread_id else threads.get(s.pk, []),
                "feedback_above": feedback is not None and s.pk == feedback.submission.pk,
            }
            for s in history
            if s.pk != current.pk
        ],
        "errors": field_messages,
        "late_revisions": state.late_revisions,
        "refused": [
            {"label": prompt["label"], "text": refused[prompt["id"]]}
            for prompt in assignment.config["prompts"]
            if refused and refused.get(prompt["id"])
        ],
    }
    return render(request, "assignments/reflection.html", context)


@role_required("learner")
@require_POST
def draft(request, cohort_id: int, assignment_slug: str, revision: int):
    """Autosave (HTMX): the saved time and version, or why nothing was saved.

    Refusals answer with a short text the page shows as it is: 409 for a stale or
    submitted revision, 413 for text too long to store, 400 for a form that does
    not belong to this assignment.
    """
    now = timezone.now()
    enrollment, assignment, _opens_on, is_open = _hand_in(request, cohort_id, assignment_slug, now)
    if not assignment.is_reflection or not is_open:
        raise Http404
    based_on = positive_int(request.POST, "version")
    if based_on is None:
        return HttpResponseBadRequest(_("This form does not belong to this assignment."))
    try:
        answers = reflection_answers_from(request.POST, assignment)
        submission = reflection_working_revision(
            enrollment=enrollment, assignment=assignment, revision=revision
        )
        if submission is None:
            raise Http404
        draft_save(submission=submission, answers=answers, based_on=based_on, now=now)
    except InvalidAnswers:
        return HttpResponseBadRequest(_("This form does not belong to this assignment."))
    except StaleDraft as error:
        return _draft_refused(str(error), status=409, reason="stale")
    except AssignmentError as error:
        too_long = bool(error.field_messages)
        return _draft_refused(
            str(error), status=413 if too_long else 409, reason="too-long" if too_long else "closed"
        )
    html = render_to_string(
        "assignments/_save_status.html",
        {"saved_at": timezone.localtime(submission.updated_at)},
        request,
    )
    response = HttpResponse(html)
    response["X-Draft-Version"] = str(submission.version)
    return response


def _draft_refused(message: str, *, status: int, reason: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["X-Draft-Refused"] = reason
    return response


@role_required("learner")
@require_POST
def submit(request, cohort_id: int, assignment_slug: str):
    now = timezone.now()
    enrollment, assignment, opens_on, is_open = _hand_in(request, cohort_id, assignment_slug, now)
    if not is_open:
        return _locked(request, enrollment, assignment, opens_on)
    try:
        if assignment.is_quiz:
            return _quiz_submit(request, enrollment, assignment, now)
        if assignment.is_scan:
            raw = scan_answers_from(request.POST, assignment)
            scan_submit(enrollment=enrollment, assignment=assignment, raw_answers=raw, now=now)
            return redirect(_detail_url(cohort_id, assignment))
        return _reflection_submit(request, enrollment, assignment, now)
    except InvalidAnswers:
        return HttpResponseBadRequest(_("These answers do not belong to this assignment."))
    except AssignmentError as error:
        messages.error(request, str(error))
        return redirect(_detail_url(cohort_id, assignment))


def _quiz_submit(request, enrollment, assignment, now):
    raw = quiz_answers_from(request.POST, assignment)
    try:
        attempt = quiz_submit(
            enrollment=enrollment,
            assignment=assignment,
            raw_answers=raw,
            now=now,
            shown=quiz_shown_from(request.POST),
        )
    except QuizDrawChanged as error:
        # Another tab handed in an attempt: the form comes back with this attempt's
        # questions, and every choice made here that still has its question.
        state = assignment_state_for(enrollment=enrollment, assignment=assignment, now=now)
        return _quiz_page(
            request, enrollment, assignment, state, attempt=None, error=error, chosen=raw
        )
    except AssignmentError as error:
        if not error.field_messages:
            raise
        # Unanswered questions: the form comes back with every answer kept. The form
        # shows the error itself (role=alert); a flash message would say it twice.
        state = assignment_state_for(enrollment=enrollment, assignment=assignment, now=now)
        return _quiz_page(
            request, enrollment, assignment, state, attempt=None, error=error, chosen=raw
        )
    return redirect(_detail_url(enrollment.cohort_id, assignment) + f"?poging={attempt.revision}")


def _reflection_submit(request, enrollment, assignment, now):
    answers = reflection_answers_from(request.POST, assignment)
    submission = reflection_working_revision(
        enrollment=enrollment,
        assignment=assignment,
        revision=positive_int(request.POST, "revision") or 0,
    )
    if submission is None:
        raise Http404
    try:
        reflection_submit(
            submission=submission,
            answers=answers,
            based_on=positive_int(request.POST, "version") or 0,
            now=now,
        )
    except StaleDraft:
        messages.error(
            request,
            _(
                "Not submitted: the text below was changed in another window or on another "
                "device after you opened this page. The newer text is shown; what you sent is "
                "kept below, to copy what you need."
            ),
        )
        state = assignment_state_for(enrollment=enrollment, assignment=assignment, now=now)
        return _reflection_page(request, enrollment, assignment, state, refused=answers)
    except AssignmentError as error:
        messages.error(request, str(error))
        state = assignment_state_for(enrollment=enrollment, assignment=assignment, now=now)
        return _reflection_page(request, enrollment, assignment, state, error=error, posted=answers)
    messages.success(request, _("Submitted. Your trainer will read it and give feedback."))
    return redirect(_detail_url(enrollment.cohort_id, assignment))


def _detail_url(cohort_id: int, assignment: Assignment) -> str:
    return reverse("learn:assignment", args=[cohort_id, assignment.slug])


# --- The thread about a submission ------------------------------------------------


@role_required("learner")
@require_POST
def message(request, cohort_id: int, assignment_slug: str, revision: int):
    """The learner's reply to the feedback on one of their handed-in revisions."""
    now = timezone.now()
    enrollment, assignment, state = _work(request, cohort_id, assignment_slug, now)
    if not assignment.is_reflection or not state.is_open:
        raise Http404
    submission = submission_for_learner(enrollment, assignment, revision)
    text = request.POST.get("text", "")
    try:
        submission_message_post(submission=submission, author=request.user, text=text, now=now)
    except AssignmentError as error:
        messages.error(request, str(error))
        return _reflection_page(
            request, enrollment, assignment, state, reply={"text": text, "error": str(error)}
        )
    messages.success(request, _("Your message has been sent to your trainer."))
    return redirect(_detail_url(cohort_id, assignment) + "#thread")


@role_required("trainer")
@require_POST
def trainer_message(request, submission_id: int):
    """A trainer's message in the thread of a learner's handed-in reflection.

    The grading page posts here with ``next`` (its own address) to come back to.
    """
    now = timezone.now()
    submission = submission_for_trainer(request.user, submission_id)
    if not submission.assignment.is_reflection or submission.status == Submission.Status.DRAFT:
        raise Http404
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("trainer:home")
    text = request.POST.get("text", "")
    try:
        submission_message_post(submission=submission, author=request.user, text=text, now=now)
    except AssignmentError as error:
        thread = submission_thread(submission)
        thread.text, thread.error = text, str(error)
        return render(
            request,
            "assignments/message_refused.html",
            {"thread": thread, "submission": submission, "back": back},
        )
    messages.success(request, _("Your message has been sent."))
    return redirect(back)
