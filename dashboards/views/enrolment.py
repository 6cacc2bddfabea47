"""Enrolling, moving and withdrawing learners: staff (/beheer/) and org admins (/organisatie/).

Both audiences share the pages below; each view fetches the cohort through its own
access function and passes the URL names of its area. Organisation admins may only
enrol when staff switched that on for their organisation (``admins_may_enrol``).

A CSV upload is read and checked, then kept in the session under a random key until
the person confirms (``_preview_store``): only the parsed rows, at most
``MAX_PREVIEWS`` per session, each for ``PREVIEW_TTL``. The confirm re-checks the rows
against the database, so a preview that went stale never enrols anyone twice.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from cohorts.access import (
    cohort_for_org_admin,
    cohort_for_staff,
    enrollment_for_org_admin,
    enrollment_for_staff,
)
from cohorts.csv_import import CsvError, PersonRow, read_people_file
from cohorts.forms import MoveForm, PersonForm, UploadForm
from cohorts.models import Enrollment
from cohorts.services import (
    ALREADY_ENROLLED,
    INVALID,
    NEW,
    CohortError,
    enrollment_import,
    enrollment_invite,
    enrollment_move,
    enrollment_move_targets,
    enrollment_withdraw,
    enrolment_plan,
)

PREVIEW_PREFIX = "enrol-preview:"
PREVIEW_TTL = datetime.timedelta(hours=2)
MAX_PREVIEWS = 2
ROWS_PER_PAGE = 100
STATUS_FILTERS = {"nieuw": NEW, "ingeschreven": ALREADY_ENROLLED, "ongeldig": INVALID}


@dataclass(frozen=True)
class Area:
    """Where one audience's enrolment pages live, and how it reaches a cohort."""

    cohort_for: object  # (user, cohort_id) -> Cohort, or 404
    cohort_url: str
    enrol_url: str
    preview_url: str
    move_url: str
    withdraw_url: str


STAFF = Area(
    cohort_for=cohort_for_staff,
    cohort_url="staff:cohort",
    enrol_url="staff:enrol",
    preview_url="staff:enrol_preview",
    move_url="staff:enrollment_move",
    withdraw_url="staff:enrollment_withdraw",
)
ORGANISATION = Area(
    cohort_for=cohort_for_org_admin,
    cohort_url="organisation:cohort",
    enrol_url="organisation:enrol",
    preview_url="organisation:enrol_preview",
    move_url="organisation:enrollment_move",
    withdraw_url="organisation:enrollment_withdraw",
)


# --- access ----------------------------------------------------------------------


def _not_allowed(request, cohort):
    return render(request, "dashboards/enrol_not_allowed.html", {"cohort": cohort}, status=403)


def _org_admin_cohort(request, cohort_id: int):
    """The cohort, and a 403 response when the organisation does not let its admins enrol."""
    cohort = cohort_for_org_admin(request.user, cohort_id)
    if not cohort.organisation.admins_may_enrol:
        return cohort, _not_allowed(request, cohort)
    return cohort, None


def _staff_enrollment(request, cohort_id: int, enrollment_id: int) -> Enrollment:
    enrollment = enrollment_for_staff(request.user, enrollment_id)
    if enrollment.cohort_id != cohort_id:
        raise Http404
    return enrollment


def _org_admin_enrollment(request, cohort_id: int, enrollment_id: int):
    enrollment = enrollment_for_org_admin(request.user, enrollment_id)
    if enrollment.cohort_id != cohort_id:
        raise Http404
    if not enrollment.cohort.organisation.admins_may_enrol:
        return enrollment, _not_allowed(request, enrollment.cohort)
    return enrollment, None


# --- the preview kept between upload and confirm -----------------------------------


def _preview_store(request, *, cohort, rows: list[PersonRow], starts_on, now) -> str:
    session = request.session
    keys = list(session.keys())  # a session is not iterable like a dict
    kept = sorted(
        (key for key in keys if key.startswith(PREVIEW_PREFIX)),
        key=lambda key: session[key]["at"],
    )
    for key in kept[: max(0, len(kept) - MAX_PREVIEWS + 1)]:
        del session[key]
    token = secrets.token_urlsafe(16)
    session[PREVIEW_PREFIX + token] = {
        "cohort": cohort.pk,
        "at": now.isoformat(),
        "starts_on": starts_on.isoformat() if starts_on else None,
        "rows": [
            [row.line, row.email, row.first_name, row.last_name, row.department, row.problem]
            for row in rows
        ],
    }
    return token


