import copy
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from courses.services import course_import, course_read
from dashboards.selectors import forget_kept_rows
from dashboards.summaries import forget_all
from learning.progress import forget_kept_progress
from tests.course_files import SHIPPED
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    UserFactory,
    make_learner,
    make_org_admin,
    make_trainer,
)
from tests.smtp import start_sink


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits live in the cache (Redis in the CI pass); start every test clean,
    # and with no progress summaries, course outlines or learner rows remembered from
    # another test's database.
    cache.clear()
    forget_all()
    forget_kept_progress()
    forget_kept_rows()
    yield
    cache.clear()
    forget_all()
    forget_kept_progress()
    forget_kept_rows()


@pytest.fixture
def smtp_server(settings):
    """Start a real SMTP server with the given handler (tests.smtp.SmtpSink); mail goes there."""
    controllers = []

    def start(handler):
        controllers.append(start_sink(handler, settings))
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="session")
def shipped_course():
    """The shipped course, read and validated once per test run (reading is the slow part)."""
    return course_read(SHIPPED)


@pytest.fixture
def world(db, shipped_course):
    """Two organisations with one cohort each and every role in both.

    alice learns in Acme, bob learns in Bolt (another organisation); tara trains
    Acme's cohort, theo trains Bolt's; olga administers Acme, otto administers
    Bolt; sara is platform staff; nina has an account but no role at all. Both
    cohorts follow the shipped course and started a week ago, so module 1 and 2
    are open and modules 3 and 4 are locked.
    """
    acme = OrganisationFactory(name="Acme")
    bolt = OrganisationFactory(name="Bolt")
    course = course_import(spec=copy.deepcopy(shipped_course)).course
    acme_cohort = CohortFactory(organisation=acme, name="Acme najaar", course=course)
    bolt_cohort = CohortFactory(organisation=bolt, name="Bolt najaar", course=course)
    return SimpleNamespace(
        course=course,
        acme=acme,
        bolt=bolt,
        cohort=acme_cohort,
        other_cohort=bolt_cohort,
        learner=make_learner(acme_cohort, email="alice@example.com", display_name="Alice"),
        learner_other=make_learner(bolt_cohort, email="bob@example.com", display_name="Bob"),
        trainer=make_trainer(acme_cohort, email="tara@example.com", display_name="Tara"),
        trainer_other=make_trainer(bolt_cohort, email="theo@example.com", display_name="Theo"),
        org_admin=make_org_admin(acme, email="olga@example.com", display_name="Olga"),
        org_admin_other=make_org_admin(bolt, email="otto@example.com", display_name="Otto"),
        staff=UserFactory(email="sara@example.com", display_name="Sara", is_staff=True),
        nobody=UserFactory(email="nina@example.com", display_name="Nina"),
    )
