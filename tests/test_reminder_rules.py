"""Reminder rules, timing and bundling (issue 10).

What the sweep finds, for whom and when (rules, windows, quiet hours, DST), and that
each reminder leaves exactly once: one daily mail per learner with every item of the
day, claimed before it is sent, recovered when a worker is lost, and never split over
two mails by two sweeps at once. Every moment is explicit (``now=``); where the code
reads the clock itself (the beat task, the command without ``--at``) time_machine
sets it.

Both cohorts of the ``world`` are moved to fixed dates, so the dates below do not
depend on the day the suite runs. The shipped course, from START (day 0):

- module 1 opens day 0: fasescan-voor due day 3, kwadrant-scan day 5,
  quiz-twee-dimensies day 7, reflectie-vriendelijk-maar-niet-geholpen day 10;
- module 2 opens day 7: quiz-vier-fasen due day 13, reflectie-fase-organisatie day 17;
- module 3 opens day 14, module 4 day 21.
"""

import datetime
import io
import re
import threading
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.mail import TransientSendError
from accounts.models import User
from accounts.services import user_create
from assignments.models import Grade
from assignments.services import (
    quiz_submit,
    reflection_draft,
    reflection_submit,
    submission_grade,
)
from cohorts.models import Cohort, Enrollment
from cohorts.services import enrollment_create, enrollment_withdraw
from courses.models import Lesson
from courses.services import lesson_mark_read
from lms.celery import app
from notifications import mail as reminder_mail
from notifications import services, tasks
from notifications.mail import unsubscribe_token
from notifications.models import (
    LEARNER_CATEGORIES,
    Category,
    CohortReminderRules,
    MailOptOut,
    Message,
    ReminderItem,
    Rule,
)
from notifications.rules import (
    find_candidates,
    is_daytime,
    local_now,
    next_daytime,
    waiting_work,
)
from tests.assignment_helpers import PRE, QUIZ, REFLECTION, SCAN, assignment, quiz_answers, words
from tests.factories import make_learner
from tests.smtp import SmtpSink

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
# A Monday; Amsterdam is on CET (+01:00) until 29 March 2026.
START = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


def local(day: int, hour: int = 9, minute: int = 0):
    """``day`` days after START at hour:minute on the Amsterdam wall clock."""
    return datetime.datetime.combine(
        START + datetime.timedelta(days=day), datetime.time(hour, minute), tzinfo=AMS
    )


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def _move_cohorts(world, start: datetime.date, *, days: int = 60) -> None:
    cohorts = [world.cohort, world.other_cohort]
    Cohort.objects.filter(pk__in=[c.pk for c in cohorts]).update(
        starts_on=start, ends_on=start + datetime.timedelta(days=days)
    )
    Enrollment.objects.filter(cohort__in=cohorts).update(starts_on=start)
    for cohort in cohorts:
        cohort.refresh_from_db()


@pytest.fixture
def course(world):
    """The world, with both cohorts running from START for 60 days."""
    _move_cohorts(world, START)
    return world


def _enrollment(user) -> Enrollment:
    return Enrollment.objects.select_related("cohort", "cohort__course").get(user=user)


def _target(slug: str, user) -> str:
    return f"assignment:{assignment(slug).pk}:{_enrollment(user).pk}"


def _found(now, user) -> set[tuple[str, str, str]]:
    """(rule, target, occurrence) of what the rules find for ``user`` at ``now``."""
    return {
        (c.rule, c.target, c.occurrence)
        for c in find_candidates(now=now)
        if c.recipient.pk == user.pk
    }


def _rules(now, user) -> set[str]:
    return {rule for rule, _target, _occurrence in _found(now, user)}


def _items(user, **filters) -> list[ReminderItem]:
    return list(
        ReminderItem.objects.filter(recipient=user, **filters)
        .select_related("message")
        .order_by("created_at", "pk")
    )


def _run(now):
    """One beat: the sweep, and the sends it hands out, in this process."""
    result = services.reminders_sweep(now=now)
    return result, services.messages_send_all(result.to_send, now=now)


# --- doing work at a moment (created_at is the wall clock, so the clock is set too) ---


def _submit_reflection(user, now):
    """Module 1's reflection, submitted at ``now``: it waits for the trainer."""
    with time_machine.travel(now, tick=False):
        draft = reflection_draft(enrollment=_enrollment(user), assignment=assignment(REFLECTION))
        return reflection_submit(
            submission=draft, answers={"verhaal": words(100)}, based_on=draft.version, now=now
        )


def _quiz(user, now, *, wrong=0):
    quiz = assignment(QUIZ)
    with time_machine.travel(now, tick=False):
        return quiz_submit(
            enrollment=_enrollment(user),
            assignment=quiz,
            raw_answers=quiz_answers(quiz, wrong=wrong),
            now=now,
        )


def _grade(submission, trainer, now):
    criteria = submission.assignment.config["rubric"]["criteria"]
    with time_machine.travel(now, tick=False):
        return submission_grade(
            submission=submission,
            trainer=trainer,
            rubric_scores={c["id"]: c["levels"][0]["points"] for c in criteria},
            comment="Goed.",
            decision=Grade.Decision.RETURNED,
            now=now,
        )


def _read_lesson(user, now):
    enrollment = _enrollment(user)
    lesson = Lesson.objects.filter(module__course=enrollment.cohort.course).order_by("pk").first()
    with time_machine.travel(now, tick=False):
        return lesson_mark_read(enrollment=enrollment, lesson=lesson, now=now)


# --- (a) due soon and overdue -------------------------------------------------------------


