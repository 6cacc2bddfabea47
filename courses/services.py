from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from assignments.models import Assignment
from courses.content_files import CourseSpec, Problem, read_course_folder
from courses.models import Course, Lesson, LessonProgress, Module


class CourseImportError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class ImportReport:
    course: Course
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)


def _upsert(report, model, lookup: dict, values: dict, label: str):
    """Create or update one row; save only when something differs (so a re-import is a no-op)."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        report.created.append(label)
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        report.updated.append(f"{label} ({', '.join(changed)})")
    else:
        report.unchanged += 1
    return instance


@transaction.atomic
def course_import(*, folder: Path) -> ImportReport:
    """Validate a course folder, then upsert it by slug in one transaction.

    Nothing is written when any problem is found. Text and order are updated;
    modules and lessons no longer in the files are archived, never deleted, so
    learner progress survives every re-import.
    """
    spec, problems = read_course_folder(Path(folder))
    if problems or spec is None:
        raise CourseImportError(problems)
    return _apply(spec)


def _apply(spec: CourseSpec) -> ImportReport:
    course = Course.objects.filter(slug=spec.slug).first()
    report = ImportReport(course=course)  # type: ignore[arg-type]
    course = _upsert(
        report,
        Course,
        {"slug": spec.slug},
        {
            "title": spec.title,
            "summary": spec.summary,
            "learning_goals": spec.learning_goals,
            "intro": spec.intro,
        },
        f"course {spec.slug}",
    )
    report.course = course
    seen_modules, seen_lessons, seen_assignments = set(), set(), set()
    for module_position, module_spec in enumerate(spec.modules, start=1):
        module = _upsert(
            report,
            Module,
            {"course": course, "slug": module_spec.slug},
            {
                "title": module_spec.title,
                "intro": module_spec.intro,
                "position": module_position,
                "release_offset_days": module_spec.release_offset_days,
                "archived": False,
            },
            f"module {module_spec.slug}",
        )
        seen_modules.add(module.pk)
        for lesson_position, lesson_spec in enumerate(module_spec.lessons, start=1):
            lesson = _upsert(
                report,
                Lesson,
                {"course": course, "slug": lesson_spec.slug},
                {
                    "module": module,
                    "title": lesson_spec.title,
                    "body": lesson_spec.body,
                    "minutes": lesson_spec.minutes,
                    "position": lesson_position,
                    "archived": False,
                },
                f"lesson {lesson_spec.slug}",
            )
            seen_lessons.add(lesson.pk)
        for assignment_position, assignment_spec in enumerate(module_spec.assignments, start=1):
            assignment = _upsert(
                report,
                Assignment,
                {"course": course, "slug": assignment_spec.slug},
                {
                    "module": module,
                    "kind": assignment_spec.kind,
                    "title": assignment_spec.title,
                    "instructions": assignment_spec.instructions,
                    "due_offset_days": assignment_spec.due_offset_days,
                    "config": assignment_spec.config,
                    "position": assignment_position,
                    "archived": False,
                },
                f"assignment {assignment_spec.slug}",
            )
            seen_assignments.add(assignment.pk)
    # What left the files is archived, never deleted: learner work stays attached.
    for model, seen, label in (
        (Assignment, seen_assignments, "assignment"),
        (Module, seen_modules, "module"),
        (Lesson, seen_lessons, "lesson"),
    ):
        for item in model.objects.filter(course=course, archived=False).exclude(pk__in=seen):
            item.archived = True
            item.save(update_fields=["archived"])
            report.archived.append(f"{label} {item.slug}")
    return report


@transaction.atomic
def lesson_mark_read(*, enrollment, lesson: Lesson) -> LessonProgress:
    """Record that the learner read the lesson; marking it again keeps the first moment."""
    progress, _created = LessonProgress.objects.get_or_create(
        enrollment=enrollment, lesson=lesson, defaults={"read_at": timezone.now()}
    )
    return progress
