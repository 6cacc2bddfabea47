"""Writes for reminder mail: the sweep, the claim and the send, event mail, preferences.

The database is the outbox. ``reminders_sweep`` writes what the rules found (items
into messages, in one transaction, set-based) and returns the messages to send: the
new ones, and any left pending (a lost publish) or stuck in sending (a lost worker).
Beat's task publishes one send task per message; the ``reminders`` command sends
them in its own process. ``message_send`` claims a message with a conditional
update (pending → sending), so of any number of workers and sweeps exactly one
sends it; see docs/reminders.md for the one window that cannot be closed.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.mail import TransientSendError, deliver, describe
from cohorts.models import Cohort, Enrollment
from learning.progress import course_states, last_activity_by_enrollment
from notifications import mail
from notifications.models import (
    RULE_CATEGORY,
    Category,
    CohortReminderRules,
    MailOptOut,
    Message,
    ReminderItem,
    Rule,
)
from notifications.rules import (
    Candidate,
    find_candidates,
    is_daytime,
    local_now,
    next_daytime,
    reachable_users,
    rules_for,
)
from notifications.selectors import message_items

logger = logging.getLogger(__name__)

# A message claimed longer ago than this is taken to be lost with its worker; far
# longer than one SMTP conversation (EMAIL_TIMEOUT), far shorter than a day.
CLAIM_LEASE = datetime.timedelta(minutes=5)
# The sweep leaves a fresh message to the task published on commit.
SWEEP_AFTER = datetime.timedelta(minutes=2)
# Attempts (each a claim) before a message that keeps failing transiently is given up.
MAX_ATTEMPTS = 5
# A transient failure waits this long before the next attempt (doubling each time).
RETRY_BASE = datetime.timedelta(seconds=30)
RETRY_MAX = datetime.timedelta(minutes=5)
# At most this many messages are handed out per sweep (the rest next time).
SWEEP_BATCH = 2000

# Publishing waits briefly for the broker, once; a request never hangs on an outage.
PUBLISH = {
    "retry": True,
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
}


class NotificationError(Exception):
    """A reminder could not be sent or changed; the message is shown to the person."""


@dataclass
class PlannedEmail:
    """One email a sweep would write or send: for the command's preview and output."""

    recipient: str
    kind: str
    rules: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


@dataclass
class SweepResult:
    planned: list[PlannedEmail]
    to_send: list[int]


# --- the sweep ------------------------------------------------------------------------


def opted_out(user_ids) -> set[tuple[int, str]]:
    """(user id, category) for every category switched off (one query)."""
    return set(
        MailOptOut.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "category")
    )


