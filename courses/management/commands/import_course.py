from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.services import CourseImportError, course_import


class Command(BaseCommand):
    help = (
        "Validate a course folder and import it (all or nothing; idempotent; "
        "never deletes learner work)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="e.g. courses/content/klantgerichtheid")

    def handle(self, *_args, folder: Path, **_options):
        try:
            report = course_import(folder=folder)
        except CourseImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {folder}; nothing was imported."
            ) from exc
        for line in report.created:
            self.stdout.write(f"created {line}")
        for line in report.updated:
            self.stdout.write(f"updated {line}")
        for line in report.archived:
            self.stdout.write(f"archived {line}")
        summary = (
            f"{report.course.title}: {len(report.created)} created, {len(report.updated)} "
            f"updated, {len(report.archived)} archived, {report.unchanged} unchanged."
        )
        self.stdout.write(self.style.SUCCESS(summary) if report.changed else summary)