def test_due_soon_fires_three_days_and_one_day_before_and_overdue_one_day_after(course):
    alice = course.learner
    scan = _target(SCAN, alice)  # due day 5
    seen = {}
    for day in range(-1, 14):
        found = {
            (rule, occ) for rule, target, occ in _found(local(day, 10), alice) if target == scan
        }
        seen[day] = found
    due = "20260307"
    assert seen[-1] == set()  # before the cohort starts
    assert seen[0] == seen[1] == set()  # more than three days before
    assert seen[2] == seen[3] == {(Rule.DUE_SOON, f"d3:{due}")}
    assert seen[4] == seen[5] == {(Rule.DUE_SOON, f"d1:{due}")}
    # Overdue from the day after, for a week of catching up, then never again.
    for day in range(6, 13):
        assert seen[day] == {(Rule.OVERDUE, f"late:{due}")}, day
    assert seen[13] == set()


def test_handed_in_work_gets_no_deadline_reminders_and_failed_quiz_still_does(course):
    alice, bob = course.learner, course.learner_other
    _submit_reflection(alice, local(0, 12))  # due day 10: waits for the trainer
    _quiz(alice, local(0, 13))  # due day 7: passed
    _quiz(bob, local(0, 13), wrong=99)  # bob's attempt fails: not handed in
    # From the quiz's first reminder (day 4) to the reflection's last (day 17).
    for day in range(3, 19):
        for rule, target, _occ in _found(local(day, 10), alice):
            assert target not in {_target(REFLECTION, alice), _target(QUIZ, alice)}, (day, rule)
    # The same days find both reminders for bob, whose quiz failed.
    bob_quiz = _target(QUIZ, bob)
    assert (Rule.DUE_SOON, bob_quiz, "d3:20260309") in _found(local(4, 10), bob)
    assert (Rule.DUE_SOON, bob_quiz, "d1:20260309") in _found(local(6, 10), bob)
    assert (Rule.OVERDUE, bob_quiz, "late:20260309") in _found(local(8, 10), bob)


# --- (a) inactive ----------------------------------------------------------------------------


def test_inactive_after_seven_idle_days_counted_from_the_start(course):
    alice = course.learner
    target = f"enrollment:{_enrollment(alice).pk}"
    # Idle since the start (day 0, 00:00 local): seven full days pass on day 7 at 00:00.
    assert Rule.INACTIVE not in _rules(local(6, 19, 59), alice)
    assert (Rule.INACTIVE, target, "202603012300:1") in _found(local(7, 8), alice)


def test_inactive_needs_a_running_cohort(course):
    alice = course.learner
    Cohort.objects.filter(pk=course.cohort.pk).update(ends_on=START + 9 * DAY)
    assert Rule.INACTIVE in _rules(local(9, 10), alice)
    assert _found(local(10, 10), alice) == set()


def test_any_activity_starts_a_new_quiet_period(course):
    alice = course.learner
    target = f"enrollment:{_enrollment(alice).pk}"
    assert (Rule.INACTIVE, target, "202603012300:2") in _found(local(14, 10), alice)
    _read_lesson(alice, local(10, 12))
    # Four days after the lesson: not quiet any more.
    assert Rule.INACTIVE not in _rules(local(14, 10), alice)
    assert Rule.INACTIVE not in _rules(local(17, 11, 59), alice)
    # Seven days after it: a new period, with a new key (the activity's moment, in UTC).
    assert (Rule.INACTIVE, target, "202603121100:1") in _found(local(17, 12), alice)


# --- (a) module released ---------------------------------------------------------------------


def test_module_released_on_the_day_a_later_module_opens(course):
    alice = course.learner
    enrollment = _enrollment(alice)
    modules = list(course.course.modules.order_by("position"))
    released = {
        day: {t for rule, t, _o in _found(local(day, 10), alice) if rule == Rule.MODULE_RELEASED}
        for day in range(16)
    }
    second = f"module:{modules[1].pk}:{enrollment.pk}"
    third = f"module:{modules[2].pk}:{enrollment.pk}"
    # The first module opens with the course (the invitation says so): never announced.
    assert released[0] == set()
    assert released[6] == set()
    assert released[7] == {second}
    assert released[8] == {second}  # the catch-up window: the next day still
    assert released[9] == set()
    assert released[14] == {third}


# --- (a) the trainer's digest and the organisation admin's summary --------------------------


def test_trainer_digest_only_while_reflections_wait_with_count_and_oldest(course):
    tara, theo = course.trainer, course.trainer_other
    assert Rule.TRAINER_DIGEST not in _rules(local(2, 10), tara)
    carl = make_learner(course.cohort, email="carl@example.com", display_name="Carl")
    first = _submit_reflection(course.learner, local(1, 10))
    _submit_reflection(carl, local(2, 11))
    assert _found(local(3, 10), tara) == {(Rule.TRAINER_DIGEST, "queue", "20260305")}
    assert _found(local(3, 10), theo) == set()  # nothing waits in Bolt
    assert waiting_work(tara, now=local(3, 10)) == (2, first.submitted_at)
    # Graded work no longer waits; the oldest is now Carl's.
    _grade(first, tara, local(3, 11))
    assert waiting_work(tara, now=local(3, 12)) == (1, local(2, 11))


def test_org_admin_summary_on_monday_from_eight_local_only(course):
    olga, otto = course.org_admin, course.org_admin_other
    monday = 7  # 9 March 2026
    assert _found(local(monday, 7, 59), olga) == set()
    found = _found(local(monday, 8), olga)
    assert found == {(Rule.ORG_SUMMARY, f"organisation:{course.acme.pk}", "2026-W11")}
    assert _found(local(monday, 8), otto) == {
        (Rule.ORG_SUMMARY, f"organisation:{course.bolt.pk}", "2026-W11")
    }
    assert _found(local(monday, 19, 59), olga) == found
    assert _found(local(monday, 20), olga) == set()
    for day in (monday - 1, monday + 1, monday + 4):
        assert _found(local(day, 10), olga) == set(), day


# --- (a) feedback ready (event mail, on commit) ---------------------------------------------