def _new_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Drop what was found before, what the person switched off, and learners whose
    mail of today has already gone (their new items wait for tomorrow)."""
    if not candidates:
        return []
    user_ids = {c.recipient.pk for c in candidates}
    off = opted_out(user_ids)
    # Keys found before; for those still waiting in an unsent daily mail, its date.
    existing: set[tuple] = set()
    pending: dict[tuple, datetime.date] = {}
    for *key, status, kind, local_date in ReminderItem.objects.filter(
        recipient_id__in=user_ids
    ).values_list(
        "recipient_id",
        "rule",
        "target",
        "occurrence",
        "message__status",
        "message__kind",
        "message__local_date",
    ):
        if status == Message.Status.PENDING and kind == Message.Kind.DAILY:
            pending[tuple(key)] = local_date
        else:
            existing.add(tuple(key))
    closed = set(
        Message.objects.filter(
            recipient_id__in=user_ids, local_date__in={c.local_date for c in candidates}
        )
        .exclude(status=Message.Status.PENDING)
        .values_list("recipient_id", "kind", "local_date")
    )
    fresh = []
    seen = set()
    for candidate in candidates:
        key = candidate.key
        if key in seen or key in existing:
            continue
        # An item waiting in today's mail is still planned; one left in an older,
        # unsent mail is found again and moves into today's.
        if pending.get(key) == candidate.local_date:
            continue
        if (candidate.recipient.pk, RULE_CATEGORY[candidate.rule]) in off:
            continue
        if (candidate.recipient.pk, candidate.kind, candidate.local_date) in closed:
            continue
        seen.add(key)
        fresh.append(candidate)
    return fresh


def _plan(candidates: list[Candidate]) -> list[PlannedEmail]:
    emails: dict[tuple[int, str], PlannedEmail] = {}
    for candidate in candidates:
        email = emails.setdefault(
            (candidate.recipient.pk, candidate.kind),
            PlannedEmail(recipient=candidate.recipient.email, kind=candidate.kind),
        )
        if candidate.rule not in email.rules:
            email.rules.append(candidate.rule)
        email.targets.append(candidate.label)
    return sorted(emails.values(), key=lambda email: (email.recipient, email.kind))


@transaction.atomic
def _record(candidates: list[Candidate], *, now: datetime.datetime) -> None:
    """Write the candidates into their messages, set-based and safe against a second
    sweep at the same moment: each message is created once (the unique per person and
    day) and locked before items go in, and only a message still pending takes any."""
    if not candidates:
        return
    groups = defaultdict(list)
    for candidate in candidates:
        groups[(candidate.recipient.pk, candidate.kind, candidate.local_date)].append(candidate)
    recipients = {c.recipient.pk: c.recipient for c in candidates}
    # People grouped by (kind, local date): a handful of groups, whatever the cohort size.
    by_day = defaultdict(set)
    for recipient_id, kind, local_date in groups:
        by_day[(kind, local_date)].add(recipient_id)
    # An older daily mail that never went (a night, an outage) is replaced by today's:
    # its items are found again above, so one mail carries them.
    stale = Q()
    for (kind, local_date), recipient_ids in by_day.items():
        if kind == Message.Kind.DAILY:
            stale |= Q(recipient_id__in=recipient_ids, local_date__lt=local_date)
    if stale:
        Message.objects.filter(
            stale, kind=Message.Kind.DAILY, status=Message.Status.PENDING
        ).delete()
    Message.objects.bulk_create(
        [
            Message(
                recipient_id=recipient_id,
                organisation_id=items[0].organisation_id,
                kind=kind,
                local_date=local_date,
                send_after=now,
                created_at=now,
            )
            for (recipient_id, kind, local_date), items in groups.items()
        ],
        ignore_conflicts=True,
    )
    wanted = Q()
    for (kind, local_date), recipient_ids in by_day.items():
        wanted |= Q(recipient_id__in=recipient_ids, kind=kind, local_date=local_date)
    messages = {
        (m.recipient_id, m.kind, m.local_date): m
        for m in Message.objects.select_for_update().filter(wanted)
    }
    items = []
    for group_key, group in groups.items():
        message = messages.get(group_key)
        if message is None or message.status != Message.Status.PENDING:
            continue
        for candidate in group:
            items.append(
                ReminderItem(
                    recipient=recipients[candidate.recipient.pk],
                    rule=candidate.rule,
                    target=candidate.target,
                    occurrence=candidate.occurrence,
                    message=message,
                    enrollment=candidate.enrollment,
                    assignment=candidate.assignment,
                    module_id=candidate.module_id,
                    due_on=candidate.due_on,
                    created_at=now,
                )
            )
    ReminderItem.objects.bulk_create(items, ignore_conflicts=True)


def messages_to_send(*, now: datetime.datetime) -> list[int]:
    """Messages whose time has come: pending (new, or a lost publish) and those stuck
    in sending longer than the lease (a lost worker). Quiet hours are checked per
    person when the message is claimed."""
    return list(
        Message.objects.filter(
            Q(status=Message.Status.PENDING, send_after__lte=now)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        # Event mail published on commit a moment ago is already on its way.
        .exclude(
            kind=Message.Kind.EVENT, status=Message.Status.PENDING, created_at__gt=now - SWEEP_AFTER
        )
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def reminders_sweep(*, now: datetime.datetime, dry_run: bool = False) -> SweepResult:
    """Find what is due at ``now``, write it (unless ``dry_run``) and list what to send."""
    candidates = _new_candidates(find_candidates(now=now))
    planned = _plan(candidates)
    if dry_run:
        return SweepResult(planned=planned, to_send=[])
    _record(candidates, now=now)
    return SweepResult(planned=planned, to_send=messages_to_send(now=now))


def publish_send(message_id: int) -> None:
    """Hand one message to a worker after commit; a broker outage is logged, never raised
    (robust), and the sweep sends the message later."""
    from notifications.tasks import send_message

    transaction.on_commit(lambda: send_message.apply_async((message_id,), **PUBLISH), robust=True)


# --- claiming and sending -----------------------------------------------------------


def message_claim(*, message_id: int, now: datetime.datetime) -> bool:
    """Take the right to send this message now; at most one caller gets True."""
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status=Message.Status.PENDING, send_after__lte=now)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_MAX, RETRY_BASE * 2 ** max(0, attempts - 1))


def _still_due(
    item: ReminderItem, *, now: datetime.datetime, off: set[str], handed_in, active
) -> bool:
    """Whether an item still belongs in its mail at the moment it is sent."""
    if item.category in off:
        return False
    enrollment = item.enrollment
    if enrollment is None:
        return True
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        return False
    if item.rule == Rule.FEEDBACK_READY:
        return True
    if enrollment.status != Enrollment.Status.ACTIVE or enrollment.cohort.has_ended(now):
        return False
    if item.rule in (Rule.DUE_SOON, Rule.OVERDUE):
        return (enrollment.pk, item.assignment_id) not in handed_in
    if item.rule == Rule.INACTIVE:
        return enrollment.pk not in active
    return True


def _work_since_found(items: list[ReminderItem], *, now: datetime.datetime):
    """What changed between finding the items and sending them: work handed in, and
    learners active again (a fixed number of queries, only when such items are here)."""
    deadline_items = [i for i in items if i.rule in (Rule.DUE_SOON, Rule.OVERDUE)]
    quiet_items = [i for i in items if i.rule == Rule.INACTIVE]
    handed_in: set[tuple[int, int]] = set()
    active: set[int] = set()
    if deadline_items:
        enrollments = list({i.enrollment_id: i.enrollment for i in deadline_items}.values())
        for state in course_states(enrollments, now=now):
            handed_in |= {
                (state.enrollment.pk, work.assignment.pk)
                for work in state.assignments
                if work.is_handed_in
            }
    if quiet_items:
        activity = last_activity_by_enrollment([i.enrollment for i in quiet_items])
        # Anything done after the item was found ends the quiet period.
        active = {
            i.enrollment_id
            for i in quiet_items
            if (moment := activity.get(i.enrollment_id)) is not None and moment > i.created_at
        }
    return handed_in, active


def message_send(*, message_id: int, now: datetime.datetime) -> str:
    """Send one message if it is due and this caller wins the claim.

    Returns the message's status afterwards ("skipped" when another caller has it or
    it is night where the recipient lives). Raises TransientSendError (the claim given
    back, the next attempt scheduled) when the task should retry.
    """
    message = Message.objects.select_related("recipient").filter(pk=message_id).first()
    if message is None:
        return "skipped"
    if not is_daytime(message.recipient, now):
        # Night where the person lives: a pending message waits for their 08:00.
        Message.objects.filter(pk=message_id, status=Message.Status.PENDING).update(
            send_after=next_daytime(message.recipient, now)
        )
        return "skipped"
    if not message_claim(message_id=message_id, now=now):
        return "skipped"
    message.refresh_from_db()
    claimed = Message.objects.filter(pk=message_id, status=Message.Status.SENDING, claimed_at=now)
    recipient = message.recipient
    if not reachable_users().filter(pk=recipient.pk).exists():
        claimed.update(status=Message.Status.CANCELLED, last_error="")
        return Message.Status.CANCELLED
    items = message_items(message)
    off = {category for _user, category in opted_out([recipient.pk])}
    handed_in, active = _work_since_found(items, now=now)
    keep = [
        item
        for item in items
        if _still_due(item, now=now, off=off, handed_in=handed_in, active=active)
    ]
    dropped = [item.pk for item in items if item not in keep]
    if dropped:
        ReminderItem.objects.filter(pk__in=dropped).update(dropped=True)
    try:
        email = mail.build(message, keep, now=now) if keep else None
    except Exception as error:
        # A bug in a template must not stop everyone else's mail.
        logger.exception("Reminder email %s could not be rendered", message_id)
        claimed.update(status=Message.Status.FAILED, last_error=describe(error))
        return Message.Status.FAILED
    if email is None:
        claimed.update(status=Message.Status.CANCELLED, last_error="")
        return Message.Status.CANCELLED
    try:
        deliver(email)
    except TransientSendError as error:
        if message.attempts >= MAX_ATTEMPTS:
            claimed.update(status=Message.Status.FAILED, last_error=str(error)[:500])
            return Message.Status.FAILED
        claimed.update(
            status=Message.Status.PENDING,
            send_after=now + _retry_delay(message.attempts),
            last_error=str(error)[:500],
        )
        raise
    except Exception as error:
        logger.warning("Reminder email %s could not be delivered: %s", message_id, error)
        claimed.update(status=Message.Status.FAILED, last_error=describe(error))
        return Message.Status.FAILED
    claimed.update(status=Message.Status.SENT, sent_at=now, last_error="")
    return Message.Status.SENT


def seconds_until_retry(*, message_id: int, now: datetime.datetime) -> int:
    """How long the task waits before its retry: until the message's next attempt."""
    send_after = (
        Message.objects.filter(pk=message_id, status=Message.Status.PENDING)
        .values_list("send_after", flat=True)
        .first()
    )
    if send_after is None:
        return 1
    return max(1, min(int(RETRY_MAX.total_seconds()), int((send_after - now).total_seconds()) + 1))


