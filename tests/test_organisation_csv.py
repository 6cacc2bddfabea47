"""HR's report as CSV: opens cleanly in Dutch Excel, follows the page's filter, and
carries status and progress only (no work, feedback or scan results)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.services import quiz_submit, scan_submit
from cohorts.models import Enrollment
from organisations.models import Membership
from tests.assignment_helpers import PRE, QUIZ, SCAN, assignment, quiz_answers, scan_answers
from tests.factories import make_learner


def _export(client, world, query=""):
    client.force_login(world.org_admin)
    response = client.get(reverse("organisation:export", args=[world.cohort.pk]) + query)
    assert response.status_code == 200
    return response


def _rows(response, delimiter=";"):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


def test_export_is_utf8_with_a_byte_order_mark_as_an_attachment(client, world):
    response = _export(client, world)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-najaar-rapportage.csv"'


def test_semicolons_by_default_with_one_row_per_person(client, world):
    Membership.objects.filter(user=world.learner).update(department="Klantenservice")
    rows = _rows(_export(client, world))
    assert len(rows[0]) == 6
    assert rows[0][:2] == ["Naam", "E-mailadres"]
    starts_on = Enrollment.objects.get(user=world.learner).starts_on.isoformat()
    assert rows[1][:4] == ["Alice", "alice@example.com", "Klantenservice", starts_on]
    assert rows[1][5] == "0"
    assert len(rows) == 2


def test_commas_on_request(client, world):
    response = _export(client, world, "?scheiding=komma")
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("Naam,E-mailadres,")
    assert len(_rows(response, delimiter=",")[1]) == 6


def test_export_follows_the_status_filter_and_leaves_out_withdrawn_people(client, world):
    busy = make_learner(world.cohort, display_name="Bram", email="bram@example.com")
    enrollment = Enrollment.objects.select_related("cohort").get(user=busy)
    now = timezone.now()
    # The work due by now (day 7): the baseline fasescan, the kwadrant-scan and the quiz.
    for slug in (PRE, SCAN):
        scan = assignment(slug)
        scan_submit(enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan), now=now)
    quiz = assignment(QUIZ)
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)
    gone = make_learner(world.cohort, email="weg@example.com")
    Enrollment.objects.filter(user=gone).update(status=Enrollment.Status.WITHDRAWN)
    emails = [row[1] for row in _rows(_export(client, world, "?status=on_track"))[1:]]
    assert emails == ["bram@example.com"]
    everyone = [row[1] for row in _rows(_export(client, world))[1:]]
    assert everyone == ["alice@example.com", "bram@example.com"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+31 6 1234", "'+31 6 1234"),
        ("-Jan", "'-Jan"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Jan = Piet", "Jan = Piet"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_escaped(client, world, value, cell):
    person = make_learner(world.cohort, display_name=value, email="x@example.com")
    Membership.objects.filter(user=person).update(department=value)
    rows = [row for row in _rows(_export(client, world)) if row[1] == "x@example.com"]
    assert [(row[0], row[2]) for row in rows] == [(cell, cell)]


def test_dutch_characters_survive(client, world):
    make_learner(world.cohort, display_name="Zoë Çelik-van ’t Hof", email="zoe@example.com")
    rows = _rows(_export(client, world))
    assert "Zoë Çelik-van ’t Hof" in [row[0] for row in rows]


def test_other_organisations_export_is_404(client, world):
    client.force_login(world.org_admin)
    url = reverse("organisation:export", args=[world.other_cohort.pk])
    assert client.get(url).status_code == 404
