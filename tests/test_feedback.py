"""Feedback on a reflection as the learner reads it, the thread about it, the unread marker."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assignments.feedback import (
    MAX_MESSAGE_CHARACTERS,
    submission_message_post,
    submission_thread,
)
from assignments.models import Grade, Submission, SubmissionMessage
from assignments.services import (
    AssignmentError,
    reflection_draft,
    reflection_submit,
    submission_grade,
)
from cohorts.models import Enrollment
from tests.assignment_helpers import REFLECTION, assignment, words
from tests.factories import make_learner, make_trainer

COMMENT = "Sterk begin.\nMaak je <em>actie</em> concreter."


def _page(world):
    return reverse("learn:assignment", args=[world.cohort.pk, REFLECTION])


def _message_url(world, revision=1):
    return reverse("learn:assignment_message", args=[world.cohort.pk, REFLECTION, revision])


def _hand_in(user, text=None) -> Submission:
    enrollment = Enrollment.objects.select_related("cohort").get(user=user)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    return reflection_submit(
        submission=draft,
        answers={"verhaal": text or words(100)},
        based_on=draft.version,
        now=timezone.now(),
    )


def _lowest_scores(decision="returned"):
    """The lowest level of each criterion that the decision allows (approving needs the
    rubric's pass level)."""
    rubric = assignment(REFLECTION).config["rubric"]
    floor = rubric.get("pass_level") if decision == "approved" else None
    return {
        criterion["id"]: min(
            level["points"]
            for level in criterion["levels"]
            if floor is None or level["points"] >= floor
        )
        for criterion in rubric["criteria"]
    }


def _grade(world, submission, decision, comment=COMMENT) -> Grade:
    return submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores=_lowest_scores(decision),
        comment=comment,
        decision=decision,
        now=timezone.now(),
    )


@pytest.fixture
def learner(client, world):
    client.force_login(world.learner)
    return client


# --- Feedback on top ------------------------------------------------------------------


def test_released_feedback_is_on_top_of_approved_work(learner, world):
    submission = _hand_in(world.learner, text="Mijn eigen verhaal. " + words(100))
    _grade(world, submission, "approved")
    body = learner.get(_page(world)).content.decode()
    feedback_at = body.index('class="feedback-panel"')
    assert feedback_at < body.index("Mijn eigen verhaal."), "feedback comes before the work"
    assert feedback_at < body.index('id="rubric-heading"')
    assert "<details" not in body[:feedback_at]
    assert "Maak je &lt;em&gt;actie&lt;/em&gt; concreter." in body
    assert "Sterk begin.<br>" in body, "line breaks are kept"


def test_feedback_names_the_level_per_criterion_and_the_total(learner, world):
    _grade(world, _hand_in(world.learner), "approved")
    body = learner.get(_page(world)).content.decode()
    criteria = assignment(REFLECTION).config["rubric"]["criteria"]
    scores = _lowest_scores("approved")
    for criterion in criteria:
        given = next(lv for lv in criterion["levels"] if lv["points"] == scores[criterion["id"]])
        highest = max(level["points"] for level in criterion["levels"])
        row = (
            f'<th scope="row">{criterion["title"]}</th><td>{given["title"]}</td>'
            f'<td class="num">{given["points"]}/{highest}</td>'
        )
        assert row in body, criterion["title"]
    total = sum(scores.values())
    most = sum(max(level["points"] for level in c["levels"]) for c in criteria)
    total_cell = re.search(r'class="num rubric-total">([^<]*)<', body).group(1)
    assert re.findall(r"\d+", total_cell) == [str(total), str(most)]


def test_feedback_not_yet_released_is_not_shown(learner, world):
    grade = _grade(world, _hand_in(world.learner), "approved")
    Grade.objects.filter(pk=grade.pk).update(released_at=None)
    body = learner.get(_page(world)).content.decode()
    assert "concreter" not in body
    assert "feedback-panel" not in body
    assert Grade.objects.get().seen_at is None


def test_returned_reflection_shows_the_feedback_beside_the_editor(learner, world):
    _grade(world, _hand_in(world.learner), "returned")
    body = learner.get(_page(world)).content.decode()
    layout = body[body.index('class="revise-layout"') :]
    aside = layout[: layout.index("</aside>")]
    assert 'class="feedback-panel"' in aside
    assert "concreter." in aside
    assert 'class="thread"' in aside, "the reply form sits with the feedback"
    editor = layout[layout.index('class="revise-editor"') :]
    assert "data-draft-key=" in editor
    assert 'data-server-version="0"' in editor
    assert 'name="version" id="draft-version" value="0"' in editor
    assert 'id="draft-messages"' in editor
    assert body.count("concreter.") == 1, "the feedback beside the editor is not repeated below"


def test_feedback_of_an_older_revision_stays_with_it_while_the_new_one_waits(learner, world):
    _grade(world, _hand_in(world.learner), "returned")
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    reflection_submit(
        submission=draft,
        answers={"verhaal": words(120)},
        based_on=draft.version,
        now=timezone.now(),
    )
    body = learner.get(_page(world)).content.decode()
    assert "feedback-panel" not in body
    assert body.index('id="earlier-heading"') < body.index("concreter.")


