"""The trainer's grading screens: the queue, the grading page and the comment bank."""

import datetime
import re
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from assignments.deadlines import assignment_deadline_set, extension_grant
from assignments.models import CommentSnippet, Grade, Submission
from assignments.services import reflection_draft, reflection_submit, submission_grade
from courses.services import lesson_mark_read
from tests.assignment_helpers import LOCKED, REFLECTION, assignment, words
from tests.factories import CohortFactory, make_learner, make_trainer


def _submit(user, text=None, *, slug=REFLECTION, now=None):
    enrollment = user.enrollments.select_related("cohort").get()
    work = assignment(slug)
    draft = reflection_draft(enrollment=enrollment, assignment=work)
    answers = {prompt["id"]: text or words(100) for prompt in work.config["prompts"]}
    return reflection_submit(
        submission=draft, answers=answers, based_on=draft.version, now=now or timezone.now()
    )


def _scores(work, level=0):
    return {c["id"]: c["levels"][level]["points"] for c in work.config["rubric"]["criteria"]}


def _grade(submission, trainer, decision=Grade.Decision.RETURNED, comment="Werk dit uit."):
    # Approving needs every criterion at the pass level: the top level is above it.
    level = -1 if decision == Grade.Decision.APPROVED else 0
    return submission_grade(
        submission=submission,
        trainer=trainer,
        rubric_scores=_scores(submission.assignment, level),
        comment=comment,
        decision=decision,
        now=timezone.now(),
    )


def _form(work, *, level=0, comment="Mooi.", decision="returned", action="save", **extra):
    data = {f"rubric-{cid}": str(points) for cid, points in _scores(work, level).items()}
    return data | {"comment": comment, "decision": decision, "action": action} | extra


@pytest.fixture
def trainer(client, world):
    client.force_login(world.trainer)
    return client


def _rows(body: str) -> list[str]:
    return re.findall(r'<tr data-submission="(\d+)">', body)


# --- The queue --------------------------------------------------------------------


def test_queue_lists_waiting_reflections_of_own_cohorts_oldest_first(trainer, world):
    later = make_learner(world.cohort, display_name="Later")
    first = _submit(world.learner, now=timezone.now() - datetime.timedelta(hours=5))
    second = _submit(later)
    _submit(world.learner_other)  # another organisation's cohort
    body = trainer.get(reverse("trainer:home")).content.decode()
    assert _rows(body) == [str(first.pk), str(second.pk)]
    assert reverse("trainer:grade", args=[first.pk]) in body
    assert "Bob" not in body
    assert words(100) not in body, "the queue lists work, not its text"


def test_queue_marks_work_that_came_in_after_the_deadline(trainer, world):
    late = _submit(world.learner, now=timezone.now() + datetime.timedelta(days=30))
    on_time_learner = make_learner(world.cohort, display_name="Op tijd")
    enrollment = on_time_learner.enrollments.select_related("cohort").get()
    extension_grant(
        enrollment=enrollment,
        assignment=assignment(REFLECTION),
        due_on=timezone.localdate() + datetime.timedelta(days=40),
        granted_by=world.trainer,
        now=timezone.now(),
    )
    on_time = _submit(on_time_learner, now=timezone.now() + datetime.timedelta(days=30))
    body = trainer.get(reverse("trainer:home")).content.decode()
    rows = dict(re.findall(r'<tr data-submission="(\d+)">(.*?)</tr>', body, re.S))
    assert "badge-late" in rows[str(late.pk)]
    assert "badge-late" not in rows[str(on_time.pk)], "the extension moves the deadline"


def test_queue_follows_the_cohorts_own_deadline_for_the_work(trainer, world):
    other_cohort = CohortFactory(organisation=world.acme, course=world.course, name="Later")
    world.trainer.trained_cohorts.add(other_cohort)
    moved = make_learner(other_cohort, display_name="Verschoven")
    assignment_deadline_set(
        cohort=other_cohort,
        assignment=assignment(REFLECTION),
        due_on=timezone.localdate() + datetime.timedelta(days=40),
    )
    late = _submit(world.learner, now=timezone.now() + datetime.timedelta(days=30))
    in_time = _submit(moved, now=timezone.now() + datetime.timedelta(days=30))
    body = trainer.get(reverse("trainer:home")).content.decode()
    rows = dict(re.findall(r'<tr data-submission="(\d+)">(.*?)</tr>', body, re.S))
    assert "badge-late" in rows[str(late.pk)]
    assert "badge-late" not in rows[str(in_time.pk)], "the cohort's deadline moved"


