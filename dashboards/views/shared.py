"""Pieces the audiences share: a cohort page and granting an extension.

Views pass URL names and labels, never an "area" string, so templates stay free of
per-audience branches.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.deadlines import DeadlineError, extension_grant
from assignments.selectors import cohort_extensions, course_assignments
from cohorts.models import Enrollment
from cohorts.selectors import cohort_roster, cohort_trainers
from dashboards.forms import ExtensionForm

ROSTER_PAGE_SIZE = 50


def cohort_page(request, cohort, *, back_url: str, back_label: str, extension_action=None, **extra):
    """One cohort page; with ``extension_action`` (a URL) it also manages extensions."""
    context = {
        "cohort": cohort,
        # Paged: a cohort can have hundreds of learners.
        "roster": Paginator(cohort_roster(cohort), ROSTER_PAGE_SIZE).get_page(
            request.GET.get("pagina")
        ),
        "trainers": cohort_trainers(cohort),
        "back_url": back_url,
        "back_label": back_label,
    }
    if extension_action:
        context |= {
            "extension_form": extension_form(cohort),
            "extension_action": extension_action,
            "extensions": cohort_extensions(cohort),
        }
    return render(request, "dashboards/cohort_detail.html", context | extra)


def extension_form(cohort, data=None, *, enrollment=None) -> ExtensionForm:
    """The extension form for a cohort, or for one ``enrollment`` of it (then fixed)."""
    enrollments = cohort_roster(cohort).filter(status=Enrollment.Status.ACTIVE)
    if enrollment is not None:
        enrollments = enrollments.filter(pk=enrollment.pk)
    return ExtensionForm(
        data,
        enrollments=enrollments,
        assignments=course_assignments(cohort.course_id),
        enrollment=enrollment,
    )


def extension_submit(request, form: ExtensionForm, *, now) -> bool:
    """Grant the extension a bound form describes; on failure the form and a message
    say why, and the form keeps what was entered."""
    if not form.is_valid():
        if form.learner_is_given:
            problem = _("The extension was not granted: choose an assignment and a valid date.")
        else:
            problem = _(
                "The extension was not granted: choose a learner, an assignment and a date."
            )
        messages.error(request, problem)
        return False
    try:
        extension_grant(
            enrollment=form.cleaned_data["enrollment"],
            assignment=form.cleaned_data["assignment"],
            due_on=form.cleaned_data["due_on"],
            granted_by=request.user,
            now=now,
        )
    except DeadlineError as error:
        form.add_error("due_on", str(error))
        messages.error(request, str(error))
        return False
    messages.success(request, _("The extension has been granted."))
    return True


def grant_extension(request, cohort, *, back: str):
    """Grant the posted extension; ``back`` is where to go afterwards (a URL)."""
    extension_submit(request, extension_form(cohort, request.POST), now=timezone.now())
    return redirect(back)
