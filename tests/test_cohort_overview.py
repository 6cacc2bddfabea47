"""The trainer's cohort overview: the progress matrix, at-risk, paging and charts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import User
from assignments.models import Assignment, Submission
from assignments.services import quiz_submit, reflection_draft, reflection_submit, scan_submit
from cohorts.models import Cohort, Enrollment
from cohorts.services import enrollment_withdraw
from courses.models import LessonProgress
from courses.services import lesson_mark_read
from dashboards.selectors import cohort_overview, cohort_rows
from tests.assignment_helpers import (
    POST,
    PRE,
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.factories import make_learner

MODULE_2_QUIZ = "quiz-vier-fasen"


def bulk_learners(cohort, count: int, *, prefix: str = "Learner") -> list[Enrollment]:
    """Many learners quickly: people and enrolments in two bulk inserts (no logins)."""
    start = User.objects.count()
    users = User.objects.bulk_create(
        [
            User(email=f"{prefix.lower()}{start + i}@example.com", display_name=f"{prefix} {i:03d}")
            for i in range(count)
        ]
    )
    return Enrollment.objects.bulk_create(
        [Enrollment(user=user, cohort=cohort, starts_on=cohort.starts_on) for user in users]
    )


def bulk_work(enrollments, *, now) -> None:
    """For each enrolment: the first lessons read, the kwadrant-scan done, the quiz
    passed and the first reflection handed in (bulk inserts, like the services' rows)."""
    scan, quiz, reflection = assignment(SCAN), assignment(QUIZ), assignment(REFLECTION)
    lessons = list(scan.module.lessons.filter(archived=False)[:2])
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(enrollment=e, lesson=lesson, read_at=now)
            for e in enrollments
            for lesson in lessons
        ]
    )
    rows = []
    for number, enrollment in enumerate(enrollments):
        value = 1 + number % 5
        rows += [
            Submission(
                enrollment=enrollment,
                assignment=scan,
                status=Submission.Status.SUBMITTED,
                result={"x": value, "y": 6 - value, "outcome": "low_high", "scores": {}},
                submitted_at=now,
            ),
            Submission(
                enrollment=enrollment,
                assignment=quiz,
                status=Submission.Status.SUBMITTED,
                score=100,
                passed=True,
                submitted_at=now,
            ),
            Submission(
                enrollment=enrollment,
                assignment=reflection,
                status=Submission.Status.SUBMITTED,
                answers={"verhaal": words(90)},
                submitted_at=now,
            ),
        ]
    Submission.objects.bulk_create(rows)


def _enrollment(user) -> Enrollment:
    return Enrollment.objects.select_related("cohort", "cohort__course").get(user=user)


def _hand_in_due_work(enrollment, now=None) -> None:
    """The work due in the first week: the baseline fasescan (day 3), the kwadrant-scan
    (day 5) and the first quiz (day 7)."""
    now = now or timezone.now()
    for slug in (PRE, SCAN):
        scan = assignment(slug)
        scan_submit(enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan), now=now)
    quiz = assignment(QUIZ)
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)


def _overview(world, **options):
    with translation.override("en"):
        return cohort_overview(world.cohort, now=timezone.now(), **options)


def _row(overview, user):
    return next(row for row in overview.rows if row.enrollment.user_id == user.pk)


def _labels(row) -> dict[str, tuple[str, str]]:
    """Each cell's key and text, in English."""
    slugs = dict(Assignment.objects.filter(pk__in=row.assignment_ids).values_list("pk", "slug"))
    with translation.override("en"):
        return {
            slugs[pk]: (cell.key, cell.label)
            for pk, cell in zip(row.assignment_ids, row.cells, strict=True)
        }


