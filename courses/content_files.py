"""Reading and validating a course folder, before anything touches the database.

A course folder holds ``course.yaml`` and one Markdown file per lesson at
``<module-slug>/<lesson-slug>.md`` with front matter (title, minutes). A module may
name a job aid (``job_aid: <slug>``), its printable one-page card: the Markdown file
``<module-slug>/<slug>.md`` with front matter (title). Every problem is reported with
its file and line; the importer imports nothing while any remain.

Besides lessons, a module may list other items (assignments) under a key of its own.
The courses app does not know those items: an app that builds on the content
registers a ``ModuleItems`` handler for the key with ``register_module_items`` in its
``AppConfig.ready()``, and the reader and importer hand every listed item to it. So
content depends on nothing, and work (``assignments``) plugs into content.
"""

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80  # the SlugField's length
TITLE_MAX = 200  # the title CharFields' length
COURSE_KEYS = {"slug", "title", "summary", "learning_goals", "intro", "modules"}
COURSE_REQUIRED = {"slug", "title", "modules"}
MODULE_KEYS = {"slug", "title", "intro", "release_offset_days", "lessons", "job_aid"}
MODULE_REQUIRED = {"slug", "title", "lessons"}
FRONT_MATTER_KEYS = {"title", "minutes"}
JOB_AID_FRONT_MATTER_KEYS = {"title"}
MAX_TEXT = 200_000
# Offsets count days from a cohort's (or learner's) start. A course runs for months, so
# two years is ample for any schedule, and it keeps every date the pages compute far
# from the calendar's end and every value within a database integer.
MAX_OFFSET_DAYS = 730
MAX_LESSON_MINUTES = 240
_WHOLE_NUMBER = re.compile(r"-?\d{1,9}")
_BOOL_TAG = "tag:yaml.org,2002:bool"


def yaml_loader() -> type:
    """libyaml's loader when PyYAML was built with it: it parses the course files some
    fifteen times faster than the pure-Python one and keeps the same line marks, so
    every problem still names its file and line. Without the C extension, the same
    rules through the pure-Python loader."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
class JobAidSpec:
    """A module's printable one-page card (the file ``<module>/<slug>.md``)."""

    slug: str
    title: str
    body: str


@dataclass
class ModuleSpec:
    slug: str
    title: str
    intro: str
    release_offset_days: int
    lessons: list[LessonSpec] = field(default_factory=list)
    job_aid: JobAidSpec | None = None
    # Registered items by their key in course.yaml, e.g. {"assignments": [AssignmentSpec]}.
    items: dict[str, list] = field(default_factory=dict)


@dataclass
class CourseSpec:
    slug: str
    title: str
    summary: str
    learning_goals: list[str]
    intro: str
    modules: list[ModuleSpec] = field(default_factory=list)


# --- The hook for items that other apps own ---------------------------------------


class ModuleItems(Protocol):
    """Items that a module lists under ``key``, one file ``<module>/<slug><suffix>`` each.

    Reading (no database): ``read`` validates one file through the reader's helpers,
    adds a ``Problem`` per fault and returns a spec with a ``slug`` (or None);
    ``check_course`` checks across items once all are read.

    Importing (``courses.services.course_import``, in its transaction, only when the
    files are valid): ``check_stored`` returns problems when the new files would
    strand learner work already stored (nothing is written if any); ``save`` upserts
    the items by slug, archives those that left the files, and records each change in
    the report.
    """

    key: str  # the list's key under a module in course.yaml, e.g. "assignments"
    label: str  # one item in messages, e.g. "assignment"
    suffix: str  # the file suffix, e.g. ".yaml"

    def read(self, reader: "FolderReader", *, module_slug: str, slug: str) -> Any | None: ...

    def check_course(self, reader: "FolderReader", modules: list[ModuleSpec]) -> None: ...

    def check_stored(self, *, course_slug: str, modules: list[ModuleSpec]) -> list[Problem]: ...

    def save(self, *, course, modules: list, report) -> None: ...


_MODULE_ITEMS: dict[str, ModuleItems] = {}


def register_module_items(items: ModuleItems) -> None:
    """Let modules list ``items.key``; called from the owning app's ``AppConfig.ready()``."""
    _MODULE_ITEMS[items.key] = items


def module_items() -> list[ModuleItems]:
    return list(_MODULE_ITEMS.values())


# --- Reading ------------------------------------------------------------------------


