"""import_course: validate everything first, import all or nothing, never lose progress."""

import ast
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

import courses
from courses import content_files
from courses.content_files import Problem, read_course_folder
from courses.models import Course, Lesson, LessonProgress, Module
from courses.services import CourseImportError, course_import, lesson_mark_read
from learning.progress import course_state
from tests.course_files import SHIPPED, lesson_text, write_course
from tests.factories import CohortFactory, make_learner


def _problems(folder):
    _spec, problems = read_course_folder(folder)
    return [str(problem) for problem in problems]


def _import_fails(folder):
    # Every problem names its file.
    with pytest.raises(CourseImportError, match=r"[\w/-]+\.(yaml|md)") as caught:
        course_import(folder=folder)
    assert Course.objects.count() == 0
    assert Lesson.objects.count() == 0
    return [str(problem) for problem in caught.value.problems]


# --- The shipped course ----------------------------------------------------------


def test_shipped_course_is_valid():
    assert _problems(SHIPPED) == []


def test_shipped_course_meets_the_content_brief():
    spec, _ = read_course_folder(SHIPPED)
    assert len(spec.modules) == 4
    assert all(3 <= len(module.lessons) <= 5 for module in spec.modules)
    lessons = [lesson for module in spec.modules for lesson in module.lessons]
    assert len(lessons) >= 14
    assert sum(len(lesson.body.split()) for lesson in lessons) >= 5000
    for lesson in lessons:
        assert lesson.body.startswith("**Leerdoel:**"), lesson.slug
        assert "## Wat neem je mee?" in lesson.body, lesson.slug
        assert "**Vraag om over na te denken:**" in lesson.body, lesson.slug
    for module in spec.modules:
        assert "## Bronnen" in module.lessons[-1].body, module.slug
    assert spec.modules[0].release_offset_days == 0
    assert spec.intro.strip()


# --- Importing --------------------------------------------------------------------


def test_import_creates_course_modules_and_lessons_in_order(db, tmp_path):
    report = course_import(folder=write_course(tmp_path, modules=2, lessons=3))
    course = report.course
    assert course.title == "Testcursus"
    assert list(course.modules.values_list("slug", "position", "release_offset_days")) == [
        ("module-1", 1, 0),
        ("module-2", 2, 7),
    ]
    assert list(Lesson.objects.filter(module__slug="module-2").values_list("slug", "position")) == [
        ("les-2-1", 1),
        ("les-2-2", 2),
        ("les-2-3", 3),
    ]
    assert "testcursus" in course.intro


def test_second_import_changes_nothing(db, tmp_path):
    folder = write_course(tmp_path)
    course_import(folder=folder)
    before = list(Lesson.objects.values()) + list(Module.objects.values())
    updated_at = Course.objects.get().updated_at
    report = course_import(folder=folder)
    assert not report.changed
    assert report.unchanged == 1 + 2 + 4
    assert list(Lesson.objects.values()) + list(Module.objects.values()) == before
    assert Course.objects.get().updated_at == updated_at


def test_reimport_updates_text_and_order_and_keeps_progress(db, tmp_path):
    folder = write_course(tmp_path)
    course = course_import(folder=folder).course
    cohort = CohortFactory(course=course)
    enrollment = make_learner(cohort).enrollments.get()
    lesson = Lesson.objects.get(slug="les-1-1")
    lesson_mark_read(enrollment=enrollment, lesson=lesson, now=timezone.now())

    (folder / "module-1" / "les-1-1.md").write_text(lesson_text("Nieuwe titel", 9, "Nieuw."))
    text = (folder / "course.yaml").read_text()
    (folder / "course.yaml").write_text(
        text.replace("- les-1-1\n  - les-1-2", "- les-1-2\n  - les-1-1")
    )
    report = course_import(folder=folder)

    lesson.refresh_from_db()
    assert (lesson.title, lesson.minutes, lesson.body, lesson.position) == (
        "Nieuwe titel",
        9,
        "Nieuw.",
        2,
    )
    assert any("les-1-1" in line for line in report.updated)
    assert LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).exists()