def _url(world, **params):
    url = reverse("trainer:cohort", args=[world.cohort.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _names_in_order(body: str, names: list[str]) -> list[str]:
    return sorted(names, key=body.index)


# --- The matrix -------------------------------------------------------------------


def test_matrix_has_a_row_per_learner_and_a_cell_per_assignment(world):
    make_learner(world.cohort, display_name="Bram")
    overview = _overview(world)
    assert [row.name for row in overview.rows] == ["Alice", "Bram"]
    count = world.course.assignments.filter(archived=False).count()
    assert len(overview.assignments) == count
    assert all(len(row.cells) == count for row in overview.rows)


def test_cells_say_each_status_in_words(world):
    enrollment = _enrollment(world.learner)
    _hand_in_due_work(enrollment)
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    reflection_submit(
        submission=draft,
        answers={p["id"]: words(100) for p in reflection.config["prompts"]},
        based_on=draft.version,
        now=timezone.now(),
    )
    row = _row(_overview(world), world.learner)
    labels = _labels(row)
    # The scans were due on days 3 and 5: a week after the start they are done but late.
    assert labels[PRE] == ("done", "Done, handed in late")
    assert labels[SCAN] == ("done", "Done, handed in late")
    # The quiz is due today (day 7): handed in on time.
    assert labels[QUIZ] == ("passed", "Passed")
    assert labels[REFLECTION] == ("submitted", "Submitted, awaiting feedback")
    # Module 2 opened today; its quiz is due on day 13.
    assert labels[MODULE_2_QUIZ] == ("not_started", "Not started")
    assert row.percent > 0
    assert row.last_activity is not None


def test_overdue_and_late_work_is_named_in_the_cell(world):
    enrollment = _enrollment(world.learner)
    quiz = assignment(QUIZ)
    # The quiz is due today (day 7); it is handed in at noon the day after its deadline,
    # and the trainer looks then.
    day_after = world.cohort.starts_on + datetime.timedelta(days=quiz.due_offset_days + 1)
    late = datetime.datetime.combine(day_after, datetime.time(12), tzinfo=world.cohort.tz)
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=late)
    with translation.override("en"):
        overview = cohort_overview(world.cohort, now=late)
    labels = _labels(_row(overview, world.learner))
    assert labels[SCAN] == ("overdue", "Not started, overdue")
    assert labels[QUIZ] == ("passed", "Passed, handed in late")


def test_page_shows_icons_with_text_for_screen_readers(client, world):
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    assert 'class="cell cell-overdue"' in body
    assert '<span class="cell-icon" aria-hidden="true">!</span>' in body
    # The accessible text sits next to each icon (Dutch for a Dutch trainer).
    assert re.search(r'<span class="visually-hidden">Nog niet begonnen[^<]*</span>', body)
    assert "Alice" in body


def test_each_row_links_the_learner_and_says_risk_progress_and_last_activity(client, world):
    busy = make_learner(world.cohort, display_name='<b>Bo & "Co"</b>')
    _hand_in_due_work(_enrollment(busy))
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    rows = {
        name: row
        for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)
        for name in ("Alice", "&lt;b&gt;Bo &amp; &quot;Co&quot;&lt;/b&gt;")
        if name in row
    }
    assert "<b>Bo" not in body
    alice_url = reverse("trainer:learner", args=[world.cohort.pk, _enrollment(world.learner).pk])
    busy_url = reverse("trainer:learner", args=[world.cohort.pk, _enrollment(busy).pk])
    # Alice has done nothing: her first week's work is overdue and she has been quiet.
    alice = rows["Alice"]
    assert alice.startswith('<tr class="is-at-risk">')
    assert f'<a href="{alice_url}">Alice</a>' in alice
    assert '<span class="risk">Aandacht nodig: 2 te laat, 7 dagen geen activiteit</span>' in alice
    assert '<td class="num">0%</td><td>nooit</td>' in alice
    bo = rows["&lt;b&gt;Bo &amp; &quot;Co&quot;&lt;/b&gt;"]
    assert bo.startswith("<tr>")
    assert 'class="risk"' not in bo
    assert f'<a href="{busy_url}">&lt;b&gt;Bo' in bo
    with translation.override("nl"):
        assert f"<td>{date_format(timezone.localdate())}</td>" in bo


