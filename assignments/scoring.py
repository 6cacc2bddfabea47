"""Grading quizzes and scoring scans: pure functions over a validated definition.

Answers arrive as submitted (option ids per question, 1–5 per statement); anything
that does not belong to the definition raises ``InvalidAnswers`` so tampered
input is refused instead of scored.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCALE = (1, 2, 3, 4, 5)
MIDPOINT = 3.0
PHASE_KEYS_ORDER = ("onwetend", "klantgericht", "klantbewust", "klantbekwaam")
# Stored on every scan result. Version 1 (results without "scoring") placed a quadrant
# axis high from the midpoint and a phase by the mean of all dimensions against
# ``min_score`` steps; such results are shown as stored and never rescored.
SCAN_SCORING_VERSION = 2
V1_HIGH_FROM = MIDPOINT


class InvalidAnswers(ValueError):
    """The answers do not fit the assignment (unknown ids, missing or out-of-range values)."""


# --- Quiz ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    id: str
    correct: bool
    chosen: tuple[str, ...]


def quiz_group_quotas(config: dict) -> dict[str, int]:
    """How many questions each group gives to an attempt of a drawn quiz, in file order.

    Largest remainder: each group gets ``draw`` × its share of the bank, rounded down;
    the seats left go to the largest remainders (the earlier group on a tie). Questions
    without a group form one group, keyed "".
    """
    sizes: dict[str, int] = {}
    for question in config["questions"]:
        group = question.get("group") or ""
        sizes[group] = sizes.get(group, 0) + 1
    draw, total = config["draw"], sum(sizes.values())
    quotas = {group: draw * size // total for group, size in sizes.items()}
    by_remainder = sorted(sizes, key=lambda group: -(draw * sizes[group] % total))
    for group in by_remainder[: draw - sum(quotas.values())]:
        quotas[group] += 1
    return quotas


def _draw_key(seed: str, question_id: str) -> str:
    return hashlib.sha256(f"{seed}\x1f{question_id}".encode()).hexdigest()


def quiz_draw(config: dict, *, seed: str, seen: Mapping[str, int]) -> list[str]:
    """The question ids of one attempt, in file order.

    Without ``draw``: every question. With it: each group's quota (``quiz_group_quotas``),
    taking the questions seen least often in earlier attempts (``seen``: id → times
    shown) and, among those, the order of a hash of (``seed``, id). The same arguments
    always give the same questions.
    """
    questions = [question["id"] for question in config["questions"]]
    if not config.get("draw"):
        return questions
    groups: dict[str, list[str]] = {}
    for question in config["questions"]:
        groups.setdefault(question.get("group") or "", []).append(question["id"])
    chosen: set[str] = set()
    for group, quota in quiz_group_quotas(config).items():
        ranked = sorted(groups[group], key=lambda qid: (seen.get(qid, 0), _draw_key(seed, qid)))
        chosen.update(ranked[:quota])
    return [question_id for question_id in questions if question_id in chosen]


def quiz_unanswered(raw: dict[str, list[str]], *, question_ids: Sequence[str]) -> list[str]:
    """Ids of the attempt's questions without any answer, in order (a person can fix these)."""
    return [question_id for question_id in question_ids if not raw.get(question_id)]


