"""What the learner's hand-ins and dashboard read: only what they show or check.

An autosave or a submit checks access and whether the module is open, then the service
takes over; the whole assignment state (every revision with its grade, deadline
overrides, extensions) is built only when a page is shown again. The dashboard's
recent feedback reads no answers, comments or assignment definitions.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.feedback import learner_feedback
from assignments.models import Submission
from assignments.services import reflection_draft, reflection_submit, submission_grade
from cohorts.models import Enrollment
from tests.assignment_helpers import (
    LOCKED,
    QUIZ,
    REFLECTION,
    assignment,
    drawn_quiz_answers,
    quiz_answers,
    words,
)

# Tables only the full assignment state reads; the service needs none of them.
STATE_ONLY_TABLES = ("assignments_grade", "assignments_extension", "cohorts_assignmentdeadline")


@pytest.fixture
def learner(client, world):
    client.force_login(world.learner)
    return client


def _tables_read(queries) -> set[str]:
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return {table for table in STATE_ONLY_TABLES if f'"{table}"' in sql}


def _draft_url(world, slug=REFLECTION, revision=1):
    return reverse("learn:assignment_draft", args=[world.cohort.pk, slug, revision])


def test_autosave_reads_no_history_grades_or_deadlines(learner, world):
    with CaptureQueriesContext(connection) as queries:
        response = learner.post(
            _draft_url(world), {"verhaal": "Eerste zin.", "version": "0"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert response["X-Draft-Version"] == "1"
    assert _tables_read(queries) == set()


def test_autosave_and_submit_read_the_assignment_and_enrolment_once(learner, world):
    draft_url = _draft_url(world)
    submit_url = reverse("learn:assignment_submit", args=[world.cohort.pk, REFLECTION])
    text = {"verhaal": words(100)}
    first = learner.post(draft_url, text | {"version": "0"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as saving:
        learner.post(draft_url, text | {"version": "1"}, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as submitting:
        response = learner.post(submit_url, text | {"version": "2", "revision": "1"})
    assert response.status_code == 302
    assert Submission.objects.get(assignment__slug=REFLECTION).status == "submitted"
    for queries in (saving, submitting):
        selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        assert sum(sql.startswith('SELECT "assignments_assignment"') for sql in selects) == 1
        assert sum(sql.startswith('SELECT "cohorts_enrollment"') for sql in selects) == 1


def test_quiz_submit_reads_no_history_grades_or_deadlines(learner, world):
    quiz = assignment(QUIZ)
    url = reverse("learn:assignment_submit", args=[world.cohort.pk, QUIZ])
    with CaptureQueriesContext(connection) as queries:
        response = learner.post(url, quiz_answers(quiz))
    assert response.status_code == 302
    assert response["Location"].endswith("?poging=1")
    assert _tables_read(queries) == set()


def test_quiz_with_a_blank_question_comes_back_with_the_next_attempts_questions(learner, world):
    quiz = assignment(QUIZ)
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    url = reverse("learn:assignment_submit", args=[world.cohort.pk, QUIZ])
    assert learner.post(url, quiz_answers(quiz, wrong=1)).status_code == 302
    answers, question_ids = drawn_quiz_answers(quiz, enrollment)
    blank = question_ids[-1]
    answers.pop(blank)
    response = learner.post(url, answers)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="q-{blank}-error">Kies een antwoord.</p>' in body
    for question_id, chosen in answers.items():
        for option_id in chosen:
            assert f'id="q-{question_id}-{option_id}" checked' in body
    assert Submission.objects.filter(enrollment=enrollment).count() == 1


def test_autosave_into_a_locked_module_is_404(learner, world):
    response = learner.post(
        _draft_url(world, LOCKED), {"verhaal": "x", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404


def test_submit_into_a_locked_module_shows_when_it_opens(learner, world):
    url = reverse("learn:assignment_submit", args=[world.cohort.pk, LOCKED])
    response = learner.post(url, {})
    assert response.status_code == 403
    assert not Submission.objects.filter(assignment__slug=LOCKED).exists()


def test_learner_feedback_leaves_answers_comments_and_definitions_unread(world):
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    submitted = reflection_submit(
        submission=draft,
        answers={"verhaal": words(100)},
        based_on=draft.version,
        now=timezone.now(),
    )
    rubric = assignment(REFLECTION).config["rubric"]
    submission_grade(
        submission=submitted,
        trainer=world.trainer,
        rubric_scores={
            criterion["id"]: min(level["points"] for level in criterion["levels"])
            for criterion in rubric["criteria"]
        },
        comment="Sterk begin.",
        decision="returned",
        now=timezone.now(),
    )
    with CaptureQueriesContext(connection) as queries:
        feedback = learner_feedback([enrollment])
    assert len(queries) == 1
    sql = queries.captured_queries[0]["sql"]
    for column in ('"config"', '"answers"', '"comment"', '"rubric_scores"', '"password"'):
        assert column not in sql
    note = feedback.recent[0]
    shown = (note.cohort_id, note.assignment_slug, note.assignment_title, note.trainer)
    assert shown == (world.cohort.pk, REFLECTION, submitted.assignment.title, "Tara")
    assert note.decision_label == "teruggegeven voor herziening"
    assert note.is_new
    assert feedback.unseen == {(enrollment.pk, submitted.assignment_id)}
