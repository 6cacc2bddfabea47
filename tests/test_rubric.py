"""One rubric scale per course, with a pass level and anchor examples.

Approving needs every criterion at the pass level or higher; returning is always
allowed; grades given on an older rubric keep showing what was stored.
"""

import re

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.models import Assignment, Grade, Submission
from assignments.services import (
    AssignmentError,
    reflection_draft,
    reflection_submit,
    submission_grade,
)
from courses.content_files import read_course_folder
from courses.services import course_import
from tests.assignment_helpers import words
from tests.course_files import write_assignment, write_course
from tests.factories import CohortFactory, make_learner, make_trainer

LEVELS = [
    (0, "Ontbreekt", "Geen situatie.", "Het was druk."),
    (1, "Beperkt", "Een situatie zonder klant.", "Er belde iemand boos."),
    (2, "Voldoende", "De situatie en de klant.", "Een klant belde over een dubbele factuur."),
    (3, "Sterk", "Situatie, klant en wat hij nodig had.", "Hij wilde zeker weten dat hij"),
]
BELOW_PASS = (
    "To approve, every criterion needs at least level %(level)s; "
    "return the work with feedback instead."
)


def rubric_yaml(
    *, criteria=("situatie", "analyse"), points=(0, 1, 2, 3), pass_level=2, examples=True
) -> str:
    """A reflection whose criteria share the levels of ``LEVELS`` with these ``points``."""
    rubric = {
        "criteria": [
            {
                "id": criterion,
                "title": criterion.title(),
                "levels": [
                    {"points": level_points, "title": title, "description": description}
                    | ({"example": example} if examples else {})
                    for level_points, (_points, title, description, example) in zip(
                        points, LEVELS, strict=False
                    )
                ],
            }
            for criterion in criteria
        ]
    }
    if pass_level is not None:
        rubric = {"pass_level": pass_level} | rubric
    reflection = {
        "kind": "reflection",
        "title": "Reflectie",
        "due_offset_days": 5,
        "prompts": [{"id": "verhaal", "label": "Vertel", "min_words": 3, "max_words": 200}],
        "rubric": rubric,
    }
    return yaml.safe_dump(reflection, allow_unicode=True, sort_keys=False)


@pytest.fixture
def folder(tmp_path):
    return write_course(tmp_path)


def _problems(folder) -> list[str]:
    return [str(problem) for problem in read_course_folder(folder)[1]]


# --- The definition -------------------------------------------------------------------


def test_pass_level_and_examples_are_stored(db, folder):
    write_assignment(folder, "reflectie", rubric_yaml())
    course_import(folder=folder)
    rubric = Assignment.objects.get(slug="reflectie").config["rubric"]
    assert rubric["pass_level"] == 2
    assert [lv["example"] for lv in rubric["criteria"][0]["levels"]] == [e for *_, e in LEVELS]


def test_a_rubric_without_pass_level_or_examples_is_still_valid(db, folder):
    write_assignment(folder, "reflectie", rubric_yaml(pass_level=None, examples=False))
    course_import(folder=folder)
    rubric = Assignment.objects.get(slug="reflectie").config["rubric"]
    assert rubric["pass_level"] is None
    assert {lv["example"] for lv in rubric["criteria"][0]["levels"]} == {""}


def test_a_pass_level_that_is_not_a_level_is_refused(folder):
    write_assignment(folder, "reflectie", rubric_yaml(points=(0, 1, 3, 4)))
    assert any(
        re.match(
            r"module-1/reflectie\.yaml:\d+: pass_level 2 is not a level of criterion "
            r"'situatie' \(its levels: 0, 1, 3, 4\)",
            problem,
        )
        for problem in _problems(folder)
    ), _problems(folder)


def test_every_reflection_of_a_course_uses_one_scale(folder):
    write_assignment(folder, "reflectie", rubric_yaml())
    write_assignment(folder, "tweede", rubric_yaml(points=(1, 2, 3, 4)), "module-2")
    problems = _problems(folder)
    assert any(
        p.startswith("module-2/tweede.yaml:")
        and "criterion 'situatie' has levels 1, 2, 3, 4" in p
        and "module-1/reflectie.yaml" in p
        for p in problems
    ), problems


def test_every_reflection_of_a_course_uses_one_pass_level(folder):
    write_assignment(folder, "reflectie", rubric_yaml())
    write_assignment(folder, "tweede", rubric_yaml(pass_level=3), "module-2")
    problems = _problems(folder)
    assert any(
        p.startswith("module-2/tweede.yaml:")
        and "pass_level is 3, but module-1/reflectie.yaml sets 2" in p
        for p in problems
    ), problems
    write_assignment(folder, "tweede", rubric_yaml(), "module-2")
    assert _problems(folder) == []


# --- Grading --------------------------------------------------------------------------------

NOW = timezone.now()


@pytest.fixture
def work(db, folder):
    write_assignment(folder, "reflectie", rubric_yaml())
    course = course_import(folder=folder).course
    cohort = CohortFactory(course=course)
    learner = make_learner(cohort, display_name="Alice")
    trainer = make_trainer(cohort, display_name="Tara")
    enrollment = learner.enrollments.select_related("cohort").get()
    draft = reflection_draft(enrollment=enrollment, assignment=Assignment.objects.get())
    submission = reflection_submit(
        submission=draft, answers={"verhaal": words(20)}, based_on=draft.version, now=NOW
    )
    return submission, trainer, learner


def _grade(submission, trainer, scores, decision):
    return submission_grade(
        submission=submission,
        trainer=trainer,
        rubric_scores=scores,
        comment="Mijn commentaar.",
        decision=decision,
        now=NOW,
    )


