"""Assignments in the course files: validated with the course, all or nothing."""

import re

import pytest
from django.utils import timezone

from assignments.models import Assignment, Submission
from assignments.services import draft_save, quiz_submit, reflection_draft, scan_submit
from courses.content_files import read_course_folder
from courses.services import CourseImportError, course_import
from tests.course_files import (
    REFLECTION_YAML,
    SHIPPED,
    add_assignments,
    write_assignment,
    write_course,
)
from tests.factories import CohortFactory, make_learner


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
    by_module = {m.slug: {a.slug: a for a in m.items["assignments"]} for m in spec.modules}
    one = by_module["klantgericht-of-klantvriendelijk"]
    # The baseline scan opens the course: the first assignment of module 1.
    assert next(iter(one)) == "fasescan-voor"
    assert one["fasescan-voor"].config["pre_post"] == "pre"
    assert one["kwadrant-scan"].config["result_model"] == "quadrant"
    assert {a.kind for a in one.values()} == {"quiz", "scan", "reflection"}
    two = by_module["de-vier-fasen"]
    assert "fasescan-voor" not in two
    assert {a.kind for a in two.values()} == {"quiz", "reflection"}
    three = by_module["de-klantendriehoek"]
    assert {p["id"] for p in three["driehoek-case"].config["prompts"]} == {
        "erkenning",
        "grens",
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
    # The final test: a bank of 32 questions, 16 drawn per attempt, pass mark 70.
    final = four["eindtoets"]
    assert final.kind == "quiz"
    assert len(final.config["questions"]) == 32
    assert final.config["draw"] == 16
    assert final.config["pass_mark"] == 70
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
        # Every number has a bound: past it, dates overflow and integer columns refuse it.
        (
            "toets.yaml",
            "due_offset_days: 3",
            "due_offset_days: 3000000",
            r"toets\.yaml:4: due_offset_days must be 730 or less",
        ),
        (
            "toets.yaml",
            "pass_mark: 50",
            "pass_mark: 50\nmax_attempts: 1000",
            r"toets\.yaml:\d+: max_attempts must be 100 or less",
        ),
        (
            "reflectie.yaml",
            "min_words: 3, max_words: 10",
            "min_words: 100000, max_words: 10",
            r"reflectie\.yaml:\d+: min_words must be 5000 or less",
        ),
        (
            "reflectie.yaml",
            "{points: 1, title: Ja",
            "{points: 1000000, title: Ja",
            r"reflectie\.yaml:\d+: points must be 100 or less",
        ),
        (
            "scan.yaml",
            "dimension: hoe, weight: -1",
            "dimension: hoe, weight: nan",
            r"scan\.yaml:\d+: weight must lie between -10 and 10",
        ),
        (
            "scan.yaml",
            "dimension: hoe, weight: -1",
            "dimension: hoe, weight: 1e999",
            r"scan\.yaml:\d+: weight must lie between -10 and 10",
        ),
        # Booleans are YAML's true and false, not a quoted word or a number.
        (
            "toets.yaml",
            "correct: true",
            'correct: "true"',
            r"toets\.yaml:\d+: correct must be true or false",
        ),
        (
            "reflectie.yaml",
            "max_words: 10}",
            'max_words: 10, required: "false"}',
            r"reflectie\.yaml:\d+: required must be true or false",
        ),
        (
            "toets.yaml",
            "pass_mark: 50",
            "pass_mark: 50\n? [a, b]\n: c",
            r"toets\.yaml:6: a key in the quiz must be plain text",
        ),
    ],
)
def test_a_precise_error_per_problem_and_nothing_imported(db, folder, file, old, new, expected):
    _edit(folder / "module-1" / file, old, new)
    with pytest.raises(CourseImportError, match=f"module-1/{re.escape(file)}") as caught:
        course_import(folder=folder)
    problems = [str(p) for p in caught.value.problems]
    assert any(re.match("module-1/" + expected, p) for p in problems), problems
    assert not Assignment.objects.exists()


def test_missing_and_unlisted_assignment_files(folder):
    (folder / "module-1" / "scan.yaml").rename(folder / "module-2" / "extra.yaml")
    problems = _problems(folder)
    assert "module-1/scan.yaml: file is missing" in problems
    assert "module-2/extra.yaml: assignment file is not listed in course.yaml" in problems


