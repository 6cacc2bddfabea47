"""HR's cohort report: a status and progress per person, the cohort's completion, and
the scans only in aggregate (never from fewer than five results, never anyone's text)."""

import datetime
import re
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assignments.feedback import submission_message_post
from assignments.models import Assignment, Submission
from assignments.services import (
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
    submission_grade,
)
from cohorts.models import Cohort, Enrollment, Invitation
from cohorts.services import enrollment_create
from courses.models import Lesson, LessonProgress
from courses.services import lesson_mark_read
from dashboards.selectors import cohort_report
from organisations.models import Membership
from tests.assignment_helpers import (
    POST,
    PRE,
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    scan_answers_at,
    words,
)
from tests.factories import CohortFactory, UserFactory, make_learner

PRIVACY_NOTE = 'class="privacy-hidden"'


def _enrollment(user, cohort=None) -> Enrollment:
    enrollments = Enrollment.objects.select_related("cohort", "cohort__course")
    if cohort is not None:
        enrollments = enrollments.filter(cohort=cohort)
    return enrollments.get(user=user)


def _report(world, **options):
    with translation.override("en"):
        return cohort_report(world.cohort, now=timezone.now(), **options)


def _status(report, user) -> str:
    return next(row.status for row in report.rows if row.enrollment.user_id == user.pk)


def _url(world, **params):
    url = reverse("organisation:cohort", args=[world.cohort.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _page(client, world, **params) -> str:
    client.force_login(world.org_admin)
    response = client.get(_url(world, **params))
    assert response.status_code == 200
    return response.content.decode()


def invite(enrollment, status=Invitation.Status.SENT) -> Invitation:
    now = timezone.now()
    return Invitation.objects.create(
        enrollment=enrollment,
        token_hash=secrets.token_hex(32),
        status=status,
        created_at=now,
        expires_at=now + datetime.timedelta(days=14),
    )


def _invited_person(world, **user_kwargs):
    """Someone enrolled by HR who has not set a password yet."""
    user = UserFactory(password=None, **user_kwargs)
    enrollment = enrollment_create(cohort=world.cohort, user=user)
    return user, enrollment


def _hand_in_due_work(enrollment, now=None) -> None:
    """The work due in the first week: the baseline fasescan (day 3), the kwadrant-scan
    (day 5) and the first quiz (day 7)."""
    now = now or timezone.now()
    for slug in (PRE, SCAN):
        scan = assignment(slug)
        scan_submit(enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan), now=now)
    quiz = assignment(QUIZ)
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)


def complete_course(enrollment, *, now, approve_reflections=True) -> None:
    """Every lesson read, quiz passed, scan done and reflection approved (bulk rows
    as the services leave them, also for the modules that are not open yet)."""
    course = enrollment.cohort.course
    LessonProgress.objects.bulk_create(
        LessonProgress(enrollment=enrollment, lesson=lesson, read_at=now)
        for lesson in Lesson.objects.filter(
            module__course=course, archived=False, module__archived=False
        )
    )
    rows = []
    for work in Assignment.objects.filter(course=course, archived=False, module__archived=False):
        if work.is_quiz:
            rows.append(Submission(score=100, passed=True, status=Submission.Status.SUBMITTED))
        elif work.is_scan:
            rows.append(Submission(result={"outcome": "x"}, status=Submission.Status.SUBMITTED))
        else:
            approved = Submission.Status.APPROVED if approve_reflections else None
            rows.append(Submission(status=approved or Submission.Status.SUBMITTED))
        rows[-1].enrollment = enrollment
        rows[-1].assignment = work
        rows[-1].submitted_at = now
    Submission.objects.bulk_create(rows)


# --- Statuses -------------------------------------------------------------------


def test_enrolled_with_nothing_done_is_not_started(world):
    assert _status(_report(world), world.learner) == "not_started"


def test_invited_until_the_invitation_is_used_or_a_password_is_set(world):
    waiting, enrollment = _invited_person(world, display_name="Wim")
    invite(enrollment)
    assert _status(_report(world), waiting) == "invited"
    waiting.set_password("een-goed-wachtwoord")
    waiting.save(update_fields=["password"])
    assert _status(_report(world), waiting) == "not_started"


def test_a_used_invitation_no_longer_counts(world):
    person, enrollment = _invited_person(world, display_name="Wim")
    invite(enrollment, status=Invitation.Status.USED)
    assert _status(_report(world), person) == "not_started"


