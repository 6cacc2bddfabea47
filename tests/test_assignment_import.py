"""Assignments in the course files: validated with the course, all or nothing."""

import re

import pytest

from assignments.models import Assignment, Submission
from courses.content_files import read_course_folder
from courses.services import CourseImportError, course_import
from tests.course_files import SHIPPED, add_assignments, write_course


def _problems(folder):
    return [str(problem) for problem in read_course_folder(folder)[1]]


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


@pytest.fixture
def folder(tmp_path):
    return add_assignments(write_course(tmp_path))


def test_shipped_course_has_every_tool_of_the_design():
    spec, problems = read_course_folder(SHIPPED)
    assert problems == []
    by_module = {m.slug: {a.slug: a for a in m.assignments} for m in spec.modules}
    one = by_module["klantgericht-of-klantvriendelijk"]
    assert one["kwadrant-scan"].config["result_model"] == "quadrant"
    assert {a.kind for a in one.values()} == {"quiz", "scan", "reflection"}
    two = by_module["de-vier-fasen"]
    assert two["fasescan-voor"].config["pre_post"] == "pre"
    assert {a.kind for a in two.values()} == {"quiz", "scan", "reflection"}
    three = by_module["de-klantendriehoek"]
    assert {p["id"] for p in three["driehoek-case"].config["prompts"]} == {
        "erkenning",
        "uitleg",
        "oplossing",
        "klant",
        "jezelf",
        "organisatie",
    }
    assert three["driehoek-case"].config["rubric"]["criteria"]
    four = by_module["de-klant-centraal-in-de-praktijk"]
    assert four["fasescan-na"].config["pair"] == "fasescan-voor"
    required = [p for p in four["frictie-audit"].config["prompts"] if p["required"]]
    assert len(required) >= 6
    assert four["praktijkopdracht"].config["rubric"]["criteria"]
    assert "eindreflectie" in four


def test_import_creates_assignments_and_a_reimport_changes_nothing(db, folder):
    course_import(folder=folder)
    assert list(Assignment.objects.values_list("slug", "kind", "position")) == [
        ("toets", "quiz", 1),
        ("scan", "scan", 2),
        ("reflectie", "reflection", 3),
    ]
    assert not course_import(folder=folder).changed


def test_removed_assignment_is_archived_and_work_kept(db, folder):
    from cohorts.models import Enrollment
    from tests.factories import CohortFactory, make_learner

    course = course_import(folder=folder).course
    enrollment = make_learner(CohortFactory(course=course)).enrollments.get()
    quiz = Assignment.objects.get(slug="toets")
    Submission.objects.create(enrollment=enrollment, assignment=quiz, status="submitted")
    _edit(folder / "course.yaml", "  - toets\n", "")
    (folder / "module-1" / "toets.yaml").unlink()
    course_import(folder=folder)
    quiz.refresh_from_db()
    assert quiz.archived
    assert Submission.objects.filter(assignment=quiz, enrollment=enrollment).exists()
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "toets.yaml",
            "correct: false",
            "correct: true",
            r"toets\.yaml:\d+: question 'q1' is single-choice but has 2 correct",
        ),
        (
            "toets.yaml",
            "pass_mark: 50",
            "pass_mark: 150",
            r"toets\.yaml:\d+: pass_mark must be 100 or less",
        ),
        (
            "toets.yaml",
            "    text: Wat koopt",
            "    kleur: rood\n    text: Wat koopt",
            r"toets\.yaml:\d+: unknown key 'kleur'",
        ),
        (
            "toets.yaml",
            "kind: quiz",
            "kind: puzzel",
            r"toets\.yaml:1: kind must be quiz, scan or reflection",
        ),
        (
            "scan.yaml",
            "dimension: hoe, weight",
            "dimension: waar, weight",
            r"scan\.yaml:\d+: unknown dimension 'waar'",
        ),
        (
            "scan.yaml",
            "  low_low: {title: D, explanation: d}\n",
            "",
            r"scan\.yaml:\d+: quadrants is missing 'low_low'",
        ),
        (
            "scan.yaml",
            "result_model: quadrant",
            "result_model: kwadrant",
            r"scan\.yaml:\d+: result_model must be quadrant or phase",
        ),
        (
            "reflectie.yaml",
            "min_words: 3",
            "min_words: 30",
            r"reflectie\.yaml:\d+: min_words is larger than max_words",
        ),
        (
            "reflectie.yaml",
            "{points: 1, title: Ja",
            "{points: 0, title: Ja",
            r"reflectie\.yaml:\d+: levels must rise in points",
        ),
        ("reflectie.yaml", "title: Reflectie", "title: ''", r"reflectie\.yaml:\d+: title is empty"),
    ],
)
def test_a_precise_error_per_problem_and_nothing_imported(db, folder, file, old, new, expected):
    _edit(folder / "module-1" / file, old, new)
    with pytest.raises(CourseImportError) as caught:
        course_import(folder=folder)
    problems = [str(p) for p in caught.value.problems]
    assert any(re.match("module-1/" + expected, p) for p in problems), problems
    assert not Assignment.objects.exists()


def test_missing_and_unlisted_assignment_files(folder):
    (folder / "module-1" / "scan.yaml").rename(folder / "module-2" / "extra.yaml")
    problems = _problems(folder)
    assert "module-1/scan.yaml: file is missing" in problems
    assert "module-2/extra.yaml: assignment file is not listed in course.yaml" in problems


def test_post_scan_needs_a_matching_pre_scan(folder):
    _edit(
        folder / "module-1" / "scan.yaml",
        "due_offset_days: 2",
        "due_offset_days: 2\npre_post: post",
    )
    assert any("a post scan needs 'pair'" in p for p in _problems(folder))
    _edit(folder / "module-1" / "scan.yaml", "pre_post: post", "pre_post: post\npair: niets")
    assert any("pair 'niets' is not a pre scan of this course" in p for p in _problems(folder))


def test_quiz_attempt_limit_is_optional_and_checked(db, folder):
    course_import(folder=folder)
    assert Assignment.objects.get(slug="toets").config["max_attempts"] is None
    _edit(folder / "module-1" / "toets.yaml", "pass_mark: 50", "pass_mark: 50\nmax_attempts: 0")
    assert any("max_attempts must be 1 or more" in p for p in _problems(folder))
