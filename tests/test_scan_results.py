"""Scan results of either scoring version on the learner's page and in the aggregates.

A result stored before scoring versions (no "scoring") is version 1: it is never
rescored, keeps its stored outcome and its chart lines at 3.0, and says how it was
scored. The course here is written by the test, not the shipped one.
"""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assignments.charts import quadrant_lines
from assignments.models import Assignment, Submission
from assignments.services import scan_submit
from courses.services import course_import
from dashboards.selectors import cohort_overview, cohort_report
from tests.course_files import SCAN_YAML, write_assignment, write_course
from tests.factories import CohortFactory, make_learner, make_org_admin, make_trainer

PHASE_PRE_YAML = """kind: scan
title: Fasescan voor
due_offset_days: 2
result_model: phase
pre_post: pre
dimensions:
  - {id: bewust, label: Bewust}
  - {id: bekwaam, label: Bekwaam}
statements:
  - {id: b1, text: Een, dimension: bewust}
  - {id: b2, text: Twee, dimension: bewust, weight: -1}
  - {id: k1, text: Drie, dimension: bekwaam}
  - {id: k2, text: Vier, dimension: bekwaam, weight: -1}
axes: {aware: bewust, able: bekwaam}
cutoffs: {aware: 3.5, able: 3.5, automatic: 4.4}
phases:
  - {key: onwetend, title: Fase-onwetend, explanation: Uitleg-onwetend}
  - {key: klantgericht, title: Fase-klantgericht, explanation: Uitleg-klantgericht}
  - {key: klantbewust, title: Fase-klantbewust, explanation: Uitleg-klantbewust}
  - {key: klantbekwaam, title: Fase-klantbekwaam, explanation: Uitleg-klantbekwaam}
"""
PHASE_POST_YAML = PHASE_PRE_YAML.replace("pre_post: pre", "pre_post: post\npair: fase-voor")

# As stored before scoring versions. Version 2 would place the quadrant result low_low
# (3.2 and 3.4 are under 3.75) and the phase result klantgericht (bekwaam under 3.5).
V1_QUADRANT = {"scores": {"wat": 3.2, "hoe": 3.4}, "x": 3.2, "y": 3.4, "outcome": "high_high"}
V1_PHASE = {"scores": {"bewust": 4.6, "bekwaam": 1.4}, "overall": 3.0, "outcome": "klantbewust"}
V1_PHASE_LATER = {
    "scores": {"bewust": 4.6, "bekwaam": 3.4},
    "overall": 4.0,
    "outcome": "klantbekwaam",
}
FIRST_EDITION_NOTE = "Scored with the first edition of this scan"
MIXED_NOTE = "Your scan at the start was scored with the first edition of this scan"


@pytest.fixture
def cohort(db, tmp_path):
    root = write_course(tmp_path, modules=1, lessons=1)
    write_assignment(root, "kwadrant", SCAN_YAML)
    write_assignment(root, "fase-voor", PHASE_PRE_YAML)
    write_assignment(root, "fase-na", PHASE_POST_YAML)
    return CohortFactory(course=course_import(folder=root).course)


@pytest.fixture
def alice(cohort):
    return make_learner(cohort, display_name="Alice", language="en")


def _enrollment(user):
    return user.enrollments.select_related("cohort").get()


def _stored(user, slug, result):
    """A result as an earlier release stored it: no service scores version 1 any more."""
    return Submission.objects.create(
        enrollment=_enrollment(user),
        assignment=Assignment.objects.get(slug=slug),
        status=Submission.Status.SUBMITTED,
        answers={},
        result=result,
        submitted_at=timezone.now(),
    )


def _submit(user, slug, levels):
    """The scan done now, with each dimension at its level (positive items at the level,
    reversed items mirrored)."""
    scan = Assignment.objects.get(slug=slug)
    answers = {
        s["id"]: levels[s["dimension"]] if s["weight"] > 0 else 6 - levels[s["dimension"]]
        for s in scan.config["statements"]
    }
    return scan_submit(
        enrollment=_enrollment(user), assignment=scan, raw_answers=answers, now=timezone.now()
    )


def _page(client, user, slug):
    client.force_login(user)
    cohort = _enrollment(user).cohort
    return client.get(reverse("learn:assignment", args=[cohort.pk, slug])).content.decode()


def _lines_at(body, high_from):
    lines = quadrant_lines(high_from)
    return f'x1="{lines.x}" y1="56" x2="{lines.x}"' in body


# --- The learner's page -----------------------------------------------------------------


def test_a_first_edition_quadrant_result_keeps_its_quadrant_and_its_lines(client, alice):
    _stored(alice, "kwadrant", V1_QUADRANT)
    body = _page(client, alice, "kwadrant")
    assert "Your result: A" in body  # high_high, as stored
    assert FIRST_EDITION_NOTE in body
    assert "high from 3" in body
    assert _lines_at(body, 3.0)
    assert not _lines_at(body, 3.75)
    assert "The lines are at 3:" in body
    assert Submission.objects.get().result == V1_QUADRANT, "never rescored"


