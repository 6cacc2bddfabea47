"""The Celery app: configuration, the periodic task, and a real worker on Redis."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from lms.celery import app


def _session(key, expires):
    Session.objects.create(session_key=key, session_data="e30:", expire_date=expires)


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_reliability_settings():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_clear_expired_sessions_removes_only_expired(db):
    now = timezone.now()
    _session("old", now - datetime.timedelta(days=1))
    _session("current", now + datetime.timedelta(days=1))
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


@pytest.mark.redis
def test_real_worker_runs_a_task_through_redis(transactional_db):
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://… and PostgreSQL (the CI service pass)")
    _session("expired", timezone.now() - datetime.timedelta(days=1))
    db_settings = connection.settings_dict
    database_url = (
        f"postgres://{db_settings['USER']}:{db_settings['PASSWORD'] or ''}@"
        f"{db_settings['HOST'] or '127.0.0.1'}:{db_settings['PORT'] or 5432}/{db_settings['NAME']}"
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--queues",
            "kb-test",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": database_url},
        start_new_session=True,
    )
    try:
        clear_expired_sessions.apply_async(queue="kb-test")
        deadline = time.monotonic() + 60
        while Session.objects.filter(session_key="expired").exists():
            assert worker.poll() is None, "the worker died"
            assert time.monotonic() < deadline, "the worker did not run the task in 60 s"
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
