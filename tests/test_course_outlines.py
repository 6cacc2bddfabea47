"""Course outlines kept in memory (learning.progress.course_outlines): a change shows at once.

Progress reads a course's modules, lessons and assignments once per course stamp
(``Course.updated_at``) and keeps them in the process. Each test lets a page read the
outline first, changes it the way the admin or the importer does (``save`` or
``delete``), and checks the next page shows the change: a write that forgot to move
the stamp fails here.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.models import Assignment
from cohorts.models import Enrollment
from courses.models import Course, Lesson, Module
from courses.signals import course_touched
from learning.progress import course_states, forget_kept_progress


def _page(client, world, module=None) -> str:
    """The learner's course page, or a module's page (which lists its lessons)."""
    client.force_login(world.learner)
    if module is None:
        response = client.get(reverse("learn:cohort", args=[world.cohort.pk]))
    else:
        response = client.get(reverse("learn:module", args=[world.cohort.pk, module.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _enrollments(world):
    return list(
        Enrollment.objects.filter(user=world.learner).select_related("cohort", "cohort__course")
    )


def _outline_reads(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "courses_module"' in q["sql"] or 'FROM "assignments_assignment"' in q["sql"]
    ]


def test_the_outline_is_read_once_per_course_stamp(world):
    now = timezone.now()
    with CaptureQueriesContext(connection) as first:
        course_states(_enrollments(world), now=now)
    with CaptureQueriesContext(connection) as second:
        course_states(_enrollments(world), now=now)
    assert len(_outline_reads(first)) == 2  # modules; assignments
    assert _outline_reads(second) == []
    forget_kept_progress()
    with CaptureQueriesContext(connection) as after_forgetting:
        course_states(_enrollments(world), now=now)
    assert len(_outline_reads(after_forgetting)) == 2


def test_a_lesson_saved_in_the_admin_shows_on_the_next_page(client, world):
    lesson = Lesson.objects.filter(course=world.course, module__position=1).first()
    assert lesson.title in _page(client, world, lesson.module)
    lesson.title = "Een nieuwe titel voor deze les"
    lesson.save()
    assert "Een nieuwe titel voor deze les" in _page(client, world, lesson.module)


def test_an_assignment_saved_moves_the_course_stamp_and_shows(client, world):
    before = Course.objects.get(pk=world.course.pk).updated_at
    assignment = Assignment.objects.filter(course=world.course, module__position=1).first()
    _page(client, world, assignment.module)
    assignment.title = "Opdracht met een andere naam"
    assignment.save(update_fields=["title"])
    assert Course.objects.get(pk=world.course.pk).updated_at > before
    assert "Opdracht met een andere naam" in _page(client, world, assignment.module)


def test_an_archived_module_and_a_deleted_lesson_leave_the_page(client, world):
    module = Module.objects.get(course=world.course, position=1)
    lesson = Lesson.objects.filter(course=world.course, module__position=2).first()
    # The course page links each open module (its intro also names them).
    link = reverse("learn:module", args=[world.cohort.pk, module.slug])
    assert link in _page(client, world)
    assert lesson.title in _page(client, world, lesson.module)
    lesson.delete()
    module.archived = True
    module.save(update_fields=["archived"])
    assert link not in _page(client, world)
    assert lesson.title not in _page(client, world, lesson.module)


def test_a_bulk_change_shows_once_the_course_is_touched(client, world):
    """A queryset update sends no signal; the code that does one touches the course, as
    another process's change is seen through the stamp it reads from the database."""
    lesson = Lesson.objects.filter(course=world.course, module__position=1).first()
    _page(client, world, lesson.module)
    Lesson.objects.filter(pk=lesson.pk).update(title="Bijgewerkt in bulk")
    course_touched(world.course.pk)
    assert "Bijgewerkt in bulk" in _page(client, world, lesson.module)


def test_learners_of_two_courses_each_get_their_own_outline(world, tmp_path):
    from courses.services import course_import
    from tests.course_files import write_course
    from tests.factories import CohortFactory, make_learner

    other = course_import(folder=write_course(tmp_path, modules=2, lessons=1)).course
    cohort = CohortFactory(course=other, organisation=world.acme)
    make_learner(cohort, email="carla@example.com")
    enrollments = list(
        Enrollment.objects.filter(cohort__in=[world.cohort, cohort]).select_related(
            "cohort", "cohort__course"
        )
    )
    now = timezone.now()
    course_states(enrollments, now=now)  # both outlines kept
    states = {state.enrollment.cohort_id: state for state in course_states(enrollments, now=now)}
    assert [m.module.course_id for m in states[cohort.pk].modules] == [other.pk, other.pk]
    assert {m.module.course_id for m in states[world.cohort.pk].modules} == {world.course.pk}
