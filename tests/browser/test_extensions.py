import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from assignments.models import Extension
from tests.assignment_helpers import QUIZ, assignment
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD


def test_staff_grant_an_extension_from_a_learners_row(page, world, artefacts):
    quiz = assignment(QUIZ)
    due = timezone.localdate() + datetime.timedelta(days=10)
    log_in(page, "sara@example.com", PASSWORD)
    page.goto(page.base_url + f"/beheer/groepen/{world.cohort.pk}/")
    # One action per learner row; no list of every learner to choose from.
    expect(page.locator("select[name=enrollment]")).to_have_count(0)
    page.get_by_role("link", name="Uitstel geven Alice").click()

    # The heading's Dutch arrives with the next catalogue merge.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("(Uitstel voor|Extension for) Alice")
    )
    assert serious_violations(page) == []
    # A date in the past is refused, and the page keeps what was chosen.
    page.get_by_label("Opdracht").select_option(str(quiz.pk))
    page.get_by_label("Nieuwe inleverdatum").fill("2020-01-01")
    page.get_by_role("button", name="Uitstel geven").click()
    expect(page.locator(".message-error")).to_be_visible()
    expect(page.get_by_label("Opdracht")).to_have_value(str(quiz.pk))
    assert serious_violations(page) == []
    screenshot(page, artefacts, "staff-extension-refused")

    page.get_by_label("Nieuwe inleverdatum").fill(due.isoformat())
    page.get_by_role("button", name="Uitstel geven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme najaar")
    expect(page.locator("#extension-heading + .table-wrap")).to_contain_text(quiz.title)
    assert Extension.objects.get().due_on == due
