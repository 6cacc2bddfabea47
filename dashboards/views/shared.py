"""Pieces the audiences share: a cohort page and granting an extension.

Views pass URL names and labels, never an "area" string, so templates stay free of
per-audience branches.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.deadlines import DeadlineError, extension_grant
from assignments.selectors import cohort_extensions, course_assignments
from cohorts.models import Enrollment
from cohorts.selectors import cohort_roster, cohort_trainers
from dashboards.forms import ExtensionForm


def cohort_page(request, cohort, *, back_url: str, back_label: str, extension_action=None, **extra):
    """One cohort page; with ``extension_action`` (a URL) it also manages extensions."""
    context = {
        "cohort": cohort,
        "roster": cohort_roster(cohort),
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


def extension_form(cohort, data=None) -> ExtensionForm:
    return ExtensionForm(
        data,
        enrollments=cohort_roster(cohort).filter(status=Enrollment.Status.ACTIVE),
        assignments=course_assignments(cohort.course_id),
    )


def grant_extension(request, cohort, *, back: str):
    """Grant the posted extension; ``back`` is where to go afterwards (a URL)."""
    form = extension_form(cohort, request.POST)
    if form.is_valid():
        try:
            extension_grant(
                enrollment=form.cleaned_data["enrollment"],
                assignment=form.cleaned_data["assignment"],
                due_on=form.cleaned_data["due_on"],
                granted_by=request.user,
                now=timezone.now(),
            )
        except DeadlineError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The extension has been granted."))
    else:
        messages.error(
            request, _("The extension was not granted: choose a learner, an assignment and a date.")
        )
    return redirect(back)
