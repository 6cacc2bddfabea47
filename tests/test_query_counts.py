"""Every page runs a fixed number of queries, whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.services import enrollment_create
from courses.services import course_import, lesson_mark_read
from tests.course_files import write_course
from tests.factories import CohortFactory, make_learner, make_org_admin, make_trainer

# url name, role in the world fixture, kwargs kind, pinned query count (session,
# user, roles, then the page's own reads)
PAGES = [
    ("learn:home", "learner", None, 8),
    ("learn:cohort", "learner", "cohort", 9),
    ("trainer:home", "trainer", None, 4),
    ("trainer:cohorts", "trainer", None, 4),
    ("trainer:cohort", "trainer", "cohort", 6),
    ("organisation:home", "org_admin", None, 4),
    ("organisation:detail", "org_admin", "organisation", 6),
    ("organisation:cohort", "org_admin", "cohort", 6),
    ("staff:home", "staff", None, 5),
    ("staff:organisation", "staff", "organisation", 6),
    ("staff:cohort", "staff", "cohort", 8),
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
        make_learner(world.cohort, display_name=f"Extra {i}")
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
    ("learn:home", {}, 8),
    ("learn:cohort", {"cohort": True}, 9),
    ("learn:module", {"cohort": True, "module_slug": "module-1"}, 8),
    ("learn:lesson", {"cohort": True, "lesson_slug": "les-1-1"}, 9),
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
        lesson_mark_read(enrollment=enrollment, lesson=lesson)
    client.force_login(learner)
    url_kwargs = {key: value for key, value in kwargs.items() if key != "cohort"}
    if kwargs.get("cohort"):
        url_kwargs["cohort_id"] = cohort.pk
    url = reverse(name, kwargs=url_kwargs)
    client.get(url)
    assert _count(client, url) == pinned
