"""Reflection drafts in the browser: stale text never overwrites newer text, nothing is lost.

Messages are read from the page (the #draft-messages data attributes, the server's
answer) rather than spelled out here, so the journeys hold in any language.
"""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assignments.models import Submission
from assignments.services import draft_save
from tests.assignment_helpers import REFLECTION, words
from tests.browser.conftest import screenshot, serious_violations
from tests.factories import PASSWORD

SAVED = re.compile(r"\d{1,2}:\d{2}")  # "Saved at 14:05", in whatever language


def _log_in(page):
    page.goto(page.base_url + "/accounts/login/")
    page.locator("#id_login").fill("alice@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _open(page, world):
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/opdrachten/{REFLECTION}/")
    page.wait_for_load_state("load")


def _message(page, name):
    return page.locator("#draft-messages").get_attribute(f"data-{name}")


def _browser_copy(page):
    key = page.locator("form[data-draft-key]").get_attribute("data-draft-key")
    return json.loads(page.evaluate("key => localStorage.getItem(key) || 'null'", key))


def _new_tab(page):
    tab = page.context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = page.base_url
    return tab


def _draft_posts(page):
    """Every autosave request the page sends, counted as it leaves."""
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url)
            if request.method == "POST" and "/concept/" in request.url
            else None
        ),
    )
    return sent


def _write_and_save(page, text):
    page.get_by_role("textbox").fill(text)
    page.get_by_role("textbox").blur()
    expect(page.locator("#save-status")).to_contain_text(SAVED)


def _stored_text():
    return Submission.objects.get(assignment__slug=REFLECTION).answers.get("verhaal")


def test_a_tab_opened_before_a_save_elsewhere_is_refused_and_keeps_its_text(page, world):
    _log_in(page)
    tab_b = page
    _open(tab_b, world)
    tab_a = _new_tab(page)
    _open(tab_a, world)
    _write_and_save(tab_a, "Nieuwe tekst uit venster A.")

    posts = _draft_posts(tab_b)
    with tab_b.expect_response(lambda r: "/concept/" in r.url) as answer:
        tab_b.get_by_role("textbox").fill("Oudere tekst uit venster B.")
        tab_b.get_by_role("textbox").blur()
    refusal = answer.value
    assert refusal.status == 409
    assert refusal.headers["x-draft-refused"] == "stale"
    problem = tab_b.locator("#save-problem")
    expect(problem).to_be_visible()
    expect(problem).to_have_text(refusal.text().strip())
    expect(tab_b.get_by_role("textbox")).to_have_value("Oudere tekst uit venster B.")
    assert _browser_copy(tab_b)["fields"] == {"verhaal": "Oudere tekst uit venster B."}
    assert _stored_text() == "Nieuwe tekst uit venster A."

    # Refused for good: typing on keeps the browser copy but no longer asks the server.
    tab_b.get_by_role("textbox").press_sequentially(" Nog meer.")
    tab_b.get_by_role("textbox").blur()
    tab_b.wait_for_timeout(1800)
    assert len(posts) == 1
    assert _browser_copy(tab_b)["fields"] == {"verhaal": "Oudere tekst uit venster B. Nog meer."}
    assert _stored_text() == "Nieuwe tekst uit venster A."


def test_leaving_a_field_without_changing_it_sends_nothing(page, world):
    _log_in(page)
    _open(page, world)
    posts = _draft_posts(page)
    field = page.get_by_role("textbox")
    field.focus()
    field.blur()
    page.wait_for_timeout(500)
    assert posts == [], "an empty, untouched field must not be saved as ''"
    assert not Submission.objects.exists()

    _write_and_save(page, "Opgeslagen tekst.")
    assert len(posts) == 1
    field.focus()
    field.blur()
    page.wait_for_timeout(500)
    assert len(posts) == 1, "text the server already has is not sent again"
    assert Submission.objects.get().version == 1


def _go_offline_and_write(page, text):
    """Text written without a connection, in a tab then closed; the connection comes back."""
    page.context.set_offline(True)
    page.get_by_role("textbox").fill(text)
    page.get_by_role("textbox").blur()
    expect(page.locator("#save-problem")).to_have_text(_message(page, "offline"))
    tab = _new_tab(page)
    page.close()
    tab.context.set_offline(False)
    return tab


