"""A trainer opens the guide from the menu (a guide file of the test's own)."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD

GUIDE = """# Handleiding voor de test

## Beoordelen

Je opent een reflectie vanuit **Beoordelen** en kiest per criterium een niveau.

| Stap | Wat je doet |
| --- | --- |
| 1 | Lees de reflectie |
| 2 | Kies de niveaus |

::: tip
Begin met wat goed gaat.
:::
"""


def test_trainer_opens_the_guide_from_the_menu(page, world, settings, tmp_path, artefacts):
    settings.KB_TRAINER_GUIDE_DIR = tmp_path
    (tmp_path / "trainer-guide.md").write_text(GUIDE, encoding="utf-8")
    log_in(page, "tara@example.com", PASSWORD)
    page.locator('.main-nav a[href="/trainer/handleiding/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handleiding voor de test")
    expect(page.locator('.main-nav a[aria-current="page"]')).to_have_attribute(
        "href", "/trainer/handleiding/"
    )
    expect(page.locator(".prose table")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "trainer-guide")
