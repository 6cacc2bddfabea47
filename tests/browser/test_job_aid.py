"""A learner prints a module's job aid: one A4 page, only the card, with or without scripts."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.course_files import SHIPPED
from tests.factories import PASSWORD
from tests.test_job_aids import import_with_job_aid

TITLE = "Kaart: zo help je de klant verder"
# As long as the course's cards get (about 400 words, a four-column table, lists).
ROW = "| **{0}** | Wat de klant zegt over {0} | Wat je merkt aan {0} | Wat je dan doet bij {0} |"
CARD = "\n".join(
    [
        "## Welke behoefte staat voorop?",
        "",
        "| Behoefte | Wat je hoort | Wat je merkt | Wat helpt |",
        "| --- | --- | --- | --- |",
        *(ROW.format(need) for need in ("erkenning", "uitleg", "oplossing")),
        "",
        "## Zo pak je het aan",
        "",
        *(
            f"{n}. **Stap {n}.** Je zegt in gewone woorden wat je ziet, wat je gaat doen en "
            "wanneer de klant van je hoort, zodat niemand hoeft te raden."
            for n in range(1, 6)
        ),
        "",
        "## Controleer jezelf",
        "",
        *(
            f"- ☐ Punt {n}: je hebt de vraag achter de vraag gesteld en samengevat wat de "
            "klant nodig heeft, voordat je een oplossing noemt."
            for n in range(1, 9)
        ),
        "",
        "::: let-op",
        "Beloof alleen wat je kunt waarmaken, en zeg erbij wanneer de klant iets hoort.",
        ":::",
        "",
        "*Gebaseerd op de lessen van deze module; de stappen zijn onze uitwerking.*",
    ]
)


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


def test_learner_prints_the_job_aid_on_one_a4_page(page, world, artefacts):
    assert len(CARD.split()) >= 380
    module = import_with_job_aid(SHIPPED, title=TITLE, body=CARD)
    log_in(page, "alice@example.com", PASSWORD)
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/modules/{module}/")
    page.locator(".job-aid-link a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    print_button = page.locator("button[data-print]")
    expect(print_button).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, artefacts, "job-aid")

    # (An expression that evaluates to a function would be called: wrap the assignment.)
    page.evaluate("() => { window.print = () => { document.body.dataset.printed = 'yes'; }; }")
    expect(page.locator("body")).not_to_have_attribute("data-printed", "yes")
    print_button.click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".skip-link", ".breadcrumb", ".job-aid-actions"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".job-aid table")).to_be_visible()
    colours = page.evaluate(
        "[...document.querySelectorAll('.job-aid *')].map(e => {"
        " const s = getComputedStyle(e); return s.color + '/' + s.backgroundColor; })"
    )
    assert set(colours) == {"rgb(0, 0, 0)/rgb(255, 255, 255)"}
    pdf = page.pdf(prefer_css_page_size=True)
    (artefacts / "job-aid.pdf").write_bytes(pdf)
    assert _page_count(pdf) == 1, "the job aid does not fit on one A4 page"


def test_without_scripts_the_job_aid_says_how_to_print(browser, live_server, world, artefacts):
    module = import_with_job_aid(SHIPPED, title=TITLE, body=CARD)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "alice@example.com", PASSWORD)
    page.goto(page.base_url + f"/leren/groepen/{world.cohort.pk}/modules/{module}/kaart/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("button[data-print]")).to_be_hidden()
    expect(page.locator(".job-aid-actions .help")).to_contain_text("Ctrl+P")
    context.close()
