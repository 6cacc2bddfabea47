"""The benchmark's tools (docs/performance.md): seed_bench builds consistent data, the
bench command reports in the agreed shape, the floor page is for logged-in people.

Nothing here measures speed: the numbers come from `make bench`, never from a test.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.access import AUTHENTICATED
from accounts.models import User
from assignments.models import Assignment, Grade, Submission
from assignments.scoring import scan_result
from assignments.selectors import quiz_next_draw
from cohorts.models import Enrollment
from demo import views
from demo.bench import BUDGETS, bench_cast, sweep_moment, sweep_pairs
from demo.bench_data import WITHDRAWN_EVERY, plan_cohorts, seed_bench
from notifications.models import Message, ReminderItem
from notifications.rules import reachable_users
from organisations.models import Membership
from tests.factories import UserFactory

TINY = {"cohorts": 2, "learners": 5, "large_learners": 8, "min_pairs": 0}


@pytest.fixture
def bench(settings):
    """The bench settings' two differences that matter here: the database may be
    seeded, and the URLconf has the floor page."""
    settings.BENCH_DATABASE = True
    settings.ROOT_URLCONF = "demo.bench_urls"
    return settings


@pytest.fixture
def tiny(db, bench):
    return seed_bench(**TINY)


def test_the_planned_cohorts_reach_the_pairs_asked_for():
    plans = plan_cohorts(
        cohorts=20, learners=250, large_learners=500, min_pairs=100_000, assignments=13
    )
    sizes = sorted(plan.learners for plan in plans)
    assert sizes.count(500) == 1
    assert sizes.count(250) >= 20
    active = sum(plan.learners - plan.learners // WITHDRAWN_EVERY for plan in plans)
    assert active * 13 >= 100_000
    # No more cohorts than it takes: one fewer would not reach the pairs.
    assert (active - (250 - 250 // WITHDRAWN_EVERY)) * 13 < 100_000
    assert all(5 <= plan.days_ago <= 45 for plan in plans)


def test_every_learner_is_enrolled_once_and_can_be_reminded(tiny):
    learners = User.objects.filter(memberships__role=Membership.Role.MEMBER)
    assert learners.count() == 2 * 5 + 8
    assert all(user.enrollments.count() == 1 for user in learners)
    assert reachable_users().count() == User.objects.count()


def test_the_pairs_are_the_active_learners_times_the_assignments(tiny):
    active = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).count()
    assignments = Assignment.objects.filter(archived=False).count()
    assert tiny.pairs == active * assignments
    assert sweep_pairs(sweep_moment()) == (active, tiny.pairs)


def test_the_work_has_drafts_waiting_work_and_grades_that_agree(tiny):
    statuses = set(
        Submission.objects.filter(assignment__kind=Assignment.Kind.REFLECTION).values_list(
            "status", flat=True
        )
    )
    assert {Submission.Status.DRAFT, Submission.Status.SUBMITTED} <= statuses
    assert Grade.objects.exists()
    for grade in Grade.objects.select_related("submission"):
        assert grade.submission.status == grade.decision
        assert grade.released_at >= grade.submission.submitted_at
        assert set(grade.rubric_scores.values()) <= {0, 1, 2, 3}
        if grade.decision == Grade.Decision.APPROVED:
            assert min(grade.rubric_scores.values()) >= 2


def test_quiz_attempts_store_the_questions_the_page_draws(tiny):
    attempts = Submission.objects.filter(assignment__kind=Assignment.Kind.QUIZ).select_related(
        "assignment"
    )
    assert attempts.exists()
    for attempt in attempts:
        earlier = Submission.objects.filter(
            enrollment_id=attempt.enrollment_id,
            assignment=attempt.assignment,
            revision__lt=attempt.revision,
        )
        draw = quiz_next_draw(
            enrollment_id=attempt.enrollment_id, assignment=attempt.assignment, attempts=earlier
        )
        assert attempt.result["questions"] == draw.question_ids
        assert set(attempt.answers) == set(draw.question_ids)


def test_scans_store_their_scored_result(tiny):
    scans = Submission.objects.filter(assignment__kind=Assignment.Kind.SCAN)
    assert scans.exists()
    for scan in scans.select_related("assignment"):
        assert scan.result == scan_result(scan.assignment.config, scan.answers)


def test_reminder_history_lies_before_the_sweep(tiny):
    assert ReminderItem.objects.exists()
    assert not Message.objects.filter(local_date__gte=sweep_moment().date()).exclude(
        kind=Message.Kind.EVENT
    )


def test_the_cast_the_bench_measures_is_there(tiny):
    cast = bench_cast()
    assert cast.draft.status == Submission.Status.DRAFT
    assert cast.waiting.status == Submission.Status.SUBMITTED
    assert cast.cohort.has_trainer(cast.trainer)
    assert cast.large.enrollments.count() == 8


def test_seed_bench_refuses_a_database_with_data_unless_reset(transactional_db, bench):
    # Outside a test transaction: PostgreSQL empties tables (TRUNCATE) only without one.
    seed_bench(**TINY)
    with pytest.raises(CommandError, match="already holds data"):
        call_command("seed_bench", **TINY, stdout=io.StringIO())
    call_command("seed_bench", **TINY, reset=True, stdout=io.StringIO())
    assert Enrollment.objects.count() == 2 * 5 + 8


def test_seed_bench_refuses_a_database_that_is_not_the_benchs(db):
    with pytest.raises(CommandError, match="the benchmark's database"):
        call_command("seed_bench", **TINY, stdout=io.StringIO())
    assert not User.objects.exists()


def test_bench_writes_every_page_in_the_agreed_shape_and_leaves_the_data(tiny, tmp_path):
    cast = bench_cast()
    before = (Submission.objects.count(), Submission.objects.get(pk=cast.draft.pk).version)
    output = tmp_path / "results.json"
    call_command(
        "bench",
        warmup=1,
        repeat=2,
        sweep_runs=1,
        emails=3,
        output=str(output),
        stdout=io.StringIO(),
    )
    results = json.loads(output.read_text())
    assert results["floor_ms"] > 0
    assert set(results["pages"]) == set(BUDGETS)
    for page in results["pages"].values():
        assert {"median_ms", "p95_ms", "ratio_to_floor", "queries"} <= set(page)
        assert page["queries"] > 0
    assert results["sweep"]["pairs"] == tiny.pairs
    assert results["sweep"]["seconds"] > 0
    assert results["email"]["per_second"] > 0
    after = (Submission.objects.count(), Submission.objects.get(pk=cast.draft.pk).version)
    assert after == before


def test_the_floor_page_is_for_logged_in_people_of_any_role(client, db, bench):
    assert views.bench_floor.access_rule == AUTHENTICATED
    response = client.get("/bench/vloer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get("/bench/vloer/").status_code == 200
