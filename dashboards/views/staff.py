"""Platform staff, /beheer/: organisations, cohorts and their trainers, without the Django admin."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import role_required
from assignments.deadlines import ScheduleError, cohort_deadline_schedule, cohort_schedule_update
from assignments.selectors import cohort_extensions
from cohorts.access import cohort_for_staff, enrollment_for_staff
from cohorts.selectors import cohorts_overview
from cohorts.services import (
    CohortError,
    cohort_archive,
    cohort_create,
    cohort_set_trainers,
    cohort_unarchive,
    cohort_update,
)
from courses.selectors import module_schedule
from dashboards.forms import CohortForm, OrganisationForm, ReminderRulesForm, ScheduleForm
from dashboards.views.organisation import organisation_page
from dashboards.views.shared import cohort_page, extension_form, extension_submit
from notifications.models import CohortReminderRules, Message, Rule
from notifications.selectors import MessageLogFilters, message_log, rule_labels
from notifications.services import NotificationError, reminder_rules_update
from organisations.access import organisation_for_staff
from organisations.models import Organisation
from organisations.selectors import organisations_overview
from organisations.services import OrganisationError, organisation_create, organisation_update

# ?archief=1 on the overview also lists archived cohorts.
SHOW_ARCHIVED = "archief"
REMINDERS_PER_PAGE = 50


@role_required("staff")
def home(request):
    """Beheer."""
    show_archived = request.GET.get(SHOW_ARCHIVED) == "1"
    return render(
        request,
        "dashboards/staff_home.html",
        {
            "organisations": organisations_overview(),
            "cohorts": cohorts_overview(include_archived=show_archived),
            "show_archived": show_archived,
            "show_archived_param": SHOW_ARCHIVED,
        },
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


def _organisation_form_page(request, form, *, organisation=None):
    return render(
        request,
        "dashboards/staff_organisation_form.html",
        {"form": form, "organisation": organisation},
    )


@role_required("staff")
def organisation_add(request):
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = organisation_create(**form.cleaned_data)
        except OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The organisation has been created."))
            return redirect("staff:organisation", organisation_id=created.pk)
    return _organisation_form_page(request, form)


@role_required("staff")
def organisation_edit(request, organisation_id: int):
    organisation = organisation_for_staff(request.user, organisation_id)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(organisation=organisation, **form.cleaned_data)
        except OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("staff:organisation", organisation_id=organisation.pk)
    return _organisation_form_page(request, form, organisation=organisation)


@role_required("staff")
def cohort_add(request, organisation_id: int):
    """A new cohort for an organisation, with its trainers."""
    organisation = organisation_for_staff(request.user, organisation_id)
    now = timezone.now()
    form = CohortForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        today=timezone.localdate(now),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                created = cohort_create(
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    time_zone=form.cleaned_data["time_zone"],
                    course=form.cleaned_data["course"],
                )
                cohort_set_trainers(cohort=created, trainers=form.chosen_trainers())
        except CohortError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The cohort has been created."))
            return redirect("staff:cohort", cohort_id=created.pk)
    if form.errors:
        messages.error(request, _("Please correct the fields below; nothing was saved."))
    return render(
        request,
        "dashboards/staff_cohort_form.html",
        {"form": form, "organisation": organisation},
    )


def _cohort_page(request, cohort, *, now, schedule_form=None, details_form=None):
    """The staff cohort page: settings, archive, schedule, learners, extensions.

    A form passed in (refused, with what was entered) replaces the blank one.
    """
    if schedule_form is None:
        schedule_form = ScheduleForm(
            schedule=module_schedule(cohort), deadlines=cohort_deadline_schedule(cohort)
        )
    if details_form is None and cohort.archived_at is None:
        details_form = CohortForm(
            organisation=cohort.organisation, today=timezone.localdate(now), cohort=cohort
        )
    return cohort_page(
        request,
        cohort,
        back_url=reverse("staff:organisation", args=[cohort.organisation_id]),
        back_label=cohort.organisation.name,
        schedule_form=schedule_form,
        staff_tools="dashboards/staff_cohort_tools.html",
        details_form=details_form,
        may_archive=cohort.archived_at is None and cohort.has_ended(now),
    )


@role_required("staff")
def cohort(request, cohort_id: int):
    """A cohort for staff, with its settings and the schedule they can override."""
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
    return _cohort_page(request, cohort, now=timezone.now(), schedule_form=form)


@role_required("staff")
@require_POST
def cohort_edit(request, cohort_id: int):
    """Save a cohort's settings; with a problem the page comes back with what was entered."""
    cohort = cohort_for_staff(request.user, cohort_id)
    now = timezone.now()
    form = CohortForm(
        request.POST, organisation=cohort.organisation, today=timezone.localdate(now), cohort=cohort
    )
    if form.is_valid():
        try:
            with transaction.atomic():
                cohort_update(
                    cohort=cohort,
                    name=form.cleaned_data["name"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    time_zone=form.cleaned_data["time_zone"],
                    course=form.cleaned_data["course"],
                )
                cohort_set_trainers(cohort=cohort, trainers=form.chosen_trainers())
        except CohortError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The cohort has been saved."))
            return redirect("staff:cohort", cohort_id=cohort.pk)
    # Show the page as stored, not as half-entered: the form keeps what was typed.
    cohort.refresh_from_db()
    messages.error(request, _("Please correct the fields below; nothing was saved."))
    return _cohort_page(request, cohort, now=now, details_form=form)


@role_required("staff")
@require_POST
def cohort_archive_view(request, cohort_id: int):
    cohort = cohort_for_staff(request.user, cohort_id)
    try:
        cohort_archive(cohort=cohort, now=timezone.now())
    except CohortError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The cohort has been archived. It no longer shows in the overview.")
        )
    return redirect("staff:cohort", cohort_id=cohort.pk)


