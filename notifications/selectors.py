"""Reads of reminder mail for the pages: a trainer's list per learner, failed deliveries
for an organisation's admins, and staff's log. Each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Window

from notifications.models import Message, ReminderItem, Rule

# The statuses of a message that went, or is on its way (not cancelled).
SHOWN_TO_TRAINERS = (
    Message.Status.PENDING,
    Message.Status.SENDING,
    Message.Status.SENT,
    Message.Status.FAILED,
)
FAILED_SHOWN = 20


@dataclass(frozen=True)
class SentReminder:
    """One reminder about a learner, as a trainer sees it: what, how it went, when."""

    rule: str
    rule_label: str
    status: str
    status_label: str
    title: str
    sender: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None

    @property
    def at(self) -> datetime.datetime:
        return self.sent_at or self.created_at


def message_items(message: Message) -> list[ReminderItem]:
    """A message's items with everything its mail names (one query): what a send task
    renders, and what the benchmark renders the same way."""
    return list(
        message.items.select_related(
            "enrollment__cohort__course",
            "enrollment__cohort__organisation",
            "assignment",
            "module",
            "sender",
        )
    )


def reminders_for_enrollment(enrollment, limit: int = 20) -> list[SentReminder]:
    """The reminders about ``enrollment`` that were sent, failed, or are on their way,
    newest first, at most ``limit`` (one query). Items left out of their mail (work
    handed in meanwhile, mail switched off) never reached the learner and are not listed."""
    items = (
        ReminderItem.objects.filter(
            enrollment=enrollment, dropped=False, message__status__in=SHOWN_TO_TRAINERS
        )
        .select_related("message", "assignment", "module", "sender")
        .order_by("-message__created_at", "-created_at", "-pk")[:limit]
    )
    found = []
    for item in items:
        if item.assignment_id:
            title = item.assignment.title
        elif item.module_id:
            title = item.module.title
        else:
            title = ""
        found.append(
            SentReminder(
                rule=item.rule,
                rule_label=item.get_rule_display(),
                status=item.message.status,
                status_label=item.message.get_status_display(),
                title=title,
                sender=str(item.sender) if item.sender else "",
                created_at=item.message.created_at,
                sent_at=item.message.sent_at,
            )
        )
    return found


def failed_messages_for(organisation) -> QuerySet[Message]:
    """Mail about ``organisation`` that could not be delivered, newest first."""
    return (
        Message.objects.filter(organisation=organisation, status=Message.Status.FAILED)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )


def failed_messages_shown(organisation, limit: int = FAILED_SHOWN) -> tuple[list[Message], int]:
    """The ``limit`` newest failed messages of ``organisation`` and how many more there
    are (one query: each row carries the total)."""
    rows = list(failed_messages_for(organisation).annotate(total=Window(Count("pk")))[:limit])
    total = rows[0].total if rows else 0
    return rows, total - len(rows)


@dataclass(frozen=True)
class MessageLogFilters:
    """Staff's filters on the log; each empty when not used. Build with ``from_query``."""

    status: str = ""
    kind: str = ""
    rule: str = ""
    organisation_id: int | None = None
    email: str = ""

    @classmethod
    def from_query(cls, query) -> "MessageLogFilters":
        """From GET parameters; an unknown value counts as no filter."""

        def choice(name, choices):
            value = query.get(name, "")
            return value if value in choices else ""

        try:
            organisation_id = int(query.get("organisation", "")) or None
        except ValueError:
            organisation_id = None
        return cls(
            status=choice("status", Message.Status.values),
            kind=choice("kind", Message.Kind.values),
            rule=choice("rule", Rule.values),
            organisation_id=organisation_id,
            email=" ".join(query.get("email", "").split())[:254],
        )

    @property
    def is_active(self) -> bool:
        return bool(self.status or self.kind or self.rule or self.organisation_id or self.email)


def message_log(filters: MessageLogFilters) -> QuerySet[Message]:
    """Every reminder email, newest first, narrowed by ``filters``; the recipient and
    organisation come along, and the items' rules in one more query when evaluated."""
    messages = Message.objects.select_related("recipient", "organisation").prefetch_related(
        Prefetch("items", queryset=ReminderItem.objects.only("pk", "message_id", "rule"))
    )
    wanted = Q()
    if filters.status:
        wanted &= Q(status=filters.status)
    if filters.kind:
        wanted &= Q(kind=filters.kind)
    if filters.organisation_id:
        wanted &= Q(organisation_id=filters.organisation_id)
    if filters.email:
        wanted &= Q(recipient__email__icontains=filters.email)
    if filters.rule:
        wanted &= Q(Exists(ReminderItem.objects.filter(message=OuterRef("pk"), rule=filters.rule)))
    return messages.filter(wanted).order_by("-created_at", "-pk")


def rule_labels(message: Message) -> list[str]:
    """The rules in a message (from its prefetched items), each once, in rule order."""
    rules = {item.rule for item in message.items.all()}
    return [label for value, label in Rule.choices if value in rules]
