"""Who someone is in the product, derived from the relations that define it.

A learner has an enrolment, a trainer is assigned to a cohort, an organisation
admin holds an admin membership, staff is ``is_staff``. Nothing else stores a role.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse


@dataclass(frozen=True)
class Roles:
    learner: bool = False
    trainer: bool = False
    org_admin: bool = False
    staff: bool = False

    @property
    def any(self) -> bool:
        return self.learner or self.trainer or self.org_admin or self.staff

    def start_url(self) -> str:
        """Where this person lands after logging in.

        Most specific work first: staff run the platform, trainers grade, org
        admins follow their people, learners learn.
        """
        if self.staff:
            return reverse("staff:home")
        if self.trainer:
            return reverse("trainer:home")
        if self.org_admin:
            return reverse("organisation:home")
        if self.learner:
            return reverse("learn:home")
        return reverse("welcome")


ANONYMOUS = Roles()


def roles_for(user) -> Roles:
    """All four roles in one query."""
    if not user.is_authenticated:
        return ANONYMOUS
    from accounts.models import User
    from cohorts.models import Cohort, Enrollment
    from organisations.models import Membership

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_enrollment=Exists(
                Enrollment.objects.filter(user=OuterRef("pk")).exclude(
                    status=Enrollment.Status.WITHDRAWN
                )
            ),
            has_cohort=Exists(Cohort.trainers.through.objects.filter(user=OuterRef("pk"))),
            has_admin_membership=Exists(
                Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.ORG_ADMIN)
            ),
        )
        .values("has_enrollment", "has_cohort", "has_admin_membership", "is_staff")
        .first()
    )
    if row is None:
        return ANONYMOUS
    return Roles(
        learner=row["has_enrollment"],
        trainer=row["has_cohort"],
        org_admin=row["has_admin_membership"],
        staff=row["is_staff"],
    )
