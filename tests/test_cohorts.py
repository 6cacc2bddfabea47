import datetime

import pytest
from django.test import Client
from django.utils import translation

from cohorts.models import Enrollment
from cohorts.services import CohortError, cohort_create, enrollment_create
from organisations.models import Membership
from tests.factories import CohortFactory, OrganisationFactory, UserFactory, make_learner


def test_enrolment_makes_the_learner_a_member_of_the_organisation(db):
    cohort = CohortFactory()
    user = UserFactory()
    enrollment_create(cohort=cohort, user=user)
    membership = Membership.objects.get(user=user)
    assert membership.organisation == cohort.organisation
    assert membership.role == Membership.Role.MEMBER


def test_enrolling_an_org_admin_keeps_their_admin_role(db):
    cohort = CohortFactory()
    user = UserFactory()
    Membership.objects.create(
        user=user, organisation=cohort.organisation, role=Membership.Role.ORG_ADMIN
    )
    enrollment_create(cohort=cohort, user=user)
    assert Membership.objects.get(user=user).role == Membership.Role.ORG_ADMIN


def test_enrolling_twice_returns_the_same_enrolment_and_reactivates(db):
    cohort = CohortFactory()
    user = UserFactory()
    first = enrollment_create(cohort=cohort, user=user)
    Enrollment.objects.filter(pk=first.pk).update(status=Enrollment.Status.WITHDRAWN)
    second = enrollment_create(cohort=cohort, user=user)
    assert second.pk == first.pk
    assert second.status == Enrollment.Status.ACTIVE
    assert Enrollment.objects.count() == 1


def test_personal_start_date_is_never_before_the_cohort_start(db):
    cohort = CohortFactory()
    early = enrollment_create(
        cohort=cohort, user=UserFactory(), starts_on=cohort.starts_on - datetime.timedelta(days=5)
    )
    late = enrollment_create(
        cohort=cohort, user=UserFactory(), starts_on=cohort.starts_on + datetime.timedelta(days=9)
    )
    assert early.starts_on == cohort.starts_on
    assert late.starts_on == cohort.starts_on + datetime.timedelta(days=9)


def test_cohort_cannot_end_before_it_starts(db):
    with (
        translation.override("en"),
        pytest.raises(CohortError, match="end date cannot be before the start date"),
    ):
        cohort_create(
            organisation=OrganisationFactory(),
            name="Verkeerd om",
            starts_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2026, 2, 1),
        )


def test_cohort_days_follow_its_time_zone(db):
    cohort = CohortFactory(
        starts_on=datetime.date(2026, 1, 10),
        ends_on=datetime.date(2026, 2, 10),
        time_zone="Pacific/Auckland",
    )
    # 10 January 11:30 UTC is already 11 January in Auckland.
    moment = datetime.datetime(2026, 1, 10, 11, 30, tzinfo=datetime.UTC)
    assert cohort.local_today(moment) == datetime.date(2026, 1, 11)
    assert cohort.is_running(moment)
    assert not cohort.is_running(datetime.datetime(2026, 1, 9, 9, 0, tzinfo=datetime.UTC))
    assert cohort.has_ended(datetime.datetime(2026, 2, 11, 12, 0, tzinfo=datetime.UTC))


def test_org_admin_home_counts_the_enrolled_learners_not_the_admin(world):
    """Eleven employees enrolled: HR reads eleven, not their own membership."""
    for number in range(10):
        make_learner(world.cohort, email=f"employee{number}@acme.example.com")
    withdrawn = enrollment_create(cohort=world.cohort, user=UserFactory())
    Enrollment.objects.filter(pk=withdrawn.pk).update(status=Enrollment.Status.WITHDRAWN)
    world.org_admin.language = "en"
    world.org_admin.save(update_fields=["language"])
    client = Client()
    client.force_login(world.org_admin)

    page = client.get("/organisatie/").content.decode()

    assert "11 learners enrolled" in page
    assert "1 cohort" in page