def _preview_load(request, *, cohort, token: str, now):
    """The stored rows and start date, or None when the preview is gone or stale."""
    stored = request.session.get(PREVIEW_PREFIX + token)
    if not stored or stored.get("cohort") != cohort.pk:
        return None
    if datetime.datetime.fromisoformat(stored["at"]) < now - PREVIEW_TTL:
        del request.session[PREVIEW_PREFIX + token]
        return None
    rows = [
        PersonRow(
            line=line,
            email=email,
            first_name=first,
            last_name=last,
            department=department,
            problem=problem,
        )
        for line, email, first, last, department, problem in stored["rows"]
    ]
    starts_on = stored["starts_on"] and datetime.date.fromisoformat(stored["starts_on"])
    return rows, starts_on or None


def _preview_drop(request, token: str) -> None:
    request.session.pop(PREVIEW_PREFIX + token, None)


# --- shared pages ------------------------------------------------------------------


def enrol_page(request, cohort, area: Area):
    """One person by hand, or a CSV file to preview."""
    now = timezone.now()
    person_form = PersonForm(prefix="person")
    upload_form = UploadForm(prefix="upload")
    if request.method == "POST" and "upload-submit" in request.POST:
        upload_form = UploadForm(request.POST, request.FILES, prefix="upload")
        if upload_form.is_valid():
            try:
                rows = read_people_file(upload_form.cleaned_data["file"])
            except CsvError as error:
                upload_form.add_error("file", str(error))
            else:
                token = _preview_store(
                    request,
                    cohort=cohort,
                    rows=rows,
                    starts_on=upload_form.cleaned_data["starts_on"],
                    now=now,
                )
                return redirect(area.preview_url, cohort_id=cohort.pk, token=token)
        messages.error(request, _("The file was not read; see below what to change."))
    elif request.method == "POST":
        person_form = PersonForm(request.POST, prefix="person")
        if person_form.is_valid():
            data = person_form.cleaned_data
            try:
                outcome = enrollment_invite(
                    cohort=cohort,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    department=data["department"],
                    starts_on=data["starts_on"],
                    by=request.user,
                    now=now,
                )
            except CohortError as error:
                person_form.add_error(None, str(error))
            else:
                if outcome.created:
                    messages.success(
                        request,
                        _("%(email)s is enrolled and will get an email on how to start.")
                        % {"email": outcome.enrollment.user.email},
                    )
                else:
                    messages.warning(
                        request,
                        _("%(email)s is already enrolled in this cohort; nothing changed.")
                        % {"email": outcome.enrollment.user.email},
                    )
                return redirect(area.enrol_url, cohort_id=cohort.pk)
        messages.error(request, _("Nobody was enrolled; see below what to change."))
    return render(
        request,
        "dashboards/enrol.html",
        {
            "cohort": cohort,
            "person_form": person_form,
            "upload_form": upload_form,
            "cohort_url": reverse(area.cohort_url, args=[cohort.pk]),
        },
    )


def preview_page(request, cohort, token: str, area: Area):
    """The checked file, row by row; confirming imports it (POST)."""
    now = timezone.now()
    stored = _preview_load(request, cohort=cohort, token=token, now=now)
    if stored is None:
        messages.error(
            request, _("This preview has expired or was already imported. Upload the file again.")
        )
        return redirect(area.enrol_url, cohort_id=cohort.pk)
    rows, starts_on = stored
    if request.method == "POST":
        try:
            result = enrollment_import(
                cohort=cohort, rows=rows, starts_on=starts_on, by=request.user, now=now
            )
        except CohortError as error:
            messages.error(request, str(error))
            return redirect(area.preview_url, cohort_id=cohort.pk, token=token)
        _preview_drop(request, token)
        messages.success(
            request,
            ngettext(
                "%(count)d person enrolled; they will get an email on how to start.",
                "%(count)d people enrolled; they will get an email on how to start.",
                result.enrolled,
            )
            % {"count": result.enrolled},
        )
        return redirect(area.cohort_url, cohort_id=cohort.pk)
    plan = enrolment_plan(cohort=cohort, rows=rows)
    shown = STATUS_FILTERS.get(request.GET.get("toon", ""))
    listed = [row for row in plan.rows if shown is None or row.status == shown]
    return render(
        request,
        "dashboards/enrol_preview.html",
        {
            "cohort": cohort,
            "plan": plan,
            "page": Paginator(listed, ROWS_PER_PAGE).get_page(request.GET.get("pagina")),
            "shown": request.GET.get("toon", "") if shown else "",
            "starts_on": starts_on,
            "enrol_url": reverse(area.enrol_url, args=[cohort.pk]),
            "cohort_url": reverse(area.cohort_url, args=[cohort.pk]),
        },
    )


