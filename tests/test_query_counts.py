"""Every page runs a fixed number of queries, whatever the amount of data."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.services import quiz_submit, reflection_draft, reflection_submit, scan_submit
from cohorts.services import enrollment_create
from courses.services import course_import, lesson_mark_read
from tests.assignment_helpers import (
    POST,
    PRE,
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
)
from tests.course_files import write_course
from tests.factories import CohortFactory, make_learner, make_org_admin, make_trainer

# Building the summaries of learners whose work changed (dashboards.summaries): the
# stored rows, the enrolments, their course states (five, and the course's outline
# (three) when it is read anew), lessons read (with when), last work activity, scan
# results and the insert (one per batch).
SUMMARY_BUILD_QUERIES = 14

# url name, role in the world fixture, kwargs kind, pinned query count (session,
# user, roles, then the page's own reads)
PAGES = [
    # The learner's pages once their course outline and progress rows are kept
    # (learning.progress): the enrolment(s), then the released feedback (home) or the
    # cohort's trainers (course page).
    ("learn:home", "learner", None, 5),
    ("learn:cohort", "learner", "cohort", 5),
    ("trainer:cohorts", "trainer", None, 5),
    # session, user, roles; the navigation's count (the guide is a file).
    ("trainer:guide", "trainer", None, 4),
    # session, user, roles; the cohort; the learners' versions (their rows and charts
    # kept); the matrix's columns; the navigation's count.
    ("trainer:cohort", "trainer", "cohort", 7),
    ("organisation:home", "org_admin", None, 5),
    # The people list is paged: one COUNT for the pages; undelivered reminder mail is
    # one query (the newest rows, each carrying the total).
    ("organisation:detail", "org_admin", "organisation", 9),
    ("organisation:cohort", "org_admin", "cohort", 8),
    ("staff:home", "staff", None, 5),
    ("staff:organisation", "staff", "organisation", 9),
    # The roster is paged and each row carries its own actions (no list of every learner).
    ("staff:cohort", "staff", "cohort", 15),
    ("staff:organisation_add", "staff", None, 3),
    ("staff:organisation_edit", "staff", "organisation", 4),
    ("staff:cohort_add", "staff", "organisation", 6),
    ("profile", "learner", None, 3),
]


def _url(world, name, kind):
    kwargs = {}
    if kind == "cohort":
        kwargs = {"cohort_id": world.cohort.pk}
    elif kind == "organisation":
        kwargs = {"organisation_id": world.acme.pk}
    return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def _within_one_minute():
    """The cohort pages keep their rows for the clock's minute (``cohort_rows``): each
    test starts at the top of a minute, so its warm requests never straddle two."""
    with time_machine.travel(timezone.now().replace(second=0, microsecond=0), tick=True):
        yield


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(world, n):
    """More of everything the pages list: learners, cohorts, trainers, admins."""
    for i in range(n):
        extra_learner = make_learner(world.cohort, display_name=f"Extra {i}")
        enrollment = extra_learner.enrollments.select_related("cohort").get()
        draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
        reflection_submit(
            submission=draft,
            answers={"verhaal": " ".join(["woord"] * 90)},
            based_on=draft.version,
            now=timezone.now(),
        )
        extra = CohortFactory(organisation=world.acme, name=f"Extra cohort {i}")
        world.trainer.trained_cohorts.add(extra)
        make_learner(extra)
        make_learner(extra, display_name=f"Second {i}")
        make_trainer(world.cohort)
        make_org_admin(world.acme)
        # The learner also follows more cohorts.
        enrollment_create(cohort=extra, user=world.learner)


@pytest.mark.parametrize(("name", "role", "kind", "pinned"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_data(client, world, name, role, kind, pinned):
    client.force_login(getattr(world, role))
    url = _url(world, name, kind)
    client.get(url)  # warm up: session and per-process caches
    small = _count(client, url)
    _grow(world, 6)
    # The cohort pages build the summaries of learners whose work changed once.
    cold = _count(client, url)
    large = _count(client, url)
    assert (small, large) == (pinned, pinned), f"{name}: {small} then {large} queries"
    assert cold <= pinned + SUMMARY_BUILD_QUERIES + 2


# Warm, as above: a change to the learner's progress reads five more (the course
# outline three more), bounded where the cold request is counted.
LEARNER_PAGES = [
    ("learn:home", {}, 5),
    ("learn:cohort", {"cohort": True}, 5),
    ("learn:module", {"cohort": True, "module_slug": "module-1"}, 5),
    ("learn:lesson", {"cohort": True, "lesson_slug": "les-1-1"}, 5),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "pinned"), LEARNER_PAGES, ids=[p[0] for p in LEARNER_PAGES]
)
@pytest.mark.parametrize("size", [(1, 1), (6, 5)], ids=["small-course", "large-course"])
def test_learner_pages_do_not_grow_with_the_course(
    client, db, tmp_path, name, kwargs, pinned, size
):
    modules, lessons = size
    course = course_import(
        folder=write_course(tmp_path, modules=modules, lessons=lessons, offsets=[0] * modules)
    ).course
    cohort = CohortFactory(course=course)
    learner = make_learner(cohort)
    enrollment = learner.enrollments.get()
    for lesson in course.lessons.all()[: modules * lessons // 2]:
        lesson_mark_read(enrollment=enrollment, lesson=lesson, now=timezone.now())
    client.force_login(learner)
    url_kwargs = {key: value for key, value in kwargs.items() if key != "cohort"}
    if kwargs.get("cohort"):
        url_kwargs["cohort_id"] = cohort.pk
    url = reverse(name, kwargs=url_kwargs)
    client.get(url)
    assert _count(client, url) == pinned


# A module's job aid, for the learner and in the trainer's preview: the same count for a
# course of one module with one lesson and one of six modules with five lessons each.
# Learner: session, user, roles; the enrolment; the module; staff's opening dates.
# Preview: session, user, roles; the cohort; the module; the navigation's count.
JOB_AID_PAGES = [("learn:job_aid", "learner", 6), ("learn:preview_job_aid", "trainer", 6)]


@pytest.mark.parametrize(
    ("name", "role", "pinned"), JOB_AID_PAGES, ids=[p[0] for p in JOB_AID_PAGES]
)
@pytest.mark.parametrize("size", [(1, 1), (6, 5)], ids=["small-course", "large-course"])
def test_job_aid_pages_do_not_grow_with_the_course(client, db, tmp_path, name, role, pinned, size):
    from tests.test_job_aids import add_job_aid

    modules, lessons = size
    root = write_course(tmp_path, modules=modules, lessons=lessons, offsets=[0] * modules)
    for number in range(1, modules + 1):
        add_job_aid(root, module=f"module-{number}", slug=f"kaart-{number}")
    cohort = CohortFactory(course=course_import(folder=root).course)
    for _ in range(modules):
        make_learner(cohort)
    client.force_login(make_learner(cohort) if role == "learner" else make_trainer(cohort))
    url = reverse(name, args=[cohort.pk, f"module-{modules}"])
    client.get(url)
    assert _count(client, url) == pinned


ASSIGNMENT_QUERIES = {QUIZ: 9, SCAN: 10, REFLECTION: 9, PRE: 9}


def _do_work(enrollment):
    quiz, scan, pre = assignment(QUIZ), assignment(SCAN), assignment(PRE)
    now = timezone.now()
    for answers in (quiz_answers(quiz, wrong=2), quiz_answers(quiz)):
        quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=answers, now=now)
    for work in (scan, pre):
        scan_submit(
            enrollment=enrollment, assignment=work, raw_answers=scan_answers(work, 3), now=now
        )


@pytest.mark.parametrize("slug", [QUIZ, SCAN, REFLECTION, PRE])
def test_assignment_pages_do_not_grow_with_the_cohort(client, world, slug):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    _do_work(enrollment)
    client.force_login(world.learner)
    url = reverse("learn:assignment", args=[world.cohort.pk, slug])
    client.get(url)
    small = _count(client, url)
    for _ in range(6):
        _do_work(make_learner(world.cohort).enrollments.select_related("cohort").get())
    large = _count(client, url)
    assert (slug, small) == (slug, large)
    assert small == ASSIGNMENT_QUERIES[slug]


# The trainer's cohort overview at 10 and at 250 learners, each with lessons read and
# work handed in: the matrix, the CSV and one learner's page stay flat. Counted once
# the summaries are current (a second request).
OVERVIEW_PAGES = [
    ("trainer:cohort", 7),
    ("trainer:export", 6),
    ("trainer:learner", 12),
]


@pytest.mark.parametrize(("name", "pinned"), OVERVIEW_PAGES, ids=[p[0] for p in OVERVIEW_PAGES])
def test_cohort_overview_does_not_grow_with_the_cohort(client, world, name, pinned):
    from tests.test_cohort_overview import bulk_learners, bulk_work

    now = timezone.now()
    alice = world.learner.enrollments.get()
    bulk_work([alice, *bulk_learners(world.cohort, 9)], now=now)
    args = [world.cohort.pk] + ([alice.pk] if name == "trainer:learner" else [])
    url = reverse(name, args=args)
    client.force_login(world.trainer)
    client.get(url)
    small = _count(client, url)
    bulk_work(bulk_learners(world.cohort, 240, prefix="Many"), now=now)
    cold = _count(client, url)
    large = _count(client, url)
    assert (small, large) == (pinned, pinned), f"{name}: {small} then {large} queries"
    # The first request after 240 new learners builds their summaries, in a fixed
    # number of queries apart from the insert's batches.
    assert cold <= pinned + SUMMARY_BUILD_QUERIES + 2


# HR's cohort report at 10 and at 250 learners, each with a department, lessons read,
# work handed in and both fasescans, some still invited: the page and its CSV stay
# flat. Session, user, roles; the cohort; the learners (their summaries current);
# invitations; departments; the scans (one; the CSV leaves them out).
HR_REPORT_PAGES = [
    ("organisation:cohort", 8),
    ("organisation:export", 7),
]


def _hr_report_data(cohort, enrollments, *, now):
    from assignments.models import Submission
    from organisations.models import Membership
    from tests.test_cohort_overview import bulk_work
    from tests.test_organisation_report import invite

    bulk_work(enrollments, now=now)
    Membership.objects.bulk_create(
        Membership(user_id=e.user_id, organisation_id=cohort.organisation_id, department="Verkoop")
        for e in enrollments
        if not Membership.objects.filter(user_id=e.user_id).exists()
    )
    pre, post = assignment(PRE), assignment(POST)
    Submission.objects.bulk_create(
        Submission(
            enrollment=e,
            assignment=scan,
            status=Submission.Status.SUBMITTED,
            result={"overall": 3, "outcome": scan.config["phases"][index]["key"], "scores": {}},
            submitted_at=now,
        )
        for e in enrollments
        for scan, index in ((pre, 0), (post, 1))
    )
    for enrollment in enrollments[::3]:
        invite(enrollment)


@pytest.mark.parametrize(("name", "pinned"), HR_REPORT_PAGES, ids=[p[0] for p in HR_REPORT_PAGES])
def test_hr_report_does_not_grow_with_the_cohort(client, world, name, pinned):
    from tests.test_cohort_overview import bulk_learners

    now = timezone.now()
    alice = world.learner.enrollments.get()
    _hr_report_data(world.cohort, [alice, *bulk_learners(world.cohort, 9)], now=now)
    url = reverse(name, args=[world.cohort.pk])
    client.force_login(world.org_admin)
    client.get(url)
    small = _count(client, url)
    _hr_report_data(world.cohort, bulk_learners(world.cohort, 240, prefix="Many"), now=now)
    cold = _count(client, url)
    large = _count(client, url)
    assert cold <= pinned + SUMMARY_BUILD_QUERIES + 2
    assert (small, large) == (pinned, pinned), f"{name}: {small} then {large} queries"
    assert _count(client, url + "?status=behind&sorteer=status") == pinned


# --- Staff's cohort page, a learner's extensions, the people of an organisation ---------
#
# At 3 and at 30 learners (or people), so one query per row would show; page 2 as well.

# session, user, roles; the cohort; the roster's COUNT and page; the trainers; the
# extensions granted; the schedule (modules and overrides, assignments and overrides);
# the settings form's courses, trainer choices and chosen trainers.
STAFF_COHORT_QUERIES = 15
# session, user, roles; the enrolment; the assignments to choose from; its extensions.
STAFF_EXTENSION_QUERIES = 6
# The organisation page as pinned above, for HR and for staff.
ORGANISATION_QUERIES = 9


def _learners_with_extensions(world, count):
    """``count`` more learners in alice's cohort, alice with one more extension each."""
    import datetime

    from assignments.models import Extension
    from tests.test_cohort_overview import bulk_learners

    enrollments = bulk_learners(world.cohort, count, prefix=f"Row{count}")
    alice = world.learner.enrollments.get()
    assignments = list(world.course.assignments.filter(archived=False)[:count])
    Extension.objects.bulk_create(
        Extension(
            enrollment=enrollment,
            assignment=work,
            due_on=world.cohort.ends_on - datetime.timedelta(days=1),
            granted_by=world.staff,
        )
        for enrollment in (alice, *enrollments[: len(assignments)])
        for work in (assignments if enrollment == alice else assignments[:1])
        if not Extension.objects.filter(enrollment=enrollment, assignment=work).exists()
    )


