"""Thin tasks: read the clock, call a service. Retries only for transient mail errors.

A retry waits at most ``services.RETRY_MAX`` (five minutes), far below the broker's
visibility timeout (an hour), so Redis never delivers a waiting retry a second time.
"""

import logging

from celery import shared_task
from django.utils import timezone

from accounts.mail import TransientSendError
from notifications import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="notifications.tasks.send_message", max_retries=services.MAX_ATTEMPTS)
def send_message(self, message_id: int) -> None:
    try:
        services.message_send(message_id=message_id, now=timezone.now())
    except TransientSendError as error:
        # The message is pending again with its next attempt's time; wait until then.
        delay = services.seconds_until_retry(message_id=message_id, now=timezone.now())
        raise self.retry(exc=error, countdown=delay) from error


@shared_task(name="notifications.tasks.sweep")
def sweep() -> int:
    """Beat, every 15 minutes: write what is due, hand each message to a worker."""
    result = services.reminders_sweep(now=timezone.now())
    published = 0
    for message_id in result.to_send:
        try:
            send_message.apply_async((message_id,), **services.PUBLISH)
        except Exception:
            # The row stays pending; the next sweep hands it out again.
            logger.exception("Could not publish reminder email %s", message_id)
            continue
        published += 1
    return published
