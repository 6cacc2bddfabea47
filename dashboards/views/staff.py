"""Platform staff, /beheer/."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import role_required
from assignments.deadlines import ScheduleError, cohort_deadline_schedule, cohort_schedule_update
from cohorts.access import cohort_for_staff
from cohorts.selectors import cohorts_overview
from courses.selectors import module_schedule
from dashboards.forms import ScheduleForm
from dashboards.views.organisation import organisation_page
from dashboards.views.shared import cohort_page, grant_extension
from organisations.access import organisation_for_staff
from organisations.selectors import organisations_overview


@role_required("staff")
def home(request):
    """Beheer."""
    return render(
        request,
        "dashboards/staff_home.html",
        {"organisations": organisations_overview(), "cohorts": cohorts_overview()},
    )


@role_required("staff")
def organisation(request, organisation_id: int):
    return organisation_page(
        request,
        organisation_for_staff(request.user, organisation_id),
        back_url=reverse("staff:home"),
        back_label=_("Administration"),
        cohort_url_name="staff:cohort",
    )


@role_required("staff")
def cohort(request, cohort_id: int):
    """A cohort for staff, with the schedule they can override."""
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
                ngettext("%(count)d date changed.", "%(count)d dates changed.", changed)
                % {"count": changed},
            )
            return redirect("staff:cohort", cohort_id=cohort.pk)
    if form.errors:
        messages.error(request, _("Please correct the dates below; nothing was changed."))
    return cohort_page(
        request,
        cohort,
        back_url=reverse("staff:organisation", args=[cohort.organisation_id]),
        back_label=cohort.organisation.name,
        extension_action=reverse("staff:extension", args=[cohort.pk]),
        schedule_form=form,
    )


@role_required("staff")
@require_POST
def extension(request, cohort_id: int):
    cohort = cohort_for_staff(request.user, cohort_id)
    return grant_extension(request, cohort, back=reverse("staff:cohort", args=[cohort.pk]))