@pytest.mark.parametrize(
    ("name", "pinned"),
    [
        ("staff:cohort", STAFF_COHORT_QUERIES),
        ("staff:enrollment_extension", STAFF_EXTENSION_QUERIES),
    ],
)
def test_staff_cohort_pages_do_not_grow_with_the_learners(client, world, name, pinned):
    alice = world.learner.enrollments.get()
    args = [world.cohort.pk] + ([alice.pk] if name == "staff:enrollment_extension" else [])
    url = reverse(name, args=args)
    client.force_login(world.staff)
    _learners_with_extensions(world, 2)
    client.get(url)
    small = _count(client, url)
    _learners_with_extensions(world, 27)
    large = _count(client, url)
    assert (small, large) == (pinned, pinned), f"{name}: {small} then {large} queries"
    if name == "staff:cohort":
        assert world.cohort.enrollments.count() == 30
        _learners_with_extensions(world, 40)
        assert _count(client, url + "?pagina=2") == pinned


@pytest.mark.parametrize(
    ("role", "name"), [("org_admin", "organisation:detail"), ("staff", "staff:organisation")]
)
def test_the_people_of_an_organisation_do_not_grow_the_queries(client, world, role, name):
    from tests.test_review_fixes import _add_people

    url = reverse(name, args=[world.acme.pk])
    client.force_login(getattr(world, role))
    client.get(url)
    small = _count(client, url)
    _add_people(world.acme, 60)
    large = _count(client, url)
    page_two = _count(client, url + "?pagina=2")
    assert (small, large, page_two) == (ORGANISATION_QUERIES,) * 3


