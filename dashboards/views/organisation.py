"""Organisation reports for the client's HR contact, /organisatie/."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import role_required
from cohorts.access import cohort_for_org_admin
from cohorts.selectors import cohorts_of_organisation, organisations_administered_by
from dashboards.views.shared import cohort_page
from organisations.access import organisation_for_admin
from organisations.selectors import organisation_people


def organisation_page(request, organisation, *, back_url, back_label, cohort_url_name):
    """One organisation page, shared with staff (who reach other cohort pages)."""
    return render(
        request,
        "dashboards/organisation_detail.html",
        {
            "organisation": organisation,
            "cohorts": cohorts_of_organisation(organisation),
            "people": organisation_people(organisation),
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
        {"organisations": organisations_administered_by(request.user)},
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


@role_required("org_admin")
def cohort(request, cohort_id: int):
    cohort = cohort_for_org_admin(request.user, cohort_id)
    return cohort_page(
        request,
        cohort,
        back_url=reverse("organisation:detail", args=[cohort.organisation_id]),
        back_label=cohort.organisation.name,
    )
