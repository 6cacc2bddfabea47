"""Revising a returned reflection with the feedback in view, replying, and the preview."""

import re

from playwright.sync_api import expect

from assignments.models import Grade, SubmissionMessage
from tests.assignment_helpers import QUIZ, REFLECTION
from tests.browser.conftest import screenshot, serious_violations
from tests.factories import PASSWORD
from tests.test_feedback import _grade, _hand_in

SAVED = re.compile(r"\d{1,2}:\d{2}")


def _log_in(page, email):
    page.goto(page.base_url + "/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_learner_revises_beside_the_feedback_and_replies(page, world, artefacts):
    _grade(world, _hand_in(world.learner), "returned")
    _log_in(page, "alice@example.com")
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/opdrachten/{REFLECTION}/")
    feedback = page.locator(".revise-feedback")
    editor = page.locator(".revise-editor")
    expect(feedback).to_contain_text("concreter")
    # Side by side on a wide screen: the feedback on the left, level with the editor.
    feedback_box, editor_box = feedback.bounding_box(), editor.bounding_box()
    assert feedback_box["x"] + feedback_box["width"] <= editor_box["x"]
    assert abs(feedback_box["y"] - editor_box["y"]) < 5
    assert serious_violations(page) == []
    screenshot(page, artefacts, "reflection-revise")
    page.set_viewport_size({"width": 390, "height": 900})
    assert (
        feedback.bounding_box()["y"] + feedback.bounding_box()["height"]
        <= (editor.bounding_box()["y"])
    ), "stacked on a phone: the feedback first"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert Grade.objects.get().seen_at is not None

    # The editor still saves as before.
    page.locator("#f-verhaal").fill("Nieuwe versie met een concrete actie.")
    expect(page.locator("#save-status")).to_contain_text(SAVED)

    reply = page.locator(".thread textarea")
    reply.fill("Bedoel je een actie voor morgen?")
    page.locator(".thread").get_by_role("button").click()
    page.wait_for_load_state("load")
    expect(page.locator(".thread-message.from-learner")).to_contain_text("voor morgen?")
    expect(page.locator("#f-verhaal")).to_have_value("Nieuwe versie met een concrete actie.")
    assert SubmissionMessage.objects.get().text == "Bedoel je een actie voor morgen?"
    assert serious_violations(page) == []


def test_trainer_reads_the_quiz_in_the_preview(page, world, artefacts):
    _log_in(page, "tara@example.com")
    page.goto(page.base_url + f"/leren/voorbeeld/{world.cohort.pk}/")
    expect(page.locator(".preview-notice")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "preview-course")
    page.goto(page.base_url + f"/leren/voorbeeld/{world.cohort.pk}/opdrachten/{QUIZ}/")
    expect(page.locator(".preview-options .is-correct").first).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "preview-quiz")
