"""What the scans claim to measure, as properties of scoring version 2.

The configurations are built here, in the shape of the shipped scans (two dimensions,
positive and reversed statements, thresholds above the midpoint), so these tests do
not depend on the course files.
"""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assignments.scoring import PHASE_KEYS_ORDER, SCAN_SCORING_VERSION, phase_key, scan_result

QUADRANTS = ("high_high", "high_low", "low_high", "low_low")
SHIPPED_CUTOFFS = {"aware": 3.5, "able": 3.5, "automatic": 4.4}
SHIPPED_HIGH_FROM = 3.75


def _config(model: str, weights: dict[str, list[float]], **thresholds) -> dict:
    config = {
        "result_model": model,
        "dimensions": [{"id": dim, "label": dim} for dim in weights],
        "statements": [
            {"id": f"{dim}{n}", "text": "", "dimension": dim, "weight": weight}
            for dim, dim_weights in weights.items()
            for n, weight in enumerate(dim_weights)
        ],
    }
    if model == "quadrant":
        return config | {"axes": {"x": "wat", "y": "hoe"}, "high_from": thresholds["high_from"]}
    return config | {
        "axes": {"aware": "bewust", "able": "bekwaam"},
        "cutoffs": thresholds["cutoffs"],
        "phases": [{"key": key, "title": key, "explanation": ""} for key in PHASE_KEYS_ORDER],
    }


def _dims(model: str) -> tuple[str, str]:
    return ("wat", "hoe") if model == "quadrant" else ("bewust", "bekwaam")


# Anywhere above the midpoint, up to the top of the scale.
thresholds = st.floats(3.01, 5.0)
able_thresholds = st.floats(3.01, 4.9)  # room left for "automatic" above it


@st.composite
def cutoffs(draw, aware=thresholds, able=able_thresholds, automatic_from=None):
    able_value = draw(able)
    lowest = max(able_value + 0.01, automatic_from or 0)
    return {"aware": draw(aware), "able": able_value, "automatic": draw(st.floats(lowest, 5.0))}


@st.composite
def any_scans(draw, model=None):
    """Any valid definition: each dimension has positive and reversed statements with
    any weights, and thresholds anywhere above the midpoint."""
    model = model or draw(st.sampled_from(["quadrant", "phase"]))
    weight = st.sampled_from([0.5, 1.0, 2.0, 3.0])
    either_way = st.one_of(weight, weight.map(lambda w: -w))
    weights = {
        dim: [draw(weight), -draw(weight), *draw(st.lists(either_way, max_size=4))]
        for dim in _dims(model)
    }
    if model == "quadrant":
        return _config(model, weights, high_from=draw(thresholds))
    return _config(model, weights, cutoffs=draw(cutoffs()))


@st.composite
def shipped_style_scans(draw, model=None):
    """As the course writes them: 4 to 6 statements per dimension, weight 1 or -1, at
    least a third of them each way; thresholds from the shipped ones upwards."""
    model = model or draw(st.sampled_from(["quadrant", "phase"]))
    weights = {}
    for dim in _dims(model):
        count = draw(st.integers(4, 6))
        third = math.ceil(count / 3)
        reversed_count = draw(st.integers(third, count - third))
        weights[dim] = draw(
            st.permutations([1.0] * (count - reversed_count) + [-1.0] * reversed_count)
        )
    if model == "quadrant":
        return _config(model, weights, high_from=draw(st.floats(SHIPPED_HIGH_FROM, 5.0)))
    shipped_or_more = cutoffs(
        aware=st.floats(SHIPPED_CUTOFFS["aware"], 5.0),
        able=st.floats(SHIPPED_CUTOFFS["able"], 4.3),
        automatic_from=SHIPPED_CUTOFFS["automatic"],
    )
    return _config(model, weights, cutoffs=draw(shipped_or_more))


@st.composite
def scans_with_answers(draw, scans=any_scans):
    """Answers spread over the whole range of each dimension: a person leans one way
    per dimension (a level from 1 to 5) and answers around it."""
    config = draw(scans())
    levels = {d["id"]: draw(st.integers(1, 5)) for d in config["dimensions"]}
    answers = {}
    for statement in config["statements"]:
        answer = min(5, max(1, levels[statement["dimension"]] + draw(st.integers(-2, 2))))
        answers[statement["id"]] = answer if statement["weight"] > 0 else 6 - answer
    return config, answers


def _rank(result: dict) -> int:
    return PHASE_KEYS_ORDER.index(result["outcome"])


def _axes_high(result: dict) -> tuple[bool, bool]:
    x, y = result["outcome"].split("_")
    return x == "high", y == "high"


