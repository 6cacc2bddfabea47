"""Staff plan when modules open and work is due; the plan may not contradict itself."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from assignments.deadlines import ScheduleError, cohort_schedule_update
from assignments.models import AssignmentDeadline
from cohorts.models import ModuleRelease
from courses.models import Module
from tests.assignment_helpers import QUIZ, assignment


@pytest.fixture
def staff(client, world):
    client.force_login(world.staff)
    return client


def _dutch(day: datetime.date) -> str:
    with translation.override("nl"):
        return date_format(day, "DATE_FORMAT")


def _form_data(world, **dates):
    """Every schedule field empty (defaults) except those given."""
    data = {f"module_{m.pk}": "" for m in Module.objects.filter(course=world.course)}
    data |= {f"assignment_{a.pk}": "" for a in world.course.assignments.all()}
    return data | {key: value.isoformat() for key, value in dates.items()}


def test_a_module_opening_after_its_own_deadline_is_refused_naming_both_dates(staff, world):
    quiz = assignment(QUIZ)
    due = world.cohort.starts_on + datetime.timedelta(days=quiz.due_offset_days)
    opens = due + datetime.timedelta(days=2)
    response = staff.post(
        reverse("staff:cohort", args=[world.cohort.pk]),
        _form_data(world, **{f"module_{quiz.module_id}": opens}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "niets gewijzigd" in body
    assert f"Inleveren op {_dutch(due)}, vóór de module op {_dutch(opens)} opengaat" in body
    assert not ModuleRelease.objects.exists()


def test_moving_the_deadline_too_makes_the_same_opening_date_acceptable(staff, world):
    quiz = assignment(QUIZ)
    due = world.cohort.starts_on + datetime.timedelta(days=quiz.due_offset_days)
    opens = due + datetime.timedelta(days=2)
    later = opens + datetime.timedelta(days=7)
    module_fields = {f"module_{quiz.module_id}": opens}
    deadline_fields = {
        f"assignment_{a.pk}": later for a in world.course.assignments.filter(module=quiz.module)
    }
    response = staff.post(
        reverse("staff:cohort", args=[world.cohort.pk]),
        _form_data(world, **module_fields, **deadline_fields),
    )
    assert response.status_code == 302
    assert ModuleRelease.objects.get().opens_on == opens
    assert AssignmentDeadline.objects.filter(due_on=later).count() == len(deadline_fields)


def test_a_date_far_outside_the_cohort_is_refused(world):
    quiz = assignment(QUIZ)
    with pytest.raises(ScheduleError, match="niets gewijzigd") as caught:
        cohort_schedule_update(
            cohort=world.cohort,
            opens_on_by_module={},
            due_on_by_assignment={quiz: datetime.date(9999, 12, 31)},
        )
    assert quiz.pk in caught.value.assignment_messages
    assert not AssignmentDeadline.objects.exists()


def test_deadline_fields_are_grouped_under_their_module(staff, world):
    body = staff.get(reverse("staff:cohort", args=[world.cohort.pk])).content.decode()
    quiz = assignment(QUIZ)
    group = body.split(f"<legend>{quiz.module.title}</legend>")[1].split("</fieldset>")[0]
    assert f'name="module_{quiz.module_id}"' in group
    assert f'name="assignment_{quiz.pk}"' in group
    other = world.course.assignments.exclude(module=quiz.module).first()
    assert f'name="assignment_{other.pk}"' not in group