def test_removed_lesson_is_archived_not_deleted_and_progress_kept(db, tmp_path):
    folder = write_course(tmp_path)
    course = course_import(folder=folder).course
    cohort = CohortFactory(course=course)
    enrollment = make_learner(cohort).enrollments.get()
    gone = Lesson.objects.get(slug="les-1-2")
    lesson_mark_read(enrollment=enrollment, lesson=gone, now=timezone.now())

    (folder / "module-1" / "les-1-2.md").unlink()
    text = (folder / "course.yaml").read_text()
    (folder / "course.yaml").write_text(text.replace("  - les-1-2\n", ""))
    report = course_import(folder=folder)

    gone.refresh_from_db()
    assert gone.archived
    assert report.archived == ["lesson les-1-2"]
    assert LessonProgress.objects.filter(lesson=gone).exists()
    state = course_state(enrollment, now=timezone.now())
    assert [s.lesson.slug for s in state.lessons] == ["les-1-1", "les-2-1", "les-2-2"]
    assert (state.read_count, state.total) == (0, 3)


def test_restored_lesson_comes_back_with_its_progress(db, tmp_path):
    folder = write_course(tmp_path)
    course = course_import(folder=folder).course
    enrollment = make_learner(CohortFactory(course=course)).enrollments.get()
    lesson = Lesson.objects.get(slug="les-2-1")
    lesson_mark_read(enrollment=enrollment, lesson=lesson, now=timezone.now())
    original = (folder / "course.yaml").read_text()
    (folder / "course.yaml").write_text(original.replace("  - les-2-1\n", ""))
    (folder / "module-2" / "les-2-1.md").rename(tmp_path / "parked.md")
    course_import(folder=folder)
    (tmp_path / "parked.md").rename(folder / "module-2" / "les-2-1.md")
    (folder / "course.yaml").write_text(original)
    course_import(folder=folder)
    assert course_state(enrollment, now=timezone.now()).read_count == 1


def test_command_reports_and_is_idempotent(db, tmp_path):
    folder = write_course(tmp_path)
    out = io.StringIO()
    call_command("import_course", str(folder), stdout=out)
    assert "created lesson les-1-1" in out.getvalue()
    out = io.StringIO()
    call_command("import_course", str(folder), stdout=out)
    assert "0 created, 0 updated, 0 archived, 7 unchanged" in out.getvalue()


# --- Bad input: a precise error per problem, nothing imported -------------------------


def test_yaml_syntax_error_names_file_and_line(db, tmp_path):
    folder = write_course(tmp_path)
    text = (folder / "course.yaml").read_text().splitlines()
    text[1] = "title: [unclosed"
    (folder / "course.yaml").write_text("\n".join(text))
    problems = _import_fails(folder)
    assert len(problems) == 1
    assert re.match(r"course\.yaml:\d+: YAML syntax error", problems[0])


def test_missing_lesson_file(db, tmp_path):
    folder = write_course(tmp_path)
    (folder / "module-2" / "les-2-2.md").unlink()
    assert _import_fails(folder) == ["module-2/les-2-2.md: file is missing"]


def test_duplicate_slugs_point_at_both_lines(db, tmp_path):
    folder = write_course(tmp_path)
    text = (folder / "course.yaml").read_text()
    text = text.replace("slug: module-2", "slug: module-1").replace("- les-2-2", "- les-1-1")
    (folder / "course.yaml").write_text(text)
    problems = _import_fails(folder)
    assert any(
        re.match(
            r"course\.yaml:\d+: duplicate module slug 'module-1' \(first used on line \d+\)", p
        )
        for p in problems
    )
    assert any(
        re.match(r"course\.yaml:\d+: duplicate lesson slug 'les-1-1' \(first used on line \d+\)", p)
        for p in problems
    )