def move_page(request, enrollment, area: Area):
    now = timezone.now()
    cohort = enrollment.cohort
    targets = enrollment_move_targets(enrollment=enrollment, now=now)
    form = MoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        to_cohort = area.cohort_for(request.user, form.cleaned_data["to_cohort"])
        try:
            enrollment_move(enrollment=enrollment, to_cohort=to_cohort, by=request.user, now=now)
        except CohortError as error:
            form.add_error("to_cohort", str(error))
        else:
            messages.success(
                request,
                _("%(name)s now follows %(cohort)s, with all their work.")
                % {"name": enrollment.user, "cohort": to_cohort.name},
            )
            return redirect(area.cohort_url, cohort_id=cohort.pk)
    if form.errors:
        messages.error(request, _("The learner was not moved; see below why."))
    return render(
        request,
        "dashboards/enrol_move.html",
        {
            "enrollment": enrollment,
            "cohort": cohort,
            "form": form,
            "targets": targets,
            "cohort_url": reverse(area.cohort_url, args=[cohort.pk]),
        },
    )


def withdraw_page(request, enrollment, area: Area):
    cohort = enrollment.cohort
    if request.method == "POST":
        enrollment_withdraw(enrollment=enrollment, by=request.user, now=timezone.now())
        messages.success(
            request,
            _("%(name)s has been withdrawn from %(cohort)s. Their work is kept.")
            % {"name": enrollment.user, "cohort": cohort.name},
        )
        return redirect(area.cohort_url, cohort_id=cohort.pk)
    return render(
        request,
        "dashboards/enrol_withdraw.html",
        {
            "enrollment": enrollment,
            "cohort": cohort,
            "cohort_url": reverse(area.cohort_url, args=[cohort.pk]),
        },
    )


# --- staff -------------------------------------------------------------------------


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_enrol(request, cohort_id: int):
    return enrol_page(request, cohort_for_staff(request.user, cohort_id), STAFF)


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_enrol_preview(request, cohort_id: int, token: str):
    return preview_page(request, cohort_for_staff(request.user, cohort_id), token, STAFF)


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_enrollment_move(request, cohort_id: int, enrollment_id: int):
    return move_page(request, _staff_enrollment(request, cohort_id, enrollment_id), STAFF)


@role_required("staff")
@require_http_methods(["GET", "POST"])
def staff_enrollment_withdraw(request, cohort_id: int, enrollment_id: int):
    return withdraw_page(request, _staff_enrollment(request, cohort_id, enrollment_id), STAFF)


# --- organisation admins -----------------------------------------------------------


@role_required("org_admin")
@require_http_methods(["GET", "POST"])
def organisation_enrol(request, cohort_id: int):
    cohort, refused = _org_admin_cohort(request, cohort_id)
    return refused or enrol_page(request, cohort, ORGANISATION)


@role_required("org_admin")
@require_http_methods(["GET", "POST"])
def organisation_enrol_preview(request, cohort_id: int, token: str):
    cohort, refused = _org_admin_cohort(request, cohort_id)
    return refused or preview_page(request, cohort, token, ORGANISATION)


@role_required("org_admin")
@require_http_methods(["GET", "POST"])
def organisation_enrollment_move(request, cohort_id: int, enrollment_id: int):
    enrollment, refused = _org_admin_enrollment(request, cohort_id, enrollment_id)
    return refused or move_page(request, enrollment, ORGANISATION)


@role_required("org_admin")
@require_http_methods(["GET", "POST"])
def organisation_enrollment_withdraw(request, cohort_id: int, enrollment_id: int):
    enrollment, refused = _org_admin_enrollment(request, cohort_id, enrollment_id)
    return refused or withdraw_page(request, enrollment, ORGANISATION)
