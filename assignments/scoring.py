"""Grading quizzes and scoring scans: pure functions over a validated definition.

Answers arrive as submitted (option ids per question, 1–5 per statement); anything
that does not belong to the definition raises ``InvalidAnswers`` so tampered
input is refused instead of scored.
"""

from dataclasses import dataclass

SCALE = (1, 2, 3, 4, 5)
MIDPOINT = 3.0
PHASE_KEYS_ORDER = ("onwetend", "klantgericht", "klantbewust", "klantbekwaam")


class InvalidAnswers(ValueError):
    """The answers do not fit the assignment (unknown ids, missing or out-of-range values)."""


# --- Quiz ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    id: str
    correct: bool
    chosen: tuple[str, ...]


def quiz_unanswered(config: dict, raw: dict[str, list[str]]) -> list[str]:
    """Ids of the questions without any answer, in order (a person can fix these)."""
    return [question["id"] for question in config["questions"] if not raw.get(question["id"])]


def quiz_clean_answers(config: dict, raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep only well-formed answers: every question answered with known option ids."""
    questions = {question["id"]: question for question in config["questions"]}
    unknown = set(raw) - set(questions)
    if unknown:
        raise InvalidAnswers(f"unknown question(s): {sorted(unknown)}")
    cleaned = {}
    for question_id, question in questions.items():
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


def quiz_grade(config: dict, answers: dict[str, list[str]]) -> tuple[float, bool, list]:
    """Score in percent (questions fully right / all questions), passed, per question."""
    results = []
    for question in config["questions"]:
        correct_ids = {option["id"] for option in question["options"] if option["correct"]}
        chosen = tuple(answers.get(question["id"], ()))
        results.append(QuestionResult(question["id"], set(chosen) == correct_ids, chosen))
    total = len(results)
    score = round(100 * sum(r.correct for r in results) / total, 1) if total else 0.0
    return score, score >= config["pass_mark"], results


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


def quadrant_key(x: float, y: float) -> str:
    return f"{'high' if x >= MIDPOINT else 'low'}_{'high' if y >= MIDPOINT else 'low'}"


def phase_for(config: dict, score: float) -> dict:
    """The highest phase whose minimum the score reaches (the first starts at 1)."""
    chosen = config["phases"][0]
    for phase in config["phases"]:
        if score >= phase["min_score"]:
            chosen = phase
    return chosen


def scan_result(config: dict, answers: dict[str, int]) -> dict:
    """What is stored on the submission: dimension scores and the outcome."""
    scores = dimension_scores(config, answers)
    if config["result_model"] == "quadrant":
        x, y = scores[config["axes"]["x"]], scores[config["axes"]["y"]]
        return {"scores": scores, "x": x, "y": y, "outcome": quadrant_key(x, y)}
    overall = round(sum(scores.values()) / len(scores), 2)
    return {"scores": scores, "overall": overall, "outcome": phase_for(config, overall)["key"]}
