"""The learner's course page: the baseline scan first, and the completion rule part by part."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.services import scan_submit
from cohorts.models import Enrollment
from tests.assignment_helpers import PRE, assignment, scan_answers

FIRST_LESSON = "wat-je-biedt-en-hoe-je-het-brengt"


@pytest.fixture
def learner_client(client, world):
    client.force_login(world.learner)
    return client


def _course_page(client, world) -> str:
    return client.get(reverse("learn:cohort", args=[world.cohort.pk])).content.decode()


def test_the_baseline_scan_is_the_first_step_before_any_lesson(learner_client, world):
    body = _course_page(learner_client, world)
    scan_url = reverse("learn:assignment", args=[world.cohort.pk, PRE])
    assert "Begin met de nulmeting" in body
    assert f'class="button" href="{scan_url}"' in body
    dashboard = learner_client.get(reverse("learn:home")).content.decode()
    assert f'class="button" href="{scan_url}"' in dashboard

    enrollment = Enrollment.objects.get(user=world.learner)
    pre = assignment(PRE)
    scan_submit(
        enrollment=enrollment, assignment=pre, raw_answers=scan_answers(pre), now=timezone.now()
    )
    body = _course_page(learner_client, world)
    assert "Begin met de nulmeting" not in body
    lesson_url = reverse("learn:lesson", args=[world.cohort.pk, FIRST_LESSON])
    assert f'class="button" href="{lesson_url}"' in body


def test_the_course_page_lists_what_completion_still_needs(learner_client, world):
    body = _course_page(learner_client, world)
    assert "De cursus afronden" in body
    assert "Lessen gelezen: 0 van 16" in body
    assert "Quizzen gehaald, de eindtoets meegerekend: 0 van 4" in body
    assert "Scans ingevuld: 0 van 3" in body
    assert "Reflecties goedgekeurd door je trainer: 0 van 6" in body
    # Open work links to itself; work in a locked module says when it opens.
    quiz_url = reverse("learn:assignment", args=[world.cohort.pk, "quiz-twee-dimensies"])
    assert f'href="{quiz_url}"' in body
    final_url = reverse("learn:assignment", args=[world.cohort.pk, "eindtoets"])
    assert f'href="{final_url}"' not in body
    assert "Eindtoets" in body
    assert "gehaald vanaf 70%" in body
    assert "Je hebt de cursus afgerond" not in body


def test_a_scan_done_moves_its_line(learner_client, world):
    enrollment = Enrollment.objects.get(user=world.learner)
    pre = assignment(PRE)
    scan_submit(
        enrollment=enrollment, assignment=pre, raw_answers=scan_answers(pre), now=timezone.now()
    )
    body = _course_page(learner_client, world)
    assert "Scans ingevuld: 1 van 3" in body
    pre_url = reverse("learn:assignment", args=[world.cohort.pk, PRE])
    assert f'<a href="{pre_url}">' not in body.split("De cursus afronden")[1]
