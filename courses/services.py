"""Importing a course folder: validate everything, then upsert by slug in one transaction.

Items that other apps own (assignments) are imported by the ``ModuleItems`` handler
they register (see ``courses.content_files``); this module never imports those apps.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from cohorts.services import progress_changed
from courses.content_files import CourseSpec, Problem, module_items, read_course_folder
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


def import_upsert(report: ImportReport, model, lookup: dict, values: dict, label: str):
    """Create or update one row; save only when something differs (so a re-import is a no-op).

    Shared with the ``ModuleItems`` handlers, so every imported row is reported alike.
    """
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


def import_archive_missing(report: ImportReport, queryset, seen: set, label: str) -> None:
    """Archive, never delete, the rows that left the files: learner work stays attached."""
    for item in queryset.filter(archived=False).exclude(pk__in=seen):
        item.archived = True
        item.save(update_fields=["archived"])
        report.archived.append(f"{label} {item.slug}")


def course_read(folder: Path) -> CourseSpec:
    """A course folder, read and validated; every problem at once as ``CourseImportError``."""
    spec, problems = read_course_folder(Path(folder))
    if problems or spec is None:
        raise CourseImportError(problems)
    return spec


@transaction.atomic
def course_import(*, folder: Path | None = None, spec: CourseSpec | None = None) -> ImportReport:
    """Validate a course folder (or a ``spec`` read before), then upsert it by slug in one
    transaction.

    Nothing is written when any problem is found: first in the files, then (with
    valid files) in what they would do to stored learner work, as each registered
    ``ModuleItems`` handler judges. Text and order are updated; modules, lessons and
    items no longer in the files are archived, never deleted, so learner progress
    survives every re-import.
    """
    if spec is None:
        spec = course_read(folder)
    problems = []
    for handler in module_items():
        problems += handler.check_stored(course_slug=spec.slug, modules=spec.modules)
    if problems:
        raise CourseImportError(problems)
    return _apply(spec)


def _apply(spec: CourseSpec) -> ImportReport:
    course = Course.objects.filter(slug=spec.slug).first()
    report = ImportReport(course=course)  # type: ignore[arg-type]
    course = import_upsert(
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
    seen_modules, seen_lessons = set(), set()
    modules = []
    for module_position, module_spec in enumerate(spec.modules, start=1):
        job_aid = module_spec.job_aid
        module = import_upsert(
            report,
            Module,
            {"course": course, "slug": module_spec.slug},
            {
                "title": module_spec.title,
                "intro": module_spec.intro,
                "position": module_position,
                "release_offset_days": module_spec.release_offset_days,
                # A module that no longer names a job aid loses it: the files are the truth.
                "job_aid_title": job_aid.title if job_aid else "",
                "job_aid": job_aid.body if job_aid else "",
                "archived": False,
            },
            f"module {module_spec.slug}",
        )
        seen_modules.add(module.pk)
        modules.append((module, module_spec))
        for lesson_position, lesson_spec in enumerate(module_spec.lessons, start=1):
            lesson = import_upsert(
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
    for handler in module_items():
        handler.save(course=course, modules=modules, report=report)
    import_archive_missing(report, Module.objects.filter(course=course), seen_modules, "module")
    import_archive_missing(report, Lesson.objects.filter(course=course), seen_lessons, "lesson")
    # Items, pass marks and offsets may all have changed for every cohort of the course.
    progress_changed(course=course)
    return report


@transaction.atomic
def lesson_mark_read(*, enrollment, lesson: Lesson, now: datetime.datetime) -> LessonProgress:
    """Record that the learner read the lesson; marking it again keeps the first moment."""
    progress, created = LessonProgress.objects.get_or_create(
        enrollment=enrollment, lesson=lesson, defaults={"read_at": now}
    )
    if created:
        progress_changed(enrollments=[enrollment])
    return progress
