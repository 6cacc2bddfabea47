"""Reading and validating a course folder, before anything touches the database.

A course folder holds ``course.yaml`` and one Markdown file per lesson at
``<module-slug>/<lesson-slug>.md`` with front matter (title, minutes). Every problem
is reported with its file and line; the importer imports nothing while any remain.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COURSE_KEYS = {"slug", "title", "summary", "learning_goals", "intro", "modules"}
COURSE_REQUIRED = {"slug", "title", "modules"}
MODULE_KEYS = {"slug", "title", "intro", "release_offset_days", "lessons", "assignments"}
MODULE_REQUIRED = {"slug", "title", "lessons"}
FRONT_MATTER_KEYS = {"title", "minutes"}
MAX_TEXT = 200_000


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class LessonSpec:
    slug: str
    title: str
    minutes: int
    body: str


@dataclass
class ModuleSpec:
    slug: str
    title: str
    intro: str
    release_offset_days: int
    lessons: list[LessonSpec] = field(default_factory=list)
    assignments: list = field(default_factory=list)


@dataclass
class CourseSpec:
    slug: str
    title: str
    summary: str
    learning_goals: list[str]
    intro: str
    modules: list[ModuleSpec] = field(default_factory=list)


class _Reader:
    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    # --- YAML nodes keep their line numbers ---------------------------------

    def mapping(self, node, file: str, allowed: set[str], required: set[str], what: str):
        """A mapping node as {key: (value_node, line)}, reporting bad and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(file, _line(node), f"{what} must be a mapping of keys to values")
            return None
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem(file, _line(key_node), f"unknown key '{key}' in {what} ({known})")
                continue
            if key in result:
                self.problem(file, _line(key_node), f"duplicate key '{key}' in {what}")
                continue
            result[key] = value_node
        for key in sorted(required - result.keys()):
            self.problem(file, _line(node), f"{what} is missing '{key}'")
        return result

    def text(self, node, file: str, what: str, *, required: bool) -> str:
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(file, _line(node), f"{what} must be text")
            return ""
        value = str(node.value).strip()
        if required and not value:
            self.problem(file, _line(node), f"{what} is empty")
        return value

    def integer(self, node, file: str, what: str, *, minimum: int) -> int | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or not re.fullmatch(r"-?\d+", node.value):
            self.problem(file, _line(node), f"{what} must be a whole number")
            return None
        value = int(node.value)
        if value < minimum:
            self.problem(file, _line(node), f"{what} must be {minimum} or more")
            return None
        return value

    def slug(self, node, file: str, what: str) -> str:
        value = self.text(node, file, what, required=True)
        if value and not SLUG.match(value):
            self.problem(
                file, _line(node), f"{what} '{value}' may only hold a-z, 0-9 and single hyphens"
            )
        return value

    def load_yaml(self, text: str, file: str):
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(file, line, f"YAML syntax error: {reason}")
            return None

    def read_text(self, path: Path, file: str) -> str | None:
        if not path.is_file():
            self.problem(file, None, "file is missing")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(file, None, "file is not UTF-8 text")
            return None
        if len(text) > MAX_TEXT:
            self.problem(file, None, f"file is larger than {MAX_TEXT} characters")
            return None
        return text

    # --- The course ---------------------------------------------------------

    def course(self) -> CourseSpec | None:
        file = "course.yaml"
        text = self.read_text(self.folder / file, file)
        if text is None:
            return None
        root = self.load_yaml(text, file)
        if root is None:
            if not self.problems:
                self.problem(file, 1, "course.yaml is empty")
            return None
        keys = self.mapping(root, file, COURSE_KEYS, COURSE_REQUIRED, "the course")
        if keys is None:
            return None
        spec = CourseSpec(
            slug=self.slug(keys.get("slug"), file, "course slug"),
            title=self.text(keys.get("title"), file, "course title", required=True),
            summary=self.text(keys.get("summary"), file, "summary", required=False),
            learning_goals=self.goals(keys.get("learning_goals"), file),
            intro=self.intro(keys.get("intro"), file),
        )
        if spec.slug and spec.slug != self.folder.name:
            self.problem(
                file, _line(keys["slug"]), f"slug '{spec.slug}' differs from the folder name"
            )
        modules_node = keys.get("modules")
        if modules_node is not None:
            spec.modules = self.modules(modules_node, file)
        self.unlisted_files(spec)
        return spec

    def goals(self, node, file: str) -> list[str]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(file, _line(node), "learning_goals must be a list")
            return []
        return [self.text(item, file, "learning goal", required=True) for item in node.value]

    def intro(self, node, file: str) -> str:
        name = self.text(node, file, "intro", required=False)
        if not name:
            return ""
        if "/" in name or not name.endswith(".md"):
            self.problem(file, _line(node), "intro must name a .md file in the course folder")
            return ""
        return self.read_text(self.folder / name, name) or ""

    def modules(self, node, file: str) -> list[ModuleSpec]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(file, _line(node), "modules must be a non-empty list")
            return []
        modules: list[ModuleSpec] = []
        module_lines: dict[str, int] = {}
        lesson_lines: dict[str, int] = {}
        assignment_lines: dict[str, int] = {}
        for item in node.value:
            keys = self.mapping(item, file, MODULE_KEYS, MODULE_REQUIRED, "a module")
            if keys is None:
                continue
            module = ModuleSpec(
                slug=self.slug(keys.get("slug"), file, "module slug"),
                title=self.text(keys.get("title"), file, "module title", required=True),
                intro=self.text(keys.get("intro"), file, "module intro", required=False),
                release_offset_days=self.integer(
                    keys.get("release_offset_days"), file, "release_offset_days", minimum=0
                )
                or 0,
            )
            if module.slug in module_lines:
                self.problem(
                    file,
                    _line(keys["slug"]),
                    f"duplicate module slug '{module.slug}' "
                    f"(first used on line {module_lines[module.slug]})",
                )
            elif module.slug:
                module_lines[module.slug] = _line(keys["slug"])
            lessons_node = keys.get("lessons")
            if lessons_node is not None:
                if not isinstance(lessons_node, yaml.SequenceNode) or not lessons_node.value:
                    self.problem(file, _line(lessons_node), "lessons must be a non-empty list")
                else:
                    for lesson_node in lessons_node.value:
                        slug = self.slug(lesson_node, file, "lesson slug")
                        if not slug:
                            continue
                        if slug in lesson_lines:
                            self.problem(
                                file,
                                _line(lesson_node),
                                f"duplicate lesson slug '{slug}' "
                                f"(first used on line {lesson_lines[slug]})",
                            )
                            continue
                        lesson_lines[slug] = _line(lesson_node)
                        lesson = self.lesson(module.slug, slug)
                        if lesson is not None:
                            module.lessons.append(lesson)
            assignments_node = keys.get("assignments")
            if assignments_node is not None:
                module.assignments = self.assignments(
                    assignments_node, file, module.slug, assignment_lines
                )
            modules.append(module)
        self.check_scan_pairs(modules, file)
        return modules

    def assignments(self, node, file: str, module_slug: str, seen: dict[str, int]) -> list:
        from assignments.definitions import read_assignment

        if not isinstance(node, yaml.SequenceNode):
            self.problem(file, _line(node), "assignments must be a list")
            return []
        specs = []
        for item in node.value:
            slug = self.slug(item, file, "assignment slug")
            if not slug:
                continue
            if slug in seen:
                self.problem(
                    file,
                    _line(item),
                    f"duplicate assignment slug '{slug}' (first used on line {seen[slug]})",
                )
                continue
            seen[slug] = _line(item)
            spec = read_assignment(self, module_slug, slug)
            if spec is not None:
                specs.append(spec)
        return specs

    def check_scan_pairs(self, modules: list[ModuleSpec], file: str) -> None:
        scans = {a.slug: a for m in modules for a in m.assignments if a.kind == "scan"}
        for scan in scans.values():
            pair = scan.config.get("pair")
            if not pair:
                continue
            module_slug = next(m.slug for m in modules if scan in m.assignments)
            where = f"{module_slug}/{scan.slug}.yaml"
            pre = scans.get(pair)
            if pre is None or pre.config.get("pre_post") != "pre":
                self.problem(where, None, f"pair '{pair}' is not a pre scan of this course")
            elif pre.config.get("statements") != scan.config.get("statements") or pre.config.get(
                "phases"
            ) != scan.config.get("phases"):
                self.problem(where, None, f"a post scan must ask what '{pair}' asks")

    def lesson(self, module_slug: str, slug: str) -> LessonSpec | None:
        file = f"{module_slug}/{slug}.md"
        text = self.read_text(self.folder / module_slug / f"{slug}.md", file)
        if text is None:
            return None
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.problem(file, 1, "front matter missing: the file must start with a '---' line")
            return None
        try:
            end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
        except StopIteration:
            self.problem(file, 1, "front matter is not closed with a '---' line")
            return None
        # A leading blank line keeps YAML's line numbers equal to the file's.
        node = self.load_yaml("\n" + "\n".join(lines[1:end]), file)
        if node is None:
            if not any(p.file == file for p in self.problems):
                self.problem(file, 2, "front matter is empty")
            return None
        keys = self.mapping(node, file, FRONT_MATTER_KEYS, FRONT_MATTER_KEYS, "front matter")
        if keys is None:
            return None
        title = self.text(keys.get("title"), file, "title", required=True)
        minutes = self.integer(keys.get("minutes"), file, "minutes", minimum=1)
        body = "\n".join(lines[end + 1 :]).strip()
        if not body:
            self.problem(file, end + 2, "the lesson has no text")
        return LessonSpec(slug=slug, title=title, minutes=minutes or 1, body=body)

    def unlisted_files(self, spec: CourseSpec) -> None:
        listed = {f"{m.slug}/{lesson.slug}.md" for m in spec.modules for lesson in m.lessons}
        listed |= {f"{m.slug}/{a.slug}.yaml" for m in spec.modules for a in m.assignments}
        paths = [*self.folder.glob("*/*.md"), *self.folder.glob("*/*.yaml")]
        for path in sorted(paths):
            relative = path.relative_to(self.folder).as_posix()
            if relative not in listed and path.parent.name in {m.slug for m in spec.modules}:
                kind = "lesson" if path.suffix == ".md" else "assignment"
                self.problem(relative, None, f"{kind} file is not listed in course.yaml")


def _line(node) -> int:
    # PyYAML's marks count from 0; people count from 1.
    return node.start_mark.line + 1


def read_course_folder(folder: Path) -> tuple[CourseSpec | None, list[Problem]]:
    """Read and validate a course folder; the spec is only usable without problems."""
    folder = Path(folder)
    reader = _Reader(folder)
    if not folder.is_dir():
        return None, [Problem(str(folder), None, "not a folder")]
    spec = reader.course()
    return spec, reader.problems