# --- Rows kept for the minute -----------------------------------------------------


def _rows_at(world, now):
    cohort = Cohort.objects.select_related("course").get(pk=world.cohort.pk)
    return {row.enrollment.user_id: row for row in cohort_rows(cohort, now=now)}


def test_rows_are_kept_while_nothing_changed_and_read_again_on_a_change(world):
    now = timezone.now().replace(second=0, microsecond=0)
    _rows_at(world, now)
    with CaptureQueriesContext(connection) as queries:
        rows = _rows_at(world, now + datetime.timedelta(seconds=30))
    assert len(queries) == 2  # the cohort; the light stamp of its learners
    assert rows[world.learner.pk].percent == 0
    lesson_mark_read(
        enrollment=_enrollment(world.learner),
        lesson=assignment(SCAN).module.lessons.first(),
        now=now,
    )
    assert _rows_at(world, now + datetime.timedelta(seconds=40))[world.learner.pk].percent > 0


def test_one_learners_change_builds_only_their_row_again(world):
    now = timezone.now().replace(second=0, microsecond=0)
    others = [make_learner(world.cohort, display_name=f"Ander {i}") for i in range(3)]
    before = _rows_at(world, now)
    lesson_mark_read(
        enrollment=_enrollment(world.learner),
        lesson=assignment(SCAN).module.lessons.first(),
        now=now,
    )
    with CaptureQueriesContext(connection) as queries:
        after = _rows_at(world, now + datetime.timedelta(seconds=20))
    assert after[world.learner.pk].percent > before[world.learner.pk].percent
    for other in others:
        assert after[other.pk] is before[other.pk], "not built again"
    learners = [q["sql"] for q in queries if 'FROM "cohorts_enrollment"' in q["sql"]]
    assert any('"cohorts_enrollment"."id" IN' in sql for sql in learners), learners
    assert list(after) == list(before), "still in name order"


def test_charts_are_kept_with_the_rows_per_language(world):
    now = timezone.now().replace(second=0, microsecond=0)
    cohort = Cohort.objects.select_related("course").get(pk=world.cohort.pk)
    with translation.override("nl"):
        overview = cohort_overview(cohort, now=now, with_charts=True)
        again = cohort_overview(cohort, now=now, with_charts=True).charts
    first, cells_before = overview.charts, _row(overview, world.learner).cell_keys
    with translation.override("en"):
        english = cohort_overview(cohort, now=now, with_charts=True).charts
    assert again is first
    assert english is not first
    # A draft started changes the learner's row, not what the charts count.
    reflection_draft(enrollment=_enrollment(world.learner), assignment=assignment(REFLECTION))
    with translation.override("nl"):
        overview = cohort_overview(cohort, now=now, with_charts=True)
    assert _row(overview, world.learner).cell_keys != cells_before
    assert overview.charts is first
    lesson_mark_read(
        enrollment=_enrollment(world.learner),
        lesson=assignment(SCAN).module.lessons.first(),
        now=now,
    )
    with translation.override("nl"):
        changed = cohort_overview(cohort, now=now, with_charts=True).charts
    assert changed is not first, "new rows, new charts"


def test_a_withdrawn_learner_leaves_the_rows_at_once(world):
    now = timezone.now().replace(second=0, microsecond=0)
    bram = make_learner(world.cohort, display_name="Bram")
    assert bram.pk in _rows_at(world, now)
    enrollment_withdraw(enrollment=_enrollment(bram), by=world.trainer, now=now)
    assert bram.pk not in _rows_at(world, now + datetime.timedelta(seconds=10))