# Edition 2 of the phase model: aware × able, scored by axes and cutoffs.
PHASES_V2 = (
    "axes: {aware: wat, able: hoe}\n"
    "cutoffs: {aware: 3.5, able: 3.5, automatic: 4.4}\n"
    "phases:\n"
    "  - {key: onwetend, title: A, explanation: a}\n"
    "  - {key: klantgericht, title: B, explanation: b}\n"
    "  - {key: klantbewust, title: C, explanation: c}\n"
    "  - {key: klantbekwaam, title: D, explanation: d}\n"
)


def _phase_scan(folder):
    """Turn the test course's scan into a valid edition-2 phase scan; returns its path."""
    path = folder / "module-1" / "scan.yaml"
    text = path.read_text().replace("result_model: quadrant", "result_model: phase")
    path.write_text(text[: text.index("axes:")] + PHASES_V2)
    return path


def _scan_problems(folder):
    return [problem for problem in _problems(folder) if "scan" in problem]


def test_the_edition_2_scans_are_valid(folder):
    assert _scan_problems(folder) == []
    _phase_scan(folder)
    assert _scan_problems(folder) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "high_from: 3.75\n",
            "",
            r"scan\.yaml:4: a quadrant scan needs 'axes', 'high_from'",
        ),
        (
            "high_from: 3.75",
            "high_from: 3",
            r"scan\.yaml:14: high_from must be above 3 \(the middle of the scale",
        ),
        ("high_from: 3.75", "high_from: 5.5", r"scan\.yaml:14: high_from must lie between 1 and 5"),
        ("high_from: 3.75", "high_from: hoog", r"scan\.yaml:14: high_from must be a number"),
        (
            "high_from: 3.75",
            "high_from: 3.75\ncutoffs: {aware: 3.5}",
            r"scan\.yaml:15: 'cutoffs' belongs to the phase model",
        ),
        # Agreeing with every statement must not place anyone high (acquiescence).
        (
            "  - {id: s5, text: Vijf, weight: -1, dimension: wat}\n",
            "",
            r"scan\.yaml:6: dimension 'wat' needs at least one positive and one reversed "
            r"statement",
        ),
        (
            "  - {id: s5, text: Vijf, weight: -1, dimension: wat}\n",
            "  - {id: s5, text: Vijf, weight: -1, dimension: wat}\n"
            "  - {id: s6, text: Zes, weight: 3, dimension: wat}\n",
            r"scan\.yaml:6: answering every statement 5 gives dimension 'wat' 4\.2, which "
            r"reaches high_from \(3\.75\)",
        ),
    ],
)
def test_a_quadrant_scan_is_high_from_its_threshold(folder, old, new, expected):
    _edit(folder / "module-1" / "scan.yaml", old, new)
    problems = _scan_problems(folder)
    assert any(re.match("module-1/" + expected, p) for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "axes: {aware: wat, able: hoe}\n",
            "",
            r"scan\.yaml:4: a phase scan needs 'axes' \(aware, able\), 'cutoffs'",
        ),
        (
            "able: hoe}",
            "able: wat}",
            r"scan\.yaml:13: axes aware and able must name two different dimensions",
        ),
        ("able: hoe}", "able: hou}", r"scan\.yaml:13: axis able names unknown dimension 'hou'"),
        ("aware: 3.5, ", "", r"scan\.yaml:14: cutoffs is missing 'aware'"),
        (
            "able: 3.5,",
            "able: 2.5,",
            r"scan\.yaml:14: cutoffs able must be above 3 \(the middle of the scale",
        ),
        (
            "automatic: 4.4",
            "automatic: 3.5",
            r"scan\.yaml:14: cutoffs automatic must be above cutoffs able",
        ),
        (
            "automatic: 4.4",
            "automatic: 6",
            r"scan\.yaml:14: cutoffs automatic must lie between 1 and 5",
        ),
        (
            "{key: klantgericht, title: B, explanation: b}",
            "{key: klantgericht, title: B, min_score: 2, explanation: b}",
            r"scan\.yaml:17: min_score is from the first edition: edition 2 scores a phase by "
            r"'axes' and 'cutoffs'",
        ),
        (
            "  - {key: klantbewust, title: C, explanation: c}\n",
            "",
            r"scan\.yaml:16: phases must be exactly onwetend, klantgericht, klantbewust, "
            r"klantbekwaam in that order",
        ),
        (
            "cutoffs:",
            "high_from: 3.75\ncutoffs:",
            r"scan\.yaml:14: 'high_from' belongs to the quadrant model",
        ),
        (
            "  - {id: s2, text: Twee, dimension: hoe, weight: -1}\n",
            "",
            r"scan\.yaml:7: dimension 'hoe' needs at least one positive and one reversed "
            r"statement",
        ),
        (
            "  - {id: s4, text: Vier, dimension: hoe}\n",
            "  - {id: s4, text: Vier, dimension: hoe, weight: 9}\n",
            r"scan\.yaml:7: answering every statement 5 gives dimension 'hoe' 4\.6, which "
            r"reaches cutoffs\.automatic \(4\.4\)",
        ),
    ],
)
def test_a_phase_scan_is_scored_by_axes_and_cutoffs(folder, old, new, expected):
    _edit(_phase_scan(folder), old, new)
    problems = _scan_problems(folder)
    assert any(re.match("module-1/" + expected, p) for p in problems), problems