# --- Grading (trainer:home is pinned here, with work in the queue at both sizes) ----

# session, user, roles; the filter's cohorts and reflections; the ids of all waiting
# work (the page count, and the navigation's count when no filter applies); the page's
# rows with each one's extension and cohort deadline.
GRADING_QUEUE_QUERIES = 7
# session, user, roles; the submission (with the versions of the learner's progress
# summary, current here); its revisions with grades; the thread; the comment bank; the
# navigation's count.
GRADING_PAGE_QUERIES = 8


def _waiting_work(cohort, n):
    """``n`` learners in ``cohort`` who each submitted the reflection."""
    submissions = []
    for _ in range(n):
        enrollment = make_learner(cohort).enrollments.select_related("cohort").get()
        draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
        submissions.append(
            reflection_submit(
                submission=draft,
                answers={"verhaal": " ".join(["woord"] * 90)},
                based_on=draft.version,
                now=timezone.now(),
            )
        )
    return submissions


def test_grading_queue_runs_the_same_queries_for_5_and_500_submissions(client, world):
    client.force_login(world.trainer)
    url = reverse("trainer:home")
    _waiting_work(world.cohort, 5)
    client.get(url)
    small = _count(client, url)
    for i in range(5):
        extra = CohortFactory(organisation=world.acme, course=world.course, name=f"Queue {i}")
        world.trainer.trained_cohorts.add(extra)
        _waiting_work(extra, 99)
    _waiting_work(world.cohort, 0)
    large = _count(client, url)
    assert (small, large) == (GRADING_QUEUE_QUERIES, GRADING_QUEUE_QUERIES)
    assert _count(client, url + "?pagina=10") == GRADING_QUEUE_QUERIES


