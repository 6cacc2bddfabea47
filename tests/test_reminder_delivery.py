"""Reminder delivery under faults (issue 10), against the real services.

A real ``celery worker`` subprocess (the project's settings, ``lms.settings``) takes
send tasks from Redis and talks SMTP to an aiosmtpd sink running in this process;
both share the PostgreSQL test database. Skipped unless CELERY_BROKER_URL is a
redis:// URL and the database is PostgreSQL (the CI service pass), like
tests/test_celery.py.

- a worker killed with SIGKILL in the middle of a batch of 200: everyone gets their
  mail, duplicates stay within the documented window (one per worker process);
- the SMTP server deferring (451) and refusing (550): retried through the worker and
  delivered once, or failed at once without a retry while the rest goes out;
- Redis down while a learner hands in work and a trainer releases a grade: both
  pages answer, the feedback mail waits in the database and goes out, once, after
  Redis is back and the sweep runs.
"""

import asyncio
import contextlib
import copy
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zoneinfo
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assignments.models import Grade, Submission
from courses.services import course_import
from lms.celery import app
from lms.env import cache_settings
from notifications import services
from notifications.models import Message, ReminderItem, Rule
from notifications.services import reminder_rules_update
from notifications.tasks import send_message, sweep
from tests.assignment_helpers import REFLECTION, assignment, words
from tests.factories import CohortFactory, OrganisationFactory, UserFactory, make_learner
from tests.smtp import free_port, start_sink

pytestmark = pytest.mark.redis

CONCURRENCY = 2
WORKER_START = 60  # seconds a worker may take to start and work through its queue


# --- services, the sink, the worker ------------------------------------------------------


@pytest.fixture
def live(transactional_db):
    """The broker URL, or a skip outside the CI service pass."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://… and PostgreSQL (the CI service pass)")
    return broker


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _daytime_zone() -> str:
    """A time zone where it is mid-day now and stays daytime for the whole test (the
    catch-up runs CLAIM_LEASE later), so reminders may leave right away."""
    now = timezone.now()
    preferred = ["Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "America/Los_Angeles"]
    others = sorted(z for z in zoneinfo.available_timezones() if "/" in z)
    for name in [*preferred, *others]:
        if 9 <= now.astimezone(zoneinfo.ZoneInfo(name)).hour < 17:
            return name
    raise AssertionError("no time zone has daytime now")  # pragma: no cover


class Sink:
    """aiosmtpd handler: takes its time per DATA, refuses some recipients (550 at
    RCPT), defers some mails (451 at DATA) a number of times, and records it all."""

    def __init__(self, *, delay=0.0, refuse=(), defer=None):
        self.delay = delay
        self.refuse = set(refuse)
        self.defer = dict(defer or {})
        self.accepted: list[tuple[str, float]] = []  # (recipient, when)
        self.deferred: list[tuple[str, float]] = []
        self.refused: list[str] = []

    async def handle_RCPT(self, _server, _session, envelope, address, _rcpt_options):
        if address in self.refuse:
            self.refused.append(address)
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            if self.defer.get(address):
                self.defer[address] -= 1
                self.deferred.append((address, time.monotonic()))
                return "451 4.3.0 Try again later"
        self.accepted.extend((address, time.monotonic()) for address in envelope.rcpt_tos)
        return "250 Message accepted"

    def to(self, address: str) -> int:
        return sum(1 for rcpt, _when in self.accepted if rcpt == address)


@pytest.fixture
def sink(settings):
    """Start a Sink; this process's own mail goes to it too (the catch-up sweep)."""
    controllers = []

    def start(handler: Sink) -> int:
        controller = start_sink(handler, settings)
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()


# The worker with a short retry wait: notifications.services.RETRY_BASE (30 s) set
# before the first task, from the environment. Everything else is `celery -A lms worker`.
_WORKER_FAST_RETRY = """
import datetime, os, sys
import django
from celery.signals import worker_init

def _short_retry(**_kwargs):
    django.setup()
    from notifications import services
    assert isinstance(services.RETRY_BASE, datetime.timedelta)
    services.RETRY_BASE = datetime.timedelta(seconds=float(os.environ["KB_TEST_RETRY_SECONDS"]))

worker_init.connect(_short_retry, weak=False)
from celery.__main__ import main
sys.exit(main())
"""


