"""Factories build state through the same services people trigger."""

import datetime

import factory
from django.utils import timezone

from accounts.services import user_create
from cohorts.services import cohort_assign_trainer, cohort_create, enrollment_create
from organisations.models import Membership
from organisations.services import membership_add, organisation_create

PASSWORD = "correct-horse-battery"


class UserFactory(factory.Factory):
    class Meta:
        model = dict

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = PASSWORD
    is_staff = False

    @classmethod
    def _create(cls, _model_class, **kwargs):
        return user_create(**kwargs)


class OrganisationFactory(factory.Factory):
    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"Organisation {n}")

    @classmethod
    def _create(cls, _model_class, **kwargs):
        return organisation_create(**kwargs)


class CohortFactory(factory.Factory):
    class Meta:
        model = dict

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=60))
    time_zone = "Europe/Amsterdam"

    @classmethod
    def _create(cls, _model_class, **kwargs):
        return cohort_create(**kwargs)


def make_learner(cohort, **user_kwargs):
    user = UserFactory(**user_kwargs)
    enrollment_create(cohort=cohort, user=user)
    return user


def make_trainer(cohort, **user_kwargs):
    user = UserFactory(**user_kwargs)
    cohort_assign_trainer(cohort=cohort, trainer=user)
    return user


def make_org_admin(organisation, **user_kwargs):
    user = UserFactory(**user_kwargs)
    membership_add(user=user, organisation=organisation, role=Membership.Role.ORG_ADMIN)
    return user
