"""The only ways views fetch a cohort or an enrolment. Anything else is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cohorts.models import Cohort, Enrollment
from organisations.models import Membership


def cohort_for_trainer(user, cohort_id: int) -> Cohort:
    """A cohort the user is assigned to as trainer."""
    return get_object_or_404(
        Cohort.objects.select_related("organisation", "course"), pk=cohort_id, trainers=user
    )


def cohort_for_org_admin(user, cohort_id: int) -> Cohort:
    """A cohort of an organisation the user administers."""
    return get_object_or_404(
        Cohort.objects.select_related("organisation", "course"),
        pk=cohort_id,
        organisation__memberships__user=user,
        organisation__memberships__role=Membership.Role.ORG_ADMIN,
    )


def cohort_for_staff(user, cohort_id: int) -> Cohort:
    if not user.is_staff:
        raise Http404
    return get_object_or_404(Cohort.objects.select_related("organisation", "course"), pk=cohort_id)


def enrollment_for_learner(user, cohort_id: int) -> Enrollment:
    """The user's own enrolment in a cohort (withdrawn ones stay closed)."""
    return get_object_or_404(
        Enrollment.objects.select_related("cohort", "cohort__organisation", "cohort__course"),
        cohort_id=cohort_id,
        user=user,
        status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED],
    )


def enrollment_for_trainer(user, enrollment_id: int) -> Enrollment:
    """A learner's enrolment in a cohort the user trains."""
    return get_object_or_404(
        Enrollment.objects.select_related(
            "user", "cohort", "cohort__organisation", "cohort__course"
        ),
        pk=enrollment_id,
        cohort__trainers=user,
    )


def enrollment_for_staff(user, enrollment_id: int) -> Enrollment:
    """Any enrolment, for platform staff."""
    if not user.is_staff:
        raise Http404
    return get_object_or_404(
        Enrollment.objects.select_related(
            "user", "cohort", "cohort__organisation", "cohort__course"
        ),
        pk=enrollment_id,
    )


def enrollment_for_org_admin(user, enrollment_id: int) -> Enrollment:
    """An enrolment in a cohort of an organisation the user administers."""
    return get_object_or_404(
        Enrollment.objects.select_related(
            "user", "cohort", "cohort__organisation", "cohort__course"
        ),
        pk=enrollment_id,
        cohort__organisation__memberships__user=user,
        cohort__organisation__memberships__role=Membership.Role.ORG_ADMIN,
    )
