"""Assignments in the learner's area: /leren/groepen/<cohort>/opdrachten/<slug>/."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from assignments.access import assignment_for_enrollment
from assignments.calendar import deadlines_calendar
from assignments.charts import phase_steps, quadrant_chart
from assignments.models import Assignment, Submission
from assignments.scoring import InvalidAnswers, quiz_grade
from assignments.selectors import cohort_scan_points, submission_history
from assignments.services import (
    AssignmentError,
    draft_save,
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
)
from cohorts.access import enrollment_for_learner
from courses.selectors import course_state


def _context(request, cohort_id: int, assignment_slug: str):
    """Access checks shared by every assignment view: own enrolment, own course, open module."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    assignment = assignment_for_enrollment(enrollment, assignment_slug)
    state = course_state(enrollment)
    assignment_state = state.assignment_state(assignment)
    return enrollment, assignment, state, assignment_state


def _base_context(enrollment, assignment, state, assignment_state) -> dict:
    return {
        "cohort": enrollment.cohort,
        "enrollment": enrollment,
        "assignment": assignment,
        "assignment_state": assignment_state,
        "state": state,
        "now": timezone.now(),
    }


def _locked(request, enrollment, assignment_state):
    return render(
        request,
        "courses/locked.html",
        {"cohort": enrollment.cohort, "module_state": assignment_state.module},
        status=403,
    )


@role_required("learner")
def detail(request, cohort_id: int, assignment_slug: str):
    enrollment, assignment, state, assignment_state = _context(request, cohort_id, assignment_slug)
    if not assignment_state.is_open:
        return _locked(request, enrollment, assignment_state)
    base = _base_context(enrollment, assignment, state, assignment_state)
    if assignment.is_quiz:
        return render(
            request, "assignments/quiz.html", base | _quiz_context(request, assignment_state)
        )
    if assignment.is_scan:
        return render(
            request, "assignments/scan.html", base | _scan_context(enrollment, assignment, state)
        )
    return _reflection_page(request, base, enrollment, assignment)


def _quiz_context(request, assignment_state) -> dict:
    """The attempt to show (?poging=N, else the latest) with feedback per chosen option."""
    attempt = assignment_state.latest
    wanted = request.GET.get("poging")
    if wanted:
        attempt = next((s for s in assignment_state.submissions if str(s.revision) == wanted), None)
        if attempt is None:
            raise Http404
    review = None
    if attempt is not None:
        attempt = Submission.objects.get(pk=attempt.pk)  # with its answers
        _score, _passed, results = quiz_grade(assignment_state.assignment.config, attempt.answers)
        correct = {result.id: result.correct for result in results}
        review = [
            {
                "question": question,
                "correct": correct.get(question["id"], False),
                "options": [
                    option | {"chosen": option["id"] in attempt.answers.get(question["id"], [])}
                    for option in question["options"]
                ],
            }
            for question in assignment_state.assignment.config["questions"]
        ]
    limit = assignment_state.assignment.config.get("max_attempts")
    attempts_left = None if not limit else max(0, limit - len(assignment_state.submissions))
    return {"attempt": attempt, "review": review, "attempts_left": attempts_left}


def _scan_context(enrollment, assignment, state) -> dict:
    submission = Submission.objects.filter(enrollment=enrollment, assignment=assignment).first()
    context = {"submission": submission, "scale": [1, 2, 3, 4, 5]}
    if submission is None:
        return context
    config, result = assignment.config, submission.result
    if config["result_model"] == "quadrant":
        context["chart"] = quadrant_chart(
            config, result, cohort_scan_points(assignment, enrollment.cohort)
        )
        context["outcome"] = config["quadrants"][result["outcome"]]
        context["dimension_labels"] = {d["id"]: d["label"] for d in config["dimensions"]}
        return context
    phases = {phase["key"]: phase for phase in config["phases"]}
    context["outcome"] = phases[result["outcome"]]
    previous = None
    if config.get("pre_post") == "post":
        pre = Submission.objects.filter(
            enrollment=enrollment,
            assignment__course=assignment.course,
            assignment__slug=config["pair"],
        ).first()
        if pre is not None:
            previous = pre.result["outcome"]
            order = [phase["key"] for phase in config["phases"]]
            context["growth"] = {
                "before": phases[previous],
                "after": phases[result["outcome"]],
                "steps": order.index(result["outcome"]) - order.index(previous),
                "before_score": pre.result["overall"],
                "after_score": result["overall"],
            }
    context["steps"] = phase_steps(config, result["outcome"], previous)
    return context


def _reflection_page(
    request, base, enrollment, assignment, *, errors=None, posted=None, status=200
):
    history = list(submission_history(enrollment, assignment))
    current = history[0] if history else None
    if current is None or current.status == Submission.Status.RETURNED:
        # Shown, not stored: a GET changes nothing. The first autosave creates it.
        current = Submission(
            enrollment=enrollment,
            assignment=assignment,
            revision=current.revision + 1 if current else 1,
            answers=dict(current.answers) if current else {},
        )
    prompts = [
        prompt
        | {
            # After a refused submit, show what was sent, even if it could not be stored.
            "value": (posted or current.answers).get(prompt["id"], ""),
            "error": (errors or {}).get(prompt["id"]),
        }
        for prompt in assignment.config["prompts"]
    ]
    earlier = [s for s in history if s.pk != current.pk]
    return render(
        request,
        "assignments/reflection.html",
        base | {"submission": current, "prompts": prompts, "earlier": earlier, "errors": errors},
        status=status,
    )


