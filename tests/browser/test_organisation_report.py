"""HR follows a cohort: the report with statuses, a filter, aggregates, no one's text."""

from django.utils import timezone
from playwright.sync_api import expect

from assignments.services import reflection_draft, reflection_submit, scan_submit
from cohorts.models import Enrollment
from tests.assignment_helpers import PRE, REFLECTION, SCAN, assignment, scan_answers, words
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD, make_learner

SECRET = "Geheimereflectietekst"


def _cohort_with_results(world, now):
    """Alice with a reflection handed in, six more learners with both first scans, and
    Nora who has not started."""
    alice = Enrollment.objects.select_related("cohort").get(user=world.learner)
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=alice, assignment=reflection)
    reflection_submit(
        submission=draft,
        answers={p["id"]: f"{SECRET} {words(100)}" for p in reflection.config["prompts"]},
        based_on=draft.version,
        now=now,
    )
    make_learner(world.cohort, display_name="Nora")
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


def test_org_admin_reads_the_cohort_report(page, world, artefacts):
    _cohort_with_results(world, timezone.now())
    log_in(page, "olga@example.com", PASSWORD)
    page.goto(page.base_url + "/organisatie/")
    page.get_by_role("link", name="Acme najaar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme najaar")
    expect(page.locator("table.report-table tbody tr")).to_have_count(8)
    # Scans as counts only: the phase bars and the kwadrant 2x2, no dots.
    expect(page.locator("svg[role=img]")).to_have_count(2)
    expect(page.locator("svg circle")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(SECRET)
    assert serious_violations(page) == []
    screenshot(page, artefacts, "organisation-cohort-report")

    # By id, not by label: the labels' Dutch arrives with the next catalogue merge.
    page.locator("#status").select_option("not_started")
    page.locator(".overview-filter button").click()
    expect(page.locator("table.report-table tbody th")).to_have_text(["Nora"])
    assert serious_violations(page) == []

    page.goto(page.base_url + f"/organisatie/{world.acme.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    assert serious_violations(page) == []
