from django.utils import timezone
from playwright.sync_api import expect

from assignments.services import quiz_submit, scan_submit
from cohorts.models import Enrollment
from tests.assignment_helpers import PRE, QUIZ, SCAN, assignment, quiz_answers, scan_answers
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD, make_learner


def _cohort_with_results(world, now):
    """Alice with some work and six more learners with both first scans done, so every
    chart has enough results to show."""
    alice = Enrollment.objects.select_related("cohort").get(user=world.learner)
    quiz = assignment(QUIZ)
    quiz_submit(enrollment=alice, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)
    for number in range(6):
        learner = make_learner(world.cohort, display_name=f"Deelnemer {number}")
        enrollment = Enrollment.objects.select_related("cohort").get(user=learner)
        for slug in (SCAN, PRE):
            scan = assignment(slug)
            scan_submit(
                enrollment=enrollment,
                assignment=scan,
                raw_answers=scan_answers(scan, 1 + number % 5),
                now=now,
            )


def test_trainer_follows_the_cohort_and_opens_a_learner(page, world, artefacts):
    _cohort_with_results(world, timezone.now())
    log_in(page, "tara@example.com", PASSWORD)
    page.goto(page.base_url + f"/trainer/groepen/{world.cohort.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme najaar")
    expect(page.locator("svg[role=img]")).to_have_count(3)
    assert serious_violations(page) == []
    screenshot(page, artefacts, "trainer-cohort-overview")

    # By id, not by label: the labels' Dutch arrives with the next catalogue merge.
    page.locator("#sort").select_option("-progress")
    page.locator(".overview-filter button").click()
    rows = page.locator("table.matrix tbody th a")
    # The six with two scans (7 %) come before Alice with one quiz (4 %).
    expect(rows.first).to_have_text("Deelnemer 0")
    expect(rows.last).to_have_text("Alice")

    rows.last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "trainer-learner")
