"""The trainer's CSV export of the progress matrix opens cleanly in Dutch Excel."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.services import quiz_submit, scan_submit
from cohorts.models import Enrollment
from courses.services import lesson_mark_read
from dashboards.selectors import csv_text
from tests.assignment_helpers import PRE, QUIZ, SCAN, assignment, quiz_answers, scan_answers
from tests.factories import make_learner


def _export(client, world, query=""):
    client.force_login(world.trainer)
    response = client.get(reverse("trainer:export", args=[world.cohort.pk]) + query)
    assert response.status_code == 200
    return response


def _assignment_count(world) -> int:
    return world.course.assignments.filter(archived=False).count()


def _rows(response, delimiter=";"):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_export_is_utf8_with_a_byte_order_mark_as_an_attachment(client, world):
    response = _export(client, world)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-najaar-voortgang.csv"'


def test_semicolons_by_default_for_dutch_excel(client, world):
    rows = _rows(_export(client, world))
    header = rows[0]
    assert header[:3] == ["Naam", "E-mailadres", header[2]]
    # Name, e-mail and progress, a column per assignment, the last activity.
    assert len(header) == 3 + _assignment_count(world) + 1
    assert rows[1][:3] == ["Alice", "alice@example.com", "0"]


def test_commas_on_request(client, world):
    response = _export(client, world, "?scheiding=komma")
    first_line = response.content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("Naam,E-mailadres,")
    assert len(_rows(response, delimiter=",")[0]) == 3 + _assignment_count(world) + 1


def test_statuses_are_words_and_activity_is_a_local_time(client, world):
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    quiz = assignment(QUIZ)
    now = timezone.now()
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)
    rows = _rows(_export(client, world))
    header, alice = rows[0], rows[1]
    column = header.index(quiz.title)
    assert alice[column].startswith("Gehaald")
    assert alice[-1] == now.astimezone(world.cohort.tz).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+31 6 1234", "'+31 6 1234"),
        ("-Jan", "'-Jan"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Jan = Piet", "Jan = Piet"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_escaped(client, world, name, cell):
    make_learner(world.cohort, display_name=name, email="x@example.com")
    rows = _rows(_export(client, world))
    assert [row[0] for row in rows if row[1] == "x@example.com"] == [cell]


def test_dutch_characters_survive(client, world):
    make_learner(world.cohort, display_name="Eliëtte van Ĳsselstein-Çelik", email="e@example.com")
    response = _export(client, world)
    assert "Eliëtte van Ĳsselstein-Çelik".encode() in response.content
    assert any(row[0] == "Eliëtte van Ĳsselstein-Çelik" for row in _rows(response))


def test_export_follows_the_at_risk_filter_and_leaves_out_withdrawn_learners(client, world):
    make_learner(world.cohort, display_name="Bram", email="bram@example.com")
    gone = make_learner(world.cohort, display_name="Carla", email="carla@example.com")
    Enrollment.objects.filter(user=gone).update(status=Enrollment.Status.WITHDRAWN)
    lesson = assignment(QUIZ).module.lessons.first()
    for email in ("alice@example.com", "bram@example.com"):
        lesson_mark_read(
            enrollment=Enrollment.objects.get(user__email=email), lesson=lesson, now=timezone.now()
        )
    bram = Enrollment.objects.select_related("cohort").get(user__email="bram@example.com")
    # The work due by now (day 7): the baseline scan, the kwadrant-scan and the quiz.
    for slug in (PRE, SCAN, QUIZ):
        work = assignment(slug)
        answers = quiz_answers(work) if slug == QUIZ else scan_answers(work)
        submit = quiz_submit if slug == QUIZ else scan_submit
        submit(enrollment=bram, assignment=work, raw_answers=answers, now=timezone.now())
    assert [row[0] for row in _rows(_export(client, world))[1:]] == ["Alice", "Bram"]
    assert [row[0] for row in _rows(_export(client, world, "?risico=1"))[1:]] == ["Alice"]


def test_csv_text_leaves_ordinary_text_alone():
    assert csv_text("Alice") == "Alice"
    assert csv_text("\tcmd") == "'\tcmd"


def test_other_cohorts_trainer_gets_404(client, world):
    client.force_login(world.trainer_other)
    assert client.get(reverse("trainer:export", args=[world.cohort.pk])).status_code == 404