def test_feedback_ready_is_written_with_the_grade_and_published_on_commit(
    course, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr(
        tasks.send_message, "apply_async", lambda args, **_kw: published.append(args[0])
    )
    submission = _submit_reflection(course.learner, local(1, 10))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grade = _grade(submission, course.trainer, local(2, 10))
        message = Message.objects.get(recipient=course.learner)
        assert published == []  # nothing leaves before the grade commits
    assert message.kind == Message.Kind.EVENT
    assert (message.local_date, message.send_after) == (START + 2 * DAY, local(2, 10))
    [item] = message.items.all()
    assert (item.rule, item.target, item.occurrence) == (
        Rule.FEEDBACK_READY,
        f"grade:{grade.pk}",
        "released",
    )
    for callback in callbacks:
        callback()
    assert published == [message.pk]


def test_feedback_ready_at_night_waits_for_eight_local(course):
    submission = _submit_reflection(course.learner, local(1, 10))
    _grade(submission, course.trainer, local(2, 22, 30))
    message = Message.objects.get(recipient=course.learner)
    assert message.send_after == local(3, 8)


def test_feedback_ready_not_for_a_withdrawn_learner(course):
    submission = _submit_reflection(course.learner, local(1, 10))
    enrollment_withdraw(enrollment=_enrollment(course.learner), by=course.staff, now=local(2, 9))
    _grade(submission, course.trainer, local(2, 10))
    assert not Message.objects.filter(recipient=course.learner).exists()
    assert not ReminderItem.objects.filter(recipient=course.learner).exists()


# --- (a) who gets nothing ---------------------------------------------------------------------

# Day 7 at 10:00: every learner rule has something (overdue, due soon, a module
# opened, a quiet week), Tara has a reflection waiting and it is Monday for Olga.
BUSY = local(7, 10)


@pytest.fixture
def busy(course):
    _submit_reflection(course.learner_other, local(0, 9))  # Bolt: Theo has work waiting
    carl = make_learner(course.cohort, email="carl@example.com", display_name="Carl")
    _submit_reflection(carl, local(0, 9))  # Acme: Tara has work waiting
    course.carl = carl
    return course


def test_busy_day_finds_every_rule_for_the_people_concerned(busy):
    assert _rules(BUSY, busy.learner) == {
        Rule.DUE_SOON,
        Rule.OVERDUE,
        Rule.MODULE_RELEASED,
        Rule.INACTIVE,
    }
    assert _rules(BUSY, busy.trainer) == {Rule.TRAINER_DIGEST}
    assert _rules(BUSY, busy.org_admin) == {Rule.ORG_SUMMARY}
    assert _found(BUSY, busy.staff) == _found(BUSY, busy.nobody) == set()


def test_withdrawn_learner_gets_nothing(busy):
    enrollment_withdraw(enrollment=_enrollment(busy.learner), by=busy.staff, now=local(1, 9))
    assert _found(BUSY, busy.learner) == set()
    # Carl, in the same cohort, is untouched.
    assert Rule.OVERDUE in _rules(BUSY, busy.carl)


def test_ended_cohort_gets_nothing(busy):
    Cohort.objects.filter(pk=busy.cohort.pk).update(ends_on=START + 6 * DAY)
    for person in (busy.learner, busy.carl, busy.trainer, busy.org_admin):
        assert _found(BUSY, person) == set(), person
    assert Rule.OVERDUE in _rules(BUSY, busy.learner_other)  # Bolt runs on


def test_archived_cohort_gets_nothing(busy):
    # Archiving needs an ended cohort (the service checks); set it directly so the
    # dates alone would still say "running": the archive flag must stop everything.
    Cohort.objects.filter(pk=busy.cohort.pk).update(archived_at=local(6, 10))
    for person in (busy.learner, busy.carl, busy.trainer, busy.org_admin):
        assert _found(BUSY, person) == set(), person
    assert _rules(BUSY, busy.trainer_other) == {Rule.TRAINER_DIGEST}


@pytest.mark.parametrize("who", ["learner", "trainer", "org_admin"])
def test_deactivated_account_gets_nothing(busy, who):
    person = getattr(busy, who)
    assert _found(BUSY, person) != set()
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    assert _found(BUSY, person) == set()


def test_invitee_without_a_password_gets_nothing(busy):
    noor = user_create(email="noor@example.com", display_name="Noor")  # no password yet
    enrollment_create(cohort=busy.cohort, user=noor)
    assert _found(BUSY, noor) == set()
    noor.set_password("zeven-blauwe-fietsen-42")
    noor.save(update_fields=["password"])
    assert Rule.OVERDUE in _rules(BUSY, noor)


def test_opt_out_stops_that_category_only(busy):
    alice = busy.learner
    MailOptOut.objects.create(user=alice, category=Category.DEADLINES)
    MailOptOut.objects.create(user=busy.trainer, category=Category.TRAINER_DIGEST)
    MailOptOut.objects.create(user=busy.org_admin, category=Category.ORG_SUMMARY)
    result = services.reminders_sweep(now=BUSY)
    assert {i.rule for i in _items(alice)} == {Rule.MODULE_RELEASED, Rule.INACTIVE}
    assert not Message.objects.filter(recipient__in=[busy.trainer, busy.org_admin]).exists()
    # The others are untouched.
    assert {i.rule for i in _items(busy.carl)} >= {Rule.DUE_SOON, Rule.OVERDUE}
    assert [e.recipient for e in result.planned if e.kind == Message.Kind.DIGEST] == [
        busy.trainer_other.email
    ]


# --- (a) staff's rules per cohort ----------------------------------------------------------


def test_cohort_rules_change_the_days(course):
    CohortReminderRules.objects.create(
        cohort=course.cohort, due_soon_first_days=5, due_soon_second_days=2, overdue_days=3
    )
    # reflectie-fase-organisatie is due on day 17 (module 2 opens on day 7).
    slug = "reflectie-fase-organisatie"
    changed, default = _target(slug, course.learner), _target(slug, course.learner_other)

    def deadline_rules(day, user, target):
        return {
            occurrence.split(":")[0]
            for rule, t, occurrence in _found(local(day, 10), user)
            if t == target
        }

    acme = {day: deadline_rules(day, course.learner, changed) for day in range(11, 22)}
    bolt = {day: deadline_rules(day, course.learner_other, default) for day in range(11, 22)}
    assert acme == {
        11: set(),
        12: {"d5"},
        13: {"d5"},
        14: {"d5"},
        15: {"d2"},
        16: {"d2"},
        17: {"d2"},
        18: set(),
        19: set(),
        20: {"late"},
        21: {"late"},
    }
    assert bolt == {
        11: set(),
        12: set(),
        13: set(),
        14: {"d3"},
        15: {"d3"},
        16: {"d1"},
        17: {"d1"},
        18: {"late"},
        19: {"late"},
        20: {"late"},
        21: {"late"},
    }


def test_cohort_rules_change_the_quiet_period(course):
    CohortReminderRules.objects.create(cohort=course.cohort, inactive_days=10)
    assert Rule.INACTIVE not in _rules(local(9, 23), course.learner)
    assert Rule.INACTIVE in _rules(local(10, 9), course.learner)
    assert Rule.INACTIVE in _rules(local(9, 10), course.learner_other)  # Bolt: seven


def test_cohort_rules_switch_rules_off(busy):
    CohortReminderRules.objects.create(
        cohort=busy.cohort,
        due_soon=False,
        overdue=False,
        inactive=False,
        module_released=False,
        trainer_digest=False,
        org_summary=False,
    )
    for person in (busy.learner, busy.carl, busy.trainer, busy.org_admin):
        assert _found(BUSY, person) == set(), person
    # Bolt keeps the defaults.
    assert _rules(BUSY, busy.learner_other) >= {Rule.OVERDUE, Rule.MODULE_RELEASED}
    assert _rules(BUSY, busy.trainer_other) == {Rule.TRAINER_DIGEST}
    assert _rules(BUSY, busy.org_admin_other) == {Rule.ORG_SUMMARY}


def test_feedback_ready_switched_off_by_the_cohort_rules(course):
    CohortReminderRules.objects.create(cohort=course.cohort, feedback_ready=False)
    submission = _submit_reflection(course.learner, local(1, 10))
    _grade(submission, course.trainer, local(2, 10))
    assert not Message.objects.filter(recipient=course.learner).exists()


def test_feedback_ready_stopped_by_the_learners_opt_out(course):
    MailOptOut.objects.create(user=course.learner, category=Category.FEEDBACK)
    submission = _submit_reflection(course.learner, local(1, 10))
    _grade(submission, course.trainer, local(2, 10))
    assert not Message.objects.filter(recipient=course.learner).exists()


# --- (a) quiet hours and time zones --------------------------------------------------------


def _daily(user):
    return Message.objects.filter(recipient=user, kind=Message.Kind.DAILY)


def test_nothing_is_written_outside_eight_to_eight_local(course):
    alice = course.learner
    services.reminders_sweep(now=local(4, 7, 59))
    services.reminders_sweep(now=local(3, 20, 0))
    assert not Message.objects.exists()
    services.reminders_sweep(now=local(4, 8, 0))
    assert _daily(alice).get().local_date == START + 4 * DAY


def test_last_minute_of_the_day_still_counts(course):
    services.reminders_sweep(now=local(4, 19, 59))
    assert _daily(course.learner).get().local_date == START + 4 * DAY


def test_a_person_in_another_time_zone_is_handled_in_theirs(course):
    alice, bob = course.learner, course.learner_other
    type(alice).objects.filter(pk=alice.pk).update(time_zone="America/New_York")
    # 6 March 07:00 UTC: 08:00 in Amsterdam, 02:00 in New York (EST, -05:00).
    services.reminders_sweep(now=utc(3, 6, 7))
    assert _daily(bob).exists()
    assert not _daily(alice).exists()
    # 7 March 00:30 UTC: 01:30 in Amsterdam, still 6 March 19:30 in New York.
    services.reminders_sweep(now=utc(3, 7, 0, 30))
    message = _daily(alice).get()
    assert message.local_date == datetime.date(2026, 3, 6)  # her date, not UTC's
    assert _daily(bob).count() == 1  # night in Amsterdam: nothing new for Bob
    # 7 March 01:00 UTC is 20:00 in New York: nothing more for her that day.
    assert _found(utc(3, 7, 1), alice) == set()


# --- (a) the two DST changes of 2026 in Europe/Amsterdam ---------------------------------
# 29 March 02:00 → 03:00: 08:00 is 07:00 UTC the day before (CET), 06:00 UTC that day (CEST).
# 25 October 03:00 → 02:00: 08:00 is 06:00 UTC the day before (CEST), 07:00 UTC that day (CET).

DST_DAYS = {
    "spring": {
        "start": START,
        "day": datetime.date(2026, 3, 29),
        "day_before": (utc(3, 28, 6, 59), utc(3, 28, 7)),
        "on_the_day": (utc(3, 29, 5, 59), utc(3, 29, 6)),
        "evening": (utc(3, 29, 17, 59), utc(3, 29, 18)),
    },
    "autumn": {
        "start": datetime.date(2026, 10, 5),
        "day": datetime.date(2026, 10, 25),
        "day_before": (utc(10, 24, 5, 59), utc(10, 24, 6)),
        "on_the_day": (utc(10, 25, 6, 59), utc(10, 25, 7)),
        "evening": (utc(10, 25, 18, 59), utc(10, 25, 19)),
    },
}


@pytest.mark.parametrize("change", ["spring", "autumn"])
def test_daytime_starts_at_eight_local_on_both_sides_of_a_dst_change(world, change):
    case = DST_DAYS[change]
    _move_cohorts(world, case["start"])
    alice = world.learner
    for refused, accepted in (case["day_before"], case["on_the_day"]):
        assert local_now(alice, refused).time() == datetime.time(7, 59)
        assert not is_daytime(alice, refused)
        assert is_daytime(alice, accepted)
    last, closed = case["evening"]
    assert is_daytime(alice, last)
    assert not is_daytime(alice, closed)
    # The sweep follows: 07:59 local writes nothing, 08:00 local writes the day's mail.
    refused, accepted = case["on_the_day"]
    services.reminders_sweep(now=refused)
    assert not _daily(alice).exists()
    services.reminders_sweep(now=accepted)
    message = _daily(alice).get()
    assert message.local_date == case["day"]
    assert message.items.filter(rule=Rule.INACTIVE).exists()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Spring: the evening before (CET), the night across the change, the day (CEST).
        (utc(3, 28, 19, 30), utc(3, 29, 6)),
        (utc(3, 29, 0, 30), utc(3, 29, 6)),  # 01:30 CET, before the clocks jump
        (utc(3, 29, 1, 30), utc(3, 29, 6)),  # 03:30 CEST, after
        (utc(3, 29, 6), utc(3, 29, 6)),  # daytime: now
        (utc(3, 29, 18), utc(3, 30, 6)),  # 20:00 CEST
        # Autumn: the evening before (CEST), 02:30 twice, the evening after (CET).
        (utc(10, 24, 18, 30), utc(10, 25, 7)),
        (utc(10, 25, 0, 30), utc(10, 25, 7)),  # 02:30 CEST, the first time
        (utc(10, 25, 1, 30), utc(10, 25, 7)),  # 02:30 CET, the second time
        (utc(10, 24, 17, 59), utc(10, 24, 17, 59)),  # 19:59 CEST: now
        (utc(10, 25, 19), utc(10, 26, 7)),  # 20:00 CET
    ],
)
def test_next_daytime_is_eight_local_across_dst(now, expected):
    assert next_daytime(User(time_zone="Europe/Amsterdam"), now) == expected


