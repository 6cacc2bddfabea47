"""Reading the development mail folder written by EmlFileBackend."""

import email
import email.policy
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

NAME_PATTERN = re.compile(r"^[0-9T]+-[0-9a-f]{8}\.eml$")


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    subject: str
    to: str
    sender: str
    date: str
    text: str


def outbox_directory() -> Path | None:
    path = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(path) if path else None


def _parse(path: Path) -> OutboxMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return OutboxMessage(
        name=path.name,
        subject=str(message.get("Subject", "")),
        to=str(message.get("To", "")),
        sender=str(message.get("From", "")),
        date=str(message.get("Date", "")),
        text=body.get_content() if body is not None else "",
    )


def outbox_messages(limit: int = 200) -> list[OutboxMessage]:
    directory = outbox_directory()
    if directory is None or not directory.is_dir():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [_parse(path) for path in files]


def outbox_message(name: str) -> OutboxMessage | None:
    directory = outbox_directory()
    if directory is None or not NAME_PATTERN.match(name):
        return None
    path = directory / name
    return _parse(path) if path.is_file() else None
