"""Reading what an assignment page posts, per kind. Checking it is the services' job."""

from django.http import QueryDict

from assignments.models import Assignment
from assignments.scoring import InvalidAnswers

FORM_FIELDS = {"csrfmiddlewaretoken", "revision", "version"}
# The question ids a quiz page showed; a leading "_" is never a question id.
QUIZ_SHOWN = "_shown"


def _refuse_unknown(data: QueryDict, known: set[str]) -> None:
    unknown = set(data) - known - FORM_FIELDS
    if unknown:
        raise InvalidAnswers(f"unknown field(s): {sorted(unknown)}")


def quiz_answers_from(data: QueryDict, assignment: Assignment) -> dict[str, list[str]]:
    """Chosen option ids per question (an empty list for a question left open)."""
    ids = [question["id"] for question in assignment.config["questions"]]
    _refuse_unknown(data, set(ids) | {QUIZ_SHOWN})
    return {question_id: data.getlist(question_id) for question_id in ids}


def quiz_shown_from(data: QueryDict) -> list[str] | None:
    """The question ids the page showed, in order (None from a form without them)."""
    return data.getlist(QUIZ_SHOWN) if QUIZ_SHOWN in data else None


def scan_answers_from(data: QueryDict, assignment: Assignment) -> dict[str, str]:
    ids = {statement["id"] for statement in assignment.config["statements"]}
    _refuse_unknown(data, ids)
    return {key: value for key, value in data.items() if key in ids}


def reflection_answers_from(data: QueryDict, assignment: Assignment) -> dict[str, str]:
    """The text of every prompt; a prompt missing from the form counts as empty."""
    ids = [prompt["id"] for prompt in assignment.config["prompts"]]
    _refuse_unknown(data, set(ids))
    return {prompt_id: data.get(prompt_id, "") for prompt_id in ids}


def positive_int(data: QueryDict, name: str) -> int | None:
    value = data.get(name, "")
    # isascii: isdigit() also accepts digits int() refuses, such as "²".
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