def test_grading_page_does_not_grow_with_revisions_cohort_or_comment_bank(client, world):
    from assignments.models import CommentSnippet
    from assignments.services import submission_grade

    client.force_login(world.trainer)
    (submission,) = _waiting_work(world.cohort, 1)
    url = reverse("trainer:grade", args=[submission.pk])
    client.get(url)
    small = _count(client, url)
    enrollment = submission.enrollment
    rubric = assignment(REFLECTION).config["rubric"]["criteria"]
    for i in range(5):
        submission_grade(
            submission=submission,
            trainer=world.trainer,
            rubric_scores={c["id"]: c["levels"][0]["points"] for c in rubric},
            comment="Nog niet.",
            decision="returned",
            now=timezone.now(),
        )
        draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
        submission = reflection_submit(
            submission=draft,
            answers={"verhaal": " ".join(["ander"] * 95)},
            based_on=draft.version,
            now=timezone.now(),
        )
        CommentSnippet.objects.create(trainer=world.trainer, text=f"Zin {i}")
    _waiting_work(world.cohort, 6)
    url = reverse("trainer:grade", args=[submission.pk])
    # The learner's work changed: the first look rebuilds their summary, once.
    cold = _count(client, url)
    large = _count(client, url)
    assert (small, large) == (GRADING_PAGE_QUERIES, GRADING_PAGE_QUERIES)
    assert cold <= GRADING_PAGE_QUERIES + SUMMARY_BUILD_QUERIES


