import re

from django.template.defaultfilters import floatformat
from playwright.sync_api import expect

from assignments.models import Submission
from tests.assignment_helpers import QUIZ, REFLECTION, SCAN, assignment, words
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD


def _open(page, world, slug):
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/opdrachten/{slug}/")


def test_learner_completes_a_quiz_and_sees_feedback(page, world, artefacts):
    log_in(page, "alice@example.com", PASSWORD)
    _open(page, world, QUIZ)
    assert serious_violations(page) == []
    screenshot(page, artefacts, "quiz")
    quiz = assignment(QUIZ)
    for number, question in enumerate(quiz.config["questions"]):
        options = question["options"]
        chosen = (
            [o for o in options if o["correct"]]
            if number
            else [next(o for o in options if not o["correct"])]
        )
        for option in chosen:
            page.locator(f"#q-{question['id']}-{option['id']}").check()
    page.get_by_role("button", name="Mijn antwoorden nakijken").click()
    # One question wrong: the score is the share of the others, rounded as the page shows it.
    questions = len(quiz.config["questions"])
    score = floatformat(100 * (questions - 1) / questions, 0)
    expect(page.get_by_text(re.compile(rf"^{score}% goed"))).to_be_visible()
    expect(page.get_by_text("Niet goed", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "quiz-result")


def test_learner_does_the_kwadrant_scan_and_sees_the_chart(page, world, artefacts):
    log_in(page, "alice@example.com", PASSWORD)
    _open(page, world, SCAN)
    for statement in assignment(SCAN).config["statements"]:
        page.locator(f"label[for='s-{statement['id']}-4']").click()
    page.get_by_role("button", name="Bekijk mijn uitkomst").click()
    expect(page.locator("svg circle.chart-you")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Jouw uitkomst"))).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "scan-result")


def test_reflection_draft_survives_a_reload_and_is_submitted(page, world, artefacts):
    log_in(page, "alice@example.com", PASSWORD)
    _open(page, world, REFLECTION)
    assert serious_violations(page) == []
    field = page.get_by_role("textbox")
    field.fill("Mijn verhaal <b>begint</b> hier. " + words(10))
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen om")
    page.reload()
    expect(page.get_by_role("textbox")).to_have_value(re.compile("^Mijn verhaal <b>begint</b>"))
    screenshot(page, artefacts, "reflection-draft")

    page.get_by_role("button", name="Indienen bij je trainer").click()
    expect(page.get_by_text(re.compile("Schrijf minstens 80 woorden"))).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_value(re.compile("^Mijn verhaal"))

    page.get_by_role("textbox").fill(words(90))
    page.get_by_role("button", name="Indienen bij je trainer").click()
    expect(page.get_by_text(re.compile("^Ingediend\\."))).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    assert Submission.objects.get(assignment__slug=REFLECTION).status == "submitted"


def test_failed_save_keeps_the_text_and_restores_it_after_logging_in(page, world, artefacts):
    log_in(page, "alice@example.com", PASSWORD)
    _open(page, world, REFLECTION)
    page.get_by_role("textbox").fill("Eerste versie die bewaard is.")
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen om")
    # The session ends elsewhere (expired, logged out in another tab).
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("textbox").fill("Tekst die de server nooit zag.")
    page.get_by_role("textbox").blur()
    problem = page.locator("#save-problem")
    expect(problem).to_contain_text("je bent uitgelogd")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "reflection-save-failed")
    problem.get_by_role("link", name="Opnieuw inloggen").click()
    page.get_by_label("E-mailadres").fill("alice@example.com")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    # Back on the page, the text only this browser has is offered back, not put back unasked.
    expect(page.get_by_role("textbox")).to_have_value("Eerste versie die bewaard is.")
    restore = page.locator("#draft-messages").get_attribute("data-restore")
    page.locator("#draft-notice").get_by_role("button", name=restore).click()
    expect(page.get_by_role("textbox")).to_have_value("Tekst die de server nooit zag.")
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen om")
    answers = Submission.objects.get(assignment__slug=REFLECTION).answers
    assert answers == {"verhaal": "Tekst die de server nooit zag."}


def test_offline_save_says_so_and_keeps_the_text(page, world):
    log_in(page, "alice@example.com", PASSWORD)
    _open(page, world, REFLECTION)
    page.context.set_offline(True)
    page.get_by_role("textbox").fill("Geschreven zonder verbinding.")
    page.get_by_role("textbox").blur()
    expect(page.locator("#save-problem")).to_contain_text("geen verbinding")
    page.context.set_offline(False)
    # Back online, the page saves what was kept; after that a reload shows it from the server.
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen om")
    page.reload()
    expect(page.get_by_role("textbox")).to_have_value("Geschreven zonder verbinding.")
