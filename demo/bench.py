"""The benchmark (``make bench``, docs/performance.md): server time of the main pages
as a ratio to a floor page, the reminder sweep, and reminder mail throughput.

Pages are requested in this process through ``django.test.Client`` (the whole
middleware stack, no network), logged in with ``force_login``. Each round asks every
page once, so a disturbance on the machine hits all pages alike; the first rounds
warm up, the rest are timed. Server time is the time around ``client.get``/``post``.
The query count comes from one more request under ``CaptureQueriesContext``.
Writes (a quiz attempt, an autosave) are real and committed; what they added is
removed afterwards, so every run starts from the same data.
"""

import datetime
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils.http import urlencode

from accounts.mail import deliver
from assignments.models import Assignment, Submission
from assignments.selectors import quiz_next_draw
from cohorts.models import Cohort, Enrollment
from courses.models import Lesson
from demo.bench_data import (
    BENCH_LEARNER,
    LARGE_COHORT,
    MEASURED_COHORT,
    ORG_SLUG_PREFIX,
    TZ,
    BenchSeedError,
)
from notifications import mail
from notifications.models import Message, ReminderItem
from notifications.rules import reachable_users, running_cohorts
from notifications.selectors import message_items
from notifications.services import reminders_sweep
from organisations.models import Membership, Organisation

# Server time as a multiple of the floor's (issue 12, §4); the sweep in seconds.
BUDGETS = {
    "learner_dashboard": 2,
    "lesson": 2,
    "quiz_submit": 2,
    "reflection_autosave": 2,
    "grading_queue": 3,
    "grading_page": 3,
    "cohort_overview": 5,
    "cohort_overview_500": 5,
    "org_report": 5,
    "org_report_500": 5,
}
SWEEP_BUDGET_SECONDS = 10.0
SWEEP_STRETCH_SECONDS = 2.0
# The sweep runs when the learners' day has begun and many deadlines are near.
SWEEP_LOCAL_TIME = datetime.time(10, 0)


# --- what is measured -----------------------------------------------------------------


