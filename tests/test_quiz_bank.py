"""A quiz drawn from a bank: each attempt takes ``draw`` questions evenly over the groups.

The draw is a pure function (``quiz_draw``); an attempt's draw is fixed between the
page and the submit, stored with the attempt, and a retry gets the questions seen least.
"""

import re
from collections import Counter
from types import SimpleNamespace

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.models import Assignment, Grade, Submission
from assignments.scoring import InvalidAnswers, quiz_draw, quiz_group_quotas
from assignments.selectors import quiz_next_draw
from assignments.services import AssignmentError, QuizDrawChanged, quiz_submit
from courses.content_files import read_course_folder
from courses.services import course_import
from tests.assignment_helpers import drawn_quiz_answers
from tests.course_files import write_assignment, write_course
from tests.factories import CohortFactory, make_learner

GROUPS = ("fasen", "driehoek", "dimensies", "praktijk")
DRAW_CHANGED = (
    "Not checked: an attempt at this quiz was handed in from another window "
    "after you opened this page, so this attempt has other questions now. "
    "Your answers to questions that are still in it are kept below; answer "
    "the others and check again."
)


def _question(question_id: str, group: str | None) -> dict:
    question = {
        "id": question_id,
        "text": f"Vraag {question_id}?",
        "options": [
            {"id": "a", "text": "Goed", "correct": True, "feedback": "Ja, want."},
            {"id": "b", "text": "Fout", "correct": False, "feedback": "Nee, want."},
        ],
    }
    if group:
        question["group"] = group
    return question


def bank_yaml(*, sizes=(8, 8, 8, 8), draw=16, pass_mark=70, max_attempts=None, **extra) -> str:
    """A quiz of ``sizes`` questions per group (ids ``<group>-<n>``), ``draw`` per attempt."""
    questions = [
        _question(f"{group}-{n}", group)
        for group, size in zip(GROUPS, sizes, strict=False)
        for n in range(1, size + 1)
    ]
    quiz = {
        "kind": "quiz",
        "title": "Eindtoets",
        "due_offset_days": 5,
        "pass_mark": pass_mark,
        "draw": draw,
        "questions": questions,
    } | extra
    if max_attempts:
        quiz["max_attempts"] = max_attempts
    return yaml.safe_dump(quiz, allow_unicode=True, sort_keys=False)


def _config(sizes, draw) -> dict:
    return yaml.safe_load(bank_yaml(sizes=sizes, draw=draw))


def _group(question_id: str) -> str:
    return question_id.rsplit("-", 1)[0]


# --- The draw: a pure function --------------------------------------------------------


def test_without_draw_every_question_comes_in_file_order():
    config = _config((3, 2), 5)
    del config["draw"]
    ids = [question["id"] for question in config["questions"]]
    assert quiz_draw(config, seed="x", seen={}) == ids


def test_the_same_seed_and_history_give_the_same_draw():
    config = _config((8, 8, 8, 8), 16)
    seen = {"fasen-1": 1, "driehoek-3": 2}
    first = quiz_draw(config, seed="7:3:2", seen=seen)
    assert quiz_draw(config, seed="7:3:2", seen=dict(seen)) == first
    others = {tuple(quiz_draw(config, seed=f"7:3:{n}", seen={})) for n in range(1, 6)}
    assert len(others) > 1, "another seed draws other questions"


def test_the_draw_comes_back_in_file_order():
    config = _config((8, 8, 8, 8), 16)
    ids = [question["id"] for question in config["questions"]]
    drawn = quiz_draw(config, seed="1:1:1", seen={})
    assert drawn == sorted(drawn, key=ids.index)


