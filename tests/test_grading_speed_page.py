"""The comment bank builds each address once: every button must still post to its own."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.models import CommentSnippet
from assignments.services import reflection_draft, reflection_submit
from tests.assignment_helpers import REFLECTION, assignment, words


@pytest.fixture
def trainer(client, world):
    client.force_login(world.trainer)
    return client


@pytest.fixture
def waiting(world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    work = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=work)
    answers = {prompt["id"]: words(100) for prompt in work.config["prompts"]}
    return reflection_submit(
        submission=draft, answers=answers, based_on=draft.version, now=timezone.now()
    )


def _buttons(body: str) -> list[tuple[str, str]]:
    return re.findall(r'formaction="([^"]+)"\s+data-hx-post="([^"]+)"', body)


def test_each_snippet_is_deleted_through_its_own_address(trainer, world, waiting):
    first = CommentSnippet.objects.create(trainer=world.trainer, text="Eerste")
    second = CommentSnippet.objects.create(trainer=world.trainer, text="Tweede")
    body = trainer.get(reverse("trainer:grade", args=[waiting.pk])).content.decode()
    delete = [reverse("trainer:snippet_delete", args=[waiting.pk, s.pk]) for s in (second, first)]
    add = reverse("trainer:snippet_add", args=[waiting.pk])
    assert _buttons(body) == [(delete[0], delete[0]), (delete[1], delete[1]), (add, add)]


def test_the_comment_bank_alone_over_htmx_has_the_same_addresses(trainer, world, waiting):
    snippet = CommentSnippet.objects.create(trainer=world.trainer, text="Eerste")
    response = trainer.post(
        reverse("trainer:snippet_add", args=[waiting.pk]),
        {"comment": "", "snippet_text": "Tweede"},
        headers={"HX-Request": "true"},
    )
    added = CommentSnippet.objects.exclude(pk=snippet.pk).get()
    delete = [reverse("trainer:snippet_delete", args=[waiting.pk, s.pk]) for s in (added, snippet)]
    add = reverse("trainer:snippet_add", args=[waiting.pk])
    assert _buttons(response.content.decode()) == [
        (delete[0], delete[0]),
        (delete[1], delete[1]),
        (add, add),
    ]