def _at_level(config: dict, levels: dict[str, int]) -> dict[str, int]:
    """Answers that give each dimension exactly its level: agree with the positive
    statements as much as the level says, and the other way with reversed ones."""
    return {
        s["id"]: levels[s["dimension"]] if s["weight"] > 0 else 6 - levels[s["dimension"]]
        for s in config["statements"]
    }


# --- Neutral and constant answers ------------------------------------------------------


@given(any_scans())
def test_neutral_answers_are_never_high_nor_klantbekwaam(config):
    result = scan_result(config, {s["id"]: 3 for s in config["statements"]})
    assert result["outcome"] not in {"high_high", "klantbekwaam"}
    # A 3 is the middle of every dimension, below every threshold.
    assert result["outcome"] in {"low_low", "onwetend"}


@given(shipped_style_scans(), st.integers(1, 5))
def test_giving_every_statement_the_same_answer_never_reaches_the_top(config, answer):
    result = scan_result(config, {s["id"]: answer for s in config["statements"]})
    assert result["outcome"] not in {"high_high", "klantbekwaam"}


# --- Monotone: agreeing more with what a dimension measures never lowers it --------------


def _moves_towards(statement: dict, answer: int) -> range:
    """Every other answer that agrees more with what the statement's dimension measures."""
    return range(answer + 1, 6) if statement["weight"] > 0 else range(1, answer)


@given(scans_with_answers())
def test_moving_an_answer_towards_a_dimension_never_moves_the_result_down(case):
    config, answers = case
    before = scan_result(config, answers)
    for statement in config["statements"]:
        for answer in _moves_towards(statement, answers[statement["id"]]):
            after = scan_result(config, answers | {statement["id"]: answer})
            if config["result_model"] == "phase":
                assert _rank(after) >= _rank(before), (statement["id"], answer)
            else:
                for was_high, is_high in zip(_axes_high(before), _axes_high(after), strict=True):
                    assert is_high or not was_high, (statement["id"], answer)


GRID = [1 + step / 20 for step in range(81)]  # 1.00 to 5.00 in steps of 0.05


@settings(max_examples=25)
@given(cutoffs())
@example(SHIPPED_CUTOFFS)
def test_the_phase_never_drops_as_awareness_or_ability_rises(cuts):
    for fixed in GRID:
        by_able = [PHASE_KEYS_ORDER.index(phase_key(fixed, able, cuts)) for able in GRID]
        by_aware = [PHASE_KEYS_ORDER.index(phase_key(aware, fixed, cuts)) for aware in GRID]
        assert by_able == sorted(by_able), fixed
        assert by_aware == sorted(by_aware), fixed


# --- Every outcome can be reached ------------------------------------------------------

PHASE_LEVELS = {
    "onwetend": {"bewust": 1, "bekwaam": 1},
    "klantgericht": {"bewust": 5, "bekwaam": 1},
    "klantbewust": {"bewust": 5, "bekwaam": 4},
    "klantbekwaam": {"bewust": 5, "bekwaam": 5},
}
QUADRANT_LEVELS = {
    "high_high": {"wat": 5, "hoe": 5},
    "high_low": {"wat": 5, "hoe": 1},
    "low_high": {"wat": 1, "hoe": 5},
    "low_low": {"wat": 1, "hoe": 1},
}


def test_the_levels_cover_every_outcome():
    assert set(PHASE_LEVELS) == set(PHASE_KEYS_ORDER)
    assert set(QUADRANT_LEVELS) == set(QUADRANTS)


@pytest.mark.parametrize("phase", PHASE_KEYS_ORDER)
@given(data=st.data())
def test_every_phase_can_be_reached(phase, data):
    config = data.draw(shipped_style_scans("phase"))
    config["cutoffs"] = dict(SHIPPED_CUTOFFS)
    assert scan_result(config, _at_level(config, PHASE_LEVELS[phase]))["outcome"] == phase


@pytest.mark.parametrize("quadrant", QUADRANTS)
@given(data=st.data())
def test_every_quadrant_can_be_reached(quadrant, data):
    config = data.draw(shipped_style_scans("quadrant"))
    assert scan_result(config, _at_level(config, QUADRANT_LEVELS[quadrant]))["outcome"] == quadrant


# --- What is stored --------------------------------------------------------------------


@given(scans_with_answers())
def test_every_result_says_it_was_scored_by_version_2_and_with_what(case):
    config, answers = case
    result = scan_result(config, answers)
    assert result["scoring"] == SCAN_SCORING_VERSION == 2
    assert "overall" not in result
    if config["result_model"] == "quadrant":
        assert result["high_from"] == config["high_from"]
        assert result["outcome"] in QUADRANTS
    else:
        assert result["cutoffs"] == config["cutoffs"]
        assert result["outcome"] in PHASE_KEYS_ORDER