def test_text_written_offline_is_offered_back_and_saved_when_confirmed(page, world, artefacts):
    _log_in(page)
    _open(page, world)
    _write_and_save(page, "Eerste versie.")
    page = _go_offline_and_write(page, "Geschreven zonder verbinding.")

    _open(page, world)
    notice = page.locator("#draft-notice")
    expect(notice).to_contain_text(_message(page, "offer-restore"))
    # Offered, not put back silently: the field still shows the stored text.
    expect(page.get_by_role("textbox")).to_have_value("Eerste versie.")
    assert _stored_text() == "Eerste versie."
    assert serious_violations(page) == []
    screenshot(page, artefacts, "reflection-offer-restore")

    restore = notice.get_by_role("button", name=_message(page, "restore"))
    restore.focus()
    page.keyboard.press("Enter")
    expect(notice).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_value("Geschreven zonder verbinding.")
    expect(page.get_by_role("textbox")).to_be_focused()
    expect(page.locator("#save-status")).to_contain_text(SAVED)
    assert _stored_text() == "Geschreven zonder verbinding."
    assert Submission.objects.get().version == 2
    assert _browser_copy(page) is None


def test_text_written_offline_is_saved_when_the_connection_is_back(page, world):
    _log_in(page)
    _open(page, world)
    page.context.set_offline(True)
    page.get_by_role("textbox").fill("Geschreven in de trein.")
    page.get_by_role("textbox").blur()
    expect(page.locator("#save-problem")).to_have_text(_message(page, "offline"))
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text(SAVED)
    expect(page.locator("#save-problem")).to_be_hidden()
    assert _stored_text() == "Geschreven in de trein."


def test_a_copy_of_older_text_is_shown_read_only_not_put_back(page, world, artefacts):
    _log_in(page)
    _open(page, world)
    _write_and_save(page, "Eerste versie.")
    page = _go_offline_and_write(page, "Offline geschreven op de laptop.")
    # Meanwhile the phone saved newer text on top of the first version.
    submission = Submission.objects.get()
    draft_save(
        submission=submission,
        answers={"verhaal": "Nieuwere tekst van de telefoon."},
        based_on=1,
        now=timezone.now(),
    )

    _open(page, world)
    notice = page.locator("#draft-notice")
    expect(notice).to_contain_text(_message(page, "offer-older"))
    expect(page.locator("#f-verhaal")).to_have_value("Nieuwere tekst van de telefoon.")
    kept = notice.get_by_role("textbox")
    expect(kept).to_have_value("Offline geschreven op de laptop.")
    expect(kept).not_to_be_editable()
    expect(kept).to_have_accessible_name(re.compile(re.escape("vriendelijk was")))
    expect(notice.get_by_role("button", name=_message(page, "restore"))).to_have_count(0)
    assert serious_violations(page) == []
    screenshot(page, artefacts, "reflection-offer-older")
    page.wait_for_timeout(500)
    assert _stored_text() == "Nieuwere tekst van de telefoon."

    notice.get_by_role("button", name=_message(page, "discard")).click()
    expect(notice).to_have_count(0)
    assert _browser_copy(page) is None
    page.reload()
    expect(page.locator("#draft-notice")).to_have_count(0)
    assert _stored_text() == "Nieuwere tekst van de telefoon."


@pytest.mark.parametrize("where", ["menu", "logout page"])
def test_logging_out_forgets_the_drafts_kept_in_this_browser(page, world, where):
    _log_in(page)
    _open(page, world)
    key = page.locator("form[data-draft-key]").get_attribute("data-draft-key")
    page.evaluate(
        """key => {
            localStorage.setItem(key, JSON.stringify({fields: {verhaal: "Nog niet opgeslagen."}}));
            localStorage.setItem("kb-draft-99-1-1", "{}");
            localStorage.setItem("kb-other", "x");
        }""",
        key,
    )
    if where == "logout page":
        page.goto(page.base_url + "/accounts/logout/")
        assert len(page.evaluate("Object.keys(localStorage)")) == 3, "only logging out forgets"
        page.locator("main form").get_by_role("button").click()
    else:
        page.locator(".user-nav").get_by_role("button").click()
    page.wait_for_url(lambda url: "/accounts/logout/" not in url)
    assert page.evaluate("Object.keys(localStorage)") == ["kb-other"]


def test_submitting_straight_after_typing_waits_for_the_autosave(page, world):
    _log_in(page)
    _open(page, world)
    _write_and_save(page, "Eerste versie.")
    text = words(90)
    # Clicking "Submit" leaves the field, which starts an autosave of the same version.
    page.get_by_role("textbox").fill(text)
    page.locator("form[data-draft-key] button[type=submit]").click()
    expect(page.get_by_role("textbox")).to_have_count(0)
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.answers == {"verhaal": text}
