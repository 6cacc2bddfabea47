"""The trainer workspace, /trainer/: cohorts and their learners (grading is in grading.py)."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from cohorts.access import cohort_for_trainer, enrollment_for_trainer
from cohorts.selectors import cohorts_trained_by
from dashboards.selectors import (
    DEFAULT_SORT,
    ICONS,
    SORTS,
    cohort_overview,
    learner_detail,
    overview_csv_rows,
)
from dashboards.views.shared import extension_form, extension_submit
from notifications.selectors import reminders_for_enrollment
from notifications.services import NotificationError, nudge_send

ROWS_PER_PAGE = 50
# Dutch Excel lists with a semicolon (the comma is the decimal sign), so that is the
# default; ?scheiding=komma gives a comma for other spreadsheets.
SEPARATORS = {"puntkomma": ";", "komma": ","}


@role_required("trainer")
def cohorts(request):
    """Groepen."""
    return render(
        request, "dashboards/trainer_cohorts.html", {"cohorts": cohorts_trained_by(request.user)}
    )


def _overview_options(request) -> dict:
    sort = request.GET.get("sorteer", DEFAULT_SORT)
    return {
        "sort": sort if sort in SORTS else DEFAULT_SORT,
        "at_risk_only": request.GET.get("risico") == "1",
    }


@role_required("trainer")
def cohort(request, cohort_id: int):
    """The progress matrix: learners × assignments, with charts and an export."""
    cohort = cohort_for_trainer(request.user, cohort_id)
    options = _overview_options(request)
    overview = cohort_overview(cohort, now=timezone.now(), with_charts=True, **options)
    return render(
        request,
        "dashboards/trainer_cohort.html",
        {
            "cohort": cohort,
            "overview": overview,
            "page": Paginator(overview.rows, ROWS_PER_PAGE).get_page(request.GET.get("pagina")),
            "sorts": [{"value": value, "label": label} for value, label in SORTS.items()],
            "legend": [
                {"icon": ICONS[key], "key": key, "label": label}
                for key, label in (
                    ("not_started", _("Not started")),
                    ("draft", _("Draft")),
                    ("submitted", _("Submitted, awaiting feedback")),
                    ("returned", _("Returned for revision")),
                    ("done", _("Done, passed or approved")),
                    ("failed", _("Not passed yet")),
                    ("overdue", _("Overdue")),
                )
            ],
            "back_url": reverse("trainer:cohorts"),
            "export_url": reverse("trainer:export", args=[cohort.pk]),
            "learner_url_name": "trainer:learner",
        },
    )


@role_required("trainer")
def export(request, cohort_id: int):
    """The matrix as CSV for Excel: UTF-8 with a byte-order mark, sorted and filtered
    like the page."""
    cohort = cohort_for_trainer(request.user, cohort_id)
    separator = SEPARATORS.get(request.GET.get("scheiding", ""), ";")
    overview = cohort_overview(cohort, now=timezone.now(), **_overview_options(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(cohort.name) or "groep"}-voortgang.csv"'
    )
    response.write("\ufeff")
    csv.writer(response, delimiter=separator).writerows(overview_csv_rows(overview))
    return response


@role_required("trainer")
def learner(request, cohort_id: int, enrollment_id: int):
    """One learner: progress, work and grades, extensions, and what they did lately."""
    enrollment = enrollment_for_trainer(request.user, enrollment_id)
    if enrollment.cohort_id != cohort_id:
        raise Http404
    now = timezone.now()
    form = extension_form(enrollment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and extension_submit(request, form, now=now):
        return redirect("trainer:learner", cohort_id=cohort_id, enrollment_id=enrollment.pk)
    return render(
        request,
        "dashboards/trainer_learner.html",
        {
            "cohort": enrollment.cohort,
            "enrollment": enrollment,
            "detail": learner_detail(enrollment, now=now),
            "reminders": reminders_for_enrollment(enrollment),
            "extension_form": form,
            "back_url": reverse("trainer:cohort", args=[cohort_id]),
        },
    )


@role_required("trainer")
@require_POST
def nudge(request, cohort_id: int, enrollment_id: int):
    """A personal reminder email to one learner, at most one a day."""
    enrollment = enrollment_for_trainer(request.user, enrollment_id)
    if enrollment.cohort_id != cohort_id:
        raise Http404
    now = timezone.now()
    try:
        message = nudge_send(enrollment=enrollment, trainer=request.user, now=now)
    except NotificationError as error:
        messages.error(request, str(error))
    else:
        name = str(enrollment.user)
        if message.send_after > now:
            messages.success(
                request,
                _("It is night where %(name)s lives: your reminder goes out at 08:00 their time.")
                % {"name": name},
            )
        else:
            messages.success(
                request, _("Your reminder to %(name)s is on its way.") % {"name": name}
            )
    return redirect("trainer:learner", cohort_id=cohort_id, enrollment_id=enrollment.pk)