@pytest.mark.parametrize(
    ("sizes", "draw", "quotas"),
    [
        ((8, 8, 8, 8), 16, [4, 4, 4, 4]),
        # 5 × 5/10 = 2.5, 5 × 3/10 = 1.5, 5 × 2/10 = 1: the seat left goes to the first .5
        ((5, 3, 2), 5, [3, 1, 1]),
        # 7 × 10/14 = 5, 7 × 3/14 = 1.5, 7 × 1/14 = 0.5: the seat left goes to the 1.5
        ((10, 3, 1), 7, [5, 2, 0]),
        ((4, 4), 8, [4, 4]),
    ],
)
def test_each_group_gives_its_largest_remainder_share(sizes, draw, quotas):
    config = _config(sizes, draw)
    assert list(quiz_group_quotas(config).values()) == quotas
    drawn = quiz_draw(config, seed="s", seen={})
    per_group = Counter(_group(question_id) for question_id in drawn)
    assert [per_group.get(group, 0) for group in GROUPS[: len(sizes)]] == quotas


def test_questions_seen_least_are_drawn_first():
    config = _config((8, 8, 8, 8), 16)
    first = quiz_draw(config, seed="1:1:1", seen={})
    second = quiz_draw(config, seed="1:1:2", seen=dict.fromkeys(first, 1))
    assert not set(first) & set(second)
    # Everything seen once: the seen-twice questions wait.
    seen = dict.fromkeys(first, 2) | dict.fromkeys(second, 1)
    assert set(quiz_draw(config, seed="1:1:3", seen=seen)) == set(second)


# --- The definition ---------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    return write_course(tmp_path)


def _problems(folder, text) -> list[str]:
    write_assignment(folder, "eindtoets", text)
    return [str(problem) for problem in read_course_folder(folder)[1]]


def test_draw_and_groups_are_stored_with_the_quiz(db, folder):
    write_assignment(folder, "eindtoets", bank_yaml())
    course_import(folder=folder)
    config = Assignment.objects.get(slug="eindtoets").config
    assert config["draw"] == 16
    assert [q["group"] for q in config["questions"][::8]] == list(GROUPS)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"draw": 33}, r"eindtoets\.yaml:\d+: draw must be 32 or less"),
        ({"draw": 0}, r"eindtoets\.yaml:\d+: draw must be 1 or more"),
        # 3 × 1/32 rounds to no question for the smallest group.
        (
            {"sizes": (30, 1, 1), "draw": 3},
            r"eindtoets\.yaml:\d+: group 'dimensies' gets no question in an attempt of 3",
        ),
    ],
)
def test_a_draw_that_cannot_be_taken_evenly_is_refused(folder, kwargs, expected):
    problems = _problems(folder, bank_yaml(**kwargs))
    assert any(re.match("module-1/" + expected, p) for p in problems), problems


def test_with_draw_every_question_names_a_group_or_none_does(folder):
    text = bank_yaml(sizes=(2, 2), draw=2).replace("  group: driehoek\n", "")
    problems = _problems(folder, text)
    assert any("without a group: driehoek-1, driehoek-2" in p for p in problems), problems
    ungrouped = re.sub(r"  group: \w+\n", "", bank_yaml(sizes=(2, 2), draw=2))
    assert _problems(folder, ungrouped) == []


def test_a_group_is_an_id(folder):
    text = bank_yaml(sizes=(2, 2), draw=2).replace("group: fasen", "group: De Fasen")
    assert any("group 'De Fasen' may only hold" in p for p in _problems(folder, text))


# --- Attempts -------------------------------------------------------------------------------

NOW = timezone.now()


@pytest.fixture
def quiz_world(db, folder):
    write_assignment(folder, "eindtoets", bank_yaml(max_attempts=4))
    course = course_import(folder=folder).course
    cohort = CohortFactory(course=course)
    learner = make_learner(cohort, display_name="Alice")
    return cohort, learner, learner.enrollments.select_related("cohort").get()


def _quiz():
    return Assignment.objects.get(slug="eindtoets")


def _submit(enrollment, *, wrong=0):
    answers, shown = drawn_quiz_answers(_quiz(), enrollment, wrong=wrong)
    return quiz_submit(
        enrollment=enrollment, assignment=_quiz(), raw_answers=answers, now=NOW, shown=shown
    )