def test_a_second_edition_quadrant_result_is_high_from_its_threshold(client, alice):
    _submit(alice, "kwadrant", {"wat": 4, "hoe": 3})
    body = _page(client, alice, "kwadrant")
    assert "Your result: B" in body  # high_low: 4 reaches 3.75, 3 does not
    assert FIRST_EDITION_NOTE not in body
    assert _lines_at(body, 3.75)
    assert "The lines are at 3.75:" in body


def test_a_first_edition_phase_result_keeps_its_phase_and_says_so(client, alice):
    _stored(alice, "fase-voor", V1_PHASE)
    body = _page(client, alice, "fase-voor")
    assert "Your result: Fase-klantbewust" in body
    assert "Uitleg-klantbewust" in body
    assert FIRST_EDITION_NOTE in body
    assert "average of both dimensions" in body


def test_growth_between_two_second_edition_scans_shows_both_scores(client, alice):
    _submit(alice, "fase-voor", {"bewust": 4, "bekwaam": 2})
    _submit(alice, "fase-na", {"bewust": 5, "bekwaam": 4})
    body = _page(client, alice, "fase-na")
    assert "At the start: Fase-klantgericht. Now: Fase-klantbewust." in body
    assert "That is 1 phase up." in body
    assert '<th scope="row">Bekwaam</th><td class="num">2.0</td><td class="num">4.0</td>' in (body)
    assert MIXED_NOTE not in body


def test_growth_from_a_first_edition_start_says_the_scoring_changed(client, alice):
    _stored(alice, "fase-voor", V1_PHASE)
    _submit(alice, "fase-na", {"bewust": 5, "bekwaam": 5})
    body = _page(client, alice, "fase-na")
    assert "At the start: Fase-klantbewust. Now: Fase-klantbekwaam." in body
    assert '<th scope="row">Bekwaam</th><td class="num">1.4</td><td class="num">5.0</td>' in (body)
    assert MIXED_NOTE in body


def test_growth_between_two_first_edition_scans_shows_the_overall_score(client, alice):
    _stored(alice, "fase-voor", V1_PHASE)
    _stored(alice, "fase-na", V1_PHASE_LATER)
    body = _page(client, alice, "fase-na")
    assert "At the start: Fase-klantbewust (3.0). Now: Fase-klantbekwaam (4.0)." in body
    assert MIXED_NOTE not in body


# --- The trainer's and HR's aggregates ---------------------------------------------------


@pytest.fixture
def mixed_cohort(cohort):
    """Six learners: three started on the first edition, three on the second."""
    learners = [make_learner(cohort) for _ in range(6)]
    for user in learners[:3]:
        _stored(user, "kwadrant", V1_QUADRANT)
        _stored(user, "fase-voor", V1_PHASE)
        _submit(user, "fase-na", {"bewust": 5, "bekwaam": 5})
    for user in learners[3:]:
        _submit(user, "kwadrant", {"wat": 3, "hoe": 3})
        _submit(user, "fase-voor", {"bewust": 2, "bekwaam": 2})
        _submit(user, "fase-na", {"bewust": 5, "bekwaam": 4})
    return cohort


def test_aggregates_count_stored_outcomes_and_name_the_first_edition(mixed_cohort):
    cohort = mixed_cohort
    with translation.override("en"):
        charts = cohort_overview(cohort, now=timezone.now(), with_charts=True).charts
        report = cohort_report(cohort, now=timezone.now())
    for quadrant in (charts["quadrant"], report.quadrant):
        chart = quadrant["chart"]
        counts = {label["letter"]: label["count"] for label in chart["labels"]}
        assert counts == {"A": 0, "B": 3, "C": 3, "D": 0}  # B high_high, C low_low
        assert (chart["high_from"], chart["first_edition"]) == (3.75, 3)
    for phases in (charts["phases"], report.phases):
        rows = {row["title"]: row["values"] for row in phases["rows"]}
        assert rows["Fase-klantbewust"] == [3, 3]
        assert rows["Fase-onwetend"] == [3, 0]
        assert phases["first_edition"] == 3
    assert report.growth == {
        "count": 6,
        "is_shown": True,
        "up": 6,
        "same": 0,
        "down": 0,
        "mixed": 3,
    }


def test_aggregates_of_one_version_add_no_note(cohort):
    for _ in range(5):
        user = make_learner(cohort)
        _submit(user, "fase-voor", {"bewust": 2, "bekwaam": 2})
        _submit(user, "fase-na", {"bewust": 5, "bekwaam": 4})
    with translation.override("en"):
        report = cohort_report(cohort, now=timezone.now())
    assert report.phases["first_edition"] == 0
    assert report.growth["mixed"] == 0


def test_the_trainer_and_hr_pages_say_which_results_are_first_edition(client, mixed_cohort):
    trainer = make_trainer(mixed_cohort, language="en")
    org_admin = make_org_admin(mixed_cohort.organisation, language="en")
    for user, url in (
        (trainer, reverse("trainer:cohort", args=[mixed_cohort.pk])),
        (org_admin, reverse("organisation:cohort", args=[mixed_cohort.pk])),
    ):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert "The lines are at 3.75:" in body
        assert _lines_at(body, 3.75)
        assert "3 results were scored with the first edition of the scan (high from 3)" in body
        assert "3 of these results were scored with the first edition of the fasescan" in body
    assert "3 of them did the fasescan at the start in its first edition" in body
