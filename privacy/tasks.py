from celery import shared_task
from django.utils import timezone

from privacy.services import retention_sweep


@shared_task(name="privacy.tasks.retention_sweep", acks_late=True)
def retention_sweep_task() -> int:
    """Daily: anonymise learners whose cohorts ended longer ago than retention allows."""
    return len(retention_sweep(now=timezone.now()))