@pytest.mark.parametrize(
    "status", [Invitation.Status.PENDING, Invitation.Status.SENT, Invitation.Status.FAILED]
)
def test_every_unused_invitation_means_invited(world, status):
    person, enrollment = _invited_person(world, display_name="Wim")
    invite(enrollment, status=status)
    assert _status(_report(world), person) == "invited"


def test_overdue_work_means_behind_with_the_reason(world):
    lesson_mark_read(
        enrollment=_enrollment(world.learner),
        lesson=assignment(SCAN).module.lessons.first(),
        now=timezone.now(),
    )
    report = _report(world)
    row = report.rows[0]
    assert row.status == "behind"
    with translation.override("en"):
        assert row.reasons == ["2 overdue"]


def test_a_quiet_week_while_the_cohort_runs_means_behind(world):
    long_ago = timezone.now() - datetime.timedelta(days=8)
    enrollment = _enrollment(world.learner)
    _hand_in_due_work(enrollment, now=long_ago)
    Submission.objects.filter(enrollment=enrollment).update(created_at=long_ago)
    with translation.override("en"):
        row = _report(world).rows[0]
        assert (row.status, row.reasons) == ("behind", ["no activity for 7 days"])


def test_due_work_handed_in_means_on_track(world):
    _hand_in_due_work(_enrollment(world.learner))
    row = _report(world).rows[0]
    assert (row.status, row.reasons) == ("on_track", [])


def test_completed_follows_the_one_completion_rule(world):
    finished = make_learner(world.cohort, display_name="Fenna")
    almost = make_learner(world.cohort, display_name="Gijs")
    now = timezone.now()
    complete_course(_enrollment(finished), now=now)
    # Everything handed in, but the reflections wait for the trainer: not complete yet.
    complete_course(_enrollment(almost), now=now, approve_reflections=False)
    report = _report(world)
    assert _status(report, finished) == "completed"
    assert _status(report, almost) != "completed"
    assert next(row.percent for row in report.rows if row.name == "Fenna") == 100


def test_completed_wins_over_an_unused_invitation(world):
    person, enrollment = _invited_person(world, display_name="Wim")
    invite(enrollment)
    complete_course(_enrollment(person), now=timezone.now())
    assert _status(_report(world), person) == "completed"


def test_withdrawn_learners_are_not_in_the_report(world):
    gone = make_learner(world.cohort, display_name="Weg")
    Enrollment.objects.filter(user=gone).update(status=Enrollment.Status.WITHDRAWN)
    report = _report(world)
    assert [row.name for row in report.rows] == ["Alice"]
    assert report.learner_count == 1


# --- The cohort's numbers ---------------------------------------------------------


def test_completion_percent_is_the_share_of_learners_who_completed(client, world):
    now = timezone.now()
    for name in ("Fenna", "Gijs", "Hans"):
        make_learner(world.cohort, display_name=name)
    complete_course(_enrollment(Enrollment.objects.get(user__display_name="Fenna").user), now=now)
    report = _report(world)
    assert (report.completed_count, report.learner_count, report.completion_percent) == (1, 4, 25)
    assert {item["key"]: item["count"] for item in report.status_counts}["completed"] == 1
    body = _page(client, world)
    assert re.search(r'class="report-completion">25% \(1/4\)<', body)


def test_no_learners_no_division_by_zero(client, world):
    Enrollment.objects.filter(cohort=world.cohort).delete()
    report = _report(world)
    assert (report.completion_percent, report.average_percent) == (0, 0)
    assert "0% (0/0)" in _page(client, world)


# --- The page: department, start date, filter, sort, paging ----------------------


def test_page_lists_department_start_date_status_and_progress(client, world):
    Membership.objects.filter(user=world.learner).update(department="Klantenservice")
    enrollment = _enrollment(world.learner)
    body = _page(client, world)
    row = re.search(r'<th scope="row">Alice</th>.*?</tr>', body, re.S).group(0)
    assert "alice@example.com" in row
    assert "Klantenservice" in row
    assert str(enrollment.starts_on.year) in row
    assert 'class="badge badge-not_started"' in row
    assert ">0%<" in row


def test_filter_by_status(client, world):
    _hand_in_due_work(_enrollment(make_learner(world.cohort, display_name="Bram")))
    body = _page(client, world, status="on_track")
    assert ">Bram<" in body
    assert ">Alice<" not in body
    everyone = _page(client, world)
    assert ">Alice<" in everyone
    assert ">Bram<" in everyone