def _working_revision(enrollment, assignment, revision: int) -> Submission | None:
    """The revision a page posts to: an existing one, or the next draft (created now).

    Any other number (a tampered or stale form) gets None, which the views turn into 404.
    """
    latest = (
        Submission.objects.filter(enrollment=enrollment, assignment=assignment)
        .order_by("-revision")
        .first()
    )
    if latest is not None and latest.revision == revision:
        return latest
    expected = 1 if latest is None else latest.revision + 1
    if revision == expected and (latest is None or latest.status == Submission.Status.RETURNED):
        return reflection_draft(enrollment=enrollment, assignment=assignment)
    return None


def _form_answers(request, assignment) -> dict:
    return {
        prompt["id"]: request.POST.get(prompt["id"], "") for prompt in assignment.config["prompts"]
    }


@role_required("learner")
@require_POST
def draft(request, cohort_id: int, assignment_slug: str, revision: int):
    """Autosave (HTMX): answers with a small status fragment; errors say why plainly."""
    enrollment, assignment, _state, assignment_state = _context(request, cohort_id, assignment_slug)
    if not assignment.is_reflection or not assignment_state.is_open:
        raise Http404
    submission = _working_revision(enrollment, assignment, revision)
    if submission is None:
        raise Http404
    try:
        draft_save(submission=submission, answers=_form_answers(request, assignment))
    except InvalidAnswers:
        return HttpResponseBadRequest(_("This form does not belong to this assignment."))
    except AssignmentError as error:
        return HttpResponse(str(error), status=409)
    html = render_to_string(
        "assignments/_save_status.html",
        {"saved_at": timezone.localtime(submission.updated_at)},
        request,
    )
    return HttpResponse(html)


@role_required("learner")
@require_POST
def submit(request, cohort_id: int, assignment_slug: str):
    enrollment, assignment, state, assignment_state = _context(request, cohort_id, assignment_slug)
    if not assignment_state.is_open:
        return _locked(request, enrollment, assignment_state)
    try:
        if assignment.is_quiz:
            raw = {
                question["id"]: request.POST.getlist(question["id"])
                for question in assignment.config["questions"]
            }
            extra = set(request.POST) - set(raw) - {"csrfmiddlewaretoken"}
            if extra:
                raise InvalidAnswers("unknown fields")
            attempt = quiz_submit(enrollment=enrollment, assignment=assignment, raw_answers=raw)
            return redirect(_detail_url(cohort_id, assignment) + f"?poging={attempt.revision}")
        if assignment.is_scan:
            raw = {
                key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"
            }
            scan_submit(enrollment=enrollment, assignment=assignment, raw_answers=raw)
            return redirect(_detail_url(cohort_id, assignment))
        return _reflection_submit(request, enrollment, assignment, state, assignment_state)
    except InvalidAnswers:
        return HttpResponseBadRequest(_("These answers do not belong to this assignment."))
    except AssignmentError as error:
        messages.error(request, str(error))
        if (
            assignment.is_scan
            and Submission.objects.filter(enrollment=enrollment, assignment=assignment).exists()
        ):
            return HttpResponseBadRequest(str(error))
        return redirect(_detail_url(cohort_id, assignment))


def _reflection_submit(request, enrollment, assignment, state, assignment_state):
    revision = request.POST.get("revision", "")
    submission = _working_revision(
        enrollment, assignment, int(revision) if revision.isdigit() else 0
    )
    if submission is None:
        raise Http404
    if submission.status != Submission.Status.DRAFT:
        return HttpResponseBadRequest(_("This work has already been submitted."))
    try:
        reflection_submit(submission=submission, answers=_form_answers(request, assignment))
    except AssignmentError as error:
        messages.error(request, str(error))
        base = _base_context(enrollment, assignment, state, assignment_state)
        return _reflection_page(
            request,
            base,
            enrollment,
            assignment,
            errors=error.field_messages,
            posted=_form_answers(request, assignment),
        )
    messages.success(request, _("Submitted. Your trainer will read it and give feedback."))
    return redirect(_detail_url(enrollment.cohort_id, assignment))


def _detail_url(cohort_id: int, assignment: Assignment) -> str:
    return reverse("learn:assignment", args=[cohort_id, assignment.slug])


@role_required("learner")
def calendar(request, cohort_id: int):
    """The learner's deadlines as an iCalendar file."""
    enrollment = enrollment_for_learner(request.user, cohort_id)
    state = course_state(enrollment)
    body = deadlines_calendar(request, state)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="klantbekwaam-deadlines.ics"'
    return response
