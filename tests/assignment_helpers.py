"""Building answers for the shipped course's assignments in tests."""

from assignments.models import Assignment, Submission
from assignments.selectors import quiz_next_draw

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


def drawn_quiz_answers(
    quiz: Assignment, enrollment, *, wrong: int = 0
) -> tuple[dict[str, list[str]], list[str]]:
    """Answers to exactly the questions of the enrolment's next attempt, and those ids
    (what the quiz page shows): correct, except the first ``wrong`` of them."""
    draw = quiz_next_draw(
        enrollment_id=enrollment.pk,
        assignment=quiz,
        attempts=Submission.objects.filter(enrollment=enrollment, assignment=quiz),
    )
    questions = {question["id"]: question for question in quiz.config["questions"]}
    answers = {}
    for number, question_id in enumerate(draw.question_ids):
        options = questions[question_id]["options"]
        correct = [o["id"] for o in options if o["correct"]]
        incorrect = [o["id"] for o in options if not o["correct"]]
        answers[question_id] = incorrect[:1] if number < wrong else correct
    return answers, draw.question_ids


def scan_answers(scan: Assignment, value: int = 4) -> dict[str, int]:
    return {statement["id"]: value for statement in scan.config["statements"]}


def scan_answers_at(scan: Assignment, level: int) -> dict[str, int]:
    """Answers that score every dimension exactly ``level``: ``level`` on the positive
    statements, the mirror image on the reversed ones (the same answer everywhere
    scores near the middle, by design)."""
    return {
        statement["id"]: level if statement["weight"] > 0 else 6 - level
        for statement in scan.config["statements"]
    }


def words(n: int, word: str = "klant") -> str:
    return " ".join([word] * n)