def test_a_new_name_shows_from_the_next_minute(world):
    now = timezone.now().replace(second=0, microsecond=0)
    _rows_at(world, now)
    User.objects.filter(pk=world.learner.pk).update(display_name="Alice Nieuw")
    assert _rows_at(world, now + datetime.timedelta(seconds=50))[world.learner.pk].name == "Alice"
    later = now + datetime.timedelta(seconds=61)
    assert _rows_at(world, later)[world.learner.pk].name == "Alice Nieuw"


# --- Sorting, at risk, paging -------------------------------------------------------


def test_rows_sort_by_name_by_default_and_by_progress_on_request(client, world):
    busy = make_learner(world.cohort, display_name="Bram")
    make_learner(world.cohort, display_name="carla")
    _hand_in_due_work(_enrollment(busy))
    client.force_login(world.trainer)
    names = ["Alice", "Bram", "carla"]
    assert _names_in_order(client.get(_url(world)).content.decode(), names) == names
    by_progress = client.get(_url(world, sorteer="-progress")).content.decode()
    assert _names_in_order(by_progress, names)[0] == "Bram"
    lowest_first = client.get(_url(world, sorteer="progress")).content.decode()
    assert _names_in_order(lowest_first, names)[-1] == "Bram"
    assert 'aria-sort="ascending"' in lowest_first


def test_unknown_sort_falls_back_to_names(world):
    overview = _overview(world, sort="'; DROP TABLE")
    assert overview.sort == "name"


def test_at_risk_means_overdue_work_or_a_quiet_week(world):
    on_track = make_learner(world.cohort, display_name="Bram")
    quiet = make_learner(world.cohort, display_name="Carla")
    _hand_in_due_work(_enrollment(on_track))
    quiet_enrollment = _enrollment(quiet)
    long_ago = timezone.now() - datetime.timedelta(days=8)
    _hand_in_due_work(quiet_enrollment, now=long_ago)
    Submission.objects.filter(enrollment=quiet_enrollment).update(created_at=long_ago)
    lesson_mark_read(
        enrollment=_enrollment(world.learner),
        lesson=assignment(SCAN).module.lessons.first(),
        now=timezone.now(),
    )
    overview = _overview(world)
    alice, bram, carla = (_row(overview, user) for user in (world.learner, on_track, quiet))
    assert (alice.is_at_risk, alice.overdue_count, alice.is_inactive) == (True, 2, False)
    assert not bram.is_at_risk
    assert (carla.is_at_risk, carla.overdue_count, carla.is_inactive) == (True, 0, True)
    with translation.override("en"):
        assert carla.risk_reasons == ["no activity for 7 days"]
    assert overview.at_risk_count == 2


def test_a_learner_who_just_joined_is_not_idle(world):
    newcomer = make_learner(world.cohort, display_name="Bram")
    enrollment = _enrollment(newcomer)
    enrollment.starts_on = timezone.localdate() - datetime.timedelta(days=2)
    enrollment.save(update_fields=["starts_on"])
    assert not _row(_overview(world), newcomer).is_inactive


def test_quiet_week_does_not_count_once_the_cohort_has_ended(world):
    enrollment = _enrollment(world.learner)
    with translation.override("en"):
        overview = cohort_overview(world.cohort, now=timezone.now() + datetime.timedelta(days=90))
    row = _row(overview, world.learner)
    assert not row.is_inactive
    assert row.overdue_count > 0  # overdue work still counts
    assert enrollment.cohort.has_ended(timezone.now() + datetime.timedelta(days=90))


def test_at_risk_filter_shows_only_learners_at_risk(client, world):
    on_track = make_learner(world.cohort, display_name="Bram the busy")
    _hand_in_due_work(_enrollment(on_track))
    client.force_login(world.trainer)
    body = client.get(_url(world, risico=1)).content.decode()
    assert "Alice" in body
    assert "Bram the busy" not in body
    assert "Bram the busy" in client.get(_url(world)).content.decode()


