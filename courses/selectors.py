"""Reads for course content: modules, lessons, when a module opens for a cohort.

Content knows nothing of work: a learner's combined progress (lessons read and
assignments done) is built one layer up, in ``learning.progress``.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from cohorts.models import Cohort, ModuleRelease
from courses.models import Lesson, LessonProgress, Module


def module_opens_on(
    *, cohort: Cohort, module: Module, overrides: dict[tuple[int, int], datetime.date]
) -> datetime.date:
    """When ``module`` opens for ``cohort``: staff's date, else start + the module's offset.

    ``overrides`` comes from ``release_overrides``.
    """
    return overrides.get((cohort.pk, module.pk)) or module.default_opens_on(cohort.starts_on)


def one_module_opens_on(*, cohort: Cohort, module: Module) -> datetime.date:
    """When one module opens for the cohort (one query): for a page or a post that needs
    to know only whether its own module is open, not the whole course state."""
    return module_opens_on(cohort=cohort, module=module, overrides=release_overrides([cohort.pk]))


def release_overrides(cohort_ids) -> dict[tuple[int, int], datetime.date]:
    """Staff's opening dates, keyed by (cohort id, module id) (one query)."""
    return {
        (cohort_id, module_id): opens_on
        for cohort_id, module_id, opens_on in ModuleRelease.objects.filter(
            cohort_id__in=cohort_ids
        ).values_list("cohort_id", "module_id", "opens_on")
    }


def modules_by_course(course_ids) -> dict[int, list[Module]]:
    """Current modules per course, in order (one query)."""
    modules = defaultdict(list)
    for module in Module.objects.filter(course_id__in=course_ids, archived=False).order_by(
        "position"
    ):
        modules[module.course_id].append(module)
    return modules


def lessons_by_module(course_ids) -> dict[int, list[Lesson]]:
    """Current lessons per module, in order, without their text (one query)."""
    lessons = defaultdict(list)
    for lesson in (
        Lesson.objects.filter(course_id__in=course_ids, archived=False, module__archived=False)
        .defer("body")
        .order_by("position")
    ):
        lessons[lesson.module_id].append(lesson)
    return lessons


def lessons_read(enrollments) -> set[tuple[int, int]]:
    """(enrolment id, lesson id) for every lesson read (one query)."""
    return set(
        LessonProgress.objects.filter(enrollment__in=enrollments).values_list(
            "enrollment_id", "lesson_id"
        )
    )


@dataclass
class ScheduledModule:
    module: Module
    default_opens_on: datetime.date
    override: datetime.date | None

    @property
    def opens_on(self) -> datetime.date:
        return self.override or self.default_opens_on


def module_schedule(cohort: Cohort) -> list[ScheduledModule]:
    """When each module of the cohort's course opens, with staff overrides (two queries)."""
    if not cohort.course_id:
        return []
    overrides = dict(
        ModuleRelease.objects.filter(cohort=cohort).values_list("module_id", "opens_on")
    )
    return [
        ScheduledModule(
            module=module,
            default_opens_on=module.default_opens_on(cohort.starts_on),
            override=overrides.get(module.pk),
        )
        for module in Module.objects.filter(course_id=cohort.course_id, archived=False).order_by(
            "position"
        )
    ]
