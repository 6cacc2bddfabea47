"""The deadlines calendar (.ics): parseable, stable, and safe whatever a title holds."""

import datetime
import re

import icalendar
import pytest
from django.conf import settings

from assignments.calendar import deadlines_calendar
from assignments.models import Assignment
from cohorts.models import Enrollment
from learning.progress import course_state

NOW = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def state(world):
    return course_state(Enrollment.objects.get(user=world.learner), now=NOW)


def _calendar(state) -> str:
    return deadlines_calendar(state)


def _events(body: str) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_calendar_parses_with_one_event_per_assignment(state):
    events = _events(_calendar(state))

    assert len(events) == len(state.assignments) > 0
    for event, item in zip(events, state.assignments, strict=True):
        assert str(event["summary"]) == f"Deadline: {item.assignment.title}"
        assert str(event["url"]).startswith(settings.SITE_URL + "/")


def test_title_with_line_breaks_cannot_inject_a_property(world):
    hostile = "Scan\rDTSTART:19700101T000000Z\r\nATTENDEE:mailto:evil@example.com\nX-EVIL:1"
    Assignment.objects.filter(course=world.course).update(title=hostile)
    state = course_state(Enrollment.objects.get(user=world.learner), now=NOW)

    body = _calendar(state)

    assert re.search(r"\r(?!\n)", body) is None, "a bare CR ends a line for many readers"
    assert re.search(r"(?<!\r)\n", body) is None, "a bare LF ends a line for many readers"
    lines = body.split("\r\n")
    assert sum(line.startswith("DTSTART") for line in lines) == len(state.assignments)
    assert not [line for line in lines if line.startswith(("ATTENDEE", "X-EVIL"))]
    for event in _events(body):
        assert "ATTENDEE" not in event
        assert "X-EVIL" not in event
        assert "DTSTART:19700101T000000Z" in str(event["summary"])


def test_uids_are_unique_and_stable_between_downloads(world, state):
    first = [str(event["uid"]) for event in _events(_calendar(state))]
    three_days_on = course_state(
        Enrollment.objects.get(user=world.learner), now=NOW + datetime.timedelta(days=3)
    )
    later = [str(event["uid"]) for event in _events(_calendar(three_days_on))]

    assert first == later
    assert len(set(first)) == len(first)


def test_times_are_written_in_utc_and_end_at_the_due_moment(state):
    body = _calendar(state)

    for line in body.split("\r\n"):
        if line.startswith(("DTSTART", "DTEND", "DTSTAMP")):
            assert re.fullmatch(r"[A-Z]+:\d{8}T\d{6}Z", line), line
    for event, item in zip(_events(body), state.assignments, strict=True):
        assert event.decoded("dtend") == item.due_at
        assert event.decoded("dtend").utcoffset() == datetime.timedelta(0)
        assert event.decoded("dtstart") < event.decoded("dtend")
        assert event.decoded("dtstamp") == NOW
