"""Rendering and sending one email: the helpers every outgoing mail shares.

Templates come in triplets under ``templates/emails/`` (``<name>_subject.txt``,
``<name>_message.txt``, ``<name>_message.html``) and are rendered in the recipient's
language. ``deliver`` sorts SMTP errors into transient ones (raised as
``TransientSendError``, worth a retry) and permanent ones (re-raised as they are:
a refused recipient, any 5xx), so every caller retries and gives up the same way.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


class TransientSendError(Exception):
    """The mail server could not take the message now; try again later."""


def is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def render_email(
    template: str, context: dict, language: str, *, headers: dict | None = None
) -> EmailMultiAlternatives:
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}_message.txt", context)
        html = render_to_string(f"emails/{template}_message.html", context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    subject = prefix + " ".join(subject.split())
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [context["to"]], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver(message: EmailMultiAlternatives) -> None:
    """Send, sorting SMTP errors into transient (raised as such) and permanent (re-raised)."""
    try:
        message.send()
    except Exception as error:
        if is_permanent(error):
            raise
        raise TransientSendError(describe(error)) from error