class Worker:
    """One `celery worker` in its own process group, its output in a log file."""

    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    @property
    def pgid(self) -> int:
        return self.process.pid  # start_new_session: the worker leads its group

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """A warm shutdown: running tasks finish, then the worker exits."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def workers(tmp_path):
    """Start workers; every one still running is killed, with its children, at the end."""
    started: list[Worker] = []

    def start(
        *,
        smtp_port: int,
        queue: str | None = None,
        broker: str | None = None,
        concurrency: int = 1,
        retry_seconds: float | None = None,
    ) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5",
        }
        if broker:
            env["CELERY_BROKER_URL"] = broker
        arguments = ["-A", "lms", "worker", "--loglevel", "WARNING"]
        arguments += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if concurrency > 1:
            arguments += ["--pool", "prefork", "--concurrency", str(concurrency)]
        else:
            arguments += ["--pool", "solo"]
        if queue:
            arguments += ["--queues", queue]
        if retry_seconds is None:
            command = [sys.executable, "-m", "celery", *arguments]
        else:
            env["KB_TEST_RETRY_SECONDS"] = str(retry_seconds)
            command = [sys.executable, "-c", _WORKER_FAST_RETRY, *arguments]
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()


def _wait_for(condition, *, what: str, worker: Worker | None = None, timeout=WORKER_START):
    deadline = time.monotonic() + timeout
    while not condition():
        if worker is not None:
            assert worker.alive(), f"the worker died:\n{worker.output()}"
        assert time.monotonic() < deadline, f"{what} took over {timeout} s" + (
            f"; worker log:\n{worker.output()}" if worker else ""
        )
        time.sleep(0.05)


def _queue_name() -> str:
    return f"kb-reminders-{uuid.uuid4().hex[:10]}"


def _queue_length(broker: str, queue: str) -> int:
    return redis.Redis.from_url(broker).llen(queue)


def _forget_queue(broker: str, queue: str) -> None:
    """Drop what this test's queue left in the shared Redis: the queue, its bindings,
    and the tasks a killed worker never acknowledged (kombu would restore them after
    the visibility timeout, an hour later, into a queue nobody reads)."""
    client = redis.Redis.from_url(broker)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        with contextlib.suppress(ValueError, TypeError, IndexError):
            if json.loads(raw)[2] == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


# --- a cohort whose learners all have work due --------------------------------------------


def _cohort_with_learners(shipped_course, count: int, time_zone: str):
    """``count`` learners in a cohort of the shipped course that started a week ago,
    living in ``time_zone``: each has work due (the first reflection is due today)."""
    course = course_import(spec=copy.deepcopy(shipped_course)).course
    cohort = CohortFactory(organisation=OrganisationFactory(name="Delivery"), course=course)
    learners = [
        make_learner(
            cohort,
            email=f"learner{n:03d}@example.com",
            display_name=f"Learner {n}",
            time_zone=time_zone,
        )
        for n in range(count)
    ]
    return cohort, learners


def _daily_messages(now, expected: int) -> list[int]:
    """Run the sweep at ``now``; it writes one daily mail per learner with work due soon."""
    result = services.reminders_sweep(now=now)
    assert len(result.to_send) == expected
    messages = Message.objects.filter(pk__in=result.to_send)
    assert set(messages.values_list("kind", flat=True)) == {Message.Kind.DAILY}
    without_due_soon = messages.exclude(
        pk__in=ReminderItem.objects.filter(rule=Rule.DUE_SOON).values("message_id")
    )
    assert not without_due_soon.exists(), "every learner has work due soon"
    return result.to_send


def _unsent() -> int:
    return Message.objects.exclude(status=Message.Status.SENT).count()


def _steady(read, seconds=1.5):
    """A condition: ``read()`` has not changed for ``seconds``."""
    last = {"value": read(), "since": time.monotonic()}

    def condition() -> bool:
        value = read()
        if value != last["value"]:
            last.update(value=value, since=time.monotonic())
        return time.monotonic() - last["since"] >= seconds

    return condition


def _statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Message.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- (c) a worker killed in the middle of a batch ------------------------------------------


BATCH = 200
KILL_AFTER = 50


def test_a_worker_killed_mid_batch_loses_nobody_and_duplicates_stay_in_the_window(
    live, shipped_course, sink, workers
):
    _cohort, learners = _cohort_with_learners(shipped_course, BATCH, _daytime_zone())
    addresses = {learner.email for learner in learners}
    now = timezone.now()
    message_ids = _daily_messages(now, BATCH)
    # Slow enough that the kill lands in the middle of SMTP conversations.
    handler = Sink(delay=0.02)
    port = sink(handler)
    queue = _queue_name()
    try:
        for message_id in message_ids:
            send_message.apply_async((message_id,), queue=queue)
        first = workers(smtp_port=port, queue=queue, concurrency=CONCURRENCY)
        _wait_for(lambda: len(handler.accepted) >= KILL_AFTER, what="the first mails", worker=first)
        first.kill()  # SIGKILL to the worker and its pool processes
        time.sleep(0.2)  # a conversation cut off in DATA may still finish at the sink
        accepted_at_kill = len(handler.accepted)
        assert accepted_at_kill < BATCH - 20, "the worker was killed in the middle of the batch"
        statuses_at_kill = _statuses()

        # A new worker takes what is left in the queue, until nothing changes any more.
        second = workers(smtp_port=port, queue=queue, concurrency=CONCURRENCY)
        _wait_for(lambda: _queue_length(live, queue) == 0, what="draining the queue", worker=second)
        _wait_for(_steady(_unsent), what="the last tasks", worker=second)
        second.stop()
        left = list(Message.objects.exclude(status=Message.Status.SENT).values_list("pk", "status"))
    finally:
        _forget_queue(live, queue)
    # What the killed worker held (prefetch 1 per process) is all that is left: its
    # tasks are not redelivered before the visibility timeout; the sweep takes them.
    assert 1 <= len(left) <= CONCURRENCY, f"left after the second worker: {left}"
    lost_tasks = {pk for pk, status in left if status == Message.Status.PENDING}
    # Inside the claim's lease the sweep hands out the lost tasks' messages only, and
    # leaves those the dead worker was sending alone...
    assert set(services.messages_to_send(now=timezone.now())) == lost_tasks
    # ...after it, it takes those over too.
    later = now + services.CLAIM_LEASE + datetime.timedelta(minutes=1)
    counts = services.messages_send_all(services.messages_to_send(now=later), now=later)
    assert counts == {Message.Status.SENT: len(left)}

    assert _statuses() == {Message.Status.SENT: BATCH}
    received = [rcpt for rcpt, _when in handler.accepted]
    assert set(received) == addresses, "every learner got their reminder"
    duplicates = len(received) - len(set(received))
    print(
        f"\nkill after {accepted_at_kill} accepted; at the kill {statuses_at_kill}; "
        f"left for the sweep {left}; duplicates {duplicates}"
    )
    # The documented window: accepted by SMTP, the worker dead before recording it.
    assert duplicates <= CONCURRENCY
    assert max(received.count(address) for address in addresses) <= 2


# --- (d) the SMTP server defers, the SMTP server refuses -------------------------------------


def _publish(message_ids, queue: str) -> None:
    for message_id in message_ids:
        send_message.apply_async((message_id,), queue=queue)


RETRY_SECONDS = 1.0


def test_a_deferred_mail_is_retried_by_the_worker_and_delivered_once(
    live, shipped_course, sink, workers
):
    _cohort, (learner,) = _cohort_with_learners(shipped_course, 1, _daytime_zone())
    (message_id,) = _daily_messages(timezone.now(), 1)
    handler = Sink(defer={learner.email: 1})
    queue = _queue_name()
    worker = workers(smtp_port=sink(handler), queue=queue, retry_seconds=RETRY_SECONDS)
    try:
        _publish([message_id], queue)
        _wait_for(
            lambda: Message.objects.filter(pk=message_id, status=Message.Status.SENT).exists(),
            what="the retried mail",
            worker=worker,
        )
    finally:
        _forget_queue(live, queue)
    message = Message.objects.get(pk=message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    assert [rcpt for rcpt, _when in handler.deferred] == [learner.email]
    assert handler.to(learner.email) == 1
    # The retry waited for the message's next attempt (send_after), not a moment.
    waited = handler.accepted[0][1] - handler.deferred[0][1]
    assert waited >= RETRY_SECONDS, waited
    assert waited < services.RETRY_BASE.total_seconds(), "the worker ran with the short wait"


def test_a_refused_recipient_fails_at_once_and_the_rest_of_the_batch_goes_out(
    live, shipped_course, sink, workers, client
):
    _cohort, learners = _cohort_with_learners(shipped_course, 4, _daytime_zone())
    refused = learners[1]
    message_ids = _daily_messages(timezone.now(), 4)
    handler = Sink(refuse={refused.email})
    queue = _queue_name()
    worker = workers(smtp_port=sink(handler), queue=queue, retry_seconds=RETRY_SECONDS)
    try:
        _publish(message_ids, queue)
        _wait_for(
            lambda: (
                not Message.objects.filter(
                    status__in=[Message.Status.PENDING, Message.Status.SENDING]
                ).exists()
            ),
            what="the batch",
            worker=worker,
        )
        # Long enough for a retry (a second or two here) to show, had there been one.
        time.sleep(3 * RETRY_SECONDS)
        assert worker.alive(), worker.output()
    finally:
        _forget_queue(live, queue)
    failed = Message.objects.get(recipient=refused)
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert "SMTPRecipientsRefused" in failed.last_error
    assert "550" in failed.last_error
    assert refused.email in failed.last_error
    assert handler.refused == [refused.email], "asked once, never again"
    others = [learner for learner in learners if learner != refused]
    assert {
        m.recipient_id: (m.status, m.attempts) for m in Message.objects.exclude(pk=failed.pk)
    } == {learner.pk: (Message.Status.SENT, 1) for learner in others}
    assert sorted(rcpt for rcpt, _when in handler.accepted) == sorted(
        other.email for other in others
    )
    # Staff see it in the reminder log, with the reason.
    client.force_login(UserFactory(email="sara@example.com", is_staff=True))
    response = client.get(reverse("staff:reminders"), {"status": Message.Status.FAILED})
    assert response.status_code == 200
    body = response.content.decode()
    assert re.findall(r'data-message="(\d+)"', body) == [str(failed.pk)]
    assert refused.email in body
    assert "SMTPRecipientsRefused" in body


# --- (e) Redis down while work is handed in and graded ----------------------------------------


class OwnRedis:
    """A redis-server of this test's own on a free port (never the shared one)."""

    def __init__(self, binary: str, port: int):
        self.binary = binary
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)

        def answers() -> bool:
            assert self.process.poll() is None, "redis-server did not start"
            with contextlib.suppress(redis.ConnectionError):
                return client.ping()
            return False

        _wait_for(answers, what="starting redis-server", timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs the redis-server program to start a Redis of its own")
    server = OwnRedis(binary, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _drop_broker_pools() -> None:
    """Forget the app's broker connections, as Celery does after a fork, so the next
    publish connects to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_at_own_redis(own_redis, settings, monkeypatch):
    """This process publishes to ``own_redis``, and caches in it too."""
    before = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    settings.CELERY_BROKER_URL = own_redis.url
    app.conf.broker_url = own_redis.url
    settings.CACHES = cache_settings(f"redis://127.0.0.1:{own_redis.port}/1")
    _drop_broker_pools()
    try:
        yield own_redis
    finally:
        app.conf.broker_url = before
        _drop_broker_pools()


QUIET = {  # every scheduled rule off: the feedback mail is the only one
    "due_soon": False,
    "overdue": False,
    "inactive": False,
    "module_released": False,
    "trainer_digest": False,
    "org_summary": False,
}
SLOW_REQUEST = 10  # seconds; a request that waits on a dead broker takes far longer


def test_redis_down_while_work_is_handed_in_and_graded(
    live, world, sink, workers, broker_at_own_redis, caplog
):
    User.objects.filter(pk=world.learner.pk).update(time_zone=_daytime_zone())
    for cohort in (world.cohort, world.other_cohort):
        reminder_rules_update(cohort=cohort, data=QUIET)
    handler = Sink()
    port = sink(handler)
    own_redis = broker_at_own_redis
    own_redis.stop()

    learner = Client()
    learner.force_login(world.learner)
    page = reverse("learn:assignment", args=[world.cohort.pk, REFLECTION])
    assert learner.get(page).status_code == 200
    started = time.monotonic()
    response = learner.post(
        reverse("learn:assignment_submit", args=[world.cohort.pk, REFLECTION]),
        {"verhaal": words(100), "revision": "1", "version": "0"},
    )
    assert response.status_code == 302
    assert time.monotonic() - started < SLOW_REQUEST
    submission = Submission.objects.get(enrollment__user=world.learner)
    assert submission.status == Submission.Status.SUBMITTED

    trainer = Client()
    trainer.force_login(world.trainer)
    rubric = assignment(REFLECTION).config["rubric"]["criteria"]
    form = {f"rubric-{c['id']}": str(c["levels"][0]["points"]) for c in rubric}
    started = time.monotonic()
    with caplog.at_level("ERROR", logger="django.db.backends.base"):
        response = trainer.post(
            reverse("trainer:grade", args=[submission.pk]),
            form | {"comment": "Goed begin.", "decision": "returned", "action": "save"},
        )
    assert response.status_code == 302
    assert time.monotonic() - started < SLOW_REQUEST
    assert Grade.objects.get(submission=submission).released_at is not None
    # The publish was tried after commit, failed, and was only logged.
    assert [
        record
        for record in caplog.records
        if "publish_send" in record.getMessage() and "on_commit" in record.getMessage()
    ]
    message = Message.objects.get(recipient=world.learner)
    assert (message.kind, message.status, message.attempts) == ("event", "pending", 0)
    assert list(message.items.values_list("rule", flat=True)) == [Rule.FEEDBACK_READY]
    assert handler.accepted == []

    # Redis is back; the next sweep hands the waiting mail to a worker.
    own_redis.start()
    worker = workers(smtp_port=port, broker=own_redis.url)
    with time_machine.travel(
        timezone.now() + services.SWEEP_AFTER + datetime.timedelta(minutes=1), tick=True
    ):
        assert sweep() == 1
    _wait_for(
        lambda: Message.objects.filter(pk=message.pk, status=Message.Status.SENT).exists(),
        what="the feedback mail",
        worker=worker,
    )
    time.sleep(1)  # time for a second copy to show, were one on its way
    assert [rcpt for rcpt, _when in handler.accepted] == [world.learner.email]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
