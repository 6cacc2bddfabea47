"""The final test and the completion rule, end to end: a learner who has done everything
else fails the final test, retries with other questions, passes, and the course page says
the course is complete."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assignments.models import Assignment, Grade, Submission
from assignments.services import quiz_submit, scan_submit
from cohorts.models import Enrollment
from courses.models import Lesson, LessonProgress
from tests.assignment_helpers import drawn_quiz_answers, scan_answers
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD, CohortFactory, make_learner, make_trainer

FINAL = "eindtoets"


@pytest.fixture
def almost_done(world):
    """A learner six weeks in who has done everything except the final test."""
    now = timezone.now()
    cohort = CohortFactory(
        organisation=world.acme,
        name="Acme voorjaar",
        course=world.course,
        starts_on=timezone.localdate() - datetime.timedelta(days=42),
    )
    user = make_learner(cohort, email="fenna@example.com", display_name="Fenna")
    trainer = make_trainer(cohort, email="tom@example.com", display_name="Tom")
    enrollment = Enrollment.objects.select_related("cohort__course").get(user=user)
    for lesson in Lesson.objects.filter(course=world.course, archived=False):
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson, read_at=now)
    for work in Assignment.objects.filter(course=world.course, archived=False).exclude(slug=FINAL):
        if work.is_quiz:
            answers, shown = drawn_quiz_answers(work, enrollment)
            quiz_submit(
                enrollment=enrollment, assignment=work, raw_answers=answers, now=now, shown=shown
            )
        elif work.is_scan:
            scan_submit(
                enrollment=enrollment, assignment=work, raw_answers=scan_answers(work), now=now
            )
        else:
            submission = Submission.objects.create(
                enrollment=enrollment,
                assignment=work,
                status=Submission.Status.APPROVED,
                answers={p["id"]: "Mijn antwoord." for p in work.config["prompts"]},
                submitted_at=now,
            )
            Grade.objects.create(
                submission=submission,
                trainer=trainer,
                rubric_scores={c["id"]: 2 for c in work.config["rubric"]["criteria"]},
                decision=Grade.Decision.APPROVED,
                released_at=now,
            )
    return cohort


def _answer(page, final: Assignment, *, wrong: int) -> list[str]:
    """Answer the questions the page shows: the first ``wrong`` of them wrongly."""
    shown = page.locator("input[name='_shown']").evaluate_all("els => els.map(e => e.value)")
    questions = {question["id"]: question for question in final.config["questions"]}
    for number, question_id in enumerate(shown):
        options = questions[question_id]["options"]
        chosen = (
            [next(o for o in options if not o["correct"])]
            if number < wrong
            else [o for o in options if o["correct"]]
        )
        for option in chosen:
            page.locator(f"#q-{question_id}-{option['id']}").check()
    page.get_by_role("button", name="Mijn antwoorden nakijken").click()
    return shown


def test_failing_retrying_and_passing_the_final_test_completes_the_course(
    page, world, almost_done, artefacts
):
    final = Assignment.objects.get(slug=FINAL)
    log_in(page, "fenna@example.com", PASSWORD)
    page.goto(page.base_url + f"/leren/groepen/{almost_done.pk}/")
    expect(page.get_by_text("Quizzen gehaald, de eindtoets meegerekend: 3 van 4")).to_be_visible()
    expect(page.get_by_text("Je hebt de cursus afgerond")).to_have_count(0)
    page.locator(".completion").get_by_role("link", name="Eindtoets").click()

    expect(page.locator("#quiz-draw")).to_contain_text("16 vragen")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "final-test")
    first = _answer(page, final, wrong=5)
    assert len(first) == final.config["draw"]
    expect(page.get_by_text(re.compile(r"69% goed \(grens 70%\)"))).to_be_visible()
    expect(page.get_by_text(re.compile("nog niet gehaald"))).to_be_visible()

    page.goto(page.base_url + f"/leren/groepen/{almost_done.pk}/")
    expect(page.get_by_text("Quizzen gehaald, de eindtoets meegerekend: 3 van 4")).to_be_visible()

    page.goto(page.base_url + f"/leren/groepen/{almost_done.pk}/opdrachten/{FINAL}/")
    second = _answer(page, final, wrong=0)
    assert set(second).isdisjoint(first), "a retry asks the questions not asked before"
    expect(page.get_by_text(re.compile(r"100% goed \(grens 70%\)"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"— gehaald\."))).to_be_visible()

    page.goto(page.base_url + f"/leren/groepen/{almost_done.pk}/")
    expect(page.get_by_text("Je hebt de cursus afgerond: alle onderdelen")).to_be_visible()
    expect(page.get_by_text("Je hebt deze cursus afgerond. Goed gedaan!")).to_be_visible()
    expect(page.get_by_text("Quizzen gehaald, de eindtoets meegerekend: 4 van 4")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "course-complete")
