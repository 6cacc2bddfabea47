import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.services import retention_sweep


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--at {text!r} is not an ISO date and time.") from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Anonymise learners whose cohorts ended longer ago than their organisation's "
        "retention (the sweep beat runs daily), or preview who that would be."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show who, change nothing")
        parser.add_argument(
            "--at", help="as if the clock read this ISO date-time (default: now)", default=None
        )

    def handle(self, *_args, dry_run: bool, at: str | None, **_options):
        now = _moment(at) if at else timezone.now()
        cases = retention_sweep(now=now, dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        for case in cases:
            self.stdout.write(
                f"{verb} user {case.user_id} (last cohort ended {case.last_cohort_ended_on})"
            )
        noun = "person" if len(cases) == 1 else "people"
        outcome = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{len(cases)} {noun} {outcome}.")