class FolderReader:
    """Collects problems while reading one course folder.

    ``ModuleItems`` handlers use ``folder``, ``problem``, ``read_text``, ``load_yaml``,
    ``mapping``, ``text``, ``integer``, ``number`` and ``boolean``.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []
        # Files that course.yaml lists, whether or not they could be read.
        self.listed: set[str] = set()

    def problem(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    # --- YAML nodes keep their line numbers ---------------------------------

    def mapping(self, node, file: str, allowed: set[str], required: set[str], what: str):
        """A mapping node as {key: value_node}, reporting bad and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(file, _line(node), f"{what} must be a mapping of keys to values")
            return None
        result = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(file, _line(key_node), f"a key in {what} must be plain text")
                continue
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

    def text(self, node, file: str, what: str, *, required: bool, max_length=None) -> str:
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(file, _line(node), f"{what} must be text")
            return ""
        value = str(node.value).strip()
        if required and not value:
            self.problem(file, _line(node), f"{what} is empty")
        if max_length is not None and len(value) > max_length:
            self.problem(file, _line(node), f"{what} is longer than {max_length} characters")
            return value[:max_length]
        return value

    def integer(self, node, file: str, what: str, *, minimum: int, maximum: int) -> int | None:
        """A whole number within [minimum, maximum]: every number imported has a bound."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or not _WHOLE_NUMBER.fullmatch(node.value):
            self.problem(
                file, _line(node), f"{what} must be a whole number from {minimum} to {maximum}"
            )
            return None
        value = int(node.value)
        if value < minimum:
            self.problem(file, _line(node), f"{what} must be {minimum} or more")
            return None
        if value > maximum:
            self.problem(file, _line(node), f"{what} must be {maximum} or less")
            return None
        return value

    def number(self, node, file: str, what: str, *, minimum: float, maximum: float, default):
        """A decimal number within [minimum, maximum] (never NaN or infinite)."""
        if node is None:
            return default
        try:
            if not isinstance(node, yaml.ScalarNode):
                raise ValueError
            value = float(node.value)
        except ValueError:
            self.problem(file, _line(node), f"{what} must be a number")
            return default
        if not math.isfinite(value) or not minimum <= value <= maximum:
            self.problem(file, _line(node), f"{what} must lie between {minimum:g} and {maximum:g}")
            return default
        return value

    def boolean(self, node, file: str, what: str, *, default: bool) -> bool:
        """Only a plain YAML ``true`` or ``false``: not 'yes', 1 or a quoted string."""
        if node is None:
            return default
        if (
            isinstance(node, yaml.ScalarNode)
            and node.tag == _BOOL_TAG
            and node.value.lower() in {"true", "false"}
        ):
            return node.value.lower() == "true"
        self.problem(file, _line(node), f"{what} must be true or false")
        return default

    def slug(self, node, file: str, what: str) -> str:
        value = self.text(node, file, what, required=True)
        if value and not SLUG.match(value):
            self.problem(
                file, _line(node), f"{what} '{value}' may only hold a-z, 0-9 and single hyphens"
            )
        elif len(value) > SLUG_MAX:
            self.problem(file, _line(node), f"{what} is longer than {SLUG_MAX} characters")
        return value

    def load_yaml(self, text: str, file: str):
        """The document's root node, or None (with a problem naming the parser's line)."""
        try:
            return yaml.compose(text, Loader=yaml_loader())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else None
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(file, line, f"YAML syntax error, the file cannot be read: {reason}")
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
            title=self.text(
                keys.get("title"), file, "course title", required=True, max_length=TITLE_MAX
            ),
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
        if "/" in name or "\\" in name or not name.endswith(".md"):
            self.problem(file, _line(node), "intro must name a .md file in the course folder")
            return ""
        return self.read_text(self.folder / name, name) or ""

    def modules(self, node, file: str) -> list[ModuleSpec]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(file, _line(node), "modules must be a non-empty list")
            return []
        handlers = module_items()
        allowed = MODULE_KEYS | {handler.key for handler in handlers}
        modules: list[ModuleSpec] = []
        module_lines: dict[str, int] = {}
        lesson_lines: dict[str, int] = {}
        item_lines: dict[str, dict[str, int]] = {handler.key: {} for handler in handlers}
        for item in node.value:
            keys = self.mapping(item, file, allowed, MODULE_REQUIRED, "a module")
            if keys is None:
                continue
            module = ModuleSpec(
                slug=self.slug(keys.get("slug"), file, "module slug"),
                title=self.text(
                    keys.get("title"), file, "module title", required=True, max_length=TITLE_MAX
                ),
                intro=self.text(keys.get("intro"), file, "module intro", required=False),
                release_offset_days=self.integer(
                    keys.get("release_offset_days"),
                    file,
                    "release_offset_days",
                    minimum=0,
                    maximum=MAX_OFFSET_DAYS,
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
                        self.listed.add(f"{module.slug}/{slug}.md")
                        lesson = self.lesson(module.slug, slug)
                        if lesson is not None:
                            module.lessons.append(lesson)
            if keys.get("job_aid") is not None:
                module.job_aid = self.job_aid_of(module, keys["job_aid"], file)
            for handler in handlers:
                if keys.get(handler.key) is not None:
                    module.items[handler.key] = self.items(
                        handler, keys[handler.key], file, module.slug, item_lines[handler.key]
                    )
            modules.append(module)
        for handler in handlers:
            handler.check_course(self, modules)
        return modules

    def items(self, handler: ModuleItems, node, file, module_slug, seen: dict[str, int]) -> list:
        """A module's list of registered items; slugs are unique per kind in the course."""
        if not isinstance(node, yaml.SequenceNode):
            self.problem(file, _line(node), f"{handler.key} must be a list")
            return []
        specs = []
        for item in node.value:
            slug = self.slug(item, file, f"{handler.label} slug")
            if not slug:
                continue
            if slug in seen:
                self.problem(
                    file,
                    _line(item),
                    f"duplicate {handler.label} slug '{slug}' (first used on line {seen[slug]})",
                )
                continue
            seen[slug] = _line(item)
            self.listed.add(f"{module_slug}/{slug}{handler.suffix}")
            spec = handler.read(self, module_slug=module_slug, slug=slug)
            if spec is not None:
                specs.append(spec)
        return specs

    def markdown_file(self, file: str, keys: set[str], what: str):
        """A Markdown file with front matter: ({key: node}, body) or None (with problems).

        An empty body is reported as "the <what> has no text".
        """
        text = self.read_text(self.folder / file, file)
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
        front = self.mapping(node, file, keys, keys, "front matter")
        if front is None:
            return None
        body = "\n".join(lines[end + 1 :]).strip()
        if not body:
            self.problem(file, end + 2, f"the {what} has no text")
        return front, body

    def lesson(self, module_slug: str, slug: str) -> LessonSpec | None:
        file = f"{module_slug}/{slug}.md"
        read = self.markdown_file(file, FRONT_MATTER_KEYS, "lesson")
        if read is None:
            return None
        keys, body = read
        title = self.text(keys.get("title"), file, "title", required=True, max_length=TITLE_MAX)
        minutes = self.integer(
            keys.get("minutes"), file, "minutes", minimum=1, maximum=MAX_LESSON_MINUTES
        )
        return LessonSpec(slug=slug, title=title, minutes=minutes or 1, body=body)

    def job_aid_of(self, module: ModuleSpec, node, file: str) -> JobAidSpec | None:
        """The job aid that a module names in course.yaml (``file``), read and checked."""
        slug = self.slug(node, file, "job aid slug")
        if not slug or not SLUG.match(slug):
            return None
        job_aid_file = f"{module.slug}/{slug}.md"
        if job_aid_file in self.listed:
            self.problem(file, _line(node), f"job aid slug '{slug}' is already listed as a lesson")
            return None
        self.listed.add(job_aid_file)
        read = self.markdown_file(job_aid_file, JOB_AID_FRONT_MATTER_KEYS, "job aid")
        if read is None:
            return None
        keys, body = read
        title = self.text(
            keys.get("title"), job_aid_file, "title", required=True, max_length=TITLE_MAX
        )
        return JobAidSpec(slug=slug, title=title, body=body)

    def unlisted_files(self, spec: CourseSpec) -> None:
        """Files in a module folder that course.yaml does not list (a forgotten entry)."""
        kinds = {".md": "lesson"} | {handler.suffix: handler.label for handler in module_items()}
        module_slugs = {m.slug for m in spec.modules}
        paths = [path for suffix in kinds for path in self.folder.glob(f"*/*{suffix}")]
        for path in sorted(paths):
            relative = path.relative_to(self.folder).as_posix()
            if relative not in self.listed and path.parent.name in module_slugs:
                kind = kinds[path.suffix]
                self.problem(relative, None, f"{kind} file is not listed in course.yaml")


def _line(node) -> int:
    # PyYAML's marks count from 0; people count from 1.
    return node.start_mark.line + 1


def read_course_folder(folder: Path) -> tuple[CourseSpec | None, list[Problem]]:
    """Read and validate a course folder; the spec is only usable without problems."""
    folder = Path(folder)
    reader = FolderReader(folder)
    if not folder.is_dir():
        return None, [Problem(str(folder), None, "not a folder")]
    spec = reader.course()
    return spec, reader.problems