def test_unknown_status_or_sort_shows_everyone_by_name(world):
    report = _report(world, status="'; DROP", sort="nonsense")
    assert (report.status, report.sort, len(report.rows)) == ("", "name", 1)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alice", "Bram", "Carla"]),
        ("department", ["Carla", "Bram", "Alice"]),  # those without a department last
        ("-progress", ["Bram", "Alice", "Carla"]),
        ("status", ["Carla", "Alice", "Bram"]),  # invited, not started, on track
        ("start", ["Alice", "Bram", "Carla"]),
    ],
)
def test_sort_orders(world, sort, expected):
    bram = make_learner(world.cohort, display_name="Bram")
    carla, carla_enrollment = _invited_person(world, display_name="Carla")
    invite(carla_enrollment)
    _hand_in_due_work(_enrollment(bram))
    Membership.objects.filter(user=bram).update(department="Verkoop")
    Membership.objects.filter(user=carla).update(department="Inkoop")
    Enrollment.objects.filter(user=carla).update(
        starts_on=world.cohort.starts_on + datetime.timedelta(days=2)
    )
    assert [row.name for row in _report(world, sort=sort).rows] == expected


def test_rows_are_paged_fifty_at_a_time(client, world):
    from tests.test_cohort_overview import bulk_learners

    bulk_learners(world.cohort, 55, prefix="Zed")
    first = _page(client, world)
    assert first.count('<th scope="row">') == 50
    assert "Zed 048" in first
    assert "Zed 049" not in first
    second = _page(client, world, pagina=2)
    assert "Zed 049" in second
    assert "Zed 054" in second
    assert second.count('<th scope="row">') == 6


def test_paging_keeps_the_status_filter_and_the_sort(client, world):
    from tests.test_cohort_overview import bulk_learners

    bulk_learners(world.cohort, 55, prefix="Zed")
    _hand_in_due_work(_enrollment(world.learner))  # alice has started: not in the filter
    first = _page(client, world, status="not_started", sorteer="-progress")
    assert "?status=not_started&amp;sorteer=-progress&amp;pagina=2" in first
    assert first.count('<th scope="row">') == 50
    second = _page(client, world, status="not_started", sorteer="-progress", pagina=2)
    # The other five who have not started, and nobody else.
    assert second.count('<th scope="row">') == 5
    assert "Alice" not in first + second
    names = re.findall(r'<th scope="row">(Zed \d+)</th>', first + second)
    assert sorted(names) == [f"Zed {i:03d}" for i in range(55)]


def test_only_this_cohorts_people_are_listed(client, world):
    body = _page(client, world)
    assert "alice@example.com" in body
    assert "bob@example.com" not in body


# --- Aggregates -------------------------------------------------------------------


def _scans(world, count, slug, value=None):
    """``count`` new learners who each did the scan ``slug`` (the post scan, in a
    module that is not open yet, as a row)."""
    scan = assignment(slug)
    enrollments = []
    for number in range(count):
        enrollment = _enrollment(make_learner(world.cohort, display_name=f"{slug} {number}"))
        _scan(enrollment, scan, value or 1 + number % 5)
        enrollments.append(enrollment)
    return enrollments


def _scan(enrollment, scan, value):
    """The scan done with every dimension at ``value``."""
    if scan.slug == POST:
        from assignments.scoring import scan_result

        answers = scan_answers_at(scan, value)
        Submission.objects.create(
            enrollment=enrollment,
            assignment=scan,
            status=Submission.Status.SUBMITTED,
            answers=answers,
            result=scan_result(scan.config, answers),
            submitted_at=timezone.now(),
        )
    else:
        scan_submit(
            enrollment=enrollment,
            assignment=scan,
            raw_answers=scan_answers_at(scan, value),
            now=timezone.now(),
        )


def test_kwadrant_counts_are_hidden_below_five_results(client, world):
    _scans(world, 4, SCAN)
    report = _report(world)
    assert (report.quadrant["count"], report.quadrant["chart"]) == (4, None)
    body = _page(client, world)
    assert 'id="quadrant-title"' not in body
    assert PRIVACY_NOTE in body


def test_kwadrant_shows_counts_per_quadrant_and_no_dots(client, world):
    _scans(world, 5, SCAN)
    labels = _report(world).quadrant["chart"]["labels"]
    assert sum(label["count"] for label in labels) == 5
    body = _page(client, world)
    assert 'aria-labelledby="quadrant-title quadrant-desc"' in body
    assert "chart-point" not in body
    assert "<circle" not in body