def test_a_post_scan_must_score_as_its_pre_scan(folder):
    pre = _phase_scan(folder)
    _edit(pre, "due_offset_days: 2", "due_offset_days: 2\npre_post: pre")
    post = pre.read_text().replace("pre_post: pre", "pre_post: post\npair: scan")
    write_assignment(folder, "scan-na", post, "module-2")
    assert _scan_problems(folder) == []
    write_assignment(
        folder, "scan-na", post.replace("automatic: 4.4", "automatic: 4.6"), "module-2"
    )
    assert _scan_problems(folder) == [
        "module-2/scan-na.yaml:16: a post scan must ask and score what 'scan' does; "
        "these differ: cutoffs"
    ]
    write_assignment(
        folder,
        "scan-na",
        post.replace("{aware: wat, able: hoe}", "{aware: hoe, able: wat}"),
        "module-2",
    )
    assert _scan_problems(folder) == [
        "module-2/scan-na.yaml:15: a post scan must ask and score what 'scan' does; "
        "these differ: axes"
    ]


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


def test_unparsable_assignment_is_reported_as_unparsable_not_as_unlisted(folder):
    (folder / "module-1" / "scan.yaml").write_text("kind: scan\ntitle: [open\n")
    problems = _problems(folder)
    assert len(problems) == 1, problems
    assert re.match(
        r"module-1/scan\.yaml:\d+: YAML syntax error, the file cannot be read", problems[0]
    )


def test_a_listed_file_that_is_a_folder_is_missing_not_a_crash(folder):
    (folder / "module-1" / "scan.yaml").unlink()
    (folder / "module-1" / "scan.yaml").mkdir()
    assert _problems(folder) == ["module-1/scan.yaml: file is missing"]


# --- Re-import never strands stored learner work ------------------------------------

NOW = timezone.now()


@pytest.fixture
def enrollment(db, folder):
    course = course_import(folder=folder).course
    return make_learner(CohortFactory(course=course)).enrollments.get()


def _draft(enrollment, answers):
    reflection = Assignment.objects.get(slug="reflectie")
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    return draft_save(submission=draft, answers=answers, based_on=draft.version, now=NOW)


def _refused(folder):
    with pytest.raises(CourseImportError, match=r"module-1/\w+\.yaml:\d+: ") as caught:
        course_import(folder=folder)
    return [str(problem) for problem in caught.value.problems]


def test_renaming_a_prompt_that_holds_draft_text_is_refused(enrollment, folder):
    draft = _draft(enrollment, {"verhaal": "Mijn klant belde twee keer."})
    _edit(folder / "module-1" / "reflectie.yaml", "{id: verhaal,", "{id: ervaring,")
    assert _refused(folder) == [
        "module-1/reflectie.yaml:5: prompt id(s) 'verhaal' left the file, but up to 1 "
        "submission(s) hold answers under them: keep the id, or give the prompt that takes "
        "its place 'replaces: verhaal'"
    ]
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": "Mijn klant belde twee keer."}
    prompts = Assignment.objects.get(slug="reflectie").config["prompts"]
    assert [prompt["id"] for prompt in prompts] == ["verhaal"]