# --- Reminder mail: staff's log and a learner's reminders on the trainer's page ------

# session, user, roles; the page's COUNT, its rows (recipient and organisation joined),
# their items' rules; the organisations for the filter.
REMINDER_LOG_QUERIES = 7
# The learner's page as pinned above: the reminders about the learner are one query.
LEARNER_WITH_REMINDERS_QUERIES = 12


def _reminder_item(message, rule, target, *, day, **fields):
    from notifications.models import ReminderItem

    return ReminderItem(
        recipient=message.recipient,
        message=message,
        rule=rule,
        target=target,
        occurrence=f"{day:%Y%m%d}",
        created_at=message.created_at,
        **fields,
    )


def _reminder_mail(world, n, *, offset=0):
    """``n`` days of reminder mail: a daily mail to alice with three items (sent, and
    every third failed), a trainer's nudge, tara's digest and olga's summary."""
    import datetime

    from notifications.models import Message, ReminderItem, Rule

    enrollment = world.learner.enrollments.get()
    reflection, quiz = assignment(REFLECTION), assignment(QUIZ)
    now = timezone.now()
    for i in range(offset, offset + n):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=i)
        created = now - datetime.timedelta(minutes=i)
        status = Message.Status.FAILED if i % 3 == 0 else Message.Status.SENT
        daily, nudge, digest, summary = (
            Message.objects.create(
                recipient=recipient,
                organisation=organisation,
                kind=kind,
                local_date=day,
                send_after=created,
                created_at=created,
                status=status,
                attempts=1,
                last_error="550 mailbox unavailable" if status == Message.Status.FAILED else "",
                sent_at=created if status == Message.Status.SENT else None,
            )
            for recipient, organisation, kind in (
                (world.learner, world.acme, Message.Kind.DAILY),
                (world.learner, world.acme, Message.Kind.EVENT),
                (world.trainer, None, Message.Kind.DIGEST),
                (world.org_admin, world.acme, Message.Kind.SUMMARY),
            )
        )
        ReminderItem.objects.bulk_create(
            [
                _reminder_item(
                    daily,
                    Rule.DUE_SOON,
                    f"a{reflection.pk}",
                    day=day,
                    enrollment=enrollment,
                    assignment=reflection,
                    due_on=day,
                ),
                _reminder_item(
                    daily,
                    Rule.OVERDUE,
                    f"a{quiz.pk}",
                    day=day,
                    enrollment=enrollment,
                    assignment=quiz,
                    due_on=day,
                ),
                _reminder_item(daily, Rule.INACTIVE, "quiet", day=day, enrollment=enrollment),
                _reminder_item(
                    nudge, Rule.NUDGE, "nudge", day=day, enrollment=enrollment, sender=world.trainer
                ),
                _reminder_item(digest, Rule.TRAINER_DIGEST, "queue", day=day),
                _reminder_item(summary, Rule.ORG_SUMMARY, "summary", day=day),
            ]
        )


@pytest.mark.parametrize(
    ("name", "pinned"),
    [
        ("staff:reminders", REMINDER_LOG_QUERIES),
        ("trainer:learner", LEARNER_WITH_REMINDERS_QUERIES),
    ],
)
def test_reminder_pages_do_not_grow_with_the_mail_sent(client, world, name, pinned):
    if name == "staff:reminders":
        client.force_login(world.staff)
        url = reverse(name)
    else:
        client.force_login(world.trainer)
        url = reverse(name, args=[world.cohort.pk, world.learner.enrollments.get().pk])
    _reminder_mail(world, 2)
    client.get(url)
    small = _count(client, url)
    _reminder_mail(world, 40, offset=2)
    large = _count(client, url)
    assert (small, large) == (pinned, pinned), f"{name}: {small} then {large} queries"
    if name == "staff:reminders":
        # Filtered and on a later page: the same queries.
        assert _count(client, url + "?status=failed&rule=overdue&email=alice&pagina=2") == pinned
