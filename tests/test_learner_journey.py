"""The learner's path through the course: progress, release dates, reading."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from cohorts.services import module_release_set
from courses.models import Lesson, LessonProgress, Module
from learning.progress import course_state
from tests.assignment_helpers import PRE, assignment, scan_answers

FIRST = "wat-je-biedt-en-hoe-je-het-brengt"
SECOND = "gaten-in-plaats-van-boren"
LOCKED_MODULE = "de-klantendriehoek"
LOCKED_LESSON = "de-klant-is-geen-koning"


def _lesson_url(cohort, slug):
    return reverse("learn:lesson", args=[cohort.pk, slug])


def _read_url(cohort, slug):
    return reverse("learn:lesson_read", args=[cohort.pk, slug])


@pytest.fixture
def learner_client(client, world):
    client.force_login(world.learner)
    return client


def _counts(world) -> tuple[int, int]:
    """The course's lessons and assignments, as the progress bar counts them."""
    lessons = Lesson.objects.filter(
        module__course=world.course, archived=False, module__archived=False
    ).count()
    return lessons, world.course.assignments.filter(archived=False).count()


def _next_step(body: str) -> str:
    """The dashboard's next-step block ("Ga verder" and the like)."""
    return re.search(r'<div class="next-step">(.*?)</div>', body, re.DOTALL).group(1)


def _hand_in_the_baseline_scan(client, world) -> None:
    scan = assignment(PRE)
    url = reverse("learn:assignment_submit", args=[world.cohort.pk, PRE])
    assert client.post(url, scan_answers(scan)).status_code == 302


def test_dashboard_shows_progress_and_continue_to_the_first_lesson(learner_client, world):
    lessons, assignments = _counts(world)
    body = learner_client.get("/leren/").content.decode()
    assert "Van klantgericht naar klantbekwaam" in body
    assert "Voortgang: 0%" in body
    assert f"0 van {lessons} lessen gelezen · 0 van {assignments} opdrachten afgerond" in body
    # The baseline scan comes before the first lesson while it is open and not done.
    step = _next_step(body)
    assert f'href="{reverse("learn:assignment", args=[world.cohort.pk, PRE])}"' in step
    assert "Begin met de nulmeting" in step
    assert "Ga verder" not in step
    _hand_in_the_baseline_scan(learner_client, world)
    step = _next_step(learner_client.get("/leren/").content.decode())
    assert f'href="{_lesson_url(world.cohort, FIRST)}"' in step
    assert "Ga verder" in step
    assert "nulmeting" not in step


def test_reading_a_lesson_is_a_post_and_moves_progress_and_continue(learner_client, world):
    lessons, assignments = _counts(world)
    learner_client.get(_lesson_url(world.cohort, FIRST))
    assert LessonProgress.objects.count() == 0, "a GET never changes progress"
    response = learner_client.post(_read_url(world.cohort, FIRST))
    assert response.status_code == 302
    assert response["Location"] == _lesson_url(world.cohort, FIRST)
    body = learner_client.get(response["Location"]).content.decode()
    assert f"1 van {lessons} lessen gelezen" in body
    # Progress counts lessons read and assignments done alike: one of them all.
    assert f"Voortgang: {round(100 / (lessons + assignments))}%" in body
    # Reading a lesson does not skip the baseline scan; once it is done, "Ga verder"
    # goes to the next unread lesson.
    dashboard = learner_client.get("/leren/").content.decode()
    assert f'href="{reverse("learn:assignment", args=[world.cohort.pk, PRE])}"' in _next_step(
        dashboard
    )
    _hand_in_the_baseline_scan(learner_client, world)
    dashboard = learner_client.get("/leren/").content.decode()
    assert f'href="{_lesson_url(world.cohort, SECOND)}"' in _next_step(dashboard)


def test_marking_twice_keeps_one_record_with_the_first_moment(learner_client, world):
    learner_client.post(_read_url(world.cohort, FIRST))
    first = LessonProgress.objects.get().read_at
    learner_client.post(_read_url(world.cohort, FIRST))
    assert LessonProgress.objects.get().read_at == first


def test_read_url_refuses_get(learner_client, world):
    assert learner_client.get(_read_url(world.cohort, FIRST)).status_code == 405


def test_lesson_page_has_content_previous_and_next(learner_client, world):
    body = learner_client.get(_lesson_url(world.cohort, SECOND)).content.decode()
    assert "<h1>De klant koopt gaten, geen boren</h1>" in body
    assert "Leerdoel:" in body
    assert f'href="{_lesson_url(world.cohort, FIRST)}" rel="prev"' in body
    assert 'rel="next"' in body
    assert 'class="callout' in body


def test_module_page_lists_lessons_with_time_and_status(learner_client, world):
    learner_client.post(_read_url(world.cohort, FIRST))
    url = reverse("learn:module", args=[world.cohort.pk, "klantgericht-of-klantvriendelijk"])
    body = learner_client.get(url).content.decode()
    assert body.count("minuten") >= 3
    assert "Gelezen" in body
    assert "Nog niet begonnen" in body


def test_locked_module_shows_its_opening_date(learner_client, world):
    response = learner_client.get(reverse("learn:module", args=[world.cohort.pk, LOCKED_MODULE]))
    assert response.status_code == 403
    opens = world.cohort.starts_on + datetime.timedelta(days=14)
    assert "Deze module opent op" in response.content.decode()
    assert str(opens.day) in response.content.decode()


def test_locked_lesson_cannot_be_opened_or_marked_by_url(learner_client, world):
    assert learner_client.get(_lesson_url(world.cohort, LOCKED_LESSON)).status_code == 403
    assert learner_client.post(_read_url(world.cohort, LOCKED_LESSON)).status_code == 403
    assert LessonProgress.objects.count() == 0