def test_approving_below_the_pass_level_is_refused_at_that_criterion(work):
    submission, trainer, _learner = work
    expected = _(BELOW_PASS) % {"level": "2 (Voldoende)"}
    with pytest.raises(AssignmentError, match=re.escape(expected)) as caught:
        _grade(submission, trainer, {"situatie": 3, "analyse": 1}, "approved")
    assert caught.value.field_messages == {"rubric-analyse": expected}
    assert not Grade.objects.exists()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_approving_at_the_pass_level_approves(work):
    submission, trainer, _learner = work
    _grade(submission, trainer, {"situatie": 2, "analyse": 2}, "approved")
    assert Submission.objects.get().status == Submission.Status.APPROVED


def test_returning_is_allowed_at_any_level(work):
    submission, trainer, _learner = work
    _grade(submission, trainer, {"situatie": 3, "analyse": 0}, "returned")
    assert Submission.objects.get().status == Submission.Status.RETURNED


def test_a_refused_approval_gives_back_everything_the_trainer_entered(client, work):
    submission, trainer, _learner = work
    client.force_login(trainer)
    url = reverse("trainer:grade", args=[submission.pk])
    data = {
        "rubric-situatie": "3",
        "rubric-analyse": "1",
        "comment": "Mijn <em>commentaar</em>",
        "decision": "approved",
        "action": "save",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="rubric-analyse-error"' in body
    assert 'id="rubric-situatie-error"' not in body
    assert re.search(r'id="rubric-situatie-3" value="3" data-points="3" checked', body)
    assert re.search(r'id="rubric-analyse-1" value="1" data-points="1" checked', body)
    assert "Mijn &lt;em&gt;commentaar&lt;/em&gt;</textarea>" in body
    assert 'id="decision-approved" value="approved" checked' in body
    assert not Grade.objects.exists()


def test_the_grading_page_shows_anchor_examples_and_marks_the_pass_level(client, work):
    submission, trainer, _learner = work
    client.force_login(trainer)
    body = client.get(reverse("trainer:grade", args=[submission.pk])).content.decode()
    assert 'id="pass-level-note"' in body
    for criterion in ("situatie", "analyse"):
        details = re.search(
            rf'<details class="rubric-examples" id="rubric-{criterion}-examples">(.*?)</details>',
            body,
            re.S,
        ).group(1)
        for *_rest, example in LEVELS:
            assert example in details
        assert details.count(_("pass level")) == 1
        assert f"<dt>Voldoende (2) — {_('pass level')}</dt>" in details
        assert "<dt>Sterk (3)</dt><dd>Hij wilde zeker weten dat hij</dd>" in details
    label = re.search(r'<label for="rubric-situatie-2">(.*?)</label>', body, re.S).group(1)
    assert _("pass level") in label
    assert label.startswith('<span class="rubric-level-title">Voldoende</span> ')
    assert '<span class="meta">(2 punten)</span>' in label
    assert label.endswith('<span class="rubric-level-description">De situatie en de klant.</span>')
    assert '<span class="meta">(1 punt)</span>' in body
    radio = '<input type="radio" name="rubric-analyse" id="rubric-analyse-3" value="3" '
    assert radio + 'data-points="3">' in body
    assert _("pass level") not in re.search(
        r'<label for="rubric-situatie-3">(.*?)</label>', body, re.S
    ).group(1)


def test_the_learner_sees_the_pass_level_but_not_the_examples(client, work):
    _submission, _trainer, learner = work
    client.force_login(learner)
    cohort = learner.enrollments.get().cohort
    body = client.get(reverse("learn:assignment", args=[cohort.pk, "reflectie"])).content.decode()
    assert 'id="rubric-pass-level"' in body
    assert LEVELS[3][3] not in body


# --- Grades given on an older rubric -------------------------------------------------------


def test_an_old_grade_shows_what_it_stored_after_the_rubric_changed(client, folder, work):
    submission, trainer, learner = work
    _grade(submission, trainer, {"situatie": 3, "analyse": 1}, "returned")
    # The rubric changes: 'analyse' leaves, 'situatie' loses its level 3.
    write_assignment(
        folder, "reflectie", rubric_yaml(criteria=("situatie", "aanpak"), points=(0, 1, 2, 4))
    )
    course_import(folder=folder)
    cohort = learner.enrollments.get().cohort

    client.force_login(learner)
    body = client.get(reverse("learn:assignment", args=[cohort.pk, "reflectie"])).content.decode()
    feedback = body.split('class="feedback-panel"')[1].split("</section>")[0]
    assert '<th scope="row">Situatie</th><td>—</td><td class="num">3/4</td>' in feedback
    assert '<tr class="rubric-gone"><th scope="row">analyse</th>' in feedback
    assert re.search(r'rubric-gone.*?<td class="num">1</td>', feedback, re.S)

    # The learner writes a new revision; the old grade now sits with revision 1 on both pages.
    draft = reflection_draft(
        enrollment=learner.enrollments.get(), assignment=Assignment.objects.get()
    )
    second = reflection_submit(
        submission=draft, answers={"verhaal": words(30)}, based_on=draft.version, now=NOW
    )
    body = client.get(reverse("learn:assignment", args=[cohort.pk, "reflectie"])).content.decode()
    assert '<tr class="rubric-gone"><th scope="row">analyse</th>' in body
    client.force_login(trainer)
    body = client.get(reverse("trainer:grade", args=[second.pk])).content.decode()
    earlier = body.split('id="earlier-heading"')[1]
    assert '<th scope="row">Situatie</th><td>—</td><td class="num">3</td>' in earlier
    assert '<tr class="rubric-gone"><th scope="row">analyse</th>' in earlier
