"""The trainer's grading: the queue (/trainer/), the grading page and the comment bank.

Every submission is fetched through ``submission_for_trainer``, so another
trainer's work is a 404. ``now`` is taken once per request. A refused grade or
snippet comes back on the same page with everything that was sent still filled in.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from assignments.access import submission_for_trainer
from assignments.feedback import submission_thread
from assignments.selectors import (
    GradingFilters,
    comment_snippets_for,
    grade_input_from,
    grading_filter_choices,
    grading_filters_from,
    grading_next,
    grading_queue_page,
    grading_work_for,
    rubric_form,
)
from assignments.services import (
    AssignmentError,
    comment_snippet_add,
    comment_snippet_delete,
    submission_grade,
)
from dashboards.summaries import due_at_in, learner_summary


def _with_filters(url: str, filters: GradingFilters) -> str:
    return f"{url}?{filters.query}" if filters.query else url


@role_required("trainer")
def queue(request):
    """Beoordelen: reflections waiting for a grade, oldest first, 50 to a page."""
    choices = grading_filter_choices(request.user, request.GET)
    queue = grading_queue_page(request.user, choices.filters, request.GET.get("pagina"))
    return render(
        request,
        "dashboards/trainer_home.html",
        {
            "choices": choices,
            "filters": choices.filters,
            "queue": queue,
            "now": timezone.now(),
            "grading_waiting": queue.all_waiting,
        },
    )


def _grading_page(request, submission, *, filters, now, posted=None, error=None):
    """The grading page; ``posted`` (what a refused form sent) is filled in again."""
    work = grading_work_for(submission)
    grade = getattr(work.submission, "grade", None) if not work.is_waiting else None
    if posted is None and grade is not None:
        posted = {
            "rubric_scores": grade.rubric_scores,
            "comment": grade.comment,
            "decision": grade.decision,
        }
    posted = posted or {"rubric_scores": {}, "comment": "", "decision": ""}
    field_messages = error.field_messages if error else {}
    enrollment = submission.enrollment
    summary = learner_summary(enrollment, now=now)
    due_at = due_at_in(summary, submission.assignment_id, enrollment.cohort.tz)
    handed_in = work.submission.submitted_at
    return render(
        request,
        "dashboards/grading.html",
        {
            "work": work,
            "submission": work.submission,
            "assignment": submission.assignment,
            "enrollment": submission.enrollment,
            "cohort": submission.enrollment.cohort,
            "progress_percent": summary["percent"],
            "due_at": due_at,
            "is_late": bool(handed_in and due_at and handed_in > due_at),
            "rubric": rubric_form(submission.assignment, posted["rubric_scores"], field_messages),
            "posted": posted,
            "error": error,
            "field_messages": field_messages,
            "show_form": work.is_waiting or error is not None,
            "snippets": comment_snippets_for(request.user),
            "thread": submission_thread(work.submission, learner_id=submission.enrollment.user_id),
            "filters": filters,
            "queue_url": _with_filters(reverse("trainer:home"), filters),
        },
    )


@role_required("trainer")
@require_http_methods(["GET", "POST"])
def grade(request, submission_id: int):
    """Read the work, score the rubric, write feedback, approve or return."""
    now = timezone.now()
    submission = submission_for_trainer(request.user, submission_id)
    filters = grading_filters_from(request.POST if request.method == "POST" else request.GET)
    if request.method == "GET":
        return _grading_page(request, submission, filters=filters, now=now)
    posted = grade_input_from(request.POST, submission.assignment)
    try:
        submission_grade(submission=submission, trainer=request.user, **posted, now=now)
    except AssignmentError as error:
        return _grading_page(
            request, submission, filters=filters, now=now, posted=posted, error=error
        )
    messages.success(request, _("Saved. The learner can read your feedback now."))
    if request.POST.get("action") != "next":
        return redirect(_with_filters(reverse("trainer:grade", args=[submission.pk]), filters))
    following = grading_next(request.user, filters)
    if following is None:
        messages.info(request, _("Nothing else is waiting to be graded."))
        return redirect(_with_filters(reverse("trainer:home"), filters))
    return redirect(_with_filters(reverse("trainer:grade", args=[following]), filters))


def _snippets_answer(request, submission, *, filters, message, is_error):
    """HTMX gets the comment bank alone; a plain form post gets the whole page back."""
    if request.htmx:
        return render(
            request,
            "dashboards/_grading_snippets.html",
            {
                "snippets": comment_snippets_for(request.user),
                "submission": submission,
                "filters": filters,
                "snippet_message": message,
                "snippet_error": is_error,
            },
        )
    (messages.error if is_error else messages.success)(request, message)
    return _grading_page(
        request,
        submission,
        filters=filters,
        now=timezone.now(),
        posted=grade_input_from(request.POST, submission.assignment),
    )


@role_required("trainer")
@require_POST
def snippet_add(request, submission_id: int):
    """Keep the selected text (or the whole comment) in the trainer's comment bank."""
    submission = submission_for_trainer(request.user, submission_id)
    text = request.POST.get("snippet_text", "").strip() or request.POST.get("comment", "")
    try:
        comment_snippet_add(trainer=request.user, text=text)
    except AssignmentError as error:
        message, is_error = str(error), True
    else:
        message, is_error = _("Added to your comment bank."), False
    return _snippets_answer(
        request,
        submission,
        filters=grading_filters_from(request.POST),
        message=message,
        is_error=is_error,
    )


@role_required("trainer")
@require_POST
def snippet_delete(request, submission_id: int, snippet_id: int):
    """Remove one of the trainer's own snippets."""
    submission = submission_for_trainer(request.user, submission_id)
    try:
        comment_snippet_delete(trainer=request.user, snippet_id=snippet_id)
    except AssignmentError as error:
        message, is_error = str(error), True
    else:
        message, is_error = _("Removed from your comment bank."), False
    return _snippets_answer(
        request,
        submission,
        filters=grading_filters_from(request.POST),
        message=message,
        is_error=is_error,
    )