def test_unknown_keys_everywhere(db, tmp_path):
    folder = write_course(tmp_path)
    text = (folder / "course.yaml").read_text()
    text = text.replace("summary:", "auteur: iemand\nsummary:", 1)
    text = text.replace("  title: Module 1", "  title: Module 1\n  kleur: blauw")
    (folder / "course.yaml").write_text(text)
    lesson = folder / "module-1" / "les-1-1.md"
    lesson.write_text(lesson.read_text().replace("minutes: 5", "minutes: 5\nniveau: 2"))
    problems = _import_fails(folder)
    lines = text.splitlines()
    auteur_line = lines.index("auteur: iemand") + 1
    kleur_line = lines.index("  kleur: blauw") + 1
    assert any(p.startswith(f"course.yaml:{auteur_line}: unknown key 'auteur'") for p in problems)
    assert any(p.startswith(f"course.yaml:{kleur_line}: unknown key 'kleur'") for p in problems)
    assert any(p.startswith("module-1/les-1-1.md:4: unknown key 'niveau'") for p in problems)


def test_empty_titles(db, tmp_path):
    folder = write_course(tmp_path)
    text = (folder / "course.yaml").read_text().replace("title: Module 2", "title: ''")
    (folder / "course.yaml").write_text(text)
    lesson = folder / "module-1" / "les-1-2.md"
    lesson.write_text(lesson.read_text().replace("title: Les 1.2", "title:"))
    problems = _import_fails(folder)
    assert any(re.match(r"course\.yaml:\d+: module title is empty", p) for p in problems)
    assert any(re.match(r"module-1/les-1-2\.md:2: title is empty", p) for p in problems)


def test_front_matter_problems(db, tmp_path):
    folder = write_course(tmp_path)
    (folder / "module-1" / "les-1-1.md").write_text("Geen front matter.\n")
    (folder / "module-1" / "les-1-2.md").write_text("---\ntitle: Open\nminutes: 5\n\nTekst\n")
    (folder / "module-2" / "les-2-1.md").write_text("---\ntitle: X\nminutes: veel\n---\nTekst\n")
    problems = _import_fails(folder)
    assert (
        "module-1/les-1-1.md:1: front matter missing: the file must start with a '---' line"
        in problems
    )
    assert "module-1/les-1-2.md:1: front matter is not closed with a '---' line" in problems
    assert "module-2/les-2-1.md:3: minutes must be a whole number from 1 to 240" in problems


def test_unlisted_lesson_file_and_bad_slug(db, tmp_path):
    folder = write_course(tmp_path)
    (folder / "module-1" / "vergeten.md").write_text(lesson_text("Vergeten"))
    text = (folder / "course.yaml").read_text().replace("- les-2-2", "- Les_2_2")
    (folder / "course.yaml").write_text(text)
    problems = _import_fails(folder)
    assert "module-1/vergeten.md: lesson file is not listed in course.yaml" in problems
    assert any("lesson slug 'Les_2_2' may only hold" in p for p in problems)


def test_every_problem_is_reported_at_once(db, tmp_path):
    folder = write_course(tmp_path)
    (folder / "module-2" / "les-2-2.md").unlink()
    text = (folder / "course.yaml").read_text().replace("title: Module 1", "title: ''")
    (folder / "course.yaml").write_text(text)
    assert len(_import_fails(folder)) == 2


def test_failed_reimport_leaves_the_existing_course_untouched(db, tmp_path):
    folder = write_course(tmp_path)
    course_import(folder=folder)
    before = list(Lesson.objects.values())
    (folder / "module-1" / "les-1-1.md").write_text(lesson_text("Gewijzigd"))
    (folder / "module-2" / "les-2-2.md").unlink()
    with pytest.raises(CourseImportError, match=r"module-2/les-2-2\.md: file is missing"):
        course_import(folder=folder)
    assert list(Lesson.objects.values()) == before


def test_command_prints_each_problem_and_fails(db, tmp_path):
    folder = write_course(tmp_path)
    (folder / "module-2" / "les-2-2.md").unlink()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_course", str(folder), stderr=err)
    assert "module-2/les-2-2.md: file is missing" in err.getvalue()


def test_not_a_folder(db, tmp_path):
    with pytest.raises(CourseImportError, match="not a folder"):
        course_import(folder=tmp_path / "bestaat-niet")