def test_an_attempt_stores_its_draw_and_is_scored_on_it_alone(quiz_world):
    _cohort, _learner, enrollment = quiz_world
    attempt = _submit(enrollment, wrong=4)
    assert len(attempt.result["questions"]) == 16
    assert set(attempt.answers) == set(attempt.result["questions"])
    assert attempt.score == 75.0  # 12 of the 16 drawn, not 12 of the 32 in the bank
    assert attempt.passed


def test_a_retry_gets_questions_it_has_not_seen(quiz_world):
    _cohort, _learner, enrollment = quiz_world
    first = _submit(enrollment, wrong=8)
    second = _submit(enrollment)
    assert not set(first.result["questions"]) & set(second.result["questions"])
    per_group = Counter(_group(q) for q in second.result["questions"])
    assert per_group == dict.fromkeys(GROUPS, 4)


def test_the_draw_belongs_to_the_learner_and_the_attempt(quiz_world):
    cohort, _learner, enrollment = quiz_world
    other = make_learner(cohort).enrollments.get()
    mine = quiz_next_draw(enrollment_id=enrollment.pk, assignment=_quiz(), attempts=[])
    theirs = quiz_next_draw(enrollment_id=other.pk, assignment=_quiz(), attempts=[])
    assert mine.question_ids != theirs.question_ids
    assert mine == quiz_next_draw(enrollment_id=enrollment.pk, assignment=_quiz(), attempts=[])


def test_an_answer_to_a_question_outside_the_draw_is_refused(quiz_world):
    _cohort, _learner, enrollment = quiz_world
    answers, shown = drawn_quiz_answers(_quiz(), enrollment)
    outside = next(q["id"] for q in _quiz().config["questions"] if q["id"] not in shown)
    with pytest.raises(InvalidAnswers, match="not in this attempt"):
        quiz_submit(
            enrollment=enrollment,
            assignment=_quiz(),
            raw_answers=answers | {outside: ["a"]},
            now=NOW,
            shown=shown,
        )
    assert not Submission.objects.exists()


def test_a_question_of_the_draw_left_open_is_named(quiz_world):
    _cohort, _learner, enrollment = quiz_world
    answers, shown = drawn_quiz_answers(_quiz(), enrollment)
    answers[shown[3]] = []
    with pytest.raises(AssignmentError, match="1") as caught:
        quiz_submit(
            enrollment=enrollment, assignment=_quiz(), raw_answers=answers, now=NOW, shown=shown
        )
    assert set(caught.value.field_messages) == {shown[3]}
    assert not Submission.objects.exists()


def test_a_page_with_an_older_draw_is_refused_and_nothing_stored(quiz_world):
    _cohort, _learner, enrollment = quiz_world
    answers, shown = drawn_quiz_answers(_quiz(), enrollment)
    _submit(enrollment)  # the other tab
    with pytest.raises(QuizDrawChanged, match=re.escape(_(DRAW_CHANGED))):
        quiz_submit(
            enrollment=enrollment, assignment=_quiz(), raw_answers=answers, now=NOW, shown=shown
        )
    assert Submission.objects.count() == 1


def test_the_attempt_limit_still_counts(quiz_world):
    _cohort, _learner, enrollment = quiz_world
    for _attempt in range(4):
        _submit(enrollment, wrong=16)
    with pytest.raises(AssignmentError, match="4"):
        _submit(enrollment)
    assert Submission.objects.count() == 4


def test_the_best_attempt_counts(quiz_world):
    from learning.progress import course_state

    _cohort, _learner, enrollment = quiz_world
    _submit(enrollment, wrong=16)
    _submit(enrollment)
    _submit(enrollment, wrong=10)
    state = course_state(enrollment, now=timezone.now()).assignment_state(_quiz())
    assert (state.best_score, state.is_done) == (100.0, True)


# --- The quiz page --------------------------------------------------------------------------


@pytest.fixture
def page(client, quiz_world):
    cohort, learner, enrollment = quiz_world
    client.force_login(learner)
    return SimpleNamespace(
        client=client,
        url=reverse("learn:assignment", args=[cohort.pk, "eindtoets"]),
        submit_url=reverse("learn:assignment_submit", args=[cohort.pk, "eindtoets"]),
        enrollment=enrollment,
    )


