"""The course's ``updated_at`` moves with its outline.

Progress keeps each course's outline (modules, lessons, assignments) in memory under
that stamp (``learning.progress.course_outlines``), so every save or delete of an
outline row touches its course. ``CoursesConfig.ready()`` connects modules and lessons;
``AssignmentsConfig.ready()`` connects assignments. A queryset ``update()`` or
``bulk_create()`` sends no signal: code that changes outline rows that way calls
``course_touched`` itself.
"""

from django.utils import timezone

from courses.models import Course


def course_touched(course_id: int | None) -> None:
    if course_id:
        Course.objects.filter(pk=course_id).update(updated_at=timezone.now())


def outline_row_changed(*, instance, **_signal) -> None:
    course_touched(instance.course_id)
