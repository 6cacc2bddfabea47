"""Deadlines as iCalendar (RFC 5545): one event per assignment, at its due moment.

The ``icalendar`` package writes the file, so escaping, line folding and CRLF line
ends follow the RFC whatever a title contains.
"""

import datetime

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

# Each deadline shows as a short block ending at the due moment.
EVENT_LENGTH = datetime.timedelta(minutes=29)


def deadlines_calendar(state) -> str:
    """The learner's deadlines; a pure function of ``state`` (taken at ``state.now``)."""
    enrollment = state.enrollment
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Klantbekwaam//Deadlines//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", state.course.title if state.course else enrollment.cohort.name)
    for module in state.modules:
        for item in module.assignments:
            calendar.add_component(_event(enrollment, module.module, item, stamp=state.now))
    return calendar.to_ical().decode("utf-8")


def _event(enrollment, module, item, *, stamp: datetime.datetime) -> icalendar.Event:
    due_at = item.due_at.astimezone(datetime.UTC)
    event = icalendar.Event()
    # Stable per learner and assignment, so a re-import updates instead of duplicating.
    event.add("uid", f"kb-{enrollment.pk}-{item.assignment.pk}@klantbekwaam")
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", due_at - EVENT_LENGTH)
    event.add("dtend", due_at)
    event.add("summary", _("Deadline: %(title)s") % {"title": item.assignment.title})
    event.add("description", module.title)
    event.add(
        "url",
        settings.SITE_URL
        + reverse("learn:assignment", args=[enrollment.cohort_id, item.assignment.slug]),
    )
    return event
