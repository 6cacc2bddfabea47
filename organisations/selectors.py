from django.db.models import Count, Q, QuerySet

from cohorts.models import Enrollment
from organisations.models import Membership, Organisation


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


def organisations_overview() -> QuerySet[Organisation]:
    """Every organisation with its head counts, for platform staff."""
    return Organisation.objects.annotate(
        member_count=Count("memberships", distinct=True),
        admin_count=Count(
            "memberships", filter=Q(memberships__role=Membership.Role.ORG_ADMIN), distinct=True
        ),
        cohort_count=Count("cohorts", distinct=True),
    ).order_by("name")


def organisation_people(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
