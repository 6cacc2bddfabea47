from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Sessions live in the database; remove the expired ones daily."""
    call_command("clearsessions")
