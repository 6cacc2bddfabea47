"""Findings of a security review of the recently added pages, each pinned by a test."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.models import Grade
from assignments.services import reflection_draft, reflection_submit
from tests.assignment_helpers import REFLECTION, assignment, words

# A character str.isdigit() accepts and int() refuses (SUPERSCRIPT TWO).
NOT_AN_ASCII_DIGIT = "\u00b2"


def _submitted(world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    work = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=work)
    answers = {prompt["id"]: words(100) for prompt in work.config["prompts"]}
    return reflection_submit(
        submission=draft, answers=answers, based_on=draft.version, now=timezone.now()
    )


# --- Numbers from forms and query strings: a digit that is not 0-9 is no 500 ---------


def test_grading_queue_filter_with_a_non_ascii_digit_is_ignored(client, world):
    client.force_login(world.trainer)
    response = client.get(reverse("trainer:home"), {"cohort": NOT_AN_ASCII_DIGIT})
    assert response.status_code == 200


def test_grading_a_rubric_level_that_is_a_non_ascii_digit_is_refused(client, world):
    submission = _submitted(world)
    client.force_login(world.trainer)
    criteria = submission.assignment.config["rubric"]["criteria"]
    form = {f"rubric-{c['id']}": NOT_AN_ASCII_DIGIT for c in criteria}
    form |= {"comment": "Goed.", "decision": Grade.Decision.APPROVED}
    response = client.post(reverse("trainer:grade", args=[submission.pk]), form)
    assert response.status_code == 200
    assert not Grade.objects.filter(submission=submission).exists()


def test_autosave_with_a_non_ascii_digit_as_version_is_a_bad_request(client, world):
    client.force_login(world.learner)
    url = reverse("learn:assignment_draft", args=[world.cohort.pk, REFLECTION, 1])
    response = client.post(url, {"version": NOT_AN_ASCII_DIGIT})
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["revision", "version"])
def test_submit_with_a_non_ascii_digit_is_no_server_error(client, world, field):
    client.force_login(world.learner)
    url = reverse("learn:assignment_submit", args=[world.cohort.pk, REFLECTION])
    form = {"revision": "1", "version": "0", field: NOT_AN_ASCII_DIGIT}
    response = client.post(url, form)
    assert response.status_code < 500


# --- Staff's look-up by email: an address longer than any address is no 500 ----------


def test_staff_lookup_by_an_overlong_email_finds_nobody(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("staff:privacy"), {"email": "a" * 100_000 + "@example.com"})
    assert response.status_code == 200
    assert response.context["found"] is not None
    assert list(response.context["found"]) == []
