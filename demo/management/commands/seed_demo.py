from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo organisations, accounts and cohorts (idempotent)."

    def handle(self, *_args, **_options):
        created = seed_demo()
        for line in created:
            self.stdout.write(f"created {line}")
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo ready; password: {DEMO_PASSWORD}"))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
