"""The quiz page: what a learner sees before, during and after an attempt."""

import pytest
from django.urls import reverse

from assignments.models import Submission
from tests.assignment_helpers import QUIZ, assignment, quiz_answers


def _url(world, name="learn:assignment"):
    return reverse(name, args=[world.cohort.pk, QUIZ])


@pytest.fixture
def learner(client, world):
    client.force_login(world.learner)
    return client


def test_a_blank_question_brings_the_form_back_with_every_answer_kept(learner, world):
    quiz = assignment(QUIZ)
    answers = quiz_answers(quiz)
    blank = quiz.config["questions"][-1]["id"]
    answers.pop(blank)
    response = learner.post(_url(world, "learn:assignment_submit"), answers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 vraag heeft nog geen antwoord" in body
    assert f'<p class="field-errors" id="q-{blank}-error">Kies een antwoord.</p>' in body
    for question_id, chosen in answers.items():
        for option_id in chosen:
            assert f'id="q-{question_id}-{option_id}" checked' in body, (question_id, option_id)
    assert not Submission.objects.exists()


def test_single_choice_questions_are_required_in_the_browser_too(learner, world):
    body = learner.get(_url(world)).content.decode()
    single = next(q for q in assignment(QUIZ).config["questions"] if not q["multiple"])
    option = single["options"][0]["id"]
    assert f'id="q-{single["id"]}-{option}" required' in body


def test_before_any_attempt_the_page_says_what_is_needed_to_pass(learner, world):
    body = learner.get(_url(world)).content.decode()
    mark = assignment(QUIZ).config["pass_mark"]
    assert f"beantwoord je minstens {mark}% van de vragen helemaal goed" in body
    assert "gehaald" not in body.lower()


def test_the_choose_all_hint_appears_once_per_question(learner, world):
    body = learner.get(_url(world)).content.decode()
    multiple = [q for q in assignment(QUIZ).config["questions"] if q["multiple"]]
    assert body.count("(kies alle juiste antwoorden)") == len(multiple)
    assert "Kies alle juiste antwoorden." not in body


def test_an_incomplete_answer_says_a_correct_option_was_missed(learner, world):
    quiz = assignment(QUIZ)
    question = next(q for q in quiz.config["questions"] if q["multiple"])
    correct = [o["id"] for o in question["options"] if o["correct"]]
    assert len(correct) > 1, "the test needs a question with several right answers"
    answers = quiz_answers(quiz) | {question["id"]: correct[:1]}
    response = learner.post(_url(world, "learn:assignment_submit"), answers, follow=True)
    body = response.content.decode()
    assert "niet compleet" in body
    missed = [o for o in question["options"] if o["correct"] and o["id"] not in correct[:1]]
    for option in missed:
        assert option["text"] not in body.split('id="result-heading"')[1].split("</section>")[0], (
            "the answer key stays hidden"
        )


def test_a_wrong_choice_does_not_claim_a_missed_option(learner, world):
    quiz = assignment(QUIZ)
    response = learner.post(
        _url(world, "learn:assignment_submit"), quiz_answers(quiz, wrong=1), follow=True
    )
    body = response.content.decode()
    assert "Niet goed" in body
    assert "niet compleet" not in body
