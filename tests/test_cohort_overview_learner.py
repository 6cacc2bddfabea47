"""One learner on the trainer's side: timeline, work and grades, granting an extension."""

import datetime

from django.urls import reverse
from django.utils import timezone, translation

from assignments.models import Extension
from assignments.services import (
    quiz_submit,
    reflection_draft,
    reflection_submit,
    submission_grade,
)
from cohorts.models import Enrollment
from courses.services import lesson_mark_read
from dashboards.selectors import TIMELINE_LIMIT, learner_detail
from tests.assignment_helpers import QUIZ, REFLECTION, assignment, quiz_answers, words
from tests.factories import make_learner


def _enrollment(user) -> Enrollment:
    return Enrollment.objects.select_related("user", "cohort", "cohort__course").get(user=user)


def _url(world, enrollment=None):
    enrollment = enrollment or _enrollment(world.learner)
    return reverse("trainer:learner", args=[world.cohort.pk, enrollment.pk])


def _approved_reflection(world, enrollment, now):
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    submitted = reflection_submit(
        submission=draft,
        answers={p["id"]: "Vertrouwelijk " + words(100) for p in reflection.config["prompts"]},
        based_on=draft.version,
        now=now,
    )
    criteria = reflection.config["rubric"]["criteria"]
    submission_grade(
        submission=submitted,
        trainer=world.trainer,
        rubric_scores={c["id"]: c["levels"][-1]["points"] for c in criteria},
        comment="Mooi",
        decision="approved",
        now=now,
    )


def test_timeline_lists_lessons_work_grades_and_extensions_newest_first(world):
    enrollment = _enrollment(world.learner)
    now = timezone.now()
    quiz = assignment(QUIZ)
    lesson_mark_read(
        enrollment=enrollment,
        lesson=quiz.module.lessons.first(),
        now=now - datetime.timedelta(days=2),
    )
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers=quiz_answers(quiz), now=now)
    _approved_reflection(world, enrollment, now)
    Extension.objects.create(
        enrollment=enrollment,
        assignment=quiz,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        granted_by=world.trainer,
    )
    with translation.override("en"):
        detail = learner_detail(enrollment, now=timezone.now())
        kinds = [event.kind for event in detail.timeline]
        texts = [event.text for event in detail.timeline]
    assert kinds[-1] == "lesson"
    assert sorted(kinds) == ["extension", "grade", "lesson", "submission", "submission"]
    assert [e.at for e in detail.timeline] == sorted((e.at for e in detail.timeline), reverse=True)
    assert any(text.startswith(f"Quiz attempt “{quiz.title}”") for text in texts)
    assert any("approved by Tara" in text for text in texts)
    assert any(text.startswith("Extension for") and "granted by Tara" in text for text in texts)
    assert not detail.timeline_is_capped


def test_timeline_is_capped(world):
    enrollment = _enrollment(world.learner)
    quiz = assignment(QUIZ)
    for _attempt in range(TIMELINE_LIMIT + 1):
        quiz_submit(
            enrollment=enrollment,
            assignment=quiz,
            raw_answers=quiz_answers(quiz, wrong=1),
            now=timezone.now(),
        )
    detail = learner_detail(enrollment, now=timezone.now())
    assert len(detail.timeline) == TIMELINE_LIMIT
    assert detail.timeline_is_capped


def test_page_shows_work_and_grades_but_not_the_reflection_text(client, world):
    enrollment = _enrollment(world.learner)
    _approved_reflection(world, enrollment, timezone.now())
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    assert "Reflectie – vriendelijk, maar niet geholpen" in body
    assert "Goedgekeurd" in body  # the grade's decision
    assert "Vertrouwelijk" not in body  # a summary, not the text itself


def test_trainer_grants_an_extension_on_the_learner_page(client, world):
    client.force_login(world.trainer)
    enrollment = _enrollment(world.learner)
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        _url(world),
        {"enrollment": enrollment.pk, "assignment": assignment(QUIZ).pk, "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world)
    assert enrollment.extensions.get().due_on == due
    body = client.get(_url(world)).content.decode()
    assert "Het uitstel is gegeven" in body or "extension has been granted" in body


def test_a_date_in_the_past_keeps_what_was_entered(client, world):
    client.force_login(world.trainer)
    enrollment = _enrollment(world.learner)
    quiz = assignment(QUIZ)
    past = timezone.localdate() - datetime.timedelta(days=3)
    response = client.post(
        _url(world),
        {"enrollment": enrollment.pk, "assignment": quiz.pk, "due_on": past.isoformat()},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{past.isoformat()}"' in body
    assert f'<option value="{quiz.pk}" selected>' in body
    assert 'class="message message-error"' in body
    assert not enrollment.extensions.exists()


def test_a_malformed_date_keeps_what_was_entered(client, world):
    client.force_login(world.trainer)
    enrollment = _enrollment(world.learner)
    response = client.post(
        _url(world),
        {"enrollment": enrollment.pk, "assignment": assignment(QUIZ).pk, "due_on": "31-02-2027"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="31-02-2027"' in body
    assert 'class="field field-invalid"' in body
    assert 'class="message message-error"' in body
    assert not enrollment.extensions.exists()


def test_the_learner_on_the_page_cannot_be_swapped_for_another(client, world):
    client.force_login(world.trainer)
    other = _enrollment(make_learner(world.cohort, display_name="Bram"))
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        _url(world),
        {"enrollment": other.pk, "assignment": assignment(QUIZ).pk, "due_on": due.isoformat()},
    )
    assert response.status_code == 200
    assert not Extension.objects.exists()


def test_learner_of_another_cohort_is_404_even_for_a_trainer_of_both(client, world):
    world.other_cohort.trainers.add(world.trainer)
    client.force_login(world.trainer)
    bob = _enrollment(world.learner_other)
    wrong = reverse("trainer:learner", args=[world.cohort.pk, bob.pk])
    assert client.get(wrong).status_code == 404
    right = reverse("trainer:learner", args=[world.other_cohort.pk, bob.pk])
    assert client.get(right).status_code == 200


def test_trainer_of_another_cohort_gets_404(client, world):
    client.force_login(world.trainer_other)
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), {}).status_code == 404


def test_withdrawn_learner_has_no_extension_form(client, world):
    enrollment = _enrollment(world.learner)
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save(update_fields=["status"])
    client.force_login(world.trainer)
    body = client.get(_url(world)).content.decode()
    assert 'name="due_on"' not in body
