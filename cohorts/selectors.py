from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cohorts.models import Cohort, Enrollment
from organisations.models import Membership, Organisation

_ACTIVE = Enrollment.Status.ACTIVE


def _with_counts(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return queryset.select_related("organisation").annotate(
        learner_count=Count(
            "enrollments",
            filter=~Q(enrollments__status=Enrollment.Status.WITHDRAWN),
            distinct=True,
        ),
        active_count=Count("enrollments", filter=Q(enrollments__status=_ACTIVE), distinct=True),
    )


def cohorts_trained_by(user) -> QuerySet[Cohort]:
    return _with_counts(Cohort.objects.filter(trainers=user)).order_by("-starts_on", "name")


def cohorts_of_organisation(organisation) -> QuerySet[Cohort]:
    return _with_counts(Cohort.objects.filter(organisation=organisation)).order_by(
        "-starts_on", "name"
    )


def cohorts_overview(*, include_archived: bool = False) -> QuerySet[Cohort]:
    """Every cohort for platform staff; archived ones only when asked for."""
    cohorts = Cohort.objects.all()
    if not include_archived:
        cohorts = cohorts.filter(archived_at__isnull=True)
    return _with_counts(cohorts).order_by("organisation__name", "-starts_on", "name")


def enrollments_of_learner(user) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .select_related("cohort", "cohort__organisation", "cohort__course")
        .order_by("-cohort__starts_on")
    )


def cohort_roster(cohort: Cohort) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def cohort_trainers(cohort: Cohort):
    return cohort.trainers.order_by("display_name", "email")


def trainer_candidates() -> QuerySet:
    """Active accounts staff pick trainers from: platform staff and anyone who trains now."""
    trains = Cohort.trainers.through.objects.filter(user_id=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Exists(trains), is_active=True)
        .order_by("display_name", "email")
    )


def organisations_administered_by(user) -> QuerySet[Organisation]:
    """The organisations ``user`` administers, each with its enrolled learners and cohorts.

    The admin's own membership is only the reason the organisation is listed, so it is
    matched in a subquery: filtering on ``memberships`` and counting them in one query
    would reuse the filtered join and count the admin alone.
    """
    administered = Membership.objects.filter(user=user, role=Membership.Role.ORG_ADMIN)
    return (
        Organisation.objects.filter(pk__in=administered.values("organisation"))
        .annotate(
            learner_count=Count(
                "cohorts__enrollments__user",
                filter=~Q(cohorts__enrollments__status=Enrollment.Status.WITHDRAWN),
                distinct=True,
            ),
            cohort_count=Count("cohorts", distinct=True),
        )
        .order_by("name")
    )
