"""Trainer workspace (/trainer/), organisation reports (/organisatie/), staff (/beheer/)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import role_required
from assignments.deadlines import (
    DeadlineError,
    ScheduleError,
    cohort_deadline_schedule,
    cohort_schedule_update,
    extension_grant,
)
from assignments.selectors import cohort_extensions, course_assignments, grading_queue_for
from cohorts.access import cohort_for_org_admin, cohort_for_staff, cohort_for_trainer
from cohorts.models import Enrollment
from cohorts.selectors import (
    cohort_roster,
    cohort_trainers,
    cohorts_of_organisation,
    cohorts_overview,
    cohorts_trained_by,
    organisations_administered_by,
)
from courses.selectors import module_schedule
from dashboards.forms import ExtensionForm, ScheduleForm
from organisations.access import organisation_for_admin, organisation_for_staff
from organisations.selectors import (
    organisation_people,
    organisations_overview,
)

# --- Trainer ----------------------------------------------------------------


@role_required("trainer")
def trainer_home(request):
    """Beoordelen: the grading queue, with the trainer's cohorts beside it."""
    return render(
        request,
        "dashboards/trainer_home.html",
        {
            "cohorts": cohorts_trained_by(request.user),
            "queue": grading_queue_for(request.user),
        },
    )


@role_required("trainer")
def trainer_cohorts(request):
    """Groepen."""
    return render(
        request, "dashboards/trainer_cohorts.html", {"cohorts": cohorts_trained_by(request.user)}
    )


def _cohort_page(request, cohort, area: str, **extra):
    """One cohort page for three areas; trainers and staff also manage extensions."""
    context = {
        "cohort": cohort,
        "roster": cohort_roster(cohort),
        "trainers": cohort_trainers(cohort),
        "area": area,
    }
    if area in {"trainer", "staff"}:
        context |= {
            "extension_form": _extension_form(cohort),
            "extensions": cohort_extensions(cohort),
        }
    return render(request, "dashboards/cohort_detail.html", context | extra)


@role_required("trainer")
def trainer_cohort(request, cohort_id: int):
    return _cohort_page(request, cohort_for_trainer(request.user, cohort_id), "trainer")


def _extension_form(cohort, data=None):
    return ExtensionForm(
        data,
        enrollments=cohort_roster(cohort).filter(status=Enrollment.Status.ACTIVE),
        assignments=course_assignments(cohort.course_id),
    )


def _grant_extension(request, cohort, back: str):
    form = _extension_form(cohort, request.POST)
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
    return redirect(back, cohort_id=cohort.pk)


@role_required("trainer")
@require_POST
def trainer_extension(request, cohort_id: int):
    cohort = cohort_for_trainer(request.user, cohort_id)
    return _grant_extension(request, cohort, "trainer:cohort")


@role_required("staff")
@require_POST
def staff_extension(request, cohort_id: int):
    cohort = cohort_for_staff(request.user, cohort_id)
    return _grant_extension(request, cohort, "staff:cohort")


# --- Organisation admin -----------------------------------------------------


@role_required("org_admin")
def organisation_home(request):
    """Rapportage."""
    return render(
        request,
        "dashboards/organisation_home.html",
        {"organisations": organisations_administered_by(request.user)},
    )


def _organisation_page(request, organisation, area: str):
    return render(
        request,
        "dashboards/organisation_detail.html",
        {
            "organisation": organisation,
            "cohorts": cohorts_of_organisation(organisation),
            "people": organisation_people(organisation),
            "area": area,
        },
    )


@role_required("org_admin")
def organisation_detail(request, organisation_id: int):
    organisation = organisation_for_admin(request.user, organisation_id)
    return _organisation_page(request, organisation, "organisation")


@role_required("org_admin")
def organisation_cohort(request, cohort_id: int):
    return _cohort_page(request, cohort_for_org_admin(request.user, cohort_id), "organisation")


# --- Platform staff ---------------------------------------------------------


@role_required("staff")
def staff_home(request):
    """Beheer."""
    return render(
        request,
        "dashboards/staff_home.html",
        {"organisations": organisations_overview(), "cohorts": cohorts_overview()},
    )


@role_required("staff")
def staff_organisation(request, organisation_id: int):
    organisation = organisation_for_staff(request.user, organisation_id)
    return _organisation_page(request, organisation, "staff")


@role_required("staff")
def staff_cohort(request, cohort_id: int):
    """A cohort for staff, with the module release schedule they can override."""
    cohort = cohort_for_staff(request.user, cohort_id)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        schedule=module_schedule(cohort),
        deadlines=cohort_deadline_schedule(cohort),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = cohort_schedule_update(
                cohort=cohort,
                opens_on_by_module=form.opens_on_by_module(),
                due_on_by_assignment=form.due_on_by_assignment(),
            )
        except ScheduleError as error:
            form.add_schedule_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d date changed.",
                    "%(count)d dates changed.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect("staff:cohort", cohort_id=cohort.pk)
    if form.errors:
        messages.error(request, _("Please correct the dates below; nothing was changed."))
    return _cohort_page(request, cohort, "staff", schedule_form=form)
