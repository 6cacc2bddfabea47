"""The course preview: a trainer reads their group's course, every module, as a reader only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from assignments.models import Submission
from courses.models import Lesson, LessonProgress, Module
from courses.services import course_import
from tests.assignment_helpers import LOCKED, QUIZ, REFLECTION, SCAN, assignment
from tests.course_files import write_course
from tests.factories import CohortFactory, make_learner, make_trainer

# A lesson in module 3, which has not opened yet for the world's cohorts.
LOCKED_MODULE_POSITION = 2


def _locked_lesson(world) -> Lesson:
    module = Module.objects.filter(course=world.course).order_by("position")[LOCKED_MODULE_POSITION]
    return Lesson.objects.filter(module=module).order_by("position").first()


def _post_forms(body: str) -> list[str]:
    """The actions of every POST form in the page's content (not the header or footer)."""
    content = body[body.index('<main id="content"') : body.index("</main>")]
    return re.findall(r'<form method="post" action="([^"]*)"', content)


@pytest.fixture
def trainer(client, world):
    client.force_login(world.trainer)
    return client


def test_trainer_sees_every_module_with_its_opening_date(trainer, world):
    body = trainer.get(reverse("learn:preview", args=[world.cohort.pk])).content.decode()
    modules = Module.objects.filter(course=world.course, archived=False)
    assert all(module.title in body for module in modules)
    lesson = _locked_lesson(world)
    assert reverse("learn:preview_lesson", args=[world.cohort.pk, lesson.slug]) in body
    assert reverse("learn:preview_assignment", args=[world.cohort.pk, LOCKED]) in body
    assert body.count("badge-locked") == 2, "modules 3 and 4 are not open for the group yet"
    assert 'class="preview-notice"' in body
    assert _post_forms(body) == []


def test_trainer_reads_a_lesson_of_a_locked_module_without_recording_progress(trainer, world):
    lesson = _locked_lesson(world)
    response = trainer.get(reverse("learn:preview_lesson", args=[world.cohort.pk, lesson.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"<h1>{lesson.title}</h1>" in body
    assert 'class="prose"' in body
    assert _post_forms(body) == [], "no Mark as read"
    assert 'rel="next"' in body
    assert 'rel="prev"' in body
    assert not LessonProgress.objects.exists()


def test_quiz_preview_marks_the_correct_options(trainer, world):
    body = trainer.get(reverse("learn:preview_assignment", args=[world.cohort.pk, QUIZ]))
    body = body.content.decode()
    questions = assignment(QUIZ).config["questions"]
    correct = sum(1 for q in questions for option in q["options"] if option["correct"])
    assert body.count('<li class="is-correct">') == correct
    assert all(q["options"][0]["feedback"] in body for q in questions)
    assert _post_forms(body) == []
    assert "<input" not in body[body.index('<main id="content"') : body.index("</main>")]


def test_scan_preview_shows_the_statements(trainer, world):
    body = trainer.get(reverse("learn:preview_assignment", args=[world.cohort.pk, SCAN]))
    body = body.content.decode()
    for statement in assignment(SCAN).config["statements"]:
        assert escape(statement["text"]) in body
    assert _post_forms(body) == []


def test_reflection_preview_shows_prompts_and_rubric_without_an_editor(trainer, world):
    body = trainer.get(reverse("learn:preview_assignment", args=[world.cohort.pk, LOCKED]))
    body = body.content.decode()
    config = assignment(LOCKED).config
    for prompt in config["prompts"]:
        assert prompt["label"].split(":")[0] in body
    for criterion in config["rubric"]["criteria"]:
        assert criterion["title"] in body
    assert "<textarea" not in body
    assert "data-draft-key" not in body
    assert _post_forms(body) == []


def test_preview_creates_no_work(trainer, world):
    for slug in (QUIZ, SCAN, REFLECTION, LOCKED):
        trainer.get(reverse("learn:preview_assignment", args=[world.cohort.pk, slug]))
    assert not Submission.objects.exists()


@pytest.mark.parametrize("role", ["trainer_other", "learner", "org_admin"])
def test_others_get_404(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(reverse("learn:preview", args=[world.cohort.pk])).status_code == 404
    url = reverse("learn:preview_lesson", args=[world.cohort.pk, _locked_lesson(world).slug])
    assert client.get(url).status_code == 404


def test_another_courses_lesson_is_404(trainer, world, tmp_path):
    other = course_import(folder=write_course(tmp_path, slug="anders", modules=1, lessons=1))
    assert other.course.pk != world.course.pk
    url = reverse("learn:preview_lesson", args=[world.cohort.pk, "les-1-1"])
    assert trainer.get(url).status_code == 404


# --- Query counts ---------------------------------------------------------------------


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PREVIEW_PAGES = [
    ("learn:preview", {}, 6),
    ("learn:preview_lesson", {"lesson_slug": "les-1-1"}, 7),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "pinned"), PREVIEW_PAGES, ids=[p[0] for p in PREVIEW_PAGES]
)
@pytest.mark.parametrize("size", [(1, 1), (6, 5)], ids=["small-course", "large-course"])
def test_preview_pages_do_not_grow_with_the_course(
    client, db, tmp_path, name, kwargs, pinned, size
):
    modules, lessons = size
    course = course_import(
        folder=write_course(tmp_path, modules=modules, lessons=lessons, offsets=[0] * modules)
    ).course
    cohort = CohortFactory(course=course)
    client.force_login(make_trainer(cohort))
    assert _count(client, reverse(name, kwargs={"cohort_id": cohort.pk, **kwargs})) == pinned


def test_assignment_preview_does_not_grow_with_the_cohort(trainer, world):
    url = reverse("learn:preview_assignment", args=[world.cohort.pk, QUIZ])
    small = _count(trainer, url)
    for _ in range(6):
        make_learner(world.cohort)
        make_trainer(world.cohort)
    assert (small, _count(trainer, url)) == (7, 7)


def test_final_test_preview_says_it_is_a_bank_and_shows_anchor_examples(trainer, world):
    final = assignment("eindtoets")
    body = trainer.get(reverse("learn:preview_assignment", args=[world.cohort.pk, "eindtoets"]))
    body = body.content.decode()
    assert 'id="preview-draw"' in body
    assert f"bank van {len(final.config['questions'])} vragen" in body
    assert f"trekt er {final.config['draw']} uit" in body
    reflection = trainer.get(reverse("learn:preview_assignment", args=[world.cohort.pk, LOCKED]))
    example = assignment(LOCKED).config["rubric"]["criteria"][0]["levels"][2]["example"]
    assert escape(example) in reflection.content.decode()


def test_learners_do_not_see_the_anchor_examples(client, world):
    client.force_login(world.learner)
    body = client.get(reverse("learn:assignment", args=[world.cohort.pk, REFLECTION]))
    example = assignment(REFLECTION).config["rubric"]["criteria"][0]["levels"][2]["example"]
    assert escape(example) not in body.content.decode()
    assert "Voorbeeld:" not in body.content.decode()
