import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cohorts.models import Cohort, Enrollment, ModuleRelease
from organisations.models import Membership, Organisation
from organisations.services import membership_add


class CohortError(Exception):
    """A cohort write could not be done; the message is shown to the user."""


@transaction.atomic
def cohort_create(
    *,
    organisation: Organisation,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    time_zone: str = "Europe/Amsterdam",
    course=None,
) -> Cohort:
    cohort = Cohort(
        organisation=organisation,
        course=course,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        time_zone=time_zone,
    )
    try:
        cohort.full_clean()
    except ValidationError as exc:
        raise CohortError("; ".join(exc.messages)) from exc
    cohort.save()
    return cohort


@transaction.atomic
def cohort_set_course(*, cohort: Cohort, course) -> Cohort:
    cohort.course = course
    cohort.save(update_fields=["course"])
    return cohort


@transaction.atomic
def module_release_set(*, cohort: Cohort, module, opens_on: datetime.date | None):
    """Staff override of a module's opening date for one cohort; None restores the default."""
    if module.course_id != cohort.course_id:
        raise CohortError("This module is not part of the cohort's course.")
    if opens_on is None:
        ModuleRelease.objects.filter(cohort=cohort, module=module).delete()
        return None
    release, _created = ModuleRelease.objects.update_or_create(
        cohort=cohort, module=module, defaults={"opens_on": opens_on}
    )
    return release


@transaction.atomic
def cohort_assign_trainer(*, cohort: Cohort, trainer) -> None:
    cohort.trainers.add(trainer)


@transaction.atomic
def enrollment_create(
    *, cohort: Cohort, user, starts_on: datetime.date | None = None
) -> Enrollment:
    """Enrol ``user`` in ``cohort``; they become a member of its organisation too.

    Enrolling someone who is already enrolled returns the existing enrolment
    (re-activating a withdrawn one) rather than failing, so CSV imports and
    invitations can be repeated safely.
    """
    membership_add(user=user, organisation=cohort.organisation, role=Membership.Role.MEMBER)
    enrollment, created = Enrollment.objects.get_or_create(
        user=user,
        cohort=cohort,
        defaults={"starts_on": max(starts_on or cohort.starts_on, cohort.starts_on)},
    )
    if not created and enrollment.status == Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.save(update_fields=["status"])
    return enrollment
