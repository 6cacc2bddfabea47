"""Thin tasks: load by id, call a service. Retries for transient mail errors only."""

from celery import shared_task
from django.utils import timezone

from accounts.mail import TransientSendError
from cohorts import invitations

RETRY = {
    "autoretry_for": (TransientSendError,),
    "max_retries": 3,
    "retry_backoff": 30,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


@shared_task(name="cohorts.tasks.send_invitation", **RETRY)
def send_invitation(invitation_id: int) -> None:
    invitations.invitation_send(invitation_id=invitation_id, now=timezone.now())


@shared_task(name="cohorts.tasks.send_enrolment_notice", **RETRY)
def send_enrolment_notice(enrollment_id: int) -> None:
    invitations.enrolment_notice_deliver(enrollment_id=enrollment_id)


@shared_task(name="cohorts.tasks.resend_pending_invitations")
def resend_pending_invitations() -> None:
    """Beat's safety net: send what a lost publish or a lost worker left pending."""
    invitations.invitations_resend_pending(now=timezone.now())
