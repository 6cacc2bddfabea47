"""An organisation admin enrols a list of people from a spreadsheet."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from cohorts.models import Enrollment, Invitation
from lms.celery import app
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.factories import PASSWORD

CSV = (
    "E-mail;Voornaam;Achternaam;Afdeling\r\n"
    "an.jansen@example.com;An;Jansen;Klantenservice\r\n"
    "geen-adres;Piet;Fout;Verkoop\r\n"
    "bo.smit@example.com;Bo;Smit;Verkoop\r\n"
    "alice@example.com;Alice;Al;\r\n"
).encode("cp1252")


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def test_org_admin_uploads_checks_and_confirms_a_list(page, world, artefacts, mailoutbox, eager):
    world.acme.admins_may_enrol = True
    world.acme.save(update_fields=["admins_may_enrol"])
    log_in(page, "olga@example.com", PASSWORD)
    page.goto(page.base_url + f"/organisatie/groepen/{world.cohort.pk}/inschrijven/")
    assert serious_violations(page) == []
    screenshot(page, artefacts, "enrol")

    page.locator("#id_upload-file").set_input_files(
        files=[{"name": "medewerkers.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    page.locator("button[name=upload-submit]").click()

    # The preview: every line with its result and the totals; nothing written yet.
    expect(page.locator("[data-total=new]")).to_have_text("2")
    expect(page.locator("[data-total=enrolled]")).to_have_text("1")
    expect(page.locator("[data-total=invalid]")).to_have_text("1")
    expect(page.locator("tr[data-status=invalid]")).to_contain_text("geen-adres")
    assert not Enrollment.objects.filter(user__email="an.jansen@example.com").exists()
    assert mail.outbox == []
    assert serious_violations(page) == []
    screenshot(page, artefacts, "enrol-preview")

    page.locator("#confirm-import").click()
    expect(page).to_have_url(page.base_url + f"/organisatie/groepen/{world.cohort.pk}/")
    expect(page.locator(".message-success")).to_be_visible()

    invited = Invitation.objects.filter(enrollment__cohort=world.cohort)
    assert sorted(invited.values_list("enrollment__user__email", flat=True)) == [
        "an.jansen@example.com",
        "bo.smit@example.com",
    ]
    assert sorted(message.to[0] for message in mailoutbox) == [
        "an.jansen@example.com",
        "bo.smit@example.com",
    ]
    assert all("/uitnodiging/" in message.body for message in mailoutbox)