def bench_cast() -> SimpleNamespace:
    """The people and objects the pages are measured with, as seed_bench built them."""
    cohort = Cohort.objects.filter(
        name=MEASURED_COHORT, organisation__slug__startswith=ORG_SLUG_PREFIX
    ).first()
    large = Cohort.objects.filter(
        name=LARGE_COHORT, organisation__slug__startswith=ORG_SLUG_PREFIX
    ).first()
    enrollment = (
        Enrollment.objects.filter(cohort=cohort, user__email=BENCH_LEARNER)
        .select_related("user", "cohort")
        .first()
    )
    if cohort is None or large is None or enrollment is None:
        raise BenchSeedError(
            "This database does not hold the data seed_bench builds; "
            "run `manage.py seed_bench --reset` (with lms.bench_settings) to rebuild it."
        )
    course = cohort.course
    lessons = list(
        Lesson.objects.filter(course=course, archived=False, module__archived=False).order_by(
            "module__position", "position"
        )
    )
    draft = (
        Submission.objects.filter(
            enrollment=enrollment,
            status=Submission.Status.DRAFT,
            assignment__kind=Assignment.Kind.REFLECTION,
        )
        .select_related("assignment")
        .order_by("pk")
        .first()
    )
    waiting = (
        Submission.objects.filter(
            enrollment__cohort=cohort,
            status=Submission.Status.SUBMITTED,
            assignment__kind=Assignment.Kind.REFLECTION,
        )
        .order_by("-revision", "pk")
        .first()
    )
    quiz = (
        Assignment.objects.filter(course=course, kind=Assignment.Kind.QUIZ, archived=False)
        .filter(config__has_key="draw")
        .first()
    )
    if draft is None or waiting is None or quiz is None:
        raise BenchSeedError("The bench data lacks a draft, waiting work or a drawn quiz.")
    return SimpleNamespace(
        cohort=cohort,
        large=large,
        enrollment=enrollment,
        learner=enrollment.user,
        trainer=cohort.trainers.order_by("pk").first(),
        large_trainer=large.trainers.order_by("pk").first(),
        org_admin=_org_admin(cohort),
        large_org_admin=_org_admin(large),
        lesson=lessons[len(lessons) // 2],
        draft=draft,
        waiting=waiting,
        quiz=quiz,
    )


def _org_admin(cohort):
    return (
        Membership.objects.filter(
            organisation_id=cohort.organisation_id, role=Membership.Role.ORG_ADMIN
        )
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )


def seeded_at() -> datetime.datetime:
    moment = Organisation.objects.filter(slug__startswith=ORG_SLUG_PREFIX).aggregate(
        first=Min("created_at")
    )["first"]
    if moment is None:
        raise BenchSeedError("No bench organisations: run seed_bench first.")
    return moment


def sweep_moment() -> datetime.datetime:
    """10:00 in the learners' time zone on the day the data was built: its deadlines
    are the ones in window, whenever the benchmark runs."""
    day = seeded_at().astimezone(TZ).date()
    return datetime.datetime.combine(day, SWEEP_LOCAL_TIME, TZ)


# --- pages ------------------------------------------------------------------------------


FORM = "application/x-www-form-urlencoded"


@dataclass
class Probe:
    """One page: how to make its next request, and what to check in the answer."""

    name: str
    client: Client
    request: Callable[[], tuple[str, str, dict | None, dict]]  # method, path, data, headers
    expect: int = 200
    answered: Callable[[object], None] = lambda _response: None
    samples: list[float] = field(default_factory=list)
    queries: int = 0

    def call(self, *, count_queries: bool = False):
        """Make the next request; its server time in seconds. With ``count_queries``,
        ``queries`` becomes the number the request ran (not the ones that prepared it)."""
        method, path, data, headers = self.request()
        with CaptureQueriesContext(connection) if count_queries else nullcontext() as queries:
            started = time.perf_counter()
            if method == "post":
                # Sent as the quiz form and htmx send it: form-urlencoded, not multipart.
                response = self.client.post(
                    path, urlencode(data, doseq=True), content_type=FORM, headers=headers
                )
            else:
                response = self.client.get(path)
            elapsed = time.perf_counter() - started
        if count_queries:
            self.queries = len(queries)
        if response.status_code != self.expect:
            raise BenchSeedError(
                f"{self.name}: {method.upper()} {path} answered {response.status_code}, "
                f"expected {self.expect}."
            )
        self.answered(response)
        return elapsed


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(path: str):
    return lambda: ("get", path, None, {})


class _QuizAttempts:
    """Each request hands in the next attempt at the drawn quiz: the questions its page
    draws, answered, with the ``_shown`` ids the page sends."""

    def __init__(self, cast):
        self.enrollment, self.quiz = cast.enrollment, cast.quiz
        self.path = reverse("learn:assignment_submit", args=[cast.cohort.pk, self.quiz.slug])
        self.options = {
            q["id"]: sorted(o["id"] for o in q["options"] if o["correct"])
            for q in self.quiz.config["questions"]
        }
        # What this run hands in is removed afterwards: every attempt from this pk on.
        self.first_new_pk = (Submission.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

    def _attempts(self):
        return Submission.objects.filter(enrollment=self.enrollment, assignment=self.quiz)

    def request(self):
        draw = quiz_next_draw(
            enrollment_id=self.enrollment.pk,
            assignment=self.quiz,
            attempts=self._attempts().only("revision", "answers", "result"),
        )
        data = {qid: self.options[qid] for qid in draw.question_ids}
        data["_shown"] = draw.question_ids
        return "post", self.path, data, {}

    def clean_up(self):
        self._attempts().filter(pk__gte=self.first_new_pk).delete()


class _Autosave:
    """Each request is the autosave of a changed text, sent with the version the page
    last saw; the answer's version is carried to the next one (as static/js/drafts.js)."""

    def __init__(self, cast):
        self.draft = cast.draft
        self.saved = Submission.objects.filter(pk=self.draft.pk).values(
            "answers", "version", "updated_at"
        )[0]
        self.version = self.saved["version"]
        self.prompts = [p["id"] for p in self.draft.assignment.config["prompts"]]
        self.texts = {p: self.saved["answers"].get(p, "") for p in self.prompts}
        self.path = reverse(
            "learn:assignment_draft",
            args=[cast.cohort.pk, self.draft.assignment.slug, self.draft.revision],
        )
        self.typed = 0

    def request(self):
        self.typed += 1
        first = self.prompts[0]
        data = {"version": str(self.version), **self.texts}
        data[first] = f"{self.texts[first]} {'woord ' * (self.typed % 7)}".strip()
        return "post", self.path, data, {"HX-Request": "true"}

    def answered(self, response):
        self.version = int(response["X-Draft-Version"])

    def clean_up(self):
        Submission.objects.filter(pk=self.draft.pk).update(**self.saved)


def page_probes(cast) -> tuple[list[Probe], list]:
    learner = _client(cast.learner)
    trainer = _client(cast.trainer)
    large_trainer = _client(cast.large_trainer)
    admin = _client(cast.org_admin)
    large_admin = _client(cast.large_org_admin)
    quiz = _QuizAttempts(cast)
    autosave = _Autosave(cast)
    cohort = cast.cohort.pk
    probes = [
        Probe("floor", learner, _get(reverse("bench_floor"))),
        Probe("learner_dashboard", learner, _get(reverse("learn:home"))),
        Probe("lesson", learner, _get(reverse("learn:lesson", args=[cohort, cast.lesson.slug]))),
        Probe("quiz_submit", learner, quiz.request, expect=302),
        Probe("reflection_autosave", learner, autosave.request, answered=autosave.answered),
        Probe("grading_queue", trainer, _get(reverse("trainer:home"))),
        Probe("grading_page", trainer, _get(reverse("trainer:grade", args=[cast.waiting.pk]))),
        Probe("cohort_overview", trainer, _get(reverse("trainer:cohort", args=[cohort]))),
        Probe(
            "cohort_overview_500",
            large_trainer,
            _get(reverse("trainer:cohort", args=[cast.large.pk])),
        ),
        Probe("org_report", admin, _get(reverse("organisation:cohort", args=[cohort]))),
        Probe(
            "org_report_500",
            large_admin,
            _get(reverse("organisation:cohort", args=[cast.large.pk])),
        ),
    ]
    return probes, [quiz, autosave]


def measure_pages(cast, *, warmup: int, repeat: int, log) -> list[Probe]:
    probes, writers = page_probes(cast)
    try:
        for number in range(warmup + repeat):
            for probe in probes:
                elapsed = probe.call()
                if number >= warmup:
                    probe.samples.append(elapsed)
            if (number + 1) % 10 == 0:
                log(f"  round {number + 1} of {warmup + repeat}")
        for probe in probes:
            probe.call(count_queries=True)
    finally:
        for writer in writers:
            writer.clean_up()
    return probes


def _machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy since boot (Linux), or None."""
    try:
        first_line = Path("/proc/stat").read_text().split("\n", 1)[0]
    except OSError:
        return None
    ticks = [int(value) for value in first_line.split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


@contextmanager
def others_on_the_machine(report: dict):
    """Record how busy other processes kept the machine meanwhile (share of all CPUs):
    what else runs shows up in every number."""
    busy, own, wall = _machine_busy_seconds(), time.process_time(), time.monotonic()
    yield
    if busy is None:
        return
    others = (_machine_busy_seconds() - busy) - (time.process_time() - own)
    report["other_processes_cpu_share"] = round(
        max(0.0, others) / ((time.monotonic() - wall) * (os.cpu_count() or 1)), 3
    )


def percentile(samples: list[float], share: float) -> float:
    """Nearest rank: the smallest sample with at least ``share`` of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- the reminder sweep --------------------------------------------------------------------


def sweep_pairs(at: datetime.datetime) -> tuple[int, int]:
    """(learners, learner-deadline pairs) the sweep weighs at ``at``: every active,
    reachable learner of a running cohort, once per assignment of their course."""
    per_course = dict(
        Assignment.objects.filter(archived=False, module__archived=False)
        .values_list("course_id")
        .annotate(n=Count("pk"))
    )
    learners = pairs = 0
    for course_id, count in (
        Enrollment.objects.filter(
            cohort__in=running_cohorts(at),
            status=Enrollment.Status.ACTIVE,
            user__in=reachable_users(),
        )
        .values_list("cohort__course_id")
        .annotate(n=Count("pk"))
    ):
        learners += count
        pairs += count * per_course.get(course_id, 0)
    return learners, pairs


def measure_sweep(*, runs: int, log) -> dict:
    at = sweep_moment()
    learners, pairs = sweep_pairs(at)
    seconds, found = [], 0
    for number in range(runs):
        with transaction.atomic():
            started = time.perf_counter()
            reminders_sweep(now=at)
            seconds.append(time.perf_counter() - started)
            found = ReminderItem.objects.filter(created_at=at).count()
            transaction.set_rollback(True)
        log(f"  sweep {number + 1} of {runs}: {seconds[-1]:.2f} s")
    median = statistics.median(seconds)
    return {
        "pairs": pairs,
        "seconds": round(median, 3),
        "at": at.isoformat(),
        "learners": learners,
        "items_found": found,
        "runs": [round(s, 3) for s in seconds],
        "budget_seconds": SWEEP_BUDGET_SECONDS,
        "within_budget": median <= SWEEP_BUDGET_SECONDS,
        "within_stretch": median <= SWEEP_STRETCH_SECONDS,
    }


# --- reminder mail -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_smtp_server() -> tuple[subprocess.Popen, int]:
    """aiosmtpd in its own process (as a mail server would be), keeping nothing."""
    port = _free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [*command, "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise BenchSeedError("The local SMTP server (aiosmtpd) did not start.")


def _daily_messages(count: int) -> list[Message]:
    return list(
        Message.objects.filter(kind=Message.Kind.DAILY)
        .select_related("recipient")
        .order_by("pk")[:count]
    )


def _render_and_send(message: Message, at: datetime.datetime) -> None:
    """What a worker does for one reminder once it holds the claim: read its items,
    render the mail (notifications/mail.py) and hand it to the SMTP backend."""
    items = message_items(message)
    deliver(mail.build(message, items, now=at))


def measure_email(*, count: int, warmup: int = 5) -> dict:
    at = sweep_moment()
    messages = _daily_messages(count + warmup)
    if len(messages) <= warmup:
        raise BenchSeedError("Too few reminder messages to measure mail.")
    server, port = _start_smtp_server()
    try:
        with override_settings(
            EMAIL_BACKEND="notifications.backends.SmtpBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
        ):
            for message in messages[:warmup]:
                _render_and_send(message, at)
            timed = messages[warmup:]
            started = time.perf_counter()
            for message in timed:
                _render_and_send(message, at)
            elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "per_second": round(len(timed) / elapsed, 1),
        "emails": len(timed),
        "seconds": round(elapsed, 3),
        "connection": "one SMTP connection per mail, as each send task opens",
    }


# --- the whole run ----------------------------------------------------------------------------


def run_bench(*, warmup: int, repeat: int, sweep_runs: int, emails: int, log) -> dict:
    cast = bench_cast()
    log(f"Pages: {warmup} warm-up rounds, {repeat} timed rounds")
    machine = {"cpus": os.cpu_count()}
    with others_on_the_machine(machine):
        probes = measure_pages(cast, warmup=warmup, repeat=repeat, log=log)
    floor = statistics.median(probes[0].samples)
    pages = {}
    for probe in probes[1:]:
        median = statistics.median(probe.samples)
        ratio = median / floor
        pages[probe.name] = {
            "median_ms": round(median * 1000, 2),
            "p95_ms": round(percentile(probe.samples, 0.95) * 1000, 2),
            "ratio_to_floor": round(ratio, 2),
            "queries": probe.queries,
            "budget": BUDGETS[probe.name],
            "within_budget": ratio <= BUDGETS[probe.name],
        }
    log(f"Reminder sweep: {sweep_runs} runs, each rolled back")
    sweep = measure_sweep(runs=sweep_runs, log=log)
    log(f"Reminder mail: {emails} mails to a local SMTP server")
    email = measure_email(count=emails)
    return {
        "floor_ms": round(floor * 1000, 2),
        "pages": pages,
        "sweep": sweep,
        "email": email,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "floor": {
            "median_ms": round(floor * 1000, 2),
            "p95_ms": round(percentile(probes[0].samples, 0.95) * 1000, 2),
            "queries": probes[0].queries,
        },
        "requests": {"warmup": warmup, "timed": repeat},
        "machine": machine,
        "data": {
            "learners": Enrollment.objects.count(),
            "cohorts": Cohort.objects.count(),
            "submissions": Submission.objects.count(),
            "seeded_at": seeded_at().isoformat(timespec="seconds"),
        },
    }


def over_budget(results: dict) -> list[str]:
    """A line for each page (and the sweep) that misses its budget."""
    lines = [
        f"{name}: {page['ratio_to_floor']:.2f}× the floor (budget {page['budget']}×), "
        f"median {page['median_ms']:.1f} ms"
        for name, page in results["pages"].items()
        if not page["within_budget"]
    ]
    if not results["sweep"]["within_budget"]:
        lines.append(
            f"sweep: {results['sweep']['seconds']:.1f} s for {results['sweep']['pairs']:,} "
            f"pairs (budget {SWEEP_BUDGET_SECONDS:.0f} s)"
        )
    return lines


def table(results: dict) -> list[str]:
    lines = [
        f"{'page':<22}{'median ms':>10}{'p95 ms':>9}{'× floor':>9}{'budget':>8}{'queries':>9}",
        f"{'floor':<22}{results['floor']['median_ms']:>10.2f}{results['floor']['p95_ms']:>9.2f}"
        f"{1:>9.2f}{'':>8}{results['floor']['queries']:>9}",
    ]
    for name, page in results["pages"].items():
        mark = "" if page["within_budget"] else "  over budget"
        lines.append(
            f"{name:<22}{page['median_ms']:>10.2f}{page['p95_ms']:>9.2f}"
            f"{page['ratio_to_floor']:>9.2f}{page['budget']:>7}×{page['queries']:>9}{mark}"
        )
    sweep, email = results["sweep"], results["email"]
    lines += [
        "",
        f"reminder sweep: {sweep['seconds']:.2f} s for {sweep['pairs']:,} (learner, deadline) "
        f"pairs, {sweep['learners']:,} learners, {sweep['items_found']:,} reminders found "
        f"(budget {SWEEP_BUDGET_SECONDS:.0f} s, stretch {SWEEP_STRETCH_SECONDS:.0f} s)",
        f"reminder mail: {email['per_second']:.1f} mails/s rendered and sent over SMTP "
        f"({email['emails']} mails)",
    ]
    others = results["machine"].get("other_processes_cpu_share")
    if others is not None:
        lines.append(
            f"other processes (a database server among them) used {others:.0%} of the "
            f"{results['machine']['cpus']} CPUs while the pages were measured"
        )
    return lines
