import re

from playwright.sync_api import expect

from courses.models import Lesson
from tests.assignment_helpers import PRE, assignment
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD


def test_learner_reads_a_lesson_and_sees_progress_rise(page, world, artefacts):
    # Progress counts lessons read and assignments done alike.
    lessons = Lesson.objects.filter(
        module__course=world.course, archived=False, module__archived=False
    ).count()
    items = lessons + world.course.assignments.filter(archived=False).count()
    log_in(page, "alice@example.com", PASSWORD)
    expect(page).to_have_url(re.compile(r"/leren/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn leertraject")
    expect(page.get_by_text("Voortgang: 0%")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "learner-dashboard")

    # The baseline scan comes first, before the first lesson.
    expect(page.get_by_role("link", name=re.compile("^Ga verder"))).to_have_count(0)
    page.get_by_role("link", name=re.compile("^Begin met de nulmeting")).click()
    baseline = assignment(PRE)
    expect(page.get_by_role("heading", level=1)).to_have_text(baseline.title)
    for statement in baseline.config["statements"]:
        page.locator(f"label[for='s-{statement['id']}-4']").click()
    page.get_by_role("button", name="Bekijk mijn uitkomst").click()
    expect(page.get_by_role("heading", name=re.compile("Jouw uitkomst"))).to_be_visible()

    page.get_by_role("link", name="Mijn leertraject").first.click()
    expect(page.get_by_text(f"Voortgang: {round(100 / items)}%")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Begin met de nulmeting"))).to_have_count(0)
    page.get_by_role("link", name=re.compile("^Ga verder")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat je biedt en hoe je het brengt")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "lesson")

    page.get_by_role("button", name="Gelezen").click()
    expect(page.get_by_text("Gemarkeerd als gelezen.")).to_be_visible()
    expect(page.get_by_text(f"Voortgang: {round(200 / items)}%")).to_be_visible()

    page.get_by_role("link", name="Mijn leertraject").first.click()
    expect(page.get_by_text(f"Voortgang: {round(200 / items)}%")).to_be_visible()

    page.get_by_role("link", name="Klantgericht of klantvriendelijk?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Klantgericht of klantvriendelijk?")
    expect(page.get_by_text("Gelezen", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "module")


def test_locked_module_refuses_with_its_opening_date(page, world, artefacts):
    log_in(page, "alice@example.com", PASSWORD)
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/modules/de-klantendriehoek/")
    expect(page.get_by_text(re.compile("Deze module opent op"))).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "locked-module")


def test_course_page_and_language_switch(page, world, artefacts):
    log_in(page, "alice@example.com", PASSWORD)
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Van klantgericht naar klantbekwaam")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "course")
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Wisselen").click()
    expect(page.get_by_role("link", name="My learning path").first).to_be_visible()
    page.goto(page.base_url + "/leren/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning path")


def test_login_page_is_accessible_and_keyboard_usable(page, world, artefacts):
    page.goto(page.base_url + "/accounts/login/")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_wrong_password_shows_a_message(page, world):
    log_in(page, "alice@example.com", "niet-het-wachtwoord")
    expect(page.get_by_text(re.compile("niet correct"))).to_be_visible()


def test_each_role_start_page_is_accessible(browser, live_server, world, artefacts):
    for email, path, name in [
        ("tara@example.com", "/trainer/", "trainer-home"),
        ("olga@example.com", "/organisatie/", "orgadmin-home"),
        ("sara@example.com", "/beheer/", "staff-home"),
        ("nina@example.com", "/welkom/", "welcome"),
    ]:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.base_url = live_server.url
        log_in(page, email, PASSWORD)
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        assert serious_violations(page) == [], email
        screenshot(page, artefacts, name)
        context.close()


def test_trainer_cohort_page_is_accessible(page, world, artefacts):
    log_in(page, "tara@example.com", PASSWORD)
    page.get_by_role("link", name="Groepen").click()
    page.get_by_role("link", name="Acme najaar").click()
    expect(page.get_by_role("link", name="Alice")).to_be_visible()
    preview = page.get_by_role("link", name="Lees de cursus zoals je deelnemers hem zien")
    expect(preview).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "trainer-cohort")
