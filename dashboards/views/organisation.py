"""Organisation reports for the client's HR contact, /organisatie/.

HR sees each person's status and progress and the scans only in aggregate; never the
text of reflections, feedback or messages, nor anyone's answers (see
``dashboards.selectors.cohort_report``).
"""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import role_required
from cohorts.access import cohort_for_org_admin
from cohorts.invitations import failed_invitations_for
from cohorts.selectors import organisations_administered_by
from dashboards.selectors import (
    DEFAULT_SORT,
    REPORT_SORTS,
    REPORT_STATUSES,
    cohort_report,
    organisation_cohorts,
    report_csv_rows,
)
from dashboards.views.trainer import ROWS_PER_PAGE, SEPARATORS
from notifications.selectors import failed_messages_shown
from organisations.access import organisation_for_admin
from organisations.selectors import organisation_people

PEOPLE_PER_PAGE = 50


def organisation_page(request, organisation, *, back_url, back_label, cohort_url_name):
    """One organisation page, shared with staff (who reach other cohort pages)."""
    (cohorts,) = organisation_cohorts([organisation])
    # Paged: every enrolment of every cohort adds a person.
    people = Paginator(organisation_people(organisation), PEOPLE_PER_PAGE)
    failed_messages, failed_messages_more = failed_messages_shown(organisation)
    return render(
        request,
        "dashboards/organisation_detail.html",
        {
            "organisation": organisation,
            "cohorts": cohorts,
            "people": people.get_page(request.GET.get("pagina")),
            "failed_invitations": failed_invitations_for(organisation),
            "failed_messages": failed_messages,
            "failed_messages_more": failed_messages_more,
            "can_resend": True,
            "resend_next": request.path,
            "back_url": back_url,
            "back_label": back_label,
            "cohort_url_name": cohort_url_name,
        },
    )


@role_required("org_admin")
def home(request):
    """Rapportage."""
    return render(
        request,
        "dashboards/organisation_home.html",
        {"groups": organisation_cohorts(organisations_administered_by(request.user))},
    )


@role_required("org_admin")
def detail(request, organisation_id: int):
    return organisation_page(
        request,
        organisation_for_admin(request.user, organisation_id),
        back_url=reverse("organisation:home"),
        back_label=_("Reports"),
        cohort_url_name="organisation:cohort",
    )


def _report_options(request) -> dict:
    sort = request.GET.get("sorteer", DEFAULT_SORT)
    status = request.GET.get("status", "")
    return {
        "sort": sort if sort in REPORT_SORTS else DEFAULT_SORT,
        "status": status if status in REPORT_STATUSES else "",
    }


@role_required("org_admin")
def cohort(request, cohort_id: int):
    """A cohort's report: each person's status and progress, the scans in aggregate."""
    cohort = cohort_for_org_admin(request.user, cohort_id)
    report = cohort_report(cohort, now=timezone.now(), **_report_options(request))
    return render(
        request,
        "dashboards/organisation_cohort.html",
        {
            "cohort": cohort,
            "report": report,
            "page": Paginator(report.rows, ROWS_PER_PAGE).get_page(request.GET.get("pagina")),
            "sorts": [{"value": value, "label": label} for value, label in REPORT_SORTS.items()],
            "statuses": [
                {"value": value, "label": label} for value, label in REPORT_STATUSES.items()
            ],
            "back_url": reverse("organisation:detail", args=[cohort.organisation_id]),
            "export_url": reverse("organisation:export", args=[cohort.pk]),
            # Enrolling, moving and withdrawing people: when staff allow it.
            "may_enrol": cohort.organisation.admins_may_enrol,
        },
    )


@role_required("org_admin")
def export(request, cohort_id: int):
    """The report as CSV for Excel: UTF-8 with a byte-order mark, semicolons unless
    ?scheiding=komma, sorted and filtered like the page."""
    cohort = cohort_for_org_admin(request.user, cohort_id)
    separator = SEPARATORS.get(request.GET.get("scheiding", ""), ";")
    report = cohort_report(
        cohort, now=timezone.now(), with_aggregates=False, **_report_options(request)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(cohort.name) or "groep"}-rapportage.csv"'
    )
    response.write("\ufeff")
    csv.writer(response, delimiter=separator).writerows(report_csv_rows(report))
    return response
