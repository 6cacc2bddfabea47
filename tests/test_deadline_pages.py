"""Deadlines as the learner sees them: overdue, late, and one clock for every page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.services import quiz_submit
from cohorts.models import Cohort, Enrollment
from tests.assignment_helpers import QUIZ, SCAN, assignment, quiz_answers


@pytest.fixture
def learner(client, world):
    client.force_login(world.learner)
    return client


def test_an_overdue_assignment_page_shows_the_overdue_badge(learner, world):
    # The cohort started a week ago; the kwadrant-scan was due after five days.
    body = learner.get(reverse("learn:assignment", args=[world.cohort.pk, SCAN])).content.decode()
    assert 'class="badge badge-overdue"' in body
    assert "Te laat sinds" in body


def test_an_assignment_not_yet_due_shows_its_due_date_without_the_badge(learner, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(starts_on=timezone.localdate())
    body = learner.get(reverse("learn:assignment", args=[world.cohort.pk, SCAN])).content.decode()
    assert "badge-overdue" not in body
    assert "Inleveren" in body or "Uiterlijk" in body


def test_work_handed_in_after_the_deadline_is_marked_late(learner, world):
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    quiz = assignment(QUIZ)
    due_on = world.cohort.starts_on + datetime.timedelta(days=quiz.due_offset_days)
    if due_on >= timezone.localdate():
        # Not due yet (the quiz is due on day 7, today): start a month earlier, the
        # cohort and the learner's personal start (which the deadlines follow) alike.
        earlier = world.cohort.starts_on - datetime.timedelta(days=30)
        Cohort.objects.filter(pk=world.cohort.pk).update(starts_on=earlier)
        Enrollment.objects.filter(pk=enrollment.pk).update(starts_on=earlier)
        enrollment = Enrollment.objects.select_related("cohort").get(pk=enrollment.pk)
    quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=timezone.now()
    )
    body = learner.get(reverse("learn:assignment", args=[world.cohort.pk, QUIZ])).content.decode()
    assert "Te laat ingeleverd" in body
    assert "badge-overdue" not in body


def test_work_handed_in_on_time_is_not_marked_late(learner, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(starts_on=timezone.localdate())
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    quiz = assignment(QUIZ)
    quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=timezone.now()
    )
    body = learner.get(reverse("learn:assignment", args=[world.cohort.pk, QUIZ])).content.decode()
    assert "Te laat ingeleverd" not in body