def test_renaming_a_prompt_with_replaces_moves_the_text_once(enrollment, folder):
    draft = _draft(enrollment, {"verhaal": "Mijn klant belde twee keer."})
    _edit(
        folder / "module-1" / "reflectie.yaml",
        "{id: verhaal,",
        "{id: ervaring, replaces: verhaal,",
    )
    report = course_import(folder=folder)
    assert "assignment reflectie (answers moved verhaal → ervaring: 1 stored)" in report.updated
    draft.refresh_from_db()
    assert draft.answers == {"ervaring": "Mijn klant belde twee keer."}
    assert not course_import(folder=folder).changed


def test_a_moved_answer_makes_a_page_opened_before_the_import_stale(enrollment, folder):
    draft = _draft(enrollment, {"verhaal": "Eerste versie."})
    _edit(
        folder / "module-1" / "reflectie.yaml", "{id: verhaal,", "{id: ervaring, replaces: verhaal,"
    )
    course_import(folder=folder)
    draft.refresh_from_db()
    assert draft.version == 2  # one autosave, one move


def test_removing_a_prompt_without_stored_text_is_allowed(enrollment, folder):
    _draft(enrollment, {"verhaal": "  "})
    _edit(folder / "module-1" / "reflectie.yaml", "{id: verhaal,", "{id: ervaring,")
    course_import(folder=folder)
    prompts = Assignment.objects.get(slug="reflectie").config["prompts"]
    assert [prompt["id"] for prompt in prompts] == ["ervaring"]


def test_replaces_must_name_a_prompt_that_left(folder):
    path = write_assignment(
        folder,
        "reflectie",
        REFLECTION_YAML.replace(
            "  - {id: verhaal, label: Vertel, min_words: 3, max_words: 10}\n",
            "  - {id: verhaal, label: Vertel}\n  - {id: extra, label: Meer, replaces: verhaal}\n"
            "  - {id: nog, label: Nog, replaces: weg}\n  - {id: ook, label: Ook, replaces: weg}\n",
        ),
    )
    problems = _problems(folder)
    assert (
        f"module-1/{path.name}:6: replaces 'verhaal', but prompt 'verhaal' is still in the file"
        in problems
    )
    assert "module-1/reflectie.yaml:8: prompt 'weg' is replaced twice ('nog', 'ook')" in problems


def test_changing_the_kind_of_an_assignment_with_work_is_refused(enrollment, folder):
    quiz = Assignment.objects.get(slug="toets")
    quiz_submit(enrollment=enrollment, assignment=quiz, raw_answers={"q1": ["b"]}, now=NOW)
    (folder / "module-1" / "toets.yaml").write_text(
        REFLECTION_YAML.replace("title: Reflectie", "title: Toets")
    )
    assert _refused(folder) == [
        "module-1/toets.yaml:1: kind changes from quiz to reflection, but 1 submission(s) of "
        "'toets' are stored: keep the kind, or give the new reflection a new slug (the old "
        "one is then archived with its work)"
    ]
    assert Assignment.objects.get(slug="toets").kind == "quiz"


def test_changing_the_kind_of_an_assignment_without_work_is_allowed(enrollment, folder):
    (folder / "module-1" / "toets.yaml").write_text(REFLECTION_YAML)
    course_import(folder=folder)
    assert Assignment.objects.get(slug="toets").kind == "reflection"


def test_a_quiz_question_may_leave_and_attempts_keep_their_score(enrollment, folder):
    quiz = Assignment.objects.get(slug="toets")
    attempt = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers={"q1": ["b"]}, now=NOW
    )
    _edit(folder / "module-1" / "toets.yaml", "  - id: q1\n", "  - id: q2\n")
    course_import(folder=folder)
    attempt.refresh_from_db()
    assert (attempt.answers, attempt.score, attempt.passed) == ({"q1": ["b"]}, 100.0, True)