def test_course_page_lists_locked_modules_with_dates(learner_client, world):
    body = learner_client.get(reverse("learn:cohort", args=[world.cohort.pk])).content.decode()
    assert body.count("badge-locked") == 2
    assert "Opent op" in body


def test_other_organisations_cohort_is_404(learner_client, world):
    assert learner_client.get(_lesson_url(world.other_cohort, FIRST)).status_code == 404
    assert learner_client.post(_read_url(world.other_cohort, FIRST)).status_code == 404
    url = reverse("learn:module", args=[world.other_cohort.pk, "de-vier-fasen"])
    assert learner_client.get(url).status_code == 404


def test_lesson_of_a_course_not_followed_is_404(learner_client, world, tmp_path):
    from courses.services import course_import
    from tests.course_files import write_course

    course_import(folder=write_course(tmp_path, slug="anders"))
    assert learner_client.get(_lesson_url(world.cohort, "les-1-1")).status_code == 404
    assert learner_client.get(_lesson_url(world.cohort, "bestaat-niet")).status_code == 404


def test_archived_lesson_is_gone_from_navigation_and_progress_kept(learner_client, world):
    learner_client.post(_read_url(world.cohort, SECOND))
    Lesson.objects.filter(slug=SECOND).update(archived=True)
    assert learner_client.get(_lesson_url(world.cohort, SECOND)).status_code == 404
    body = learner_client.get(_lesson_url(world.cohort, FIRST)).content.decode()
    assert SECOND not in body
    assert "0 van 15 lessen gelezen" in body
    assert LessonProgress.objects.filter(lesson__slug=SECOND).exists()


def test_staff_override_opens_a_module_early(learner_client, world):
    module = Module.objects.get(slug=LOCKED_MODULE)
    module_release_set(cohort=world.cohort, module=module, opens_on=timezone.localdate())
    response = learner_client.get(reverse("learn:module", args=[world.cohort.pk, LOCKED_MODULE]))
    assert response.status_code == 200
    # The other cohort keeps the default.
    state = course_state(world.learner_other.enrollments.get(), now=timezone.now())
    assert not state.module(LOCKED_MODULE).is_open


def test_first_module_opens_at_the_cohort_start_in_its_time_zone(world):
    cohort = world.cohort
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=datetime.date(2026, 3, 2), ends_on=datetime.date(2026, 5, 1),
        time_zone="Europe/Amsterdam",
    )  # fmt: skip
    enrollment = world.learner.enrollments.select_related("cohort__course").get()
    before = datetime.datetime(2026, 3, 1, 22, 59, tzinfo=datetime.UTC)  # 23:59 in Amsterdam
    after = datetime.datetime(2026, 3, 1, 23, 0, tzinfo=datetime.UTC)  # 00:00 on 2 March
    assert not course_state(enrollment, now=before).modules[0].is_open
    assert course_state(enrollment, now=after).modules[0].is_open
    second_opens = datetime.datetime(2026, 3, 8, 23, 0, tzinfo=datetime.UTC)  # 9 March local
    assert (
        not course_state(enrollment, now=second_opens - datetime.timedelta(minutes=1))
        .modules[1]
        .is_open
    )
    assert course_state(enrollment, now=second_opens).modules[1].is_open


def test_before_the_start_nothing_is_open_and_continue_is_absent(learner_client, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(
        starts_on=timezone.localdate() + datetime.timedelta(days=3),
        ends_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    body = learner_client.get("/leren/").content.decode()
    assert "Ga verder" not in body
    assert "opent op" in body


def test_html_in_a_display_name_is_harmless_on_the_course_page(client, world):
    world.trainer.display_name = "<img src=x onerror=alert(1)>"
    world.trainer.save()
    client.force_login(world.learner)
    body = client.get(reverse("learn:cohort", args=[world.cohort.pk])).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_staff_can_change_opening_dates_for_one_cohort(client, world):
    client.force_login(world.staff)
    module = Module.objects.get(slug=LOCKED_MODULE)
    url = reverse("staff:cohort", args=[world.cohort.pk])
    today = timezone.localdate().isoformat()
    response = client.post(url, {f"module_{module.pk}": today})
    assert response.status_code == 302
    assert world.cohort.module_releases.get().opens_on.isoformat() == today
    response = client.post(url, {f"module_{module.pk}": ""})
    assert not world.cohort.module_releases.exists()


def test_staff_schedule_rejects_bad_dates_and_changes_nothing(client, world):
    client.force_login(world.staff)
    module = Module.objects.get(slug=LOCKED_MODULE)
    other = Module.objects.get(slug="de-vier-fasen")
    response = client.post(
        reverse("staff:cohort", args=[world.cohort.pk]),
        {f"module_{module.pk}": "31-31-2026", f"module_{other.pk}": "2026-12-01"},
    )
    assert response.status_code == 200
    assert "31-31-2026" in response.content.decode()
    assert not world.cohort.module_releases.exists()


def test_with_every_open_lesson_read_continue_leads_to_the_open_work(learner_client, world):
    from courses.services import lesson_mark_read

    enrollment = world.learner.enrollments.select_related("cohort__course").get()
    now = timezone.now()
    state = course_state(enrollment, now=now)
    for lesson_state in state.lessons:
        if lesson_state.is_open:
            lesson_mark_read(enrollment=enrollment, lesson=lesson_state.lesson, now=now)
    first_work = course_state(enrollment, now=now).upcoming[0].assignment
    body = learner_client.get(reverse("learn:home")).content.decode()
    url = reverse("learn:assignment", args=[world.cohort.pk, first_work.slug])
    assert f'<a class="button" href="{url}">' in body
    assert "Je bent bij" not in body