def messages_send_all(message_ids, *, now: datetime.datetime) -> dict[str, int]:
    """Send messages one by one in this process (the command; no worker needed).

    A transient failure leaves the message pending for a later sweep.
    """
    counts: dict[str, int] = defaultdict(int)
    for message_id in message_ids:
        try:
            counts[message_send(message_id=message_id, now=now)] += 1
        except TransientSendError:
            counts["retry"] += 1
    return dict(counts)


# --- event mail: feedback ready, a trainer's nudge -------------------------------------


def _event(
    *,
    recipient,
    rule: str,
    target: str,
    occurrence: str,
    now: datetime.datetime,
    enrollment: Enrollment,
    **item_fields,
) -> Message | None:
    """One event mail with its one item, published on commit; None if it exists already.

    Event mail does not count toward the daily cap. It leaves at once in the
    recipient's daytime, otherwise at 08:00 their time (the sweep sends it then).
    """
    if ReminderItem.objects.filter(
        recipient=recipient, rule=rule, target=target, occurrence=occurrence
    ).exists():
        return None
    with transaction.atomic():
        message = Message.objects.create(
            recipient=recipient,
            organisation_id=enrollment.cohort.organisation_id,
            kind=Message.Kind.EVENT,
            local_date=local_now(recipient, now).date(),
            send_after=next_daytime(recipient, now),
            created_at=now,
        )
        ReminderItem.objects.create(
            recipient=recipient,
            rule=rule,
            target=target,
            occurrence=occurrence,
            message=message,
            enrollment=enrollment,
            created_at=now,
            **item_fields,
        )
    if message.send_after <= now:
        publish_send(message.pk)
    return message


