"""The shipped course as a training company sells it: length, structure, schedule and the
shape of its practice (issue 11, second edition). These read the files, not the database."""

import math
import re

import pytest
import yaml

from tests.course_files import SHIPPED

COURSE = yaml.safe_load((SHIPPED / "course.yaml").read_text(encoding="utf-8"))
MODULES = {module["slug"]: module for module in COURSE["modules"]}
LESSONS = [
    (module["slug"], slug) for module in COURSE["modules"] for slug in module.get("lessons", [])
]
ASSIGNMENTS = {
    slug: (module["slug"], yaml.safe_load((SHIPPED / module["slug"] / f"{slug}.yaml").read_text()))
    for module in COURSE["modules"]
    for slug in module.get("assignments", [])
}
FRONT_MATTER = re.compile(r"^---\n(.*?)\n---\n", re.S)


def _lesson(module: str, slug: str) -> tuple[dict, str]:
    text = (SHIPPED / module / f"{slug}.md").read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    return yaml.safe_load(match.group(1)), text[match.end() :]


def _words(text: str) -> int:
    """Words as a reader counts them: tokens with at least one letter (no list marks, pipes)."""
    return sum(1 for token in text.split() if re.search(r"[^\W\d_]", token))


def _of_kind(kind: str) -> dict:
    return {slug: spec for slug, (_m, spec) in ASSIGNMENTS.items() if spec["kind"] == kind}


def test_the_lessons_hold_at_least_ten_thousand_words():
    total = sum(_words(_lesson(module, slug)[1]) for module, slug in LESSONS)
    assert total >= 10_000, total


@pytest.mark.parametrize(("module", "slug"), LESSONS)
def test_each_lesson_keeps_goal_example_takeaways_and_sources(module, slug):
    _meta, body = _lesson(module, slug)
    assert body.lstrip().startswith("**Leerdoel:**")
    assert "\n## Wat neem je mee?" in body
    assert "\n## Bronnen" in body


@pytest.mark.parametrize(("module", "slug"), LESSONS)
def test_stated_minutes_match_reading_time(module, slug):
    """About 200 words a minute, plus at most a few minutes for the exercise."""
    meta, body = _lesson(module, slug)
    reading = _words(body) / 200
    assert math.ceil(reading) <= meta["minutes"] <= math.ceil(len(body.split()) / 200) + 3


def test_the_baseline_scan_opens_on_day_zero_first_in_module_one():
    first = COURSE["modules"][0]
    assert first["release_offset_days"] == 0
    assert first["assignments"][0] == "fasescan-voor"
    module, pre = ASSIGNMENTS["fasescan-voor"]
    assert module == first["slug"]
    assert pre["pre_post"] == "pre"
    first_quiz = min(s["due_offset_days"] for s in _of_kind("quiz").values())
    assert pre["due_offset_days"] < first_quiz


def test_the_repeat_scan_comes_before_the_final_reflection():
    post = ASSIGNMENTS["fasescan-na"][1]
    assert post["pre_post"] == "post"
    assert post["pair"] == "fasescan-voor"
    assert post["due_offset_days"] < ASSIGNMENTS["eindreflectie"][1]["due_offset_days"]


def test_the_practical_assignment_gets_at_least_two_weeks():
    module, spec = ASSIGNMENTS["praktijkopdracht"]
    assert spec["due_offset_days"] - MODULES[module]["release_offset_days"] >= 14


def test_no_work_is_due_before_its_module_opens():
    for slug, (module, spec) in ASSIGNMENTS.items():
        assert spec["due_offset_days"] > MODULES[module]["release_offset_days"], slug


def test_the_final_test_draws_scenarios_from_every_module_and_passes_at_70():
    spec = ASSIGNMENTS["eindtoets"][1]
    assert spec["kind"] == "quiz"
    assert spec["pass_mark"] == 70
    assert 15 <= spec["draw"] <= 20
    groups = {question["group"] for question in spec["questions"]}
    assert groups == set(MODULES)
    # A retry can see other items: the bank holds clearly more than one draw.
    assert len(spec["questions"]) >= spec["draw"] + len(MODULES) * 2


def test_quizzes_vary_how_many_options_are_right_in_multi_select():
    counts = {
        sum(1 for option in question["options"] if option.get("correct"))
        for spec in _of_kind("quiz").values()
        for question in spec["questions"]
        if question.get("multiple")
    }
    assert len(counts) >= 2, counts


def test_the_right_option_is_not_usually_the_longest():
    questions = [q for spec in _of_kind("quiz").values() for q in spec["questions"]]
    longest_right = 0
    for question in questions:
        lengths = sorted((len(o["text"]), bool(o.get("correct"))) for o in question["options"])
        if lengths[-1][1] and lengths[-1][0] > lengths[-2][0]:
            longest_right += 1
    assert longest_right <= len(questions) / 2, f"{longest_right} of {len(questions)}"


def test_quiz_feedback_explains_instead_of_pointing_back_to_the_lesson():
    for slug, spec in _of_kind("quiz").items():
        for question in spec["questions"]:
            for option in question["options"]:
                assert not re.search(r"\b(de|deze|vorige) les\b", option["feedback"], re.I), (
                    slug,
                    question["id"],
                )


def test_every_reflection_uses_the_one_rubric_scale_with_anchors():
    reflections = _of_kind("reflection")
    assert len(reflections) == 6
    for slug, spec in reflections.items():
        rubric = spec["rubric"]
        assert rubric["pass_level"] == 2, slug
        for criterion in rubric["criteria"]:
            assert [level["points"] for level in criterion["levels"]] == [0, 1, 2, 3], slug
            assert all(level.get("example", "").strip() for level in criterion["levels"]), slug


def test_the_phase_scans_score_awareness_and_ability_apart():
    for slug in ("fasescan-voor", "fasescan-na"):
        spec = ASSIGNMENTS[slug][1]
        assert spec["axes"] == {"aware": "bewust", "able": "bekwaam"}
        assert all("min_score" not in phase for phase in spec["phases"])
        for dimension in ("bewust", "bekwaam"):
            weights = [s["weight"] for s in spec["statements"] if s["dimension"] == dimension]
            assert any(w > 0 for w in weights), dimension
            assert any(w < 0 for w in weights), dimension


def test_the_quadrant_scan_is_not_high_at_the_midpoint():
    assert ASSIGNMENTS["kwadrant-scan"][1]["high_from"] > 3


def test_every_module_has_a_printable_job_aid():
    for module in COURSE["modules"]:
        text = (SHIPPED / module["slug"] / f"{module['job_aid']}.md").read_text(encoding="utf-8")
        meta = yaml.safe_load(FRONT_MATTER.match(text).group(1))
        assert meta["title"]
        # One printed page.
        assert 120 <= _words(FRONT_MATTER.sub("", text)) <= 450, module["slug"]


def _all_text() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(SHIPPED.rglob("*"))
        if path.suffix in {".md", ".yaml"}
    )


@pytest.mark.parametrize(
    "phrase",
    [
        "van van je afschuiven",
        "salarisrun",
        "wil ik niet in discussie",
        "volgeladen aanhangwagen vol",
        "een week na elkaar openen",
        "business-to-businessklanten",
        "diffuus",
        "leerpsychologie",
        "recyclagepark",
        "schoonbroer",
        "ophaling",
        "inschrijvingsbewijs",
        "u heeft",
        "het is gewoon hoe het team werkt geworden",
    ],
)
def test_review_findings_are_gone(phrase):
    assert not re.search(rf"\b{re.escape(phrase)}\b", _all_text(), re.I)
