"""Turning a message and its items into an email, and the unsubscribe token.

Every reminder mail is rendered in the recipient's language from a template triplet
in ``templates/emails/``, links straight to the work, and carries a one-click
unsubscribe (RFC 8058: ``List-Unsubscribe`` and ``List-Unsubscribe-Post``) for the
categories it contains, plus a link per category in its footer. No mail contains
reflection text, feedback text or scan answers: only titles, dates and counts.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from accounts.mail import render_email
from learning.progress import course_state
from notifications.models import RULE_CATEGORY, Category, Message, ReminderItem, Rule
from notifications.rules import local_now, summary_rows, waiting_work

TOKEN_SALT = "notifications.unsubscribe"  # noqa: S105 (a salt, not a secret)
MAX_TOKEN_LENGTH = 300
NUDGE_WORK_SHOWN = 3


# --- the unsubscribe token ---------------------------------------------------------------


def unsubscribe_token(user_id: int, categories) -> str:
    """A signed, unexpiring token naming a person and the categories to switch off."""
    return signing.dumps([user_id, sorted(set(categories))], salt=TOKEN_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, list[str]] | None:
    """The person and categories a token names, or None if it was tampered with."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        user_id, categories = signing.loads(token, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(categories, list):
        return None
    categories = [c for c in categories if c in Category.values]
    return (user_id, categories) if categories else None


def unsubscribe_url(user_id: int, categories) -> str:
    token = unsubscribe_token(user_id, categories)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def _absolute(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


# --- links to the work ----------------------------------------------------------------------


def _assignment_url(cohort_id: int, assignment) -> str:
    return _absolute("learn:assignment", cohort_id=cohort_id, assignment_slug=assignment.slug)


def _module_url(item: ReminderItem) -> str:
    return _absolute(
        "learn:module", cohort_id=item.enrollment.cohort_id, module_slug=item.module.slug
    )


def _course_url(item: ReminderItem) -> str:
    return _absolute("learn:cohort", cohort_id=item.enrollment.cohort_id)


def _entry(item: ReminderItem) -> dict:
    """What the mail says about one item: a title, a date where there is one, a link."""
    if item.assignment_id:
        return {
            "title": item.assignment.title,
            "due_on": item.due_on,
            "cohort": item.enrollment.cohort.name,
            "url": _assignment_url(item.enrollment.cohort_id, item.assignment),
        }
    if item.module_id:
        return {
            "title": item.module.title,
            "cohort": item.enrollment.cohort.name,
            "url": _module_url(item),
        }
    return {
        "title": item.enrollment.cohort.name,
        "cohort": item.enrollment.cohort.name,
        "url": _course_url(item),
    }


# --- building one email ----------------------------------------------------------------------


def build(
    message: Message, items: list[ReminderItem], *, now: datetime.datetime
) -> EmailMultiAlternatives | None:
    """The email for ``message`` with ``items`` (those still due), or None if nothing
    is left to say (the digest's queue emptied, the summary has no cohorts)."""
    recipient = message.recipient
    categories = sorted({RULE_CATEGORY[item.rule] for item in items})
    context = {
        "user": recipient,
        "to": recipient.email,
        "site_url": settings.SITE_URL,
        "preferences_url": _absolute("notifications:preferences"),
        "unsubscribe_all_url": unsubscribe_url(recipient.pk, categories),
        "local_date": local_now(recipient, now).date(),
    }
    with translation.override(recipient.language):
        context["unsubscribe_links"] = [
            {"label": Category(category).label, "url": unsubscribe_url(recipient.pk, [category])}
            for category in categories
        ]
        template = _fill(message, items, context, now=now)
    if template is None:
        return None
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_all_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return render_email(template, context, recipient.language, headers=headers)


def _fill(message: Message, items: list[ReminderItem], context: dict, *, now) -> str | None:
    """Add the kind's content to ``context``; returns the template name."""
    if message.kind == Message.Kind.DAILY:
        by_rule = {rule: [] for rule in Rule.values}
        for item in items:
            by_rule[item.rule].append(_entry(item))
        for entries in by_rule.values():
            entries.sort(
                key=lambda entry: (entry.get("due_on") or datetime.date.max, entry["title"])
            )
        context.update(
            due_soon=by_rule[Rule.DUE_SOON],
            overdue=by_rule[Rule.OVERDUE],
            modules=by_rule[Rule.MODULE_RELEASED],
            quiet=by_rule[Rule.INACTIVE],
            item_count=len(items),
        )
        return "reminder_daily"
    if message.kind == Message.Kind.DIGEST:
        count, oldest = waiting_work(message.recipient, now=now)
        if not count:
            return None
        context.update(
            waiting_count=count,
            oldest=oldest,
            waiting_days=(now - oldest).days if oldest else 0,
            queue_url=_absolute("trainer:home"),
        )
        return "reminder_digest"
    if message.kind == Message.Kind.SUMMARY:
        rows = summary_rows(message.organisation_id, now=now) if message.organisation_id else []
        if not rows:
            return None
        context.update(
            rows=rows,
            organisation=rows[0]["cohort"].organisation,
            report_url=_absolute("organisation:home"),
        )
        return "reminder_summary"
    item = items[0]
    if item.rule == Rule.FEEDBACK_READY:
        context.update(work=_entry(item))
        return "reminder_feedback"
    if item.rule == Rule.NUDGE:
        state = course_state(item.enrollment, now=now)
        context.update(
            sender=item.sender.display_name if item.sender else "",
            cohort=item.enrollment.cohort,
            course_url=_course_url(item),
            open_work=[
                {
                    "title": work.assignment.title,
                    "due_on": work.due_on,
                    "is_overdue": work.is_overdue,
                    "url": _assignment_url(item.enrollment.cohort_id, work.assignment),
                }
                for work in state.upcoming[:NUDGE_WORK_SHOWN]
            ],
        )
        return "reminder_nudge"
    return None
