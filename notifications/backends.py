import threading
import uuid
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail.backends import console, locmem, smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


def add_site_message_ids(email_messages) -> None:
    """Every message's Message-ID names our own domain (from SITE_URL).

    Django takes the machine's host name, often "localhost", which spam filters
    count against a message.
    """
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    for message in email_messages or []:
        if not any(name.lower() == "message-id" for name in message.extra_headers):
            message.extra_headers["Message-ID"] = make_msgid(domain=domain)


class SiteMessageIdMixin:
    def send_messages(self, email_messages):
        add_site_message_ids(email_messages)
        return super().send_messages(email_messages)


class SmtpBackend(SiteMessageIdMixin, smtp.EmailBackend):
    pass


class ConsoleBackend(SiteMessageIdMixin, console.EmailBackend):
    pass


class LocmemBackend(SiteMessageIdMixin, locmem.EmailBackend):
    pass


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to its own .eml file (development and demo).

    Unlike Django's file backend, which appends many messages to one log, one file
    per message lets the DEBUG outbox list and open them.
    """

    def __init__(self, file_path=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)
        self._lock = threading.Lock()

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        add_site_message_ids(email_messages)
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        with self._lock:
            for message in email_messages:
                stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
                path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(message.message().as_bytes(linesep="\n"))
                tmp.rename(path)
                sent += 1
        return sent