def _shown(body: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="_shown" value="([^"]+)">', body)


def _legends(body: str) -> list[str]:
    return re.findall(r'<input type="(?:radio|checkbox)" name="([^"]+)" value="a"', body)


def test_the_page_shows_the_attempts_questions_and_says_how_the_draw_works(page):
    client, url, enrollment = page.client, page.url, page.enrollment
    body = client.get(url).content.decode()
    draw = quiz_next_draw(enrollment_id=enrollment.pk, assignment=_quiz(), attempts=[])
    assert _shown(body) == draw.question_ids
    assert _legends(body) == draw.question_ids
    note = re.search(r'<p class="meta" id="quiz-draw">(.*?)</p>', body, re.S).group(1)
    assert re.findall(r"\d+", note) == ["16", "32", "12"]  # 12 of 16 fully right passes 70%
    assert _("If you try again, you get other questions.") in note
    assert "70%" in body


def test_a_quiz_without_draw_says_nothing_about_a_bank(client, db, folder):
    write_assignment(folder, "toets", bank_yaml(sizes=(2, 2), draw=2).replace("draw: 2\n", ""))
    cohort = CohortFactory(course=course_import(folder=folder).course)
    client.force_login(make_learner(cohort))
    body = client.get(reverse("learn:assignment", args=[cohort.pk, "toets"])).content.decode()
    assert 'id="quiz-draw"' not in body
    assert len(_shown(body)) == 4


def test_what_the_page_showed_is_what_is_graded(page):
    client, url = page.client, page.url
    shown = _shown(client.get(url).content.decode())
    answers = {question_id: ["a"] for question_id in shown}
    response = client.post(page.submit_url, answers | {"_shown": shown})
    assert response.status_code == 302
    attempt = Submission.objects.get()
    assert attempt.result["questions"] == shown
    assert attempt.score == 100.0


def test_after_another_tab_submitted_the_form_comes_back_with_the_choices_kept(page, folder):
    # A small bank, so the next attempt shares questions with the page's draw.
    write_assignment(folder, "eindtoets", bank_yaml(sizes=(3, 3), draw=4))
    course_import(folder=folder)
    client, url, enrollment = page.client, page.url, page.enrollment
    shown = _shown(client.get(url).content.decode())
    _submit(enrollment)  # another tab hands in attempt 1 meanwhile
    answers = {question_id: ["b"] for question_id in shown}
    response = client.post(page.submit_url, answers | {"_shown": shown})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<p class="form-errors" role="alert">{_(DRAW_CHANGED)}</p>' in body
    now_shown = _shown(body)
    assert now_shown != shown
    assert set(now_shown) & set(shown), "the test needs questions in both draws"
    for question_id in now_shown:
        checked = f'id="q-{question_id}-b" checked' in body
        assert checked == (question_id in shown), question_id
    assert Submission.objects.count() == 1


def test_a_tampered_answer_outside_the_draw_is_a_bad_request(page):
    client, url = page.client, page.url
    shown = _shown(client.get(url).content.decode())
    outside = next(q["id"] for q in _quiz().config["questions"] if q["id"] not in shown)
    answers = {question_id: ["a"] for question_id in [*shown, outside]}
    response = client.post(page.submit_url, answers | {"_shown": shown})
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_the_review_shows_the_attempts_own_questions(page):
    client, url, enrollment = page.client, page.url, page.enrollment
    attempt = _submit(enrollment, wrong=2)
    body = client.get(url + f"?poging={attempt.revision}").content.decode()
    review = body.split('id="result-heading"')[1].split("</section>")[0]
    reviewed = re.findall(r"Vraag ([\w-]+)\?", review)
    assert reviewed == attempt.result["questions"]
    assert 'id="earlier-version"' not in body


def test_the_page_keeps_its_query_count_as_attempts_grow(page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, url, enrollment = page.client, page.url, page.enrollment
    _submit(enrollment)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _submit(enrollment, wrong=3)
    _submit(enrollment, wrong=5)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few) == len(more)