def test_rows_are_paged_fifty_at_a_time(client, world):
    bulk_learners(world.cohort, 55, prefix="Zed")
    client.force_login(world.trainer)
    first = client.get(_url(world)).content.decode()
    assert first.count("/deelnemers/") == 50
    assert "Zed 048" in first
    assert "Zed 049" not in first
    assert "pagina=2" in first
    second = client.get(_url(world, pagina=2)).content.decode()
    assert "Zed 049" in second
    assert "Zed 054" in second
    assert "Alice" not in second
    assert second.count("/deelnemers/") == 6


def test_the_matrix_has_no_drop_down_of_learners(client, world):
    client.force_login(world.trainer)
    options = client.get(_url(world)).content.decode().count("<option")
    enrollments = bulk_learners(world.cohort, 30, prefix="Zed")
    body = client.get(_url(world)).content.decode()
    # The sort and language choices only; each row leads to the learner's own page,
    # where an extension is granted.
    assert body.count("<option") == options
    assert 'name="enrollment"' not in body
    for enrollment in enrollments:
        assert reverse("trainer:learner", args=[world.cohort.pk, enrollment.pk]) in body


def test_paging_keeps_the_sort_and_filter(client, world):
    bulk_learners(world.cohort, 55)
    client.force_login(world.trainer)
    body = client.get(_url(world, sorteer="-progress", risico=1)).content.decode()
    assert "?sorteer=-progress&amp;risico=1&amp;pagina=2" in body


# --- Charts -----------------------------------------------------------------------


def _scans(world, count, slug):
    scan = assignment(slug)
    for number in range(count):
        learner = make_learner(world.cohort, display_name=f"{slug} {number}")
        scan_submit(
            enrollment=_enrollment(learner),
            assignment=scan,
            raw_answers=scan_answers(scan, 1 + number % 5),
            now=timezone.now(),
        )


def test_kwadrant_chart_waits_for_five_results(client, world):
    _scans(world, 4, SCAN)
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    assert 'id="quadrant-title"' not in body
    assert "4 uitkomsten tot nu toe" in body or "4 results so far" in body


def test_kwadrant_chart_shows_every_result_with_a_table(client, world):
    _scans(world, 5, SCAN)
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    assert 'role="img" aria-labelledby="quadrant-title quadrant-desc"' in body
    assert "5 uitkomsten; de tabel hieronder telt ze per kwadrant." in body
    # Results close together share a dot: at most one per result.
    assert 1 <= body.count('class="chart-point"') <= 5
    assert "<caption>" in body


def _scan_results_at(cohort, spots, count):
    """``count`` new learners whose kwadrant-scan results go round ``spots`` (x, y)."""
    scan = assignment(SCAN)
    enrollments = bulk_learners(cohort, count, prefix="Scan")
    Submission.objects.bulk_create(
        Submission(
            enrollment=enrollment,
            assignment=scan,
            status=Submission.Status.SUBMITTED,
            result={"x": x, "y": y, "outcome": "low_low", "scores": {}},
            submitted_at=timezone.now(),
        )
        for enrollment, (x, y) in zip(
            enrollments, (spots[i % len(spots)] for i in range(count)), strict=True
        )
    )


def _quadrant_svg(client, world) -> str:
    body = client.get(_url(world)).content.decode()
    return re.search(r'<svg[^>]*aria-labelledby="quadrant-title.*?</svg>', body, re.S).group(0)


def test_kwadrant_chart_stays_the_same_size_however_large_the_cohort(client, world):
    # Sixteen spots, one in each quarter-point cell: ten learners or a hundred per spot
    # draw the same sixteen dots, only the count in each differs.
    spots = [(x, y) for x in (1.6, 2.6, 3.6, 4.6) for y in (1.1, 2.1, 3.9, 4.9)]
    client.force_login(world.trainer)
    _scan_results_at(world.cohort, spots, 32)
    small = _quadrant_svg(client, world)
    _scan_results_at(world.cohort, spots, 320)
    large = _quadrant_svg(client, world)
    assert small.count("<circle") == large.count("<circle") == 16
    assert abs(len(large) - len(small)) < 100


