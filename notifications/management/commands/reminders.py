"""python manage.py reminders [--dry-run] [--at ISO-DATETIME]

Runs the sweep that beat runs, and sends its mail in this process (no worker
needed, so it is also the catch-up tool when workers are down), or previews it.
``--at`` sets the clock: "what would go out on Monday at 09:00?".
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications import services

# --at may look this far back or ahead: enough for any preview, safe for date sums.
AT_RANGE = datetime.timedelta(days=366)


def parse_at(value: str, *, now: datetime.datetime) -> datetime.datetime:
    """An ISO date-time (a date alone means 09:00); without an offset it is read in
    the site's time zone (Europe/Amsterdam). Raises CommandError with the reason."""
    text = value.strip()
    try:
        moment = parse_datetime(text)
        if moment is None and len(text) == 10:
            day = datetime.date.fromisoformat(text)
            moment = datetime.datetime.combine(day, datetime.time(9, 0))
    except ValueError as error:
        raise CommandError(f"--at {value!r} is not a valid date-time: {error}.") from error
    if moment is None:
        raise CommandError(
            f"--at {value!r} is not a date-time; use ISO 8601, e.g. 2026-11-23T09:00+01:00."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if abs(moment - now) > AT_RANGE:
        raise CommandError(f"--at {value!r} is more than a year from now.")
    return moment


class Command(BaseCommand):
    help = "Run the reminder sweep and send its mail here (or preview it with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be sent; change nothing."
        )
        parser.add_argument(
            "--at",
            metavar="ISO-DATETIME",
            help="Run as if the clock read this moment (e.g. 2026-11-23T09:00+01:00).",
        )

    def handle(self, *_args, dry_run=False, at=None, **_options):
        now = timezone.now()
        if at:
            now = parse_at(at, now=now)
        result = services.reminders_sweep(now=now, dry_run=dry_run)
        for email in result.planned:
            self.stdout.write(
                f"{email.recipient}  [{email.kind}]  {', '.join(email.rules)}  "
                f"— {'; '.join(email.targets)}"
            )
        stamp = now.isoformat(timespec="minutes")
        if dry_run:
            self.stdout.write(f"Total: {len(result.planned)} email(s) would be written at {stamp}.")
            return
        counts = services.messages_send_all(result.to_send, now=now)
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        self.stdout.write(
            f"Total: {len(result.planned)} new email(s) at {stamp}; "
            f"sent now: {summary or 'nothing waiting'}."
        )
