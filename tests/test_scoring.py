"""Property-based tests of quiz grading and scan scoring."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assignments.scoring import (
    InvalidAnswers,
    dimension_scores,
    phase_for,
    quadrant_key,
    quiz_clean_answers,
    quiz_grade,
    scan_clean_answers,
    scan_result,
)

# --- Quiz ------------------------------------------------------------------------


@st.composite
def quizzes(draw):
    questions = []
    for q in range(draw(st.integers(1, 6))):
        multiple = draw(st.booleans())
        count = draw(st.integers(2, 5))
        if multiple:
            flags = draw(st.lists(st.booleans(), min_size=count, max_size=count))
            assume(any(flags))
        else:
            right = draw(st.integers(0, count - 1))
            flags = [i == right for i in range(count)]
        questions.append(
            {
                "id": f"q{q}",
                "text": "?",
                "multiple": multiple,
                "options": [
                    {"id": f"o{i}", "text": "x", "correct": flag, "feedback": "y"}
                    for i, flag in enumerate(flags)
                ],
            }
        )
    return {"pass_mark": draw(st.integers(1, 100)), "questions": questions}


def _correct(config):
    return {
        q["id"]: sorted(o["id"] for o in q["options"] if o["correct"]) for q in config["questions"]
    }


@st.composite
def quiz_and_answers(draw):
    config = draw(quizzes())
    answers = {}
    for question in config["questions"]:
        ids = [option["id"] for option in question["options"]]
        if question["multiple"]:
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        else:
            chosen = [draw(st.sampled_from(ids))]
        answers[question["id"]] = chosen
    return config, answers


@given(quiz_and_answers())
def test_quiz_score_is_a_percentage_and_pass_follows_the_mark(case):
    config, answers = case
    score, passed, results = quiz_grade(config, quiz_clean_answers(config, answers))
    assert 0 <= score <= 100
    assert passed == (score >= config["pass_mark"])
    assert len(results) == len(config["questions"])


@given(quizzes())
def test_all_correct_answers_score_100_and_pass(config):
    score, passed, results = quiz_grade(config, _correct(config))
    assert score == 100
    assert passed
    assert all(result.correct for result in results)


@given(quiz_and_answers())
def test_fixing_a_wrong_answer_never_lowers_the_score(case):
    config, answers = case
    before, _, results = quiz_grade(config, answers)
    wrong = [r.id for r in results if not r.correct]
    assume(wrong)
    fixed = answers | {wrong[0]: _correct(config)[wrong[0]]}
    after, _, _ = quiz_grade(config, fixed)
    assert after > before


@given(quizzes(), st.text(min_size=1, max_size=8))
def test_tampered_option_ids_are_refused(config, bogus):
    question = config["questions"][0]
    assume(bogus not in {option["id"] for option in question["options"]})
    answers = _correct(config) | {question["id"]: [bogus]}
    with pytest.raises(InvalidAnswers, match="unknown option"):
        quiz_clean_answers(config, answers)


def test_single_choice_question_refuses_two_answers():
    config = {
        "pass_mark": 50,
        "questions": [
            {
                "id": "q",
                "text": "?",
                "multiple": False,
                "options": [
                    {"id": "a", "text": "", "correct": True, "feedback": ""},
                    {"id": "b", "text": "", "correct": False, "feedback": ""},
                ],
            }
        ],
    }
    with pytest.raises(InvalidAnswers, match="takes one answer"):
        quiz_clean_answers(config, {"q": ["a", "b"]})
    with pytest.raises(InvalidAnswers, match="not answered"):
        quiz_clean_answers(config, {})
    with pytest.raises(InvalidAnswers, match="unknown question"):
        quiz_clean_answers(config, {"q": ["a"], "extra": ["a"]})


# --- Scan ------------------------------------------------------------------------


@st.composite
def scans(draw, model="quadrant"):
    dims = ["d1", "d2"] if model == "quadrant" else draw(st.sampled_from([["d1"], ["d1", "d2"]]))
    statements = []
    for dim in dims:
        for n in range(draw(st.integers(1, 5))):
            weight = draw(st.sampled_from([1.0, 2.0, 0.5, -1.0, -2.0]))
            statements.append({"id": f"{dim}s{n}", "text": "", "dimension": dim, "weight": weight})
    config = {
        "result_model": model,
        "dimensions": [{"id": d, "label": d} for d in dims],
        "statements": statements,
    }
    if model == "quadrant":
        config["axes"] = {"x": "d1", "y": "d2"}
    else:
        config["phases"] = [
            {"key": "onwetend", "min_score": 1},
            {"key": "klantgericht", "min_score": 2.25},
            {"key": "klantbewust", "min_score": 3.0},
            {"key": "klantbekwaam", "min_score": 3.75},
        ]
    return config


@st.composite
def scan_and_answers(draw, model="quadrant"):
    config = draw(scans(model))
    answers = {s["id"]: draw(st.integers(1, 5)) for s in config["statements"]}
    return config, answers


@given(scan_and_answers())
def test_dimension_scores_stay_on_the_scale(case):
    config, answers = case
    scores = dimension_scores(config, answers)
    assert set(scores) == {d["id"] for d in config["dimensions"]}
    assert all(1 <= value <= 5 for value in scores.values())


@given(scans())
def test_reverse_scored_items_count_the_other_way(config):
    agree = {s["id"]: 5 if s["weight"] > 0 else 1 for s in config["statements"]}
    disagree = {s["id"]: 1 if s["weight"] > 0 else 5 for s in config["statements"]}
    assert set(dimension_scores(config, agree).values()) == {5}
    assert set(dimension_scores(config, disagree).values()) == {1}


@given(scan_and_answers())
def test_quadrant_matches_the_point(case):
    config, answers = case
    result = scan_result(config, answers)
    expected = (
        ("high" if result["x"] >= 3 else "low") + "_" + ("high" if result["y"] >= 3 else "low")
    )
    assert result["outcome"] == expected == quadrant_key(result["x"], result["y"])


@given(scan_and_answers("phase"))
def test_phase_is_the_highest_reached(case):
    config, answers = case
    result = scan_result(config, answers)
    reached = [p["key"] for p in config["phases"] if result["overall"] >= p["min_score"]]
    assert result["outcome"] == reached[-1]


@given(scans("phase"), st.floats(1, 5), st.floats(1, 5))
def test_phase_rises_with_the_score(config, a, b):
    order = [p["key"] for p in config["phases"]]
    low, high = sorted((a, b))
    assert order.index(phase_for(config, low)["key"]) <= order.index(phase_for(config, high)["key"])


@given(scans(), st.sampled_from([0, 6, "x", None, 2.5]))
def test_scan_refuses_out_of_scale_answers(config, bad):
    answers = {s["id"]: 3 for s in config["statements"]}
    answers[config["statements"][0]["id"]] = bad
    with pytest.raises(InvalidAnswers, match=r"not answered|must be 1 to 5"):
        scan_clean_answers(config, answers)


def test_scan_refuses_unknown_statements():
    config = {
        "statements": [{"id": "a", "dimension": "d", "weight": 1}],
        "dimensions": [{"id": "d"}],
    }
    with pytest.raises(InvalidAnswers, match="unknown statement"):
        scan_clean_answers(config, {"a": 3, "b": 3})