# --- Every number bounded, every key plain text, every unreadable file named ----------


def _set_in_course_yaml(folder, old, new):
    text = (folder / "course.yaml").read_text()
    assert old in text, old
    (folder / "course.yaml").write_text(text.replace(old, new, 1))
    return (folder / "course.yaml").read_text().splitlines()


def test_release_offset_beyond_two_years_is_refused_with_its_line(db, tmp_path):
    # 3,000,000 days once passed and then broke every learner page (date overflow).
    folder = write_course(tmp_path, offsets=[0, 3_000_000])
    lines = (folder / "course.yaml").read_text().splitlines()
    line = lines.index("  release_offset_days: 3000000") + 1
    assert _import_fails(folder) == [f"course.yaml:{line}: release_offset_days must be 730 or less"]


def test_release_offset_of_two_years_is_accepted(db, tmp_path):
    course = course_import(folder=write_course(tmp_path, offsets=[0, 730])).course
    assert course.modules.get(slug="module-2").release_offset_days == 730


def test_lesson_minutes_are_bounded(db, tmp_path):
    folder = write_course(tmp_path)
    (folder / "module-1" / "les-1-1.md").write_text(lesson_text("Lang", minutes=100_000))
    assert _import_fails(folder) == ["module-1/les-1-1.md:3: minutes must be 240 or less"]


def test_a_number_too_long_to_convert_is_a_problem_not_a_crash(db, tmp_path):
    folder = write_course(tmp_path)
    _set_in_course_yaml(folder, "release_offset_days: 7", "release_offset_days: " + "9" * 5000)
    problems = _import_fails(folder)
    assert len(problems) == 1
    assert re.fullmatch(
        r"course\.yaml:\d+: release_offset_days must be a whole number from 0 to 730", problems[0]
    )


def test_a_key_that_is_not_text_is_a_problem_not_a_crash(db, tmp_path):
    folder = write_course(tmp_path)
    lines = _set_in_course_yaml(folder, "summary:", "? [a, b]\n: x\nsummary:")
    line = lines.index("? [a, b]") + 1
    lesson = folder / "module-1" / "les-1-1.md"
    lesson.write_text(lesson.read_text().replace("minutes: 5", "minutes: 5\n? {a: b}\n: c"))
    problems = _import_fails(folder)
    assert f"course.yaml:{line}: a key in the course must be plain text" in problems
    assert "module-1/les-1-1.md:4: a key in front matter must be plain text" in problems


def test_unparsable_lesson_is_reported_as_unparsable_not_as_unlisted(db, tmp_path):
    folder = write_course(tmp_path)
    lesson = folder / "module-1" / "les-1-2.md"
    lesson.write_text("---\ntitle: [open\nminutes: 5\n---\n\nTekst.\n")
    problems = _import_fails(folder)
    assert len(problems) == 1, problems
    assert re.match(
        r"module-1/les-1-2\.md:\d+: YAML syntax error, the file cannot be read", problems[0]
    )


def test_titles_and_slugs_longer_than_the_database_holds_are_refused(db, tmp_path):
    folder = write_course(tmp_path)
    _set_in_course_yaml(folder, "title: Module 1", "title: " + "x" * 201)
    _set_in_course_yaml(folder, "- les-2-2", "- " + "a" * 81)
    problems = _import_fails(folder)
    assert any(
        re.match(r"course\.yaml:\d+: module title is longer than 200 characters", p)
        for p in problems
    )
    assert any(
        re.match(r"course\.yaml:\d+: lesson slug is longer than 80 characters", p) for p in problems
    )


# --- Content knows nothing of work: other apps plug their items in --------------------


def test_courses_never_imports_assignments():
    package = Path(courses.__file__).resolve().parent
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name == "assignments" or name.startswith("assignments.") for name in names):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert offenders == []


@dataclass
class _Note:
    slug: str
    text: str