def test_fasescan_distribution_is_hidden_per_series_below_five(world):
    _scans(world, 5, PRE)
    _scans(world, 4, POST)
    phases = _report(world).phases
    assert [s["key"] for s in phases["chart"]["series"]] == ["pre"]
    assert [item["count"] for item in phases["hidden"]] == [4]


def test_growth_counts_who_moved_up_a_phase(client, world):
    post = assignment(POST)
    movers = _scans(world, 4, PRE, value=1)
    stayer = _scans(world, 1, PRE, value=3)[0]
    for enrollment in movers:
        _scan(enrollment, post, 5)
    _scan(stayer, post, 3)
    growth = _report(world).growth
    assert growth == {"count": 5, "is_shown": True, "up": 4, "same": 1, "down": 0, "mixed": 0}
    body = _page(client, world)
    assert re.search(r'report-growth">\s*<dt>[^<]+</dt><dd>4</dd>', body)


def test_growth_is_hidden_below_five_pairs(client, world):
    post = assignment(POST)
    for enrollment in _scans(world, 4, PRE, value=1):
        _scan(enrollment, post, 5)
    _scans(world, 3, POST)  # no start scan: not a pair
    growth = _report(world).growth
    assert growth == {"count": 4, "is_shown": False}
    body = _page(client, world)
    assert "report-growth" not in body
    assert body.count(PRIVACY_NOTE) >= 1


# --- Privacy: no text, feedback, messages or answers on any HR page ---------------

REFLECTION_SECRET = "Reflectiegeheimvanalice"
FEEDBACK_SECRET = "Feedbackgeheimvantara"
MESSAGE_SECRET = "Berichtgeheimindedraad"


def _private_work(world):
    """Alice's reflection with the trainer's feedback and a thread message, her scans
    and four more learners' scans (so the aggregates are shown)."""
    enrollment = _enrollment(world.learner)
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    submitted = reflection_submit(
        submission=draft,
        answers={
            p["id"]: f"{REFLECTION_SECRET} {words(100)}" for p in reflection.config["prompts"]
        },
        based_on=draft.version,
        now=timezone.now(),
    )
    submission_message_post(
        submission=submitted, author=world.learner, text=MESSAGE_SECRET, now=timezone.now()
    )
    criteria = reflection.config["rubric"]["criteria"]
    submission_grade(
        submission=submitted,
        trainer=world.trainer,
        rubric_scores={c["id"]: c["levels"][-1]["points"] for c in criteria},
        comment=f"{FEEDBACK_SECRET}: goed gedaan.",
        decision="approved",
        now=timezone.now(),
    )
    for slug in (SCAN, PRE):
        _scan(enrollment, assignment(slug), 4)
    _scans(world, 4, SCAN)
    _scans(world, 4, PRE)
    return submitted


def _hr_urls(world):
    cohort = [world.cohort.pk]
    yield reverse("organisation:home")
    yield reverse("organisation:detail", args=[world.acme.pk])
    yield reverse("organisation:cohort", args=cohort)
    for status in ("", "completed", "on_track", "behind"):
        yield reverse("organisation:cohort", args=cohort) + f"?status={status}&sorteer=status"
    yield reverse("organisation:export", args=cohort)
    yield reverse("organisation:export", args=cohort) + "?scheiding=komma"


def test_no_reflection_feedback_or_message_text_on_any_hr_page(client, world):
    submitted = _private_work(world)
    assert submitted.messages.filter(text=MESSAGE_SECRET).exists()
    assert submitted.grade.comment.startswith(FEEDBACK_SECRET)
    client.force_login(world.org_admin)
    seen = 0
    for url in _hr_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        seen += "alice@example.com" in body
        for secret in (REFLECTION_SECRET, FEEDBACK_SECRET, MESSAGE_SECRET):
            assert secret not in body, (url, secret)
    assert seen >= 4  # the pages did show Alice, just not her work


def test_no_individual_scan_result_on_the_report(client, world):
    _private_work(world)
    body = _page(client, world)
    # The kwadrant 2x2 has counts, no dots; a row never names a phase or a quadrant.
    assert "<circle" not in body
    alice_row = re.search(r'<th scope="row">Alice</th>.*?</tr>', body, re.S).group(0)
    scan = assignment(SCAN)
    titles = [q["title"] for q in scan.config["quadrants"].values()]
    titles += [p["title"] for p in assignment(PRE).config["phases"]]
    assert not [title for title in titles if title in alice_row]


# --- The organisation pages: active cohorts first, archived ones apart -------------