@role_required("staff")
@require_POST
def cohort_unarchive_view(request, cohort_id: int):
    cohort = cohort_for_staff(request.user, cohort_id)
    try:
        cohort_unarchive(cohort=cohort)
    except CohortError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The cohort has been restored from the archive."))
    return redirect("staff:cohort", cohort_id=cohort.pk)


@role_required("staff")
def enrollment_extension(request, cohort_id: int, enrollment_id: int):
    """One learner's extensions and the form to grant one (a row's action on the cohort
    page); a refused form comes back with what was entered."""
    enrollment = enrollment_for_staff(request.user, enrollment_id)
    if enrollment.cohort_id != cohort_id:
        raise Http404
    form = extension_form(enrollment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and extension_submit(request, form, now=timezone.now()):
        return redirect("staff:cohort", cohort_id=cohort_id)
    return render(
        request,
        "dashboards/enrollment_extension.html",
        {
            "cohort": enrollment.cohort,
            "enrollment": enrollment,
            "extensions": cohort_extensions(enrollment.cohort).filter(enrollment=enrollment),
            "extension_form": form,
            "back_url": reverse("staff:cohort", args=[cohort_id]),
        },
    )


# --- reminder mail: the log and each cohort's rules ------------------------------------


@role_required("staff")
def reminders(request):
    """Every reminder email, newest first, filtered by status, kind, rule, organisation
    and address; failed ones show why."""
    filters = MessageLogFilters.from_query(request.GET)
    page = Paginator(message_log(filters), REMINDERS_PER_PAGE).get_page(request.GET.get("pagina"))
    rows = [{"message": message, "rules": rule_labels(message)} for message in page]
    return render(
        request,
        "dashboards/staff_reminders.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "statuses": Message.Status.choices,
            "kinds": Message.Kind.choices,
            "rules": Rule.choices,
            "organisations": Organisation.objects.order_by("name").only("pk", "name"),
        },
    )


@role_required("staff")
def cohort_reminders(request, cohort_id: int):
    """A cohort's reminder rules; a refused form comes back with what was entered."""
    cohort = cohort_for_staff(request.user, cohort_id)
    stored = CohortReminderRules.objects.filter(cohort=cohort).first()
    form = ReminderRulesForm(
        request.POST if request.method == "POST" else None,
        instance=stored or CohortReminderRules(cohort=cohort),
    )
    if request.method == "POST" and form.is_valid():
        try:
            reminder_rules_update(cohort=cohort, data=form.cleaned_data)
        except NotificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The reminder settings have been saved."))
            return redirect("staff:cohort_reminders", cohort_id=cohort.pk)
    if form.errors:
        messages.error(request, _("Please correct the fields below; nothing was saved."))
    return render(
        request,
        "dashboards/staff_cohort_reminders.html",
        {"cohort": cohort, "form": form, "is_default": stored is None},
    )
