"""Property-based tests of quiz grading and scan scoring."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assignments.charts import (
    DOT_LARGE,
    DOT_SMALL,
    _x,
    _y,
    quadrant_chart,
    quadrant_lines,
    result_dots,
)
from assignments.definitions import QUADRANT_KEYS
from assignments.scoring import (
    PHASE_KEYS_ORDER,
    SCAN_SCORING_VERSION,
    InvalidAnswers,
    dimension_scores,
    phase_key,
    quiz_clean_answers,
    quiz_grade,
    scan_clean_answers,
    scan_result,
    scoring_version,
)
from dashboards.charts import cohort_quadrant_chart

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


def _all(config):
    return [q["id"] for q in config["questions"]]


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
    ids = _all(config)
    score, passed, results = quiz_grade(
        config, quiz_clean_answers(config, answers, question_ids=ids), question_ids=ids
    )
    assert 0 <= score <= 100
    assert passed == (score >= config["pass_mark"])
    assert len(results) == len(config["questions"])


@given(quizzes())
def test_all_correct_answers_score_100_and_pass(config):
    score, passed, results = quiz_grade(config, _correct(config), question_ids=_all(config))
    assert score == 100
    assert passed
    assert all(result.correct for result in results)


@given(quiz_and_answers())
def test_fixing_a_wrong_answer_never_lowers_the_score(case):
    config, answers = case
    before, _, results = quiz_grade(config, answers, question_ids=_all(config))
    wrong = [r.id for r in results if not r.correct]
    assume(wrong)
    fixed = answers | {wrong[0]: _correct(config)[wrong[0]]}
    after, _, _ = quiz_grade(config, fixed, question_ids=_all(config))
    assert after > before


@given(quizzes(), st.text(min_size=1, max_size=8))
def test_tampered_option_ids_are_refused(config, bogus):
    question = config["questions"][0]
    assume(bogus not in {option["id"] for option in question["options"]})
    answers = _correct(config) | {question["id"]: [bogus]}
    with pytest.raises(InvalidAnswers, match="unknown option"):
        quiz_clean_answers(config, answers, question_ids=_all(config))


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
        quiz_clean_answers(config, {"q": ["a", "b"]}, question_ids=["q"])
    with pytest.raises(InvalidAnswers, match="not answered"):
        quiz_clean_answers(config, {}, question_ids=["q"])
    with pytest.raises(InvalidAnswers, match="unknown question"):
        quiz_clean_answers(config, {"q": ["a"], "extra": ["a"]}, question_ids=["q"])


# --- Scan ------------------------------------------------------------------------

HIGH_FROM = 3.75
CUTOFFS = {"aware": 3.5, "able": 3.5, "automatic": 4.4}


@st.composite
def scans(draw, model="quadrant"):
    """A scan with two dimensions, each with positive and reversed statements."""
    statements = []
    for dim in ("d1", "d2"):
        weights = [draw(st.sampled_from([1.0, 2.0, 0.5])), draw(st.sampled_from([-1.0, -2.0]))]
        weights += draw(st.lists(st.sampled_from([1.0, 2.0, 0.5, -1.0, -2.0]), max_size=3))
        for n, weight in enumerate(weights):
            statements.append({"id": f"{dim}s{n}", "text": "", "dimension": dim, "weight": weight})
    config = {
        "result_model": model,
        "dimensions": [{"id": d, "label": d} for d in ("d1", "d2")],
        "statements": statements,
    }
    if model == "quadrant":
        config |= {"axes": {"x": "d1", "y": "d2"}, "high_from": HIGH_FROM}
    else:
        config |= {"axes": {"aware": "d1", "able": "d2"}, "cutoffs": dict(CUTOFFS)}
        config["phases"] = [{"key": key, "title": key} for key in PHASE_KEYS_ORDER]
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
def test_quadrant_is_high_from_the_threshold_not_the_midpoint(case):
    config, answers = case
    result = scan_result(config, answers)
    expected = ("high" if result["x"] >= HIGH_FROM else "low") + "_"
    expected += "high" if result["y"] >= HIGH_FROM else "low"
    assert result["outcome"] == expected
    assert (result["scoring"], result["high_from"]) == (SCAN_SCORING_VERSION, HIGH_FROM)
    assert "overall" not in result


@given(scan_and_answers("phase"))
def test_phase_follows_aware_and_able_scored_apart(case):
    config, answers = case
    result = scan_result(config, answers)
    scores = dimension_scores(config, answers)
    assert (result["aware"], result["able"]) == (scores["d1"], scores["d2"])
    assert result["outcome"] == phase_key(result["aware"], result["able"], CUTOFFS)
    assert (result["scoring"], result["cutoffs"]) == (SCAN_SCORING_VERSION, CUTOFFS)
    assert "overall" not in result


@pytest.mark.parametrize(
    ("aware", "able", "phase"),
    [
        (1.0, 1.0, "onwetend"),
        (3.49, 3.49, "onwetend"),
        (3.5, 3.49, "klantgericht"),  # sees it, does not do it yet
        (3.49, 5.0, "klantgericht"),  # does it, without seeing why
        (5.0, 1.0, "klantgericht"),
        (3.5, 3.5, "klantbewust"),
        (5.0, 4.39, "klantbewust"),
        (3.5, 4.4, "klantbekwaam"),
        (3.49, 4.4, "klantgericht"),  # routine without awareness is not the top
    ],
)
def test_phase_mapping_aware_by_able(aware, able, phase):
    assert phase_key(aware, able, CUTOFFS) == phase


def test_a_stored_result_says_what_it_was_scored_with():
    config = {
        "result_model": "phase",
        "dimensions": [{"id": "bewust"}, {"id": "bekwaam"}],
        "statements": [
            {"id": "a", "dimension": "bewust", "weight": 1},
            {"id": "b", "dimension": "bewust", "weight": -1},
            {"id": "c", "dimension": "bekwaam", "weight": 1},
            {"id": "d", "dimension": "bekwaam", "weight": -1},
        ],
        "axes": {"aware": "bewust", "able": "bekwaam"},
        "cutoffs": CUTOFFS,
    }
    assert scan_result(config, {"a": 5, "b": 2, "c": 4, "d": 3}) == {
        "scoring": 2,
        "scores": {"bewust": 4.5, "bekwaam": 3.5},
        "aware": 4.5,
        "able": 3.5,
        "cutoffs": CUTOFFS,
        "outcome": "klantbewust",
    }


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


# --- First-edition results: shown as stored ------------------------------------------

QUADRANT_CONFIG = {
    "result_model": "quadrant",
    "dimensions": [{"id": "wat", "label": "Wat"}, {"id": "hoe", "label": "Hoe"}],
    "axes": {"x": "wat", "y": "hoe"},
    "high_from": HIGH_FROM,
    "quadrants": {key: {"title": key, "explanation": ""} for key in QUADRANT_KEYS},
}
# As stored before scoring versions: high from 3, no "scoring".
V1_QUADRANT = {"scores": {"wat": 3.2, "hoe": 3.4}, "x": 3.2, "y": 3.4, "outcome": "high_high"}
V2_QUADRANT = {"scoring": 2, "x": 3.2, "y": 3.4, "high_from": 3.75, "outcome": "low_low"}


def test_a_result_without_scoring_is_version_1():
    assert scoring_version(V1_QUADRANT) == 1
    assert scoring_version(V2_QUADRANT) == 2


def test_a_first_edition_chart_draws_its_lines_at_the_midpoint():
    old = quadrant_chart(QUADRANT_CONFIG, V1_QUADRANT, None)
    new = quadrant_chart(QUADRANT_CONFIG, V2_QUADRANT, None)
    assert (old["high_from"], new["high_from"]) == (3.0, 3.75)
    assert old["mid"] == old["centre"]
    assert new["mid"].x > old["mid"].x
    assert new["mid"].y < old["mid"].y
    # The point is where its scores are; which letter is current is the stored outcome.
    assert old["you"] == new["you"]
    assert [label["key"] for label in old["labels"] if label["current"]] == ["high_high"]
    assert [label["key"] for label in new["labels"] if label["current"]] == ["low_low"]


def test_the_cohort_chart_counts_stored_outcomes_at_todays_lines():
    chart = cohort_quadrant_chart(QUADRANT_CONFIG, [V1_QUADRANT, V2_QUADRANT, V2_QUADRANT])
    counts = {label["title"]: label["count"] for label in chart["labels"]}
    assert counts == {"high_high": 1, "high_low": 0, "low_high": 0, "low_low": 2}
    assert chart["high_from"] == 3.75
    assert chart["first_edition"] == 1
    first_edition_config = {k: v for k, v in QUADRANT_CONFIG.items() if k != "high_from"}
    old = cohort_quadrant_chart(first_edition_config, [V1_QUADRANT])
    assert (old["high_from"], old["first_edition"]) == (3.0, 0)


def test_cohort_dots_count_every_result_and_stay_on_their_side_of_the_line():
    # Every score of two decimals on the grid, a result on each: 401 × 401 results.
    values = [round(1 + i / 100, 2) for i in range(401)]
    results = [{"x": x, "y": y} for x in values[::7] for y in values[::7]]
    for high_from in (3.0, 3.75, 3.4):
        dots = result_dots(results, high_from=high_from)
        assert sum(dot.count for dot in dots) == len(results)
        assert len(dots) <= 18 * 18
        line = quadrant_lines(high_from)
        for dot in dots:
            # Each dot lies strictly on one side of both lines, inside the plot.
            assert dot.x != line.x
            assert dot.y != line.y
            assert _x(1) <= dot.x <= _x(5)
            assert _y(5) <= dot.y <= _y(1)
        # A result at the line counts as high, like its quadrant: its dot is right of it.
        (dot,) = result_dots([{"x": high_from, "y": high_from}], high_from=high_from)
        assert (dot.x > line.x, dot.y < line.y) == (True, True)


def test_cohort_dots_grow_with_their_count():
    results = [{"x": 2.0, "y": 2.0}] * 9 + [{"x": 4.5, "y": 4.5}]
    alone, crowded = sorted(result_dots(results, high_from=3.75), key=lambda dot: dot.count)
    assert (alone.count, crowded.count) == (1, 9)
    assert (alone.r, crowded.r) == (DOT_SMALL, DOT_LARGE)
    assert [dot.r for dot in result_dots(results[:1], high_from=3.75)] == [DOT_SMALL]