def test_archived_cohorts_sit_apart_behind_a_toggle(client, world):
    old = CohortFactory(
        organisation=world.acme,
        name="Acme voorjaar",
        starts_on=world.cohort.starts_on - datetime.timedelta(days=200),
        ends_on=world.cohort.starts_on - datetime.timedelta(days=100),
    )
    Cohort.objects.filter(pk=old.pk).update(archived_at=timezone.now())
    client.force_login(world.org_admin)
    for url in (reverse("organisation:home"), reverse("organisation:detail", args=[world.acme.pk])):
        body = client.get(url).content.decode()
        details = body.index('<details class="archived-cohorts">')
        assert body.index("Acme najaar") < details < body.index("Acme voorjaar"), url
        assert "Bolt najaar" not in body


def test_home_lists_each_organisations_cohorts_with_links(client, world):
    client.force_login(world.org_admin)
    body = client.get(reverse("organisation:home")).content.decode()
    assert reverse("organisation:cohort", args=[world.cohort.pk]) in body
    assert reverse("organisation:cohort", args=[world.other_cohort.pk]) not in body
    assert "<details" not in body  # nothing archived, no toggle


def test_people_list_shows_departments(client, world):
    Membership.objects.filter(user=world.learner).update(department="Klantenservice")
    client.force_login(world.org_admin)
    body = client.get(reverse("organisation:detail", args=[world.acme.pk])).content.decode()
    assert re.search(r"alice@example.com</td><td>Klantenservice</td>", body)


def test_other_organisations_cohort_report_and_export_are_404(client, world):
    client.force_login(world.org_admin)
    for name in ("organisation:cohort", "organisation:export"):
        assert client.get(reverse(name, args=[world.other_cohort.pk])).status_code == 404


# --- Managing enrolments from the report (when staff allow it) ----------------------


def test_move_and_withdraw_links_only_when_admins_may_enrol(client, world):
    enrollment = _enrollment(world.learner)
    withdraw = reverse("organisation:enrollment_withdraw", args=[world.cohort.pk, enrollment.pk])
    assert withdraw not in _page(client, world)
    world.acme.admins_may_enrol = True
    world.acme.save(update_fields=["admins_may_enrol"])
    body = _page(client, world)
    assert f'href="{withdraw}"' in body
    assert reverse("organisation:enrollment_move", args=[world.cohort.pk, enrollment.pk]) in body
    assert reverse("organisation:enrol", args=[world.cohort.pk]) in body


def test_an_invited_persons_row_sends_the_invitation_again_with_the_page_to_return_to(
    client, world
):
    _person, enrollment = _invited_person(world, display_name='<i>Wim & "Co"</i>')
    invite(enrollment)
    lesson_mark_read(
        enrollment=_enrollment(world.learner),
        lesson=assignment(SCAN).module.lessons.first(),
        now=timezone.now(),
    )
    world.acme.admins_may_enrol = True
    world.acme.save(update_fields=["admins_may_enrol"])
    body = _page(client, world, sorteer="name")
    assert "<i>Wim" not in body
    name = "&lt;i&gt;Wim &amp; &quot;Co&quot;&lt;/i&gt;"
    row = re.search(rf'<tr><th scope="row">{re.escape(name)}</th>.*?</tr>', body, re.S).group(0)
    assert 'class="badge badge-invited">Uitgenodigd</span>' in row
    resend = reverse("invitations:resend", args=[world.cohort.pk, enrollment.pk])
    form = re.search(rf'<form method="post" action="{resend}".*?</form>', row, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert len(token) == 64
    assert f'name="next" value="{_url(world, sorteer="name")}"' in form
    assert f'<span class="visually-hidden"> {name}</span></button>' in form
    # Alice is enrolled and has an account: nothing to send again.
    alice = re.search(r'<tr><th scope="row">Alice</th>.*?</tr>', body, re.S).group(0)
    assert "<form" not in alice
    # She has started, and her first week's work is overdue.
    assert '<span class="report-reasons">2 te laat</span>' in alice


def test_undeliverable_invitations_are_listed_on_the_organisation_page(client, world):
    person, enrollment = _invited_person(world, email="typo@exampel.com")
    failed = invite(enrollment, status=Invitation.Status.FAILED)
    Invitation.objects.filter(pk=failed.pk).update(last_error="550 no such user")
    client.force_login(world.org_admin)
    body = client.get(reverse("organisation:detail", args=[world.acme.pk])).content.decode()
    section = body[body.index('id="failed-invitations-heading"') :]
    assert "typo@exampel.com" in section
    assert reverse("invitations:resend", args=[world.cohort.pk, enrollment.pk]) in section
    assert person.email in body
