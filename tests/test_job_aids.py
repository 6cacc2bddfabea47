"""Job aids: a module's printable one-page card, from its file to the learner's printer."""

import re
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import reverse

from courses.content_files import JobAidSpec, read_course_folder
from courses.models import Module
from courses.services import course_import, course_read
from tests.course_files import write_course
from tests.factories import CohortFactory, UserFactory, make_learner, make_trainer

KAART = """---
title: Kaart bij module 1
---

## Zo doe je het

- ☐ Eerst erkenning
- ☐ Dan uitleg

| wat | hoe |
| --- | --- |
| balie | kijk op |

<script>alert("kaart")</script>

[klik](javascript:alert(1))
"""


def add_job_aid(root: Path, module: str = "module-1", slug: str = "kaart-1", text=KAART) -> Path:
    """Write ``<module>/<slug>.md`` (unless ``text`` is None) and name it in course.yaml."""
    if text is not None:
        (root / module / f"{slug}.md").write_text(text, encoding="utf-8")
    course = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    for spec in course["modules"]:
        if spec["slug"] == module:
            spec["job_aid"] = slug
    (root / "course.yaml").write_text(
        yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


def import_with_job_aid(folder: Path, *, title="Kaart", body="- ☐ Tekst") -> str:
    """Import a course folder with a job aid of the tests' own on its first module (open
    from a cohort's start), whatever the files say; returns that module's slug."""
    spec = course_read(folder)
    spec.modules[0].job_aid = JobAidSpec(slug="kaart-test", title=title, body=body)
    course_import(spec=spec)
    return spec.modules[0].slug


def _problems(root: Path) -> list[str]:
    _spec, problems = read_course_folder(root)
    return [str(problem) for problem in problems]


def _yaml_line(root: Path, text: str) -> int:
    lines = (root / "course.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


# --- Importing ------------------------------------------------------------------------


def test_job_aid_is_stored_on_its_module(db, tmp_path):
    course = course_import(folder=add_job_aid(write_course(tmp_path))).course
    first, second = Module.objects.filter(course=course).order_by("position")
    assert first.job_aid_title == "Kaart bij module 1"
    assert first.job_aid.startswith("## Zo doe je het")
    assert (second.job_aid_title, second.job_aid) == ("", "")


def test_course_without_job_aids_imports_with_empty_job_aids(db, tmp_path):
    root = write_course(tmp_path)
    assert _problems(root) == []
    course = course_import(folder=root).course
    assert set(Module.objects.filter(course=course).values_list("job_aid_title", "job_aid")) == {
        ("", "")
    }


def test_reimport_keeps_the_job_aid_and_changes_nothing(db, tmp_path):
    root = add_job_aid(write_course(tmp_path))
    course_import(folder=root)
    report = course_import(folder=root)
    assert not report.changed
    assert Module.objects.get(slug="module-1").job_aid_title == "Kaart bij module 1"


def test_edited_job_aid_is_updated_and_reported(db, tmp_path):
    root = add_job_aid(write_course(tmp_path))
    course_import(folder=root)
    add_job_aid(root, text=KAART.replace("Kaart bij module 1", "Nieuwe kaart"))
    report = course_import(folder=root)
    assert report.updated == ["module module-1 (job_aid_title)"]
    assert Module.objects.get(slug="module-1").job_aid_title == "Nieuwe kaart"


def test_job_aid_left_out_of_course_yaml_is_removed_from_the_module(db, tmp_path):
    root = add_job_aid(write_course(tmp_path))
    course_import(folder=root)
    course = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    del course["modules"][0]["job_aid"]
    (root / "module-1" / "kaart-1.md").unlink()
    (root / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False), encoding="utf-8")
    course_import(folder=root)
    module = Module.objects.get(slug="module-1")
    assert (module.job_aid_title, module.job_aid) == ("", "")


def test_listed_job_aid_file_is_not_reported_as_unlisted(tmp_path):
    root = add_job_aid(write_course(tmp_path))
    assert _problems(root) == []


def test_unlisted_job_aid_file_is_reported(tmp_path):
    root = write_course(tmp_path)
    (root / "module-1" / "kaart-1.md").write_text(KAART, encoding="utf-8")
    assert _problems(root) == ["module-1/kaart-1.md: lesson file is not listed in course.yaml"]


def test_missing_job_aid_file_is_reported(tmp_path):
    root = add_job_aid(write_course(tmp_path), text=None)
    assert _problems(root) == ["module-1/kaart-1.md: file is missing"]


def test_job_aid_without_text_is_reported_with_its_line(tmp_path):
    root = add_job_aid(write_course(tmp_path), text="---\ntitle: Kaart\n---\n\n")
    assert _problems(root) == ["module-1/kaart-1.md:4: the job aid has no text"]


def test_job_aid_without_title_is_reported_with_its_line(tmp_path):
    root = add_job_aid(write_course(tmp_path), text="---\ntitel: Kaart\n---\n\nTekst.\n")
    assert _problems(root) == [
        "module-1/kaart-1.md:2: unknown key 'titel' in front matter (title)",
        "module-1/kaart-1.md:2: front matter is missing 'title'",
    ]


def test_job_aid_with_lesson_front_matter_is_reported(tmp_path):
    root = add_job_aid(write_course(tmp_path), text="---\ntitle: Kaart\nminutes: 3\n---\n\nT.\n")
    assert _problems(root) == [
        "module-1/kaart-1.md:3: unknown key 'minutes' in front matter (title)"
    ]


def test_job_aid_with_a_wrong_slug_is_reported_in_course_yaml(tmp_path):
    root = add_job_aid(write_course(tmp_path), slug="Kaart_1", text=None)
    line = _yaml_line(root, "job_aid:")
    assert _problems(root) == [
        f"course.yaml:{line}: job aid slug 'Kaart_1' may only hold a-z, 0-9 and single hyphens"
    ]


def test_job_aid_may_not_be_one_of_the_modules_lessons(tmp_path):
    root = add_job_aid(write_course(tmp_path), slug="les-1-1", text=None)
    line = _yaml_line(root, "job_aid:")
    assert _problems(root) == [
        f"course.yaml:{line}: job aid slug 'les-1-1' is already listed as a lesson"
    ]


# --- The learner's page ---------------------------------------------------------------


@pytest.fixture
def course(db, tmp_path):
    """Module 1 (open, with a job aid), module 2 (opens in three weeks, with a job aid)
    and module 3 (open, without one), for a cohort that started a week ago."""
    root = write_course(tmp_path, modules=3, offsets=[0, 30, 0])
    add_job_aid(root)
    add_job_aid(root, module="module-2", slug="kaart-2", text=KAART.replace("module 1", "module 2"))
    return course_import(folder=root).course


@pytest.fixture
def cohort(course):
    return CohortFactory(course=course)


def _job_aid_url(cohort, module="module-1"):
    return reverse("learn:job_aid", args=[cohort.pk, module])


def test_learner_reads_the_job_aid_of_an_open_module_sanitised(client, cohort):
    client.force_login(make_learner(cohort))
    response = client.get(_job_aid_url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Kaart bij module 1</h1>" in body
    assert "<h2>Zo doe je het</h2>" in body
    assert "<table>" in body
    assert "<li>☐ Eerst erkenning</li>" in body
    assert "<script>alert" not in body
    assert 'href="javascript:' not in body
    assert 'class="job-aid-page"' in body


def test_job_aid_page_prints_through_a_static_script_and_says_how_without_it(client, cohort):
    client.force_login(make_learner(cohort))
    body = client.get(_job_aid_url(cohort)).content.decode()
    assert re.search(r'<button type="button" class="button" data-print hidden>', body)
    assert '<script src="/static/js/print.js" defer></script>' in body
    assert "Ctrl+P" in body
    # The Content-Security-Policy allows no inline script: every script has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert "window.print()" in Path(finders.find("js/print.js")).read_text()


def test_learner_of_another_cohort_gets_404(client, cohort, course):
    other = CohortFactory(course=course)
    client.force_login(make_learner(other))
    assert client.get(_job_aid_url(cohort)).status_code == 404


def test_job_aid_of_a_module_that_has_not_opened_is_404(client, cohort):
    client.force_login(make_learner(cohort))
    assert client.get(_job_aid_url(cohort, "module-2")).status_code == 404


def test_staff_opening_date_opens_the_job_aid(client, cohort):
    from cohorts.services import module_release_set

    client.force_login(make_learner(cohort))
    module = Module.objects.get(slug="module-2")
    module_release_set(cohort=cohort, module=module, opens_on=cohort.starts_on)
    assert client.get(_job_aid_url(cohort, "module-2")).status_code == 200


def test_module_without_job_aid_is_404(client, cohort):
    client.force_login(make_learner(cohort))
    assert client.get(_job_aid_url(cohort, "module-3")).status_code == 404
    assert client.get(_job_aid_url(cohort, "bestaat-niet")).status_code == 404


def test_job_aid_of_a_module_archived_by_a_reimport_is_404(client, cohort, tmp_path):
    client.force_login(make_learner(cohort))
    spec = course_read(tmp_path / "testcursus")
    spec.modules = spec.modules[1:]
    course_import(spec=spec)
    assert client.get(_job_aid_url(cohort)).status_code == 404


def test_module_and_its_lessons_link_to_the_job_aid(client, cohort):
    client.force_login(make_learner(cohort))
    # "Kaart bij deze module: <title>" (the words are the catalogue's).
    link = re.compile(
        rf'<p class="job-aid-link"><a href="{_job_aid_url(cohort)}">[^<]+: Kaart bij module 1</a>'
    )
    module_page = client.get(reverse("learn:module", args=[cohort.pk, "module-1"]))
    assert link.search(module_page.content.decode())
    for lesson in ("les-1-1", "les-1-2"):
        lesson_page = client.get(reverse("learn:lesson", args=[cohort.pk, lesson]))
        assert link.search(lesson_page.content.decode()), lesson


def test_module_without_job_aid_links_to_none(client, cohort):
    client.force_login(make_learner(cohort))
    for url in (
        reverse("learn:module", args=[cohort.pk, "module-3"]),
        reverse("learn:lesson", args=[cohort.pk, "les-3-1"]),
    ):
        assert "job-aid-link" not in client.get(url).content.decode()


# --- The course preview -----------------------------------------------------------------


def test_trainer_previews_the_job_aid_of_a_module_not_yet_open(client, cohort):
    client.force_login(make_trainer(cohort))
    response = client.get(reverse("learn:preview_job_aid", args=[cohort.pk, "module-2"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="preview-notice"' in body
    assert "<h1>Kaart bij module 2</h1>" in body
    assert "<script>alert" not in body


def test_preview_job_aid_is_404_for_another_cohorts_trainer_and_without_job_aid(client, cohort):
    other = CohortFactory(course=cohort.course)
    client.force_login(make_trainer(other))
    assert (
        client.get(reverse("learn:preview_job_aid", args=[cohort.pk, "module-1"])).status_code
        == 404
    )
    client.force_login(make_trainer(cohort))
    assert (
        client.get(reverse("learn:preview_job_aid", args=[cohort.pk, "module-3"])).status_code
        == 404
    )


def test_staff_previews_any_cohorts_job_aid(client, cohort):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("learn:preview_job_aid", args=[cohort.pk, "module-1"])
    assert client.get(url).status_code == 200


def test_preview_pages_link_to_the_preview_job_aid(client, cohort):
    client.force_login(make_trainer(cohort))
    url = reverse("learn:preview_job_aid", args=[cohort.pk, "module-2"])
    course_page = client.get(reverse("learn:preview", args=[cohort.pk])).content.decode()
    assert f'<a href="{url}">' in course_page
    assert course_page.count('class="job-aid-link"') == 2
    lesson_page = client.get(reverse("learn:preview_lesson", args=[cohort.pk, "les-2-1"]))
    assert f'<a href="{url}">' in lesson_page.content.decode()


# --- Print CSS ------------------------------------------------------------------------


def _print_block(css: str) -> str:
    """The body of the stylesheet's ``@media print`` block (braces balanced)."""
    start = css.index("{", css.index("@media print")) + 1
    depth, position = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(css[position], 0)
        position += 1
    return css[start : position - 1]


def _rules(block: str) -> dict[str, str]:
    """selector list -> declarations, for the plain rules in a block."""
    rules = {}
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
        for selector in selectors.split(","):
            rules[selector.strip()] = rules.get(selector.strip(), "") + declarations
    return rules


def test_print_css_hides_everything_but_the_content_on_one_a4_page():
    css = Path(finders.find("css/app.css")).read_text(encoding="utf-8")
    block = _print_block(css)
    rules = _rules(block)
    for selector in (".site-header", ".site-footer", "nav", "button", ".button", ".skip-link"):
        assert "display: none" in rules.get(selector, ""), selector
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", block)
    assert "content: none" in rules["a[href]::after"]
    assert "color: #000" in rules["*"]
    assert "background: #fff" in rules["*"]
