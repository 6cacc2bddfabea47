"""Every page runs a fixed number of queries, whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.services import quiz_submit, reflection_draft, reflection_submit, scan_submit
from cohorts.services import enrollment_create
from courses.services import course_import, lesson_mark_read
from tests.assignment_helpers import (
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

# url name, role in the world fixture, kwargs kind, pinned query count (session,
# user, roles, then the page's own reads)
PAGES = [
    ("learn:home", "learner", None, 13),
    ("learn:cohort", "learner", "cohort", 13),
    ("trainer:home", "trainer", None, 5),
    ("trainer:cohorts", "trainer", None, 4),
    ("trainer:cohort", "trainer", "cohort", 9),
    ("organisation:home", "org_admin", None, 4),
    ("organisation:detail", "org_admin", "organisation", 6),
    ("organisation:cohort", "org_admin", "cohort", 6),
    ("staff:home", "staff", None, 5),
    ("staff:organisation", "staff", "organisation", 6),
    ("staff:cohort", "staff", "cohort", 13),
    ("profile", "learner", None, 3),
]


def _url(world, name, kind):
    kwargs = {}
    if kind == "cohort":
        kwargs = {"cohort_id": world.cohort.pk}
    elif kind == "organisation":
        kwargs = {"organisation_id": world.acme.pk}
    return reverse(name, kwargs=kwargs)


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
    large = _count(client, url)
    assert (small, large) == (pinned, pinned), f"{name}: {small} then {large} queries"


LEARNER_PAGES = [
    ("learn:home", {}, 13),
    ("learn:cohort", {"cohort": True}, 13),
    ("learn:module", {"cohort": True, "module_slug": "module-1"}, 12),
    ("learn:lesson", {"cohort": True, "lesson_slug": "les-1-1"}, 13),
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