def test_event_mail_graded_the_night_before_the_change_waits_for_eight_cest(world):
    _move_cohorts(world, START)
    submission = _submit_reflection(world.learner, local(25, 10))
    _grade(submission, world.trainer, local(26, 22))  # 28 March 22:00 CET
    message = Message.objects.get(recipient=world.learner)
    assert message.send_after == utc(3, 29, 6)
    assert message.local_date == datetime.date(2026, 3, 28)


# --- (b)/(f) bundling and exactly once -----------------------------------------------------


@pytest.fixture
def eager():
    """Tasks run in this process when published (no broker, no worker)."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "notifications.backends.LocmemBackend"
    mail.outbox = []
    return mail.outbox


def _to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_three_due_items_make_one_daily_message_and_one_email(course, locmem):
    alice = course.learner
    # Day 4: the baseline fasescan is a day late, the kwadrant-scan and the quiz are due
    # in 1 and 3 days.
    result, counts = _run(local(4, 9))
    message = _daily(alice).get()
    assert sorted((i.rule, i.assignment.slug) for i in message.items.all()) == [
        (Rule.DUE_SOON, SCAN),
        (Rule.DUE_SOON, QUIZ),
        (Rule.OVERDUE, PRE),
    ]
    assert Message.objects.filter(recipient=alice).count() == 1
    [email] = _to(alice)
    message.refresh_from_db()
    assert (message.status, message.sent_at, message.attempts) == (
        Message.Status.SENT,
        local(4, 9),
        1,
    )
    assert counts == {Message.Status.SENT: 2}  # Alice and Bob
    [planned] = [e for e in result.planned if e.recipient == alice.email]
    assert sorted(planned.rules) == [Rule.DUE_SOON, Rule.OVERDUE]
    assert len(planned.targets) == 3
    # The mail names the work and links to it, with a one-click unsubscribe.
    body = email.body
    for slug in (PRE, SCAN, QUIZ):
        assert assignment(slug).title in body
        assert f"/{slug}/" in body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_each_deadline_reminder_is_sent_once(course, locmem):
    alice = course.learner
    for day in range(12):
        _run(local(day, 9))
    scan = [i for i in _items(alice) if i.assignment and i.assignment.slug == SCAN]
    # Due on day 5.
    assert [(i.rule, i.occurrence, i.message.local_date) for i in scan] == [
        (Rule.DUE_SOON, "d3:20260307", START + 2 * DAY),
        (Rule.DUE_SOON, "d1:20260307", START + 4 * DAY),
        (Rule.OVERDUE, "late:20260307", START + 6 * DAY),
    ]
    assert all(i.message.status == Message.Status.SENT for i in scan)
    # At most one reminder mail a day, each with its own date.
    dates = list(_daily(alice).values_list("local_date", flat=True))
    assert len(dates) == len(set(dates)) == len(_to(alice))


def test_idle_three_weeks_gets_one_reminder_a_week(course, locmem):
    alice = course.learner
    for day in range(23):
        _run(local(day, 9))
    quiet = _items(alice, rule=Rule.INACTIVE)
    assert [(i.occurrence, i.message.local_date) for i in quiet] == [
        ("202603012300:1", START + 7 * DAY),
        ("202603012300:2", START + 14 * DAY),
        ("202603012300:3", START + 21 * DAY),
    ]
    assert {i.message.status for i in quiet} == {Message.Status.SENT}


def test_sweeping_twice_writes_nothing_new(course, locmem):
    _submit_reflection(course.learner_other, local(6, 9))
    _run(local(7, 10))
    written = sorted(Message.objects.values_list("recipient__email", "kind", "status"))
    assert written == [
        (course.learner.email, Message.Kind.DAILY, Message.Status.SENT),
        (course.learner_other.email, Message.Kind.DAILY, Message.Status.SENT),
        (course.org_admin.email, Message.Kind.SUMMARY, Message.Status.SENT),
        (course.org_admin_other.email, Message.Kind.SUMMARY, Message.Status.SENT),
        (course.trainer_other.email, Message.Kind.DIGEST, Message.Status.SENT),
    ]
    counts = (Message.objects.count(), ReminderItem.objects.count(), len(mail.outbox))
    result, sent = _run(local(7, 10))
    assert (result.planned, result.to_send, sent) == ([], [], {})
    result, sent = _run(local(7, 15))
    assert (result.planned, sent) == ([], {})
    assert (Message.objects.count(), ReminderItem.objects.count(), len(mail.outbox)) == counts


def test_sending_a_message_twice_sends_one_email(course, locmem):
    now = local(4, 9)
    services.reminders_sweep(now=now)
    message = _daily(course.learner).get()
    assert services.message_send(message_id=message.pk, now=now) == Message.Status.SENT
    assert services.message_send(message_id=message.pk, now=now) == "skipped"
    assert services.message_send(message_id=message.pk, now=now + 10 * DAY) == "skipped"
    assert len(_to(course.learner)) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_claiming_twice_gives_the_message_to_one_caller(course, locmem):
    now = local(4, 9)
    services.reminders_sweep(now=now)
    message = _daily(course.learner).get()
    assert services.message_claim(message_id=message.pk, now=now) is True
    assert services.message_claim(message_id=message.pk, now=now) is False
    # The claim holder is gone (no send); another sender within the lease gets nothing.
    assert services.message_send(message_id=message.pk, now=now + 4 * MINUTE) == "skipped"
    assert _to(course.learner) == []


@pytest.mark.parametrize(
    ("claimed_ago", "resent"), [(services.CLAIM_LEASE + MINUTE, True), (MINUTE, False)]
)
def test_a_message_stuck_in_sending_is_reclaimed_after_the_lease(
    course, locmem, claimed_ago, resent
):
    now = local(4, 9)
    services.reminders_sweep(now=now)
    message = _daily(course.learner).get()
    later = now + datetime.timedelta(minutes=30)
    # A worker claimed it and was lost before it sent.
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=later - claimed_ago, attempts=1
    )
    result, _counts = _run(later)
    assert (message.pk in result.to_send) is resent
    message.refresh_from_db()
    if resent:
        assert (message.status, message.attempts, message.sent_at) == (
            Message.Status.SENT,
            2,
            later,
        )
        assert len(_to(course.learner)) == 1
    else:
        assert (message.status, message.attempts) == (Message.Status.SENDING, 1)
        assert _to(course.learner) == []


def test_items_found_after_todays_mail_wait_for_tomorrow(course, locmem):
    alice = course.learner
    _read_lesson(alice, local(1, 15))  # quiet from day 8, 15:00
    _run(local(8, 9))
    [sent] = _daily(alice)
    assert not sent.items.filter(rule=Rule.INACTIVE).exists()
    assert Rule.INACTIVE in _rules(local(8, 16), alice)
    result, _counts = _run(local(8, 16))
    assert alice.email not in [e.recipient for e in result.planned]
    assert _daily(alice).count() == 1
    assert len(_to(alice)) == 1
    assert not _items(alice, rule=Rule.INACTIVE)
    # The next morning it goes out, in that day's mail.
    _run(local(9, 9))
    [quiet] = _items(alice, rule=Rule.INACTIVE)
    assert quiet.message.local_date == START + 9 * DAY
    assert quiet.message.status == Message.Status.SENT
    assert len(_to(alice)) == 2


@pytest.fixture
def rendered(monkeypatch):
    """The template and context of every reminder mail built (the real rendering runs)."""
    calls = []
    real = reminder_mail.render_email

    def spy(template, context, language, **kwargs):
        calls.append((template, dict(context)))
        return real(template, context, language, **kwargs)

    monkeypatch.setattr(reminder_mail, "render_email", spy)
    return calls


def test_digest_mail_carries_the_count_and_the_oldest_wait(course, locmem, rendered):
    carl = make_learner(course.cohort, email="carl@example.com", display_name="Carl")
    first = _submit_reflection(course.learner, local(1, 10))
    _submit_reflection(carl, local(2, 11))
    _run(local(3, 10))
    [(template, context)] = [(t, c) for t, c in rendered if c["to"] == course.trainer.email]
    assert template == "reminder_digest"
    assert (context["waiting_count"], context["oldest"]) == (2, first.submitted_at)
    assert context["waiting_days"] == 2
    assert len(_to(course.trainer)) == 1
    assert Message.objects.get(recipient=course.trainer).kind == Message.Kind.DIGEST


def test_work_handed_in_after_it_was_found_is_left_out_of_the_mail(course, locmem, rendered):
    alice = course.learner
    services.reminders_sweep(now=local(4, 9))
    message = _daily(alice).get()
    # The baseline fasescan overdue, the kwadrant-scan and the quiz due soon.
    assert message.items.count() == 3
    _quiz(alice, local(4, 9, 5))
    services.message_send(message_id=message.pk, now=local(4, 9, 10))
    [context] = [c for _t, c in rendered if c["to"] == alice.email]
    assert context["item_count"] == 2
    assert [entry["title"] for entry in context["due_soon"]] == [assignment(SCAN).title]
    dropped = message.items.get(dropped=True)
    assert dropped.assignment.slug == QUIZ
    assert len(_to(alice)) == 1


def test_an_opt_out_after_the_sweep_drops_the_items_and_cancels_an_empty_mail(course, locmem):
    alice = course.learner
    services.reminders_sweep(now=local(4, 9))
    message = _daily(alice).get()
    MailOptOut.objects.create(user=alice, category=Category.DEADLINES)
    assert services.message_send(message_id=message.pk, now=local(4, 9, 5)) == "cancelled"
    assert message.items.filter(dropped=True).count() == 3
    assert _to(alice) == []


def test_feedback_ready_mail_leaves_on_commit(
    course, locmem, eager, django_capture_on_commit_callbacks
):
    submission = _submit_reflection(course.learner, local(1, 10))
    # The task reads the clock when it runs: it is the moment of grading.
    with (
        time_machine.travel(local(2, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _grade(submission, course.trainer, local(2, 10))
        assert _to(course.learner) == []  # not before the commit
    [email] = _to(course.learner)
    assert "Goed." not in email.body  # never the feedback text
    message = Message.objects.get(recipient=course.learner)
    assert (message.status, message.sent_at) == (Message.Status.SENT, local(2, 10))


# --- the beat task -----------------------------------------------------------------------------


def test_beat_task_writes_what_the_sweep_finds_and_sends_it(course, locmem, eager):
    now = local(7, 10)  # a Monday: summaries too
    _submit_reflection(course.learner_other, local(6, 9))
    planned = services.reminders_sweep(now=now, dry_run=True).planned
    assert not Message.objects.exists()  # the preview wrote nothing
    with time_machine.travel(now, tick=False):
        handed_out = tasks.sweep()
    messages = list(Message.objects.select_related("recipient"))
    assert sorted((m.recipient.email, m.kind) for m in messages) == sorted(
        (e.recipient, e.kind) for e in planned
    )
    assert {e.recipient for e in planned} == {
        course.learner.email,
        course.learner_other.email,
        course.trainer_other.email,
        course.org_admin.email,
        course.org_admin_other.email,
    }
    for email in planned:
        rules = set(
            ReminderItem.objects.filter(recipient__email=email.recipient).values_list(
                "rule", flat=True
            )
        )
        assert rules == set(email.rules), email.recipient
    assert handed_out == len(messages)
    assert {m.status for m in Message.objects.all()} == {Message.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.recipient for e in planned)


def test_beat_task_at_night_writes_nothing(course, locmem, eager):
    with time_machine.travel(local(7, 3), tick=False):
        assert tasks.sweep() == 0
    assert not Message.objects.exists()
    assert mail.outbox == []


# --- the reminders command --------------------------------------------------------------------


def _command(*args, clock=None) -> str:
    out = io.StringIO()
    with time_machine.travel(clock or local(4, 12), tick=False):
        call_command("reminders", *args, stdout=out)
    return out.getvalue()


def _rows():
    return Message.objects.count(), ReminderItem.objects.count()


def test_dry_run_prints_one_line_per_email_and_writes_nothing(course, locmem):
    _command("--at", "2026-03-03T09:00+01:00")  # an earlier real run
    before, sent = _rows(), len(mail.outbox)
    assert before[0] > 0
    output = _command("--dry-run", "--at", "2026-03-06T09:00+01:00")
    lines = output.strip().splitlines()
    assert len(lines) == 3
    [alice] = [line for line in lines if line.startswith(course.learner.email)]
    assert "[daily]" in alice
    assert "due_soon" in alice
    assert "overdue" in alice
    # Day 4: the baseline fasescan overdue, the kwadrant-scan and the quiz due soon.
    for slug in (PRE, SCAN, QUIZ):
        assert assignment(slug).title in alice
    assert any(line.startswith(course.learner_other.email) for line in lines)
    assert lines[-1] == "Total: 2 email(s) would be written at 2026-03-06T09:00+01:00."
    assert (_rows(), len(mail.outbox)) == (before, sent)


def test_command_run_delivers_each_reminder_once(course, locmem):
    first = _command("--at", "2026-03-06T09:00")  # no offset: Amsterdam time
    assert "at 2026-03-06T09:00+01:00" in first
    assert "sent now: 2 sent" in first
    assert sorted(m.to[0] for m in mail.outbox) == [
        course.learner.email,
        course.learner_other.email,
    ]
    rows = _rows()
    second = _command("--at", "2026-03-06T09:00")
    assert "Total: 0 new email(s)" in second
    assert "nothing waiting" in second
    assert (_rows(), len(mail.outbox)) == (rows, 2)


def test_command_without_at_runs_at_the_clock(course, locmem):
    output = _command(clock=local(4, 9))
    assert "Total: 2 new email(s) at 2026-03-06T" in output
    assert len(mail.outbox) == 2
    assert _command(clock=local(4, 3)).startswith("Total: 0 new email(s)")  # night


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("gisteren", "is not a date-time; use ISO 8601"),
        ("2026-13-45T10:00", "is not a valid date-time"),
        ("2026-02-30", "is not a valid date-time"),
        ("2027-03-08T12:00+01:00", "more than a year from now"),
        ("2025-03-01T09:00+01:00", "more than a year from now"),
    ],
)
def test_command_refuses_a_bad_at(course, value, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        _command("--at", value)
    assert _rows() == (0, 0)


# --- sending through a real SMTP server: transient and permanent errors ----------------------


def test_transient_smtp_error_keeps_the_message_pending_and_a_later_call_delivers(
    course, smtp_server
):
    handler = smtp_server(SmtpSink(defer_data=1))
    alice, now = course.learner, local(4, 9)
    services.reminders_sweep(now=now)
    message = _daily(alice).get()
    with pytest.raises(TransientSendError, match="451"):
        services.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.PENDING, 1)
    assert message.send_after == now + services.RETRY_BASE
    assert "451" in message.last_error
    assert handler.accepted == []
    # Not before its time; then the next call delivers it.
    assert services.message_send(message_id=message.pk, now=now + 10 * SECOND) == "skipped"
    assert services.message_send(message_id=message.pk, now=now + MINUTE) == Message.Status.SENT
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Message.Status.SENT,
        2,
        "",
    )
    assert [envelope.rcpt_tos for envelope in handler.accepted] == [[alice.email]]


def test_transient_smtp_error_is_retried_by_the_next_sweep(course, smtp_server):
    handler = smtp_server(SmtpSink(defer_data=1))
    _result, counts = _run(local(4, 9))
    assert counts == {"retry": 1, Message.Status.SENT: 1}
    _result, counts = _run(local(4, 9, 15))
    assert counts == {Message.Status.SENT: 1}
    assert sorted(e.rcpt_tos[0] for e in handler.accepted) == sorted(
        [course.learner.email, course.learner_other.email]
    )
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_permanent_smtp_error_fails_at_once_and_the_sweep_goes_on(course, smtp_server):
    alice, bob = course.learner, course.learner_other
    handler = smtp_server(SmtpSink(refuse={alice.email}))
    _result, counts = _run(local(4, 9))
    assert counts == {Message.Status.FAILED: 1, Message.Status.SENT: 1}
    failed = _daily(alice).get()
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert "550" in failed.last_error
    assert _daily(bob).get().status == Message.Status.SENT
    assert [envelope.rcpt_tos for envelope in handler.accepted] == [[bob.email]]
    # No retry: later sweeps that day leave it alone.
    _run(local(4, 9, 15))
    _run(local(4, 14))
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert handler.refused == [alice.email]


# --- unsubscribing and preferences ------------------------------------------------------------


def _unsubscribe_url(user, categories):
    token = unsubscribe_token(user.pk, categories)
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def _labels(*categories):
    with translation.override("nl"):
        return [str(Category(c).label) for c in categories]


def _off(user):
    return set(MailOptOut.objects.filter(user=user).values_list("category", flat=True))


def test_unsubscribe_link_get_shows_a_button_and_changes_nothing(course):
    url = _unsubscribe_url(course.learner, [Category.DEADLINES, Category.ACTIVITY])
    response = Client().get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page
    assert 'type="submit"' in page
    for label in _labels(Category.DEADLINES, Category.ACTIVITY):
        assert label in page
    assert _off(course.learner) == set()


def test_unsubscribe_link_post_without_session_or_csrf_token_switches_off(course):
    url = _unsubscribe_url(course.learner, [Category.DEADLINES, Category.ACTIVITY])
    response = Client(enforce_csrf_checks=True).post(url)
    assert response.status_code == 200
    assert _off(course.learner) == {Category.DEADLINES, Category.ACTIVITY}
    assert _off(course.learner_other) == set()
    # Again (a second click, a mail program retrying): still those two, no error.
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert MailOptOut.objects.filter(user=course.learner).count() == 2


def test_unsubscribe_one_click_rfc_8058(course):
    url = _unsubscribe_url(course.learner, [Category.MODULES])
    response = Client(enforce_csrf_checks=True).post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert _off(course.learner) == {Category.MODULES}


def test_unsubscribe_header_of_a_sent_mail_works(course, locmem):
    _run(local(4, 9))
    [email] = _to(course.learner)
    header = email.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/")
    assert header.endswith(">")
    path = header[1 + len(settings.SITE_URL) : -1]
    Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert _off(course.learner) == {Category.DEADLINES}


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_unsubscribe_token_is_refused_and_changes_nothing(course, method):
    token = unsubscribe_token(course.learner.pk, [Category.DEADLINES])
    other = unsubscribe_token(course.learner_other.pk, [Category.DEADLINES])
    payload, signature = token.rsplit(":", 1)
    forged = [
        token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),  # signature changed
        f"{other.rsplit(':', 1)[0]}:{signature}",  # someone else's payload, this signature
        payload,  # no signature
    ]
    for bad in forged:
        url = reverse("notifications:unsubscribe", kwargs={"token": bad})
        response = getattr(Client(enforce_csrf_checks=True), method)(url)
        assert response.status_code == 400, bad
        with translation.override("nl"):
            assert translation.gettext("This link does not work") in response.content.decode()
    assert not MailOptOut.objects.exists()


def test_preferences_show_the_learner_categories_and_switch_off_and_on(course):
    client = Client()
    client.force_login(course.learner)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    for category in LEARNER_CATEGORIES:
        assert f'value="{category}"' in page
    assert f'value="{Category.TRAINER_DIGEST}"' not in page
    assert f'value="{Category.ORG_SUMMARY}"' not in page
    keep = [c for c in LEARNER_CATEGORIES if c != Category.DEADLINES]
    response = client.post(url, {"category": keep})
    assert response.status_code == 302
    assert _off(course.learner) == {Category.DEADLINES}
    page = client.get(url).content.decode()
    assert re.search(rf'value="{Category.DEADLINES}"[^>]*checked', page) is None
    assert re.search(rf'value="{Category.ACTIVITY}"[^>]*checked', page)
    client.post(url, {"category": list(LEARNER_CATEGORIES)})
    assert _off(course.learner) == set()


def test_preferences_show_a_trainer_the_digest(course):
    client = Client()
    client.force_login(course.trainer)
    url = reverse("notifications:preferences")
    assert f'value="{Category.TRAINER_DIGEST}"' in client.get(url).content.decode()
    client.post(url, {"category": list(LEARNER_CATEGORIES)})
    assert _off(course.trainer) == {Category.TRAINER_DIGEST}


# --- two sweeps at once (PostgreSQL: real concurrent transactions) ---------------------------


def test_two_sweeps_at_once_write_one_daily_message_per_learner(transactional_db, course, locmem):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite allows one writer at a time, so two sweeps never overlap"
        )
    learners = [course.learner] + [
        make_learner(course.cohort, email=f"learner{n}@example.com") for n in range(8)
    ]
    now = local(4, 9)
    planned = services.reminders_sweep(now=now, dry_run=True).planned
    expected = {email.recipient: len(email.targets) for email in planned}
    assert expected[course.learner.email] == 3
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(services.reminders_sweep(now=now))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 2
    for learner in [*learners, course.learner_other]:
        [message] = _daily(learner)
        assert message.items.count() == expected[learner.email], learner.email
    keys = list(ReminderItem.objects.values_list("recipient", "rule", "target", "occurrence"))
    assert len(keys) == len(set(keys)) == sum(expected.values())
    # Both sweeps hand out the messages; each is sent once.
    for message_id in results[0].to_send + results[1].to_send:
        services.message_send(message_id=message_id, now=now)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
