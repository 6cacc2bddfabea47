from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import ANONYMOUS, Roles, roles_for
from cohorts.models import Enrollment


def test_roles_come_from_relations(world):
    assert roles_for(world.learner) == Roles(learner=True)
    assert roles_for(world.trainer) == Roles(trainer=True)
    assert roles_for(world.org_admin) == Roles(org_admin=True)
    assert roles_for(world.staff) == Roles(staff=True)
    assert roles_for(world.nobody) == Roles()
    assert not roles_for(world.nobody).any


def test_roles_take_one_query(world):
    with CaptureQueriesContext(connection) as queries:
        roles_for(world.learner)
    assert len(queries) == 1


def test_withdrawn_enrolment_is_no_longer_a_learner(world):
    Enrollment.objects.filter(user=world.learner).update(status=Enrollment.Status.WITHDRAWN)
    assert roles_for(world.learner) == Roles()


def test_anonymous_has_no_roles(rf):
    from django.contrib.auth.models import AnonymousUser

    assert roles_for(AnonymousUser()) is ANONYMOUS


def test_start_page_order_is_most_specific_work_first(world):
    assert Roles(learner=True, trainer=True).start_url() == "/trainer/"
    assert Roles(learner=True, org_admin=True).start_url() == "/organisatie/"
    assert Roles(staff=True, trainer=True).start_url() == "/beheer/"
    assert Roles().start_url() == "/welkom/"
