"""Pieces the audiences share: a cohort page and granting an extension.

Views pass URL names and labels, never an "area" string, so templates stay free of
per-audience branches.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from assignments.deadlines import DeadlineError, extension_grant
from assignments.selectors import cohort_extensions, course_assignments
from cohorts.models import Enrollment
from cohorts.selectors import cohort_roster, cohort_trainers
from dashboards.forms import ExtensionForm

ROSTER_PAGE_SIZE = 50


def cohort_page(request, cohort, *, back_url: str, back_label: str, **extra):
    """One cohort page: its learners a page at a time, each row with its own actions
    (an extension is granted on the learner's own page, so no list of every learner)."""
    context = {
        "cohort": cohort,
        # Paged: a cohort can have hundreds of learners.
        "roster": Paginator(cohort_roster(cohort), ROSTER_PAGE_SIZE).get_page(
            request.GET.get("pagina")
        ),
        "trainers": cohort_trainers(cohort),
        "extensions": cohort_extensions(cohort),
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "dashboards/cohort_detail.html", context | extra)


def extension_form(enrollment: Enrollment, data=None) -> ExtensionForm:
    """The extension form for one learner: the learner is given, not chosen, and only
    a learner still following the course can have one."""
    return ExtensionForm(
        data,
        enrollments=Enrollment.objects.filter(
            pk=enrollment.pk, status=Enrollment.Status.ACTIVE
        ).select_related("user"),
        assignments=course_assignments(enrollment.cohort.course_id),
        enrollment=enrollment,
    )


def extension_submit(request, form: ExtensionForm, *, now) -> bool:
    """Grant the extension a bound form describes; on failure the form and a message
    say why, and the form keeps what was entered."""
    if not form.is_valid():
        messages.error(
            request, _("The extension was not granted: choose an assignment and a valid date.")
        )
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