def quiz_clean_answers(
    config: dict, raw: dict[str, list[str]], *, question_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Keep only well-formed answers: every question of the attempt answered with known
    option ids. An answer to a question outside the attempt is refused, as is an id the
    quiz does not have; an empty answer elsewhere is what a form sends and is dropped."""
    questions = {question["id"]: question for question in config["questions"]}
    unknown = set(raw) - set(questions)
    if unknown:
        raise InvalidAnswers(f"unknown question(s): {sorted(unknown)}")
    outside = {question_id for question_id, chosen in raw.items() if chosen} - set(question_ids)
    if outside:
        raise InvalidAnswers(f"question(s) not in this attempt: {sorted(outside)}")
    cleaned = {}
    for question_id in question_ids:
        question = questions[question_id]
        chosen = list(dict.fromkeys(raw.get(question_id) or []))
        if not chosen:
            raise InvalidAnswers(f"question {question_id} is not answered")
        option_ids = {option["id"] for option in question["options"]}
        if not set(chosen) <= option_ids:
            raise InvalidAnswers(f"unknown option for question {question_id}")
        if not question["multiple"] and len(chosen) != 1:
            raise InvalidAnswers(f"question {question_id} takes one answer")
        cleaned[question_id] = sorted(chosen)
    return cleaned


def quiz_grade(
    config: dict, answers: dict[str, list[str]], *, question_ids: Sequence[str]
) -> tuple[float, bool, list]:
    """Score in percent (questions fully right / the attempt's questions), passed, per
    question. Ids the quiz no longer has are left out (an older attempt's review)."""
    questions = {question["id"]: question for question in config["questions"]}
    results = []
    for question_id in question_ids:
        question = questions.get(question_id)
        if question is None:
            continue
        correct_ids = {option["id"] for option in question["options"] if option["correct"]}
        chosen = tuple(answers.get(question_id, ()))
        results.append(QuestionResult(question_id, set(chosen) == correct_ids, chosen))
    score = _percent(sum(r.correct for r in results), len(results))
    return score, score >= config["pass_mark"], results


def _percent(right: int, total: int) -> float:
    return round(100 * right / total, 1) if total else 0.0


def quiz_needed(config: dict, total: int) -> int:
    """How many of ``total`` questions must be fully right to pass (as ``quiz_grade`` counts)."""
    return next(
        (right for right in range(total + 1) if _percent(right, total) >= config["pass_mark"]),
        total,
    )


# --- Scan ---------------------------------------------------------------------


def scan_clean_answers(config: dict, raw: dict[str, object]) -> dict[str, int]:
    statements = {statement["id"] for statement in config["statements"]}
    unknown = set(raw) - statements
    if unknown:
        raise InvalidAnswers(f"unknown statement(s): {sorted(unknown)}")
    cleaned = {}
    for statement_id in statements:
        value = raw.get(statement_id)
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            raise InvalidAnswers(f"statement {statement_id} is not answered") from None
        if number not in SCALE:
            raise InvalidAnswers(f"statement {statement_id} must be 1 to 5")
        cleaned[statement_id] = number
    return cleaned


def dimension_scores(config: dict, answers: dict[str, int]) -> dict[str, float]:
    """Weighted mean per dimension on the 1–5 scale; a negative weight reverses the item."""
    totals: dict[str, float] = {}
    weights: dict[str, float] = {}
    for statement in config["statements"]:
        weight = float(statement["weight"])
        value = answers[statement["id"]]
        adjusted = (6 - value) if weight < 0 else value
        totals[statement["dimension"]] = totals.get(statement["dimension"], 0.0) + adjusted * abs(
            weight
        )
        weights[statement["dimension"]] = weights.get(statement["dimension"], 0.0) + abs(weight)
    return {
        dimension["id"]: round(totals[dimension["id"]] / weights[dimension["id"]], 2)
        for dimension in config["dimensions"]
    }


def quadrant_key(x: float, y: float, high_from: float) -> str:
    return f"{'high' if x >= high_from else 'low'}_{'high' if y >= high_from else 'low'}"


def phase_key(aware: float, able: float, cutoffs: dict) -> str:
    """Aware × able, as in the four-stages model; the top asks for routine ability."""
    is_aware, is_able = aware >= cutoffs["aware"], able >= cutoffs["able"]
    if not is_aware and not is_able:
        return "onwetend"
    if is_aware and able >= cutoffs["automatic"]:
        return "klantbekwaam"
    if is_aware and is_able:
        return "klantbewust"
    return "klantgericht"


def scan_result(config: dict, answers: dict[str, int]) -> dict:
    """What is stored on the submission: the scores, what they were scored with, the outcome."""
    scores = dimension_scores(config, answers)
    if config["result_model"] == "quadrant":
        x, y = scores[config["axes"]["x"]], scores[config["axes"]["y"]]
        high_from = float(config["high_from"])
        return {
            "scoring": SCAN_SCORING_VERSION,
            "scores": scores,
            "x": x,
            "y": y,
            "high_from": high_from,
            "outcome": quadrant_key(x, y, high_from),
        }
    aware, able = scores[config["axes"]["aware"]], scores[config["axes"]["able"]]
    cutoffs = {name: float(config["cutoffs"][name]) for name in ("aware", "able", "automatic")}
    return {
        "scoring": SCAN_SCORING_VERSION,
        "scores": scores,
        "aware": aware,
        "able": able,
        "cutoffs": cutoffs,
        "outcome": phase_key(aware, able, cutoffs),
    }


# --- Stored scan results of any version --------------------------------------------


def scoring_version(result: dict) -> int:
    """The version a stored result was scored with; results from before versions are 1."""
    return int(result.get("scoring") or 1)


def result_high_from(result: dict) -> float:
    """Where a stored quadrant result's axes turn high: what it was scored with."""
    return float(result.get("high_from", V1_HIGH_FROM))


def config_high_from(config: dict) -> float:
    """Where the current definition's axes turn high (a definition from before is 3.0)."""
    return float(config.get("high_from", V1_HIGH_FROM))
