"""Defects found in review: each test failed before its fix."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assignments.models import Extension
from cohorts.models import Enrollment
from dashboards.views.organisation import PEOPLE_PER_PAGE
from organisations.models import Membership
from tests.assignment_helpers import QUIZ, assignment


def _add_people(organisation, count: int) -> None:
    users = User.objects.bulk_create(
        User(email=f"person-{i:03d}@example.com", display_name=f"Zz Person {i:03d}")
        for i in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation) for user in users
    )


@pytest.mark.parametrize(
    ("role", "url_name"), [("org_admin", "organisation:detail"), ("staff", "staff:organisation")]
)
def test_the_organisation_page_lists_its_people_a_page_at_a_time(client, world, role, url_name):
    _add_people(world.acme, PEOPLE_PER_PAGE + 5)
    client.force_login(getattr(world, role))
    url = reverse(url_name, args=[world.acme.pk])

    first = client.get(url).content.decode()
    last = client.get(url, {"pagina": "2"}).content.decode()

    assert first.count("@example.com</td>") == PEOPLE_PER_PAGE
    assert 'rel="next"' in first
    # Names sort "Zz Person ..." after the cast, so the last ones are on page two.
    assert "person-054@example.com" not in first
    assert "person-054@example.com" in last


def _extension_url(world, enrollment):
    return reverse("staff:enrollment_extension", args=[world.cohort.pk, enrollment.pk])


def test_a_refused_extension_for_staff_keeps_what_was_entered(client, world):
    client.force_login(world.staff)
    enrollment = Enrollment.objects.get(user=world.learner)
    quiz = assignment(QUIZ)
    past = timezone.localdate() - datetime.timedelta(days=3)

    response = client.post(
        _extension_url(world, enrollment),
        {"enrollment": enrollment.pk, "assignment": quiz.pk, "due_on": past.isoformat()},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{past.isoformat()}"' in body
    assert f'name="enrollment" value="{enrollment.pk}"' in body
    assert f'<option value="{quiz.pk}" selected>' in body
    # The reason, in the staff member's language (Dutch unless their profile says otherwise).
    assert "Uitstel kan niet in het verleden eindigen." in body
    assert not Extension.objects.exists()


def test_a_refused_extension_speaks_the_staff_members_language(client, world):
    world.staff.language = "en"
    world.staff.save(update_fields=["language"])
    client.force_login(world.staff)
    enrollment = Enrollment.objects.get(user=world.learner)

    response = client.post(
        _extension_url(world, enrollment),
        {"enrollment": enrollment.pk, "assignment": "", "due_on": "31-02-2027"},
    )

    body = response.content.decode()
    assert "The extension was not granted: choose an assignment and a valid date." in body
    assert 'value="31-02-2027"' in body
    assert not Extension.objects.exists()


def test_a_granted_extension_for_staff_goes_back_to_the_cohort(client, world):
    client.force_login(world.staff)
    enrollment = Enrollment.objects.get(user=world.learner)
    due = timezone.localdate() + datetime.timedelta(days=10)

    response = client.post(
        _extension_url(world, enrollment),
        {"enrollment": enrollment.pk, "assignment": assignment(QUIZ).pk, "due_on": due.isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:cohort", args=[world.cohort.pk])
    assert enrollment.extensions.get().due_on == due