def test_queue_shows_the_revision_number(trainer, world):
    first = _submit(world.learner)
    _grade(first, world.trainer)
    second = _submit(world.learner)
    body = trainer.get(reverse("trainer:home")).content.decode()
    row = re.search(rf'<tr data-submission="{second.pk}">(.*?)</tr>', body, re.S).group(1)
    assert '<td class="num">2</td>' in row


def test_queue_row_escapes_what_people_wrote_and_says_how_long_it_waits(trainer, world):
    hostile = make_learner(world.cohort, display_name='<img src=x onerror="alert(1)">')
    waiting = _submit(hostile, now=timezone.now() - datetime.timedelta(days=2, hours=1))
    body = trainer.get(reverse("trainer:home")).content.decode()
    row = re.search(rf'<tr data-submission="{waiting.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "<img" not in body
    link = reverse("trainer:grade", args=[waiting.pk])
    assert f'<a href="{link}">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</a>' in row
    assert re.search(r'<time datetime="[-0-9T:+]+">2\xa0dagen, 1\xa0uur</time>', row)
    assert f"<td>{world.cohort.name}</td>" in row


def test_queue_filters_by_cohort_and_by_assignment(trainer, world):
    other_cohort_learner = make_learner(world.other_cohort, display_name="Elders")
    world.trainer.trained_cohorts.add(world.other_cohort)
    mine = _submit(world.learner)
    elsewhere = _submit(other_cohort_learner)
    url = reverse("trainer:home")
    assert _rows(trainer.get(url, {"cohort": world.cohort.pk}).content.decode()) == [str(mine.pk)]
    body = trainer.get(url, {"cohort": world.other_cohort.pk}).content.decode()
    assert _rows(body) == [str(elsewhere.pk)]
    # The grading links carry the filter, so "save and next" stays within it.
    assert f"?cohort={world.other_cohort.pk}" in body
    other_reflection = assignment(LOCKED)
    assert _rows(trainer.get(url, {"assignment": other_reflection.pk}).content.decode()) == []
    body = trainer.get(url, {"assignment": assignment(REFLECTION).pk}).content.decode()
    assert _rows(body) == [str(mine.pk), str(elsewhere.pk)]


@pytest.mark.parametrize("value", ["abc", "999999", "-1"])
def test_an_unknown_filter_value_shows_all_work_with_a_notice(trainer, world, value):
    mine = _submit(world.learner)
    response = trainer.get(reverse("trainer:home"), {"cohort": value})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-rejected"' in body
    assert _rows(body) == [str(mine.pk)]


def test_a_cohort_the_trainer_does_not_train_is_no_filter(trainer, world):
    _submit(world.learner_other)
    body = trainer.get(reverse("trainer:home"), {"cohort": world.other_cohort.pk}).content.decode()
    assert 'id="filter-rejected"' in body
    assert _rows(body) == []
    assert world.other_cohort.name not in body


def test_queue_pages_large_queues(trainer, world, monkeypatch):
    monkeypatch.setattr("assignments.selectors.QUEUE_PAGE_SIZE", 2)
    learners = [world.learner] + [make_learner(world.cohort) for _ in range(2)]
    ids = [str(_submit(learner).pk) for learner in learners]
    first = trainer.get(reverse("trainer:home")).content.decode()
    second = trainer.get(reverse("trainer:home"), {"pagina": "2"}).content.decode()
    assert _rows(first) == ids[:2]
    assert _rows(second) == ids[2:]
    assert 'rel="next"' in first
    assert 'rel="prev"' in second


def test_queue_paging_keeps_the_filter(trainer, world, monkeypatch):
    from tests.factories import CohortFactory

    monkeypatch.setattr("assignments.selectors.QUEUE_PAGE_SIZE", 2)
    other = CohortFactory(organisation=world.acme, course=world.course, name="Voorjaar")
    world.trainer.trained_cohorts.add(other)
    _submit(make_learner(other))  # waiting too, but in the other cohort
    learners = [world.learner] + [make_learner(world.cohort) for _ in range(2)]
    ids = [str(_submit(learner).pk) for learner in learners]
    params = {"cohort": world.cohort.pk}
    first = trainer.get(reverse("trainer:home"), params).content.decode()
    assert f'href="?cohort={world.cohort.pk}&amp;pagina=2" rel="next"' in first
    second = trainer.get(reverse("trainer:home"), params | {"pagina": "2"}).content.decode()
    assert (_rows(first), _rows(second)) == (ids[:2], ids[2:])


def test_navigation_shows_the_waiting_count_to_trainers_only(client, world):
    _submit(world.learner)
    _submit(make_learner(world.cohort))
    client.force_login(world.trainer)
    body = client.get(reverse("trainer:cohorts")).content.decode()
    assert re.search(r'class="nav-count"><span aria-hidden="true">2</span>', body)
    client.force_login(world.learner)
    assert "nav-count" not in client.get(reverse("learn:home")).content.decode()


def test_navigation_has_no_badge_when_nothing_waits(trainer):
    assert "nav-count" not in trainer.get(reverse("trainer:home")).content.decode()


# --- The grading page ----------------------------------------------------------------


def test_grading_page_shows_text_escaped_with_paragraphs(trainer, world):
    text = words(50) + "\n\n<script>alert(1)</script> " + words(50, "klant")
    submission = _submit(world.learner, text)
    body = trainer.get(reverse("trainer:grade", args=[submission.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert body.count("<p>") >= 2, "paragraphs are kept"


def test_grading_page_shows_the_learners_context(trainer, world):
    submission = _submit(world.learner, now=timezone.now() + datetime.timedelta(days=30))
    body = trainer.get(reverse("trainer:grade", args=[submission.pk])).content.decode()
    assert world.cohort.name in body
    assert re.search(r'id="learner-progress">\d+%', body)
    assert 'id="late-marker"' in body


def test_grading_page_shows_progress_and_deadline_changed_since_the_last_view(trainer, world):
    submission = _submit(world.learner)
    url = reverse("trainer:grade", args=[submission.pk])
    before = trainer.get(url).content.decode()
    progress = re.search(r'id="learner-progress">(\d+)%', before).group(1)
    enrollment = world.learner.enrollments.select_related("cohort").get()
    new_day = timezone.localdate() + datetime.timedelta(days=60)
    extension_grant(
        enrollment=enrollment,
        assignment=assignment(REFLECTION),
        due_on=new_day,
        granted_by=world.trainer,
        now=timezone.now(),
    )
    lesson_mark_read(
        enrollment=enrollment,
        lesson=assignment(REFLECTION).module.lessons.first(),
        now=timezone.now(),
    )
    after = trainer.get(url).content.decode()
    assert int(re.search(r'id="learner-progress">(\d+)%', after).group(1)) > int(progress)
    with translation.override("nl"):
        assert date_format(new_day) in after


def test_grading_page_shows_rubric_as_radio_groups_with_the_total(trainer, world):
    submission = _submit(world.learner)
    body = trainer.get(reverse("trainer:grade", args=[submission.pk])).content.decode()
    criteria = submission.assignment.config["rubric"]["criteria"]
    assert body.count('<fieldset class="rubric-choice"') == len(criteria)
    for criterion in criteria:
        assert f"<legend>{criterion['title']}</legend>" in body
        for level in criterion["levels"]:
            assert f'id="rubric-{criterion["id"]}-{level["points"]}"' in body
    assert '<output id="rubric-total" data-rubric-total>0</output>' in body


def test_revision_two_shows_the_earlier_revision_its_grade_and_a_word_diff(trainer, world):
    first = _submit(world.learner, words(90) + " oud")
    _grade(first, world.trainer, comment="Voeg een voorbeeld toe.")
    second = _submit(world.learner, words(90) + " nieuw <b>")
    body = trainer.get(reverse("trainer:grade", args=[second.pk])).content.decode()
    assert "Voeg een voorbeeld toe." in body
    assert re.search(r"<del>.*oud.*</del>", body)
    assert re.search(r"<ins>.*nieuw &lt;b&gt;.*</ins>", body)


def test_saving_a_return_releases_feedback_and_stays_on_the_page(trainer, world):
    submission = _submit(world.learner)
    url = reverse("trainer:grade", args=[submission.pk])
    response = trainer.post(url, _form(submission.assignment, comment="  Goed begin.  "))
    assert response.status_code == 302
    assert response["Location"] == url
    grade = Grade.objects.get(submission=submission)
    assert (grade.decision, grade.comment) == ("returned", "Goed begin.")
    assert grade.released_at is not None
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    body = trainer.get(url).content.decode()
    assert 'id="grading-form"' not in body, "graded work is shown, not graded again"
    assert "Goed begin." in body


def test_save_and_next_goes_to_the_next_work_with_the_same_filter(trainer, world):
    first = _submit(world.learner, now=timezone.now() - datetime.timedelta(hours=2))
    second = _submit(make_learner(world.cohort))
    url = reverse("trainer:grade", args=[first.pk])
    response = trainer.post(
        url,
        _form(
            first.assignment, level=-1, decision="approved", action="next", cohort=world.cohort.pk
        ),
    )
    assert response["Location"] == (
        reverse("trainer:grade", args=[second.pk]) + f"?cohort={world.cohort.pk}"
    )


def test_save_and_next_with_nothing_left_returns_to_the_queue(trainer, world):
    submission = _submit(world.learner)
    response = trainer.post(
        reverse("trainer:grade", args=[submission.pk]),
        _form(submission.assignment, level=-1, decision="approved", action="next"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("trainer:home")
    assert 'id="queue-empty"' in response.content.decode()
    assert len(list(response.context["messages"])) == 2


def test_a_missing_criterion_is_named_and_the_rest_is_kept(trainer, world):
    submission = _submit(world.learner)
    work = submission.assignment
    criteria = work.config["rubric"]["criteria"]
    data = _form(work, level=2, comment="Mijn <em>commentaar</em>")
    del data[f"rubric-{criteria[0]['id']}"]
    response = trainer.post(reverse("trainer:grade", args=[submission.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="rubric-{criteria[0]["id"]}-error"' in body
    assert f'id="rubric-{criteria[1]["id"]}-error"' not in body
    assert "Mijn &lt;em&gt;commentaar&lt;/em&gt;</textarea>" in body
    top = criteria[1]["levels"][2]["points"]
    assert re.search(
        rf'id="rubric-{criteria[1]["id"]}-{top}" value="{top}" data-points="{top}" checked', body
    )
    assert 'id="decision-returned" value="returned" checked' in body
    assert not Grade.objects.exists()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


@pytest.mark.parametrize("value", ["99", "abc", "-1"])
def test_a_level_outside_the_rubric_is_refused_at_its_criterion(trainer, world, value):
    submission = _submit(world.learner)
    criterion = submission.assignment.config["rubric"]["criteria"][1]["id"]
    data = _form(submission.assignment) | {f"rubric-{criterion}": value}
    body = trainer.post(reverse("trainer:grade", args=[submission.pk]), data).content.decode()
    assert f'id="rubric-{criterion}-error"' in body
    assert not Grade.objects.exists()


def test_a_second_trainer_gets_a_conflict_and_keeps_what_they_wrote(client, world):
    colleague = make_trainer(world.cohort, display_name="Kees Collega")
    submission = _submit(world.learner)
    _grade(submission, colleague, decision=Grade.Decision.APPROVED, comment="Eerste.")
    client.force_login(world.trainer)
    data = _form(submission.assignment, level=1, comment="Mijn eigen commentaar")
    response = client.post(reverse("trainer:grade", args=[submission.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="grading-error"' in body
    assert "Kees Collega" in body
    assert "Mijn eigen commentaar</textarea>" in body
    assert Grade.objects.get().comment == "Eerste."


def test_a_draft_cannot_be_graded_and_its_text_stays_private(trainer, world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    from assignments.services import draft_save

    draft_save(
        submission=draft, answers={"verhaal": "geheim concept"}, based_on=0, now=timezone.now()
    )
    url = reverse("trainer:grade", args=[draft.pk])
    body = trainer.get(url).content.decode()
    assert 'id="draft-notice"' in body
    assert "geheim concept" not in body
    body = trainer.post(url, _form(draft.assignment)).content.decode()
    assert 'id="grading-error"' in body
    assert not Grade.objects.exists()


def test_approved_work_is_not_graded_again(trainer, world):
    submission = _submit(world.learner)
    _grade(submission, world.trainer, decision=Grade.Decision.APPROVED, comment="Prima.")
    url = reverse("trainer:grade", args=[submission.pk])
    response = trainer.post(url, _form(submission.assignment, comment="Nog eens."))
    assert 'id="grading-error"' in response.content.decode()
    assert Grade.objects.get().comment == "Prima."


@pytest.mark.parametrize("role", ["learner", "org_admin", "staff", "trainer_other"])
def test_nobody_but_the_cohorts_trainer_reaches_the_work(client, world, role):
    submission = _submit(world.learner, words(80, "privé"))
    client.force_login(getattr(world, role))
    for response in (
        client.get(reverse("trainer:grade", args=[submission.pk])),
        client.post(reverse("trainer:grade", args=[submission.pk]), _form(submission.assignment)),
        client.post(reverse("trainer:snippet_add", args=[submission.pk]), {"comment": "x"}),
    ):
        assert response.status_code in {403, 404}
        assert "privé" not in response.content.decode()
    assert not Grade.objects.exists()
    assert not CommentSnippet.objects.exists()


# --- The comment bank ------------------------------------------------------------------


def test_keeping_a_selection_over_htmx_answers_with_the_comment_bank(trainer, world):
    submission = _submit(world.learner)
    response = trainer.post(
        reverse("trainer:snippet_add", args=[submission.pk]),
        {"comment": "Hele tekst. Deel", "snippet_text": "  Deel  "},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="comment-bank"')
    assert list(CommentSnippet.objects.values_list("text", flat=True)) == ["Deel"]


def test_keeping_a_snippet_without_javascript_keeps_the_whole_form(trainer, world):
    submission = _submit(world.learner)
    data = _form(submission.assignment, level=1, comment="Mijn <i>zin</i>")
    response = trainer.post(reverse("trainer:snippet_add", args=[submission.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mijn &lt;i&gt;zin&lt;/i&gt;</textarea>" in body
    assert body.count(" checked>") == len(submission.assignment.config["rubric"]["criteria"]) + 1
    assert CommentSnippet.objects.get().text == "Mijn <i>zin</i>"
    assert 'class="snippet-text" id="snippet-' in body
    assert not Grade.objects.exists()


def test_deleting_a_snippet_removes_only_own_snippets(trainer, world):
    submission = _submit(world.learner)
    mine = CommentSnippet.objects.create(trainer=world.trainer, text="Van mij")
    theirs = CommentSnippet.objects.create(trainer=world.trainer_other, text="Van Theo")
    url = "trainer:snippet_delete"
    trainer.post(reverse(url, args=[submission.pk, theirs.pk]), headers={"HX-Request": "true"})
    trainer.post(reverse(url, args=[submission.pk, mine.pk]), headers={"HX-Request": "true"})
    assert list(CommentSnippet.objects.values_list("text", flat=True)) == ["Van Theo"]


def test_other_trainers_snippets_are_not_listed(trainer, world):
    submission = _submit(world.learner)
    CommentSnippet.objects.create(trainer=world.trainer_other, text="Theo's zin")
    body = trainer.get(reverse("trainer:grade", args=[submission.pk])).content.decode()
    assert "Theo" not in body


# --- Valid HTML ------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("java") is None, reason="the HTML validator needs Java")
def test_grading_pages_are_valid_html(trainer, world, tmp_path):
    from tests.test_html_valid import CANARY, _validate

    first = _submit(world.learner, words(90) + "\n\noud")
    CommentSnippet.objects.create(trainer=world.trainer, text="Een <b>zin</b>")
    url = reverse("trainer:grade", args=[first.pk])
    pages = {"waiting": trainer.get(url)}
    pages["refused"] = trainer.post(url, {"comment": "x", "action": "save"})
    _grade(first, world.trainer)
    pages["graded"] = trainer.get(url)
    second = _submit(world.learner, words(90) + "\n\nnieuw")
    pages["revision"] = trainer.get(reverse("trainer:grade", args=[second.pk]))
    pages["queue"] = trainer.get(reverse("trainer:home"), {"cohort": "x"})
    for name, response in pages.items():
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    (tmp_path / "canary.html").write_text(CANARY)
    errors = [
        f"{message.get('url', '?').rsplit('/', 1)[-1]}: {message['message']}"
        for message in _validate(tmp_path)
        if message["type"] != "info"
    ]
    assert any(error.startswith("canary") for error in errors), "the validator did not run"
    assert [error for error in errors if not error.startswith("canary")] == []


def test_the_grading_page_shows_the_thread_and_the_trainer_replies_from_there(trainer, world):
    from assignments.feedback import submission_message_post

    submission = _submit(world.learner)
    _grade(submission, world.trainer)
    submission_message_post(
        submission=submission,
        author=world.learner,
        text="Bedoel je <b>dit</b> deel?",
        now=timezone.now(),
    )
    page = reverse("trainer:grade", args=[submission.pk])
    body = trainer.get(page).content.decode()
    assert "Bedoel je &lt;b&gt;dit&lt;/b&gt; deel?" in body
    form_action = reverse("learn:trainer_message", args=[submission.pk])
    assert f'action="{form_action}"' in body
    response = trainer.post(form_action, {"text": "Ja, dat deel.", "next": page})
    assert response.status_code == 302
    assert response["Location"] == page
    assert list(submission.messages.values_list("author__email", "text")) == [
        ("alice@example.com", "Bedoel je <b>dit</b> deel?"),
        ("tara@example.com", "Ja, dat deel."),
    ]
