from django.db.models import Count, Q, QuerySet

from organisations.models import Membership, Organisation


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
