"""Grading in the browser: the trainer returns work, the learner revises, the trainer approves.

New interface text is found by ids, names and roles, and the learner's page by the
prompt's label (course content), so the journey holds in any language and while the
learner pages are being reworked.
"""

import re

from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from assignments.models import Grade, Submission
from assignments.services import reflection_draft, reflection_submit
from tests.assignment_helpers import REFLECTION, assignment, words
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD

SNIPPET = "Maak concreet wat de klant eigenlijk nodig had."


def _as(browser, live_server, email):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    log_in(page, email, PASSWORD)
    return page


def _submit_first_revision(world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    return reflection_submit(
        submission=draft,
        answers={"verhaal": words(60) + "\n\nDe klant was boos. " + words(30, "vraag")},
        based_on=draft.version,
        now=timezone.now(),
    )


def _choose_levels_with_the_keyboard(page, criteria, steps):
    """Tab into each radio group and move with the arrow keys, as a keyboard user does."""
    for criterion in criteria:
        first = page.locator(f"#rubric-{criterion['id']}-{criterion['levels'][0]['points']}")
        first.focus()
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowDown")
    return sum(c["levels"][min(steps, len(c["levels"]) - 1)]["points"] for c in criteria)


def test_trainer_returns_work_the_learner_revises_and_the_trainer_approves(
    browser, live_server, world, artefacts
):
    reflection = assignment(REFLECTION)
    criteria = reflection.config["rubric"]["criteria"]
    prompt_label = reflection.config["prompts"][0]["label"]
    first = _submit_first_revision(world)

    # The trainer finds the work in the queue, with the count in the navigation.
    trainer = _as(browser, live_server, "tara@example.com")
    expect(trainer).to_have_url(re.compile(r"/trainer/$"))
    expect(trainer.locator(".nav-count")).to_contain_text("1")
    expect(trainer.locator(f'tr[data-submission="{first.pk}"]')).to_be_visible()
    assert serious_violations(trainer) == []
    screenshot(trainer, artefacts, "grading-queue")

    trainer.locator(f'tr[data-submission="{first.pk}"]').get_by_role("link").click()
    expect(trainer.locator("#grading-form")).to_be_visible()
    expect(trainer.get_by_role("group", name=criteria[0]["title"])).to_be_visible()
    assert serious_violations(trainer) == []

    # Levels with the keyboard: arrow keys move the choice inside each radio group,
    # and the total follows.
    total = _choose_levels_with_the_keyboard(trainer, criteria, steps=1)
    for criterion in criteria:
        level = criterion["levels"][1]
        expect(trainer.locator(f"#rubric-{criterion['id']}-{level['points']}")).to_be_checked()
    expect(trainer.locator("#rubric-total")).to_have_text(str(total))

    # The comment bank: keep a selection, then insert it with one click.
    comment = trainer.locator("#grading-comment")
    comment.fill(SNIPPET)
    comment.evaluate("el => el.select()")
    trainer.locator("#snippet-save").click()
    snippet = trainer.locator(".snippet-text", has_text=SNIPPET)
    expect(snippet).to_be_visible()
    comment.fill("Goed begin. ")
    comment.evaluate("el => el.setSelectionRange(el.value.length, el.value.length)")
    trainer.locator(".snippet", has=snippet).locator("[data-insert-snippet]").click()
    expect(comment).to_have_value("Goed begin. " + SNIPPET)
    expect(trainer.locator("#rubric-total")).to_have_text(str(total))  # nothing else lost
    screenshot(trainer, artefacts, "grading-page")

    trainer.locator("#decision-returned").check()
    trainer.locator("#grading-save").click()
    expect(trainer.locator("#grading-form")).to_have_count(0)
    grade = Grade.objects.get(submission=first)
    assert (grade.decision, grade.comment) == ("returned", "Goed begin. " + SNIPPET)
    assert grade.rubric_scores == {c["id"]: c["levels"][1]["points"] for c in criteria}

    # The learner reads the feedback and submits a new revision.
    learner = _as(browser, live_server, "alice@example.com")
    learner.goto(f"{live_server.url}/leren/groepen/{world.cohort.pk}/opdrachten/{REFLECTION}/")
    expect(learner.get_by_text(SNIPPET).first).to_be_visible()
    answer = learner.get_by_label(prompt_label)
    answer.fill(words(60) + "\n\nDe klant wilde zijn pakket vandaag nog. " + words(30, "vraag"))
    with override("nl"):
        submit_name = gettext("Submit to your trainer")
    with learner.expect_navigation():
        learner.locator("form", has=answer).get_by_role("button", name=submit_name).click()
    second = Submission.objects.get(enrollment__user=world.learner, revision=2)
    assert second.status == Submission.Status.SUBMITTED

    # The trainer sees what changed, approves with "save and next", and the queue is empty.
    trainer.goto(live_server.url + "/trainer/")
    trainer.locator(f'tr[data-submission="{second.pk}"]').get_by_role("link").click()
    expect(trainer.locator(".diff ins").first).to_contain_text("pakket")
    expect(trainer.locator(".diff del").first).to_contain_text("boos")
    _choose_levels_with_the_keyboard(trainer, criteria, steps=2)
    trainer.locator("#decision-approved").check()
    trainer.locator("#grading-save-next").click()
    expect(trainer).to_have_url(re.compile(r"/trainer/$"))
    expect(trainer.locator("#queue-empty")).to_be_visible()
    expect(trainer.locator(".nav-count")).to_have_count(0)
    assert serious_violations(trainer) == []
    second.refresh_from_db()
    assert second.status == Submission.Status.APPROVED

    # Back on the learner's page, the approval is there.
    learner.reload()
    with override("nl"):
        approved = gettext("approved")
    expect(learner.get_by_text(re.compile(approved, re.I)).first).to_be_visible()
    assert learner.get_by_label(prompt_label).count() == 0, "approved work is not edited"
