from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.bench_data import BENCH_PASSWORD, BenchSeedError, seed_bench


class Command(BaseCommand):
    help = (
        "Build the benchmark's data set in the benchmark's own database "
        "(DJANGO_SETTINGS_MODULE=lms.bench_settings; see docs/performance.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cohorts", type=int, default=20, help="regular cohorts (20)")
        parser.add_argument("--learners", type=int, default=250, help="per regular cohort (250)")
        parser.add_argument(
            "--large-learners", type=int, default=500, help="the large cohort (500; 0: none)"
        )
        parser.add_argument(
            "--min-pairs",
            type=int,
            default=100_000,
            help="add regular cohorts until there are this many (learner, deadline) pairs",
        )
        parser.add_argument(
            "--reset", action="store_true", help="empty the database first if it holds data"
        )

    def handle(self, *_args, **options):
        self.stdout.write(f"Building the benchmark data set ({connection.vendor})…")
        try:
            report = seed_bench(
                cohorts=options["cohorts"],
                learners=options["learners"],
                large_learners=options["large_learners"],
                min_pairs=options["min_pairs"],
                reset=options["reset"],
                log=lambda line: self.stdout.write(f"  {line}"),
            )
        except BenchSeedError as error:
            raise CommandError(str(error)) from None
        width = max(len(label) for label in report.counts)
        for label, count in report.counts.items():
            self.stdout.write(f"  {label:<{width}}  {count:>9,}")
        self.stdout.write(
            f"{report.running_learners:,} learners in running cohorts × "
            f"{report.assignments} assignments = {report.pairs:,} (learner, deadline) pairs"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Built in {report.seconds:.1f} s; password {BENCH_PASSWORD}.")
        )
