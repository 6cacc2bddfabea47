"""The queue counts its work once: what it shows must not change with that."""

import datetime
import re

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from assignments.services import reflection_draft, reflection_submit
from tests.assignment_helpers import REFLECTION, assignment, words
from tests.factories import make_learner


def _submit(user, *, now=None):
    enrollment = user.enrollments.select_related("cohort").get()
    work = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=work)
    answers = {prompt["id"]: words(100) for prompt in work.config["prompts"]}
    return reflection_submit(
        submission=draft, answers=answers, based_on=draft.version, now=now or timezone.now()
    )


def _badge(body: str) -> str | None:
    found = re.search(r'class="nav-count"><span aria-hidden="true">(\d+)</span>', body)
    return found.group(1) if found else None


@pytest.fixture
def trainer(client, world):
    client.force_login(world.trainer)
    return client


def test_the_unfiltered_queue_shows_all_waiting_work_in_the_badge_on_every_page(
    trainer, world, monkeypatch
):
    monkeypatch.setattr("assignments.selectors.QUEUE_PAGE_SIZE", 2)
    for learner in [world.learner] + [make_learner(world.cohort) for _ in range(2)]:
        _submit(learner)
    url = reverse("trainer:home")
    assert _badge(trainer.get(url).content.decode()) == "3"
    assert _badge(trainer.get(url, {"pagina": "2"}).content.decode()) == "3"


def test_a_filtered_queue_still_shows_all_waiting_work_in_the_badge(trainer, world):
    world.trainer.trained_cohorts.add(world.other_cohort)
    _submit(world.learner)
    _submit(make_learner(world.other_cohort))
    body = trainer.get(reverse("trainer:home"), {"cohort": world.cohort.pk}).content.decode()
    assert len(re.findall(r"<tr data-submission=", body)) == 1
    assert _badge(body) == "2"


def test_another_trainers_work_is_not_in_the_badge(trainer, world):
    _submit(world.learner)
    _submit(world.learner_other)  # another organisation's cohort
    assert _badge(trainer.get(reverse("trainer:home")).content.decode()) == "1"


def test_queue_rows_give_the_moment_of_submitting_in_the_current_time_zone(trainer, world):
    moment = timezone.now() - datetime.timedelta(days=3, hours=2)
    submission = _submit(world.learner, now=moment)
    body = trainer.get(reverse("trainer:home")).content.decode()
    expected = date_filter(timezone.localtime(submission.submitted_at), "Y-m-d\\TH:i:sO")
    assert f'<time datetime="{expected}">' in body
