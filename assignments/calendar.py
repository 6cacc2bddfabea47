"""Deadlines as iCalendar (RFC 5545): one event per assignment, at its due moment."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def deadlines_calendar(request, state) -> str:
    enrollment = state.enrollment
    now = _stamp(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Klantbekwaam//Deadlines//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(state.course.title if state.course else enrollment.cohort.name)}",
    ]
    for item in state.assignments:
        url = settings.SITE_URL + reverse(
            "learn:assignment", args=[enrollment.cohort_id, item.assignment.slug]
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:kb-{enrollment.pk}-{item.assignment.pk}@klantbekwaam",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(item.due_at - datetime.timedelta(minutes=29))}",
            f"DTEND:{_stamp(item.due_at)}",
            f"SUMMARY:{_escape('Deadline: ' + item.assignment.title)}",
            f"DESCRIPTION:{_escape(item.module.module.title)}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
