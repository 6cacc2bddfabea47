import io

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Enrollment
from demo.seed import DEMO_PASSWORD
from learning.progress import course_states
from organisations.models import Membership, Organisation

NAMED = [
    ("learner@example.com", "/leren/"),
    ("trainer@example.com", "/trainer/"),
    ("orgadmin@example.com", "/organisatie/"),
    ("staff@example.com", "/beheer/"),
    ("learner2@example.com", "/leren/"),
    ("trainer2@example.com", "/trainer/"),
    ("orgadmin2@example.com", "/organisatie/"),
]


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (User, Organisation, Membership, Cohort, Enrollment)
    } | {"enrollment_dates": sorted(Enrollment.objects.values_list("pk", "starts_on", "status"))}


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first


def test_every_named_account_logs_in_and_lands_on_its_start_page(db):
    call_command("seed_demo", stdout=io.StringIO())
    for email, start in NAMED:
        client = Client()
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0] == start, email
        assert response.status_code == 200


def test_each_cohort_has_at_least_eight_further_learners_with_distinct_names(db):
    call_command("seed_demo", stdout=io.StringIO())
    for organisation_name in ("Demo BV", "Tweede BV"):
        cohort = Cohort.objects.get(organisation__name=organisation_name)
        names = list(
            Enrollment.objects.filter(cohort=cohort)
            .exclude(user__email__in=["learner@example.com", "learner2@example.com"])
            .values_list("user__display_name", flat=True)
        )
        assert len(names) >= 8
        assert len(set(names)) == len(names)
        assert cohort.is_running(timezone.now())


def test_demo_learners_of_one_organisation_cannot_see_the_other(db):
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    client.post("/accounts/login/", {"login": "learner@example.com", "password": DEMO_PASSWORD})
    other = Cohort.objects.get(organisation__name="Tweede BV")
    assert client.get(f"/leren/groepen/{other.pk}/").status_code == 404


def test_named_learners_start_today_without_overdue_work_while_others_are_behind(db):
    """A first look at the demo is a fresh journey; the cohort still shows every stage."""
    call_command("seed_demo", stdout=io.StringIO())
    now = timezone.now()
    for named in ("learner@example.com", "learner2@example.com"):
        cohort = Enrollment.objects.get(user__email=named).cohort
        enrollments = Enrollment.objects.filter(cohort=cohort).select_related(
            "user", "cohort__course"
        )
        overdue = {
            state.enrollment.user.email: state.overdue
            for state in course_states(enrollments, now=now)
        }

        assert overdue.pop(named) == [], named
        assert Enrollment.objects.get(user__email=named).starts_on == timezone.localdate()
        assert any(overdue.values()), f"nobody in {cohort.name} is overdue"


def test_the_demo_trainer_has_a_comment_bank_to_grade_with(db):
    from assignments.models import CommentSnippet
    from demo.seed import TRAINER_SNIPPETS, seed_demo

    seed_demo()
    seed_demo()
    texts = set(
        CommentSnippet.objects.filter(trainer__email="trainer@example.com").values_list(
            "text", flat=True
        )
    )
    assert texts == set(TRAINER_SNIPPETS)


def test_the_sample_enrolment_file_reads_as_thirty_new_people(db):
    from pathlib import Path

    from cohorts.csv_import import person_problem, read_people
    from demo.seed import seed_demo

    seed_demo()
    rows = read_people(
        (Path(__file__).parent.parent / "demo/voorbeeld-inschrijving.csv").read_bytes()
    )
    assert len(rows) == 30
    assert [person_problem(row) for row in rows if row.problem or person_problem(row)] == []
    assert any(row.first_name == "Renée" for row in rows), "Windows-1252 accents survive"
    assert Organisation.objects.get(slug="demo-bv").admins_may_enrol