def test_a_renamed_quiz_question_takes_its_stored_answers_along(enrollment, folder):
    quiz = Assignment.objects.get(slug="toets")
    attempt = quiz_submit(
        enrollment=enrollment, assignment=quiz, raw_answers={"q1": ["b"]}, now=NOW
    )
    _edit(folder / "module-1" / "toets.yaml", "  - id: q1\n", "  - id: q2\n    replaces: q1\n")
    course_import(folder=folder)
    attempt.refresh_from_db()
    assert attempt.answers == {"q2": ["b"]}


SCAN_ANSWERS = {"s1": 4, "s2": 2, "s4": 4, "s5": 2}


@pytest.fixture
def scanned(enrollment):
    scan = Assignment.objects.get(slug="scan")
    return scan_submit(enrollment=enrollment, assignment=scan, raw_answers=SCAN_ANSWERS, now=NOW)


def test_a_scan_statement_may_leave_and_the_stored_result_stays(scanned, folder):
    _edit(
        folder / "module-1" / "scan.yaml",
        "  - {id: s1, text: Een, dimension: wat}\n",
        "  - {id: s1, text: Een, dimension: wat}\n  - {id: s3, text: Drie, dimension: wat}\n",
    )
    _edit(folder / "module-1" / "scan.yaml", "  - {id: s1, text: Een, dimension: wat}\n", "")
    course_import(folder=folder)
    result = scanned.result
    scanned.refresh_from_db()
    assert scanned.result == result
    assert scanned.answers == SCAN_ANSWERS


def test_moving_a_scans_axes_or_dimensions_under_stored_results_is_refused(scanned, folder):
    _edit(folder / "module-1" / "scan.yaml", "axes: {x: wat, y: hoe}", "axes: {x: hoe, y: wat}")
    _edit(
        folder / "module-1" / "scan.yaml",
        "  - {id: wat, label: Wat}\n",
        "  - {id: wie, label: Wie}\n",
    )
    _edit(folder / "module-1" / "scan.yaml", "dimension: wat}", "dimension: wie}")
    _edit(folder / "module-1" / "scan.yaml", "axes: {x: hoe, y: wat}", "axes: {x: hoe, y: wie}")
    problems = _refused(folder)
    assert any(
        re.match(r"module-1/scan\.yaml:\d+: axes change, but stored results of 'scan'", p)
        for p in problems
    ), problems
    assert any(
        re.match(
            r"module-1/scan\.yaml:\d+: dimension id\(s\) 'wat' left the file, but stored "
            r"results of 'scan' are scored on them",
            p,
        )
        for p in problems
    ), problems


def test_changing_a_scans_result_model_under_stored_results_is_refused(scanned, folder):
    path = folder / "module-1" / "scan.yaml"
    text = path.read_text()
    text = text.replace("result_model: quadrant", "result_model: phase")
    text = text[: text.index("axes:")] + PHASES_V2
    path.write_text(text)
    assert _refused(folder) == [
        "module-1/scan.yaml:4: result_model changes from quadrant to phase, but stored "
        "results of 'scan' use the old model: keep it, or give the new scan a new slug"
    ]
    assert Assignment.objects.get(slug="scan").config["result_model"] == "quadrant"


def test_merging_two_prompts_that_both_hold_text_is_refused(db, folder):
    two_prompts = REFLECTION_YAML.replace(
        "  - {id: verhaal, label: Vertel, min_words: 3, max_words: 10}\n",
        "  - {id: verhaal, label: Vertel}\n  - {id: les, label: Geleerd}\n",
    )
    write_assignment(folder, "reflectie", two_prompts)
    course = course_import(folder=folder).course
    enrollment = make_learner(CohortFactory(course=course)).enrollments.get()
    draft = _draft(enrollment, {"verhaal": "Wat er gebeurde.", "les": "Wat ik leerde."})
    write_assignment(
        folder,
        "reflectie",
        two_prompts.replace(
            "  - {id: verhaal, label: Vertel}\n  - {id: les, label: Geleerd}\n",
            "  - {id: les, label: Geleerd, replaces: verhaal}\n",
        ),
    )
    assert _refused(folder) == [
        "module-1/reflectie.yaml:5: cannot move stored answers ('verhaal' → 'les'): some "
        "submissions already hold answers under the new id"
    ]
    draft.refresh_from_db()
    assert draft.answers == {"verhaal": "Wat er gebeurde.", "les": "Wat ik leerde."}
