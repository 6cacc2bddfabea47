import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import NoReverseMatch, reverse

from demo.bench import over_budget, run_bench, table
from demo.bench_data import BenchSeedError, database_is_empty, seed_bench


class Command(BaseCommand):
    help = (
        "Measure the main pages against the floor page, the reminder sweep and reminder "
        "mail on the benchmark's database (DJANGO_SETTINGS_MODULE=lms.bench_settings; "
        "see docs/performance.md). Builds the data set first if the database is empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("--warmup", type=int, default=10, help="untimed rounds (10)")
        parser.add_argument("--repeat", type=int, default=60, help="timed rounds (60)")
        parser.add_argument("--sweep-runs", type=int, default=3, help="sweeps timed (3)")
        parser.add_argument("--emails", type=int, default=300, help="mails timed (300)")
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "bench" / "results.json"),
            help="where the results go (bench/results.json)",
        )

    def handle(self, *_args, **options):
        if not getattr(settings, "BENCH_DATABASE", False):
            raise CommandError(
                "The benchmark runs on its own database: "
                "use DJANGO_SETTINGS_MODULE=lms.bench_settings (make bench)."
            )
        try:
            reverse("bench_floor")
        except NoReverseMatch:
            raise CommandError(
                "The floor page is missing: ROOT_URLCONF must be demo.bench_urls."
            ) from None
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: the numbers will not be like production's.")
        call_command("migrate", interactive=False, verbosity=0)
        log = self.stdout.write
        try:
            if database_is_empty():
                log(f"The benchmark database ({connection.vendor}) is empty: building it.")
                report = seed_bench(log=lambda line: log(f"  {line}"))
                log(f"  built in {report.seconds:.1f} s: {report.pairs:,} pairs")
            results = run_bench(
                warmup=options["warmup"],
                repeat=options["repeat"],
                sweep_runs=options["sweep_runs"],
                emails=options["emails"],
                log=log,
            )
        except BenchSeedError as error:
            raise CommandError(str(error)) from None
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        log("")
        for line in table(results):
            log(line)
        log("")
        missed = over_budget(results)
        if missed:
            log(self.style.WARNING("Over budget:"))
            for line in missed:
                log(self.style.WARNING(f"  {line}"))
        else:
            log(self.style.SUCCESS("Every page and the sweep are within their budgets."))
        log(f"Results written to {output} ({connection.vendor}).")