def test_fasescan_chart_compares_start_and_end(world):
    _scans(world, 5, PRE)
    _scans(world, 5, POST)
    phases = _overview(world, with_charts=True).charts["phases"]
    assert [s["key"] for s in phases["chart"]["series"]] == ["pre", "post"]
    assert [s["total"] for s in phases["chart"]["series"]] == [5, 5]
    assert sum(sum(row["values"]) for row in phases["rows"]) == 10
    assert phases["hidden"] == []


def test_fasescan_end_series_waits_for_five_results(world):
    _scans(world, 5, PRE)
    _scans(world, 2, POST)
    phases = _overview(world, with_charts=True).charts["phases"]
    assert [s["key"] for s in phases["chart"]["series"]] == ["pre"]
    assert [item["count"] for item in phases["hidden"]] == [2]


def test_completion_chart_counts_items_done_per_week(world):
    enrollment = _enrollment(world.learner)
    lesson = assignment(SCAN).module.lessons.first()
    lesson_mark_read(
        enrollment=enrollment, lesson=lesson, now=timezone.now() - datetime.timedelta(days=6)
    )
    _hand_in_due_work(enrollment)
    completion = _overview(world, with_charts=True).charts["completion"]
    weeks = completion["points"]
    assert [point["week"] for point in weeks] == [1, 2]
    row = _overview(world).rows[0]
    # The last point is now: the same share as the progress column.
    assert weeks[-1]["percent"] == row.percent
    assert 0 < weeks[0]["percent"] <= weeks[-1]["percent"]


def test_charts_have_text_alternatives_on_the_page(client, world):
    _scans(world, 5, PRE)
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    for chart in ("phases", "completion"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in body
        assert f'<title id="{chart}-title">' in body
    assert body.count('<table class="chart-data">') == 2


def test_no_learners_no_matrix_and_no_charts(client, world):
    Enrollment.objects.filter(cohort=world.cohort).delete()
    client.force_login(world.trainer)
    response = client.get(_url(world))
    assert response.status_code == 200
    assert "<svg" not in response.content.decode()


@pytest.mark.parametrize("who", ["org_admin", "staff"])
def test_hr_and_staff_cohort_pages_still_show_the_roster(client, world, who):
    enrollment = _enrollment(world.learner)
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    secret = "Mijnvertrouwelijkeverhaal " + words(100)
    reflection_submit(
        submission=draft,
        answers={p["id"]: secret for p in reflection.config["prompts"]},
        based_on=draft.version,
        now=timezone.now(),
    )
    client.force_login(getattr(world, who))
    name = "organisation:cohort" if who == "org_admin" else "staff:cohort"
    body = client.get(reverse(name, args=[world.cohort.pk])).content.decode()
    assert "alice@example.com" in body
    assert "Mijnvertrouwelijkeverhaal" not in body


def test_overview_and_learner_pages_are_valid_html(client, world, tmp_path):
    from tests.test_html_valid import _is_known_false_positive, _validate

    _scans(world, 5, PRE)
    _scans(world, 5, SCAN)
    bulk_learners(world.cohort, 50)
    enrollment = _enrollment(world.learner)
    _hand_in_due_work(enrollment)
    client.force_login(world.trainer)
    pages = {
        "overview": _url(world),
        "overview-page-2": _url(world, pagina=2, risico=1),
        "learner": reverse("trainer:learner", args=[world.cohort.pk, enrollment.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200
        (tmp_path / f"{name}.html").write_bytes(response.content)
    errors = [
        f"{message.get('url')}: {message['message']}"
        for message in _validate(tmp_path)
        if message["type"] != "info" and not _is_known_false_positive(message["message"])
    ]
    assert errors == []