# --- The unread marker ----------------------------------------------------------------


def test_new_feedback_is_marked_until_the_learner_opens_it(learner, world):
    _grade(world, _hand_in(world.learner), "approved")
    module_url = reverse("learn:module", args=[world.cohort.pk, "klantgericht-of-klantvriendelijk"])
    home = learner.get(reverse("learn:home")).content.decode()
    marker = re.search(r'class="new-feedback">(.*?)</div>', home, re.S).group(1)
    assert f'href="{_page(world)}"' in marker
    assert 'class="badge badge-new"' in marker
    module = learner.get(module_url).content.decode()
    item = re.search(rf'<li>\s*<a href="{re.escape(_page(world))}">.*?</li>', module, re.S).group(0)
    assert "badge-new" in item

    first = learner.get(_page(world)).content.decode()
    assert "badge-new" in first, "the feedback says it is new the first time"
    assert Grade.objects.get().seen_at is not None

    assert "badge-new" not in learner.get(reverse("learn:home")).content.decode()
    assert "badge-new" not in learner.get(module_url).content.decode()
    assert "badge-new" not in learner.get(_page(world)).content.decode()


def test_the_dashboard_lists_the_latest_feedback_newest_first(learner, world):
    returned = _grade(world, _hand_in(world.learner), "returned")
    approved = _grade(world, _hand_in(world.learner), "approved")
    Grade.objects.filter(pk=returned.pk).update(seen_at=timezone.now())
    home = learner.get(reverse("learn:home")).content.decode()
    items = re.findall(
        r"<li>(.*?)</li>", re.search(r'class="feedback-list">(.*?)</ul>', home, re.S).group(1), re.S
    )
    title = assignment(REFLECTION).title
    assert len(items) == 2
    newest, older = items
    assert f'<a href="{_page(world)}">{title}</a>' in newest
    date = date_format(timezone.localtime(approved.released_at))
    assert f"— goedgekeurd · Tara · {date}" in " ".join(newest.split())
    assert "badge-new" in newest, "not opened yet"
    assert "— teruggegeven voor herziening · Tara ·" in " ".join(older.split())
    assert "badge-new" not in older, "opened"


def test_seen_records_the_first_opening_only(learner, world):
    _grade(world, _hand_in(world.learner), "approved")
    learner.get(_page(world))
    first_seen = Grade.objects.get().seen_at
    learner.get(_page(world))
    assert Grade.objects.get().seen_at == first_seen


def test_the_trainer_opening_nothing_leaves_the_marker(client, world):
    _grade(world, _hand_in(world.learner), "approved")
    client.force_login(world.learner_other)
    client.get(reverse("learn:home"))
    assert Grade.objects.get().seen_at is None


# --- The thread -----------------------------------------------------------------------


def test_learner_replies_to_the_feedback(learner, world):
    _grade(world, _hand_in(world.learner), "returned")
    response = learner.post(_message_url(world), {"text": "Bedoel je <b>zo</b>?\nOf anders?"})
    assert response.status_code == 302
    assert response["Location"] == _page(world) + "#thread"
    message = SubmissionMessage.objects.get()
    assert (message.author, message.submission.revision) == (world.learner, 1)
    body = learner.get(_page(world)).content.decode()
    assert "Bedoel je &lt;b&gt;zo&lt;/b&gt;?<br>Of anders?" in body


def test_trainer_posts_in_the_thread_and_returns_to_their_page(client, world):
    submission = _hand_in(world.learner)
    _grade(world, submission, "returned")
    client.force_login(world.trainer)
    response = client.post(
        reverse("learn:trainer_message", args=[submission.pk]),
        {"text": "Kijk nog eens naar de oplossing.", "next": "/trainer/"},
    )
    assert (response.status_code, response["Location"]) == (302, "/trainer/")
    assert SubmissionMessage.objects.get().author == world.trainer
    client.force_login(world.learner)
    body = client.get(_page(world)).content.decode()
    trainer_item = re.search(r'class="thread-message from-trainer">(.*?)</li>', body, re.S)
    assert "Kijk nog eens naar de oplossing." in trainer_item.group(1)


def test_trainer_is_not_sent_to_another_site(client, world):
    submission = _hand_in(world.learner)
    client.force_login(world.trainer)
    response = client.post(
        reverse("learn:trainer_message", args=[submission.pk]),
        {"text": "Vraag", "next": "https://elders.example/"},
    )
    assert response["Location"] == reverse("trainer:home")


def test_trainers_message_before_grading_shows_on_the_submitted_work(client, world):
    submission = _hand_in(world.learner)
    submission_message_post(
        submission=Submission.objects.select_related("enrollment__cohort").get(pk=submission.pk),
        author=world.trainer,
        text="Ik lees het morgen.",
        now=timezone.now(),
    )
    client.force_login(world.learner)
    body = client.get(_page(world)).content.decode()
    assert "Ik lees het morgen." in body
    assert 'name="text"' in body