def feedback_ready_notify(*, grade, now: datetime.datetime) -> Message | None:
    """The learner's "feedback is ready" mail, for a grade released in this transaction."""
    submission = grade.submission
    enrollment = submission.enrollment
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        return None
    if not rules_for(enrollment.cohort).feedback_ready:
        return None
    recipient = enrollment.user
    if not reachable_users().filter(pk=recipient.pk).exists():
        return None
    if MailOptOut.objects.filter(user=recipient, category=Category.FEEDBACK).exists():
        return None
    return _event(
        recipient=recipient,
        rule=Rule.FEEDBACK_READY,
        target=f"grade:{grade.pk}",
        occurrence="released",
        now=now,
        enrollment=enrollment,
        assignment=submission.assignment,
    )


@transaction.atomic
def nudge_send(*, enrollment: Enrollment, trainer, now: datetime.datetime) -> Message:
    """A trainer's personal reminder to one learner: at most one a day per learner.

    The mail is fixed text (who sends it, what is open and when it is due, a link);
    it never carries work or feedback.
    """
    if not enrollment.cohort.has_trainer(trainer):
        raise NotificationError(_("Only a trainer of this cohort can send a reminder."))
    if enrollment.status != Enrollment.Status.ACTIVE:
        raise NotificationError(_("This learner is no longer active in the cohort."))
    if enrollment.cohort.has_ended(now):
        raise NotificationError(_("The cohort has ended; reminders are no longer sent."))
    recipient = enrollment.user
    if not reachable_users().filter(pk=recipient.pk).exists():
        raise NotificationError(
            _("This learner has not activated their account yet, so no reminder can be sent.")
        )
    if MailOptOut.objects.filter(user=recipient, category=Category.NUDGES).exists():
        raise NotificationError(_("This learner has switched off personal reminders."))
    # One at a time per learner, so two trainers clicking at once send one.
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    day = local_now(recipient, now).date()
    message = _event(
        recipient=recipient,
        rule=Rule.NUDGE,
        target=f"enrollment:{enrollment.pk}",
        occurrence=f"{day:%Y%m%d}",
        now=now,
        enrollment=enrollment,
        sender=trainer,
    )
    if message is None:
        raise NotificationError(_("This learner has already had a personal reminder today."))
    return message


