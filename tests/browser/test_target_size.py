"""The scan's 1–5 answers are touch targets of at least 44 × 44 px (WCAG 2.5.5)."""

from django.conf import settings
from django.test import Client

from tests.assignment_helpers import SCAN, assignment

TARGET = 44


def _sign_in(page, user) -> None:
    """A session made by the test client: this test is about the scan, not the login form."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


def test_scan_answers_are_44px_targets_with_visible_checked_and_focus_states(page, world):
    _sign_in(page, world.learner)
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/opdrachten/{SCAN}/")
    statement = assignment(SCAN).config["statements"][0]["id"]

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for value in range(1, 6):
            box = page.locator(f"label[for='s-{statement}-{value}']").bounding_box()
            assert box["width"] >= TARGET, f"answer {value} is {box['width']}px wide at {width}px"
            assert box["height"] >= TARGET, f"answer {value} is {box['height']}px high at {width}"

    first = page.locator(f"label[for='s-{statement}-1']")
    second = page.locator(f"label[for='s-{statement}-2']")
    unchecked = second.evaluate("label => getComputedStyle(label).backgroundColor")
    first.click()
    # An arrow key moves the choice within the group: keyboard focus and checked at once.
    page.keyboard.press("ArrowRight")
    assert page.locator(f"#s-{statement}-2").is_checked()
    style = second.evaluate(
        "label => { const s = getComputedStyle(label);"
        " return {background: s.backgroundColor, outline: s.outlineStyle}; }"
    )
    assert style["background"] != unchecked, "the checked answer looks like the others"
    assert style["outline"] == "solid", "keyboard focus on an answer is not visible"