# --- Attempts from before the draw was stored -----------------------------------------------


def test_an_older_attempt_shows_the_questions_it_answered(page, folder):
    client, url, enrollment = page.client, page.url, page.enrollment
    quiz = _quiz()
    old = Submission.objects.create(
        enrollment=enrollment,
        assignment=quiz,
        revision=1,
        status=Submission.Status.SUBMITTED,
        answers={"fasen-1": ["a"], "driehoek-2": ["b"]},
        score=50.0,
        passed=False,
        submitted_at=NOW,
    )
    body = client.get(url + "?poging=1").content.decode()
    review = body.split('id="result-heading"')[1].split("</section>")[0]
    assert re.findall(r"Vraag ([\w-]+)\?", review) == ["fasen-1", "driehoek-2"]
    assert 'id="earlier-version"' not in body
    # The questions it was seen with count for the next draw.
    draw = quiz_next_draw(enrollment_id=enrollment.pk, assignment=quiz, attempts=[old])
    assert draw.attempt == 2
    assert not {"fasen-1", "driehoek-2"} & set(draw.question_ids)


def test_questions_that_left_the_quiz_are_not_shown_and_the_score_stands(page, folder):
    client, url, enrollment = page.client, page.url, page.enrollment
    attempt = _submit(enrollment, wrong=1)
    gone = attempt.result["questions"][0]
    assert gone.startswith("fasen-")
    kept = bank_yaml(max_attempts=4).replace(f"- id: {gone}\n", "- id: nieuw-1\n")
    write_assignment(folder, "eindtoets", kept)
    course_import(folder=folder)
    body = client.get(url + f"?poging={attempt.revision}").content.decode()
    review = body.split('id="result-heading"')[1].split("</section>")[0]
    reviewed = re.findall(r"Vraag ([\w-]+)\?", review)
    assert reviewed == attempt.result["questions"][1:]
    assert 'id="earlier-version"' in body
    assert "94%" in review  # 15 of 16 as scored then, not rescored on what is left


# --- The demo ---------------------------------------------------------------------------------

DEMO_REFLECTION = """kind: reflection
title: Reflectie
due_offset_days: 6
prompts:
  - {id: verhaal, label: Vertel, min_words: 30, max_words: 120}
rubric:
  pass_level: 2
  criteria:
    - id: situatie
      title: Situatie
      levels:
        - {points: 0, title: Ontbreekt, description: a}
        - {points: 1, title: Beperkt, description: b}
        - {points: 2, title: Voldoende, description: c}
        - {points: 3, title: Sterk, description: d}
    - id: aanpak
      title: Aanpak
      levels:
        - {points: 0, title: Ontbreekt, description: a}
        - {points: 1, title: Beperkt, description: b}
        - {points: 2, title: Voldoende, description: c}
        - {points: 3, title: Sterk, description: d}
"""


def test_the_demo_answers_each_attempts_draw_and_approves_at_the_pass_level(
    db, folder, monkeypatch
):
    from demo import seed

    write_assignment(folder, "eindtoets", bank_yaml())
    write_assignment(folder, "reflectie", DEMO_REFLECTION)
    monkeypatch.setattr(seed, "COURSE_FOLDER", folder)
    seed.seed_demo()
    attempts = Submission.objects.filter(assignment__slug="eindtoets")
    assert attempts.exists()
    for attempt in attempts:
        assert len(attempt.result["questions"]) == 16
        assert set(attempt.answers) == set(attempt.result["questions"])
        assert attempt.passed
    assert attempts.filter(score__lt=100).exists(), "some learners miss a question"
    approved = Grade.objects.filter(decision=Grade.Decision.APPROVED)
    returned = Grade.objects.filter(decision=Grade.Decision.RETURNED)
    assert approved.exists()
    assert returned.exists()
    for grade in approved:
        assert min(grade.rubric_scores.values()) >= 2, grade.rubric_scores
    for grade in returned:
        assert min(grade.rubric_scores.values()) < 2, grade.rubric_scores