# --- preferences and unsubscribing -----------------------------------------------------


@transaction.atomic
def preferences_update(*, user, enabled: set[str], shown: set[str]) -> None:
    """Switch the ``shown`` categories on (those in ``enabled``) or off (the rest)."""
    shown = {c for c in shown if c in Category.values}
    for category in shown:
        if category in enabled:
            MailOptOut.objects.filter(user=user, category=category).delete()
        else:
            MailOptOut.objects.get_or_create(user=user, category=category)


@transaction.atomic
def unsubscribe(*, user_id: int, categories: list[str]) -> list[str]:
    """Switch categories off (the link in a mail); returns those that are now off."""
    done = []
    for category in categories:
        if category in Category.values:
            MailOptOut.objects.get_or_create(user_id=user_id, category=category)
            done.append(category)
    return done


# --- staff's reminder rules per cohort ----------------------------------------------------


def _rule_fields() -> dict:
    """The fields staff may change: name -> model field (not the cohort, not updated_at)."""
    return {
        f.name: f
        for f in CohortReminderRules._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in {"cohort", "updated_at"}
    }


def _bounds(model_field) -> tuple[int, int]:
    low = next(v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator))
    high = next(v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator))
    return low, high


@transaction.atomic
def reminder_rules_update(*, cohort, data: dict) -> CohortReminderRules:
    """Change a cohort's reminder rules; fields not in ``data`` keep their value.

    Every number stays within its bounds, and the second reminder before a deadline
    comes closer to it than the first (or is 0: none); otherwise nothing changes.
    """
    fields = _rule_fields()
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise NotificationError(
            _("Unknown reminder settings: %(names)s.") % {"names": ", ".join(unknown)}
        )
    # Lock the cohort, so two saves at once create one row and the last one wins whole.
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    rules = CohortReminderRules.objects.filter(cohort=cohort).first() or CohortReminderRules(
        cohort=cohort
    )
    for name, value in data.items():
        model_field = fields[name]
        label = capfirst(model_field.verbose_name)
        if isinstance(model_field, models.BooleanField):
            if not isinstance(value, bool):
                raise NotificationError(_("%(field)s must be on or off.") % {"field": label})
        else:
            low, high = _bounds(model_field)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise NotificationError(
                    _("%(field)s must be a whole number from %(low)d to %(high)d.")
                    % {"field": label, "low": low, "high": high}
                )
        setattr(rules, name, value)
    if rules.due_soon_second_days and rules.due_soon_second_days >= rules.due_soon_first_days:
        raise NotificationError(
            _(
                "The second reminder must come closer to the deadline than the first: "
                "choose fewer days than %(first)d, or 0 for no second reminder."
            )
            % {"first": rules.due_soon_first_days}
        )
    rules.save()
    return rules
