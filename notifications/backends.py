import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


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