class _Notes:
    """A stand-in for an app that lets modules list items of its own."""

    key, label, suffix = "notes", "note", ".txt"

    def __init__(self):
        self.saved = []

    def read(self, reader, *, module_slug, slug):
        file = f"{module_slug}/{slug}.txt"
        text = reader.read_text(reader.folder / file, file)
        return _Note(slug, text) if text is not None else None

    def check_course(self, reader, modules):
        pass

    def check_stored(self, *, course_slug, modules):  # noqa: ARG002 (the protocol)
        return (
            [Problem("course.yaml", None, "refused")]
            if any(note.text == "refuse\n" for m in modules for note in m.items.get("notes", []))
            else []
        )

    def save(self, *, course, modules, report):  # noqa: ARG002 (the protocol)
        self.saved += [
            (module.slug, note.slug)
            for module, spec in modules
            for note in spec.items.get("notes", [])
        ]


@pytest.fixture
def notes(monkeypatch):
    handler = _Notes()
    monkeypatch.setitem(content_files._MODULE_ITEMS, handler.key, handler)
    return handler


def test_a_registered_handler_reads_checks_and_saves_its_module_items(db, tmp_path, notes):
    folder = write_course(tmp_path)
    _set_in_course_yaml(folder, "  - les-2-2\n", "  - les-2-2\n  notes:\n  - later\n")
    (folder / "module-2" / "later.txt").write_text("Tot straks.\n")
    (folder / "module-2" / "vergeten.txt").write_text("Niet genoemd.\n")
    assert _problems(folder) == ["module-2/vergeten.txt: note file is not listed in course.yaml"]
    (folder / "module-2" / "vergeten.txt").unlink()
    course_import(folder=folder)
    assert notes.saved == [("module-2", "later")]
    (folder / "module-2" / "later.txt").write_text("refuse\n")
    with pytest.raises(CourseImportError, match=r"course\.yaml: refused"):
        course_import(folder=folder)


def test_a_module_key_without_a_handler_is_unknown(db, tmp_path):
    folder = write_course(tmp_path)
    _set_in_course_yaml(folder, "  - les-2-2\n", "  - les-2-2\n  notes:\n  - later\n")
    assert any("unknown key 'notes' in a module" in p for p in _import_fails(folder))


# --- Reading fast: libyaml's parser, the same problems and lines --------------------


def _broken_course(tmp_path):
    """A course with a syntax error in a lesson and a wrong value and a duplicate in
    course.yaml, each on its own line."""
    folder = write_course(tmp_path)
    text = (folder / "course.yaml").read_text()
    text = text.replace("slug: module-2", "slug: module-1")
    text = text.replace("release_offset_days: 0", "release_offset_days: veel", 1)
    (folder / "course.yaml").write_text(text)
    lesson = folder / "module-1" / "les-1-2.md"
    lesson.write_text("---\ntitle: [open\nminutes: 5\n---\n\nTekst.\n")
    return folder


@pytest.mark.skipif(not content_files.yaml.__with_libyaml__, reason="PyYAML without libyaml")
def test_course_files_are_read_with_libyaml_when_pyyaml_has_it():
    assert content_files.yaml_loader() is content_files.yaml.CSafeLoader


def _where_and_what(problems) -> list[str]:
    # The parser's own wording after "cannot be read:" differs between the two parsers.
    return [problem.split(" the file cannot be read")[0] for problem in problems]


def test_without_libyaml_the_same_problems_name_the_same_lines(tmp_path, monkeypatch):
    folder = _broken_course(tmp_path)
    fast = _problems(folder)
    monkeypatch.delattr(content_files.yaml, "CSafeLoader", raising=False)
    assert content_files.yaml_loader() is content_files.yaml.SafeLoader
    assert _where_and_what(_problems(folder)) == _where_and_what(fast)
    # The wrong value, the syntax error and the duplicate, each with its line.
    lined = [p for p in fast if re.match(r"[\w/.-]+\.(yaml|md):\d+: ", p)]
    assert [p.split(": ")[0] for p in lined] == [
        "course.yaml:11",
        "module-1/les-1-2.md:3",
        "course.yaml:15",
    ]
