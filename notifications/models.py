"""Reminder mail: the rules per cohort, the items each rule finds, the mail that carries them.

An item is one reason to write to someone (an assignment due in three days, feedback
ready); its key (recipient, rule, target, occurrence) is unique, so no rule ever finds
the same thing twice. A message is one email: the learner's daily reminder bundles
every item of that day and is unique per (recipient, local date), and it is the unit
that is claimed and sent (pending → sending → sent / failed). See docs/reminders.md.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a person can switch off (account and invitation mail cannot be)."""

    DEADLINES = "deadlines", _("Deadlines: work due soon or overdue")
    ACTIVITY = "activity", _("A reminder after a quiet week")
    MODULES = "modules", _("A new module has opened")
    FEEDBACK = "feedback", _("Feedback on your work is ready")
    NUDGES = "nudges", _("A personal reminder from your trainer")
    TRAINER_DIGEST = "trainer_digest", _("Daily overview of work waiting to be graded")
    ORG_SUMMARY = "org_summary", _("Weekly summary of your organisation's cohorts")


class Rule(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    INACTIVE = "inactive", _("inactive")
    MODULE_RELEASED = "module_released", _("module opened")
    FEEDBACK_READY = "feedback_ready", _("feedback ready")
    NUDGE = "nudge", _("trainer's nudge")
    TRAINER_DIGEST = "trainer_digest", _("trainer digest")
    ORG_SUMMARY = "org_summary", _("weekly summary")


RULE_CATEGORY = {
    Rule.DUE_SOON: Category.DEADLINES,
    Rule.OVERDUE: Category.DEADLINES,
    Rule.INACTIVE: Category.ACTIVITY,
    Rule.MODULE_RELEASED: Category.MODULES,
    Rule.FEEDBACK_READY: Category.FEEDBACK,
    Rule.NUDGE: Category.NUDGES,
    Rule.TRAINER_DIGEST: Category.TRAINER_DIGEST,
    Rule.ORG_SUMMARY: Category.ORG_SUMMARY,
}

LEARNER_CATEGORIES = (
    Category.DEADLINES,
    Category.ACTIVITY,
    Category.MODULES,
    Category.FEEDBACK,
    Category.NUDGES,
)


class CohortReminderRules(models.Model):
    """Staff's reminder settings for one cohort; a cohort without a row has the defaults."""

    cohort = models.OneToOneField(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="reminder_rules"
    )
    due_soon = models.BooleanField(_("remind before a deadline"), default=True)
    due_soon_first_days = models.PositiveSmallIntegerField(
        _("first reminder (days before)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )
    due_soon_second_days = models.PositiveSmallIntegerField(
        _("second reminder (days before)"),
        default=1,
        help_text=_("0 sends no second reminder."),
        validators=[MinValueValidator(0), MaxValueValidator(14)],
    )
    overdue = models.BooleanField(_("remind once when work is overdue"), default=True)
    overdue_days = models.PositiveSmallIntegerField(
        _("overdue reminder (days after)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )
    inactive = models.BooleanField(_("remind after a quiet period"), default=True)
    inactive_days = models.PositiveSmallIntegerField(
        _("quiet period (days)"),
        default=7,
        validators=[MinValueValidator(3), MaxValueValidator(30)],
    )
    module_released = models.BooleanField(_("announce each new module"), default=True)
    feedback_ready = models.BooleanField(_("tell learners when feedback is ready"), default=True)
    trainer_digest = models.BooleanField(_("daily digest for the trainers"), default=True)
    org_summary = models.BooleanField(_("weekly summary for the organisation admins"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder rules")
        verbose_name_plural = _("reminder rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_soon_first_days__gte=1, due_soon_first_days__lte=14)
                & models.Q(due_soon_second_days__lte=14)
                & models.Q(overdue_days__gte=1, overdue_days__lte=14)
                & models.Q(inactive_days__gte=3, inactive_days__lte=30),
                name="reminder_rules_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort}"


class Message(models.Model):
    """One email, claimed as a whole before it is sent."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("daily reminder")
        DIGEST = "digest", _("trainer digest")
        SUMMARY = "summary", _("weekly summary")
        EVENT = "event", _("sent at once")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be delivered")
        CANCELLED = "cancelled", _("not needed any more")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_messages"
    )
    # The organisation the mail is about, so its admins see a failed delivery.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_messages",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    local_date = models.DateField(_("date"), help_text=_("In the recipient's time zone."))
    send_after = models.DateTimeField(_("send after"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder email")
        verbose_name_plural = _("reminder emails")
        constraints = [
            # The daily cap, the digest and the summary: one mail per person and day.
            models.UniqueConstraint(
                fields=["recipient", "kind", "local_date"],
                condition=~models.Q(kind="event"),
                name="message_one_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["status", "send_after"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.local_date})"


class ReminderItem(models.Model):
    """One reason to write to someone, found once (the key is unique)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_items"
    )
    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices)
    target = models.CharField(_("target"), max_length=64)
    occurrence = models.CharField(_("occurrence"), max_length=32)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="items")
    # What the item is about, for the mail's links and the trainer's list.
    enrollment = models.ForeignKey(
        "cohorts.Enrollment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_items",
    )
    assignment = models.ForeignKey(
        "assignments.Assignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    module = models.ForeignKey(
        "courses.Module", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder_nudges_sent",
        help_text=_("The trainer who sent a personal nudge."),
    )
    # Set when the item was left out of its mail (handed in meanwhile, switched off).
    dropped = models.BooleanField(_("left out"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "rule", "target", "occurrence"], name="reminder_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.target} {self.occurrence} → {self.recipient_id}"

    @property
    def category(self) -> str:
        return RULE_CATEGORY[self.rule]


class MailOptOut(models.Model):
    """A person switched a category of mail off (by preferences or an unsubscribe link)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs"
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mail opt-out")
        verbose_name_plural = _("mail opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="mail_opt_out_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.category}"