def test_no_reply_form_before_there_is_anything_to_reply_to(learner, world):
    _hand_in(world.learner)
    body = learner.get(_page(world)).content.decode()
    assert 'class="thread"' not in body
    assert "<textarea" not in body


def test_another_learner_cannot_post_in_the_thread(client, world):
    _grade(world, _hand_in(world.learner), "returned")
    client.force_login(make_learner(world.cohort))
    assert client.post(_message_url(world), {"text": "Hallo"}).status_code == 404
    client.force_login(world.learner_other)
    assert client.post(_message_url(world), {"text": "Hallo"}).status_code == 404
    assert not SubmissionMessage.objects.exists()


def test_a_draft_has_no_thread(learner, world):
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    assert learner.post(_message_url(world), {"text": "Hallo"}).status_code == 404
    learner.logout()
    learner.force_login(world.trainer)
    url = reverse("learn:trainer_message", args=[draft.pk])
    assert learner.post(url, {"text": "Hallo"}).status_code == 404
    assert not SubmissionMessage.objects.exists()


def test_trainer_of_another_cohort_cannot_post(client, world):
    submission = _hand_in(world.learner)
    client.force_login(world.trainer_other)
    url = reverse("learn:trainer_message", args=[submission.pk])
    assert client.post(url, {"text": "Hallo"}).status_code == 404
    assert not SubmissionMessage.objects.exists()


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_message_is_refused_with_a_message(learner, world, text):
    _grade(world, _hand_in(world.learner), "returned")
    response = learner.post(_message_url(world), {"text": text})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="field-errors" id="thread-text-' in body
    assert 'aria-invalid="true"' in body
    assert not SubmissionMessage.objects.exists()


def test_a_too_long_message_is_refused_and_the_text_kept(learner, world):
    _grade(world, _hand_in(world.learner), "returned")
    text = "lang " * (MAX_MESSAGE_CHARACTERS // 5) + "<einde>"
    response = learner.post(_message_url(world), {"text": text})
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'class="field-errors" id="thread-text-\d+-error">[^<]*7[^<]*<', body)
    assert "lang lang &lt;einde&gt;</textarea>" in body
    assert not SubmissionMessage.objects.exists()


def test_trainers_refused_message_comes_back_with_the_text(client, world):
    submission = _hand_in(world.learner)
    client.force_login(world.trainer)
    text = "x" * (MAX_MESSAGE_CHARACTERS + 1)
    response = client.post(
        reverse("learn:trainer_message", args=[submission.pk]), {"text": text, "next": "/trainer/"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f">{text}</textarea>" in body
    assert 'name="next" value="/trainer/"' in body
    assert not SubmissionMessage.objects.exists()


def test_line_breaks_from_the_browser_count_as_one_character(world):
    submission = Submission.objects.select_related("enrollment__cohort").get(
        pk=_hand_in(world.learner).pk
    )
    text = "a\r\n" * (MAX_MESSAGE_CHARACTERS // 2)
    message = submission_message_post(
        submission=submission, author=world.learner, text=text, now=timezone.now()
    )
    assert len(message.text) <= MAX_MESSAGE_CHARACTERS


def test_only_the_learner_and_the_cohorts_trainers_write_in_a_thread(world):
    submission = Submission.objects.select_related("enrollment__cohort").get(
        pk=_hand_in(world.learner).pk
    )
    with pytest.raises(AssignmentError, match="trainers"):
        submission_message_post(
            submission=submission, author=world.trainer_other, text="Hoi", now=timezone.now()
        )


def test_the_thread_selector_gives_messages_oldest_first_with_their_side(world):
    """What the trainer's grading page uses."""
    submission = Submission.objects.select_related("enrollment__user", "enrollment__cohort").get(
        pk=_hand_in(world.learner).pk
    )
    now = timezone.now()
    for author, text in [(world.learner, "Vraag"), (world.trainer, "Antwoord")]:
        submission_message_post(submission=submission, author=author, text=text, now=now)
    thread = submission_thread(submission)
    assert [(m.text, m.from_learner) for m in thread.messages] == [
        ("Vraag", True),
        ("Antwoord", False),
    ]


# --- Query counts ---------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_reflection_with_feedback_and_a_thread_does_not_grow(learner, world):
    submission = Submission.objects.select_related("enrollment__cohort").get(
        pk=_hand_in(world.learner).pk
    )
    _grade(world, submission, "returned")
    learner.get(_page(world))  # warm up; records "seen"
    small = _count(learner, _page(world))
    trainer = make_trainer(world.cohort)
    for i in range(6):
        for author in (world.learner, world.trainer, trainer):
            submission_message_post(
                submission=submission, author=author, text=f"Bericht {i}", now=timezone.now()
            )
        _grade(world, _hand_in(make_learner(world.cohort)), "approved")
    assert (small, _count(learner, _page(world))) == (10, 10)
