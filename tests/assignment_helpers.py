"""Building answers for the shipped course's assignments in tests."""

from assignments.models import Assignment

QUIZ = "quiz-twee-dimensies"
SCAN = "kwadrant-scan"
REFLECTION = "reflectie-vriendelijk-maar-niet-geholpen"
PRE = "fasescan-voor"
POST = "fasescan-na"
LOCKED = "driehoek-case"


def assignment(slug: str) -> Assignment:
    return Assignment.objects.get(slug=slug)


def quiz_answers(quiz: Assignment, *, wrong: int = 0) -> dict[str, list[str]]:
    """Correct answers, except the first ``wrong`` questions."""
    answers = {}
    for number, question in enumerate(quiz.config["questions"]):
        correct = [o["id"] for o in question["options"] if o["correct"]]
        incorrect = [o["id"] for o in question["options"] if not o["correct"]]
        answers[question["id"]] = incorrect[:1] if number < wrong else correct
    return answers


def scan_answers(scan: Assignment, value: int = 4) -> dict[str, int]:
    return {statement["id"]: value for statement in scan.config["statements"]}


def words(n: int, word: str = "klant") -> str:
    return " ".join([word] * n)
