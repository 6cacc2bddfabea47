"""Access functions for the trainer and HR screens: the right person gets the object,
everyone else a 404 (never a hint that it exists)."""

import pytest
from django.http import Http404
from django.utils import timezone

from assignments.access import submission_for_trainer
from assignments.services import reflection_draft, reflection_submit
from cohorts.access import enrollment_for_org_admin, enrollment_for_staff, enrollment_for_trainer
from cohorts.models import Enrollment
from tests.assignment_helpers import REFLECTION, assignment, words


@pytest.fixture
def enrollment(world):
    return Enrollment.objects.select_related("cohort").get(user=world.learner)


@pytest.fixture
def submission(enrollment):
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    return reflection_submit(
        submission=draft, answers={"verhaal": words(100)}, based_on=0, now=timezone.now()
    )


def test_a_trainer_reaches_work_of_their_own_cohort_only(world, submission):
    assert submission_for_trainer(world.trainer, submission.pk) == submission
    for outsider in (world.trainer_other, world.learner, world.org_admin, world.staff):
        with pytest.raises(Http404, match="matches the given query"):
            submission_for_trainer(outsider, submission.pk)


def test_a_trainer_reaches_enrolments_of_their_own_cohort_only(world, enrollment):
    assert enrollment_for_trainer(world.trainer, enrollment.pk) == enrollment
    for outsider in (world.trainer_other, world.learner, world.org_admin):
        with pytest.raises(Http404, match="matches the given query"):
            enrollment_for_trainer(outsider, enrollment.pk)


def test_an_org_admin_reaches_enrolments_of_their_own_organisation_only(world, enrollment):
    assert enrollment_for_org_admin(world.org_admin, enrollment.pk) == enrollment
    for outsider in (world.org_admin_other, world.trainer, world.learner):
        with pytest.raises(Http404, match="matches the given query"):
            enrollment_for_org_admin(outsider, enrollment.pk)


def test_only_staff_reach_any_enrolment(world, enrollment):
    assert enrollment_for_staff(world.staff, enrollment.pk) == enrollment
    for someone in (world.learner, world.trainer, world.org_admin, world.nobody):
        with pytest.raises(Http404, match=r"^$"):
            enrollment_for_staff(someone, enrollment.pk)


def test_is_a_trainer_of_this_cohort_is_one_question(world):
    assert world.cohort.has_trainer(world.trainer)
    assert not world.cohort.has_trainer(world.trainer_other)
    assert not world.other_cohort.has_trainer(world.trainer)
