import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import time_zone_choices
from organisations.models import Organisation


class Cohort(models.Model):
    """A group of an organisation's employees following a course together."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=time_zone_choices, default="Europe/Amsterdam"
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.PROTECT,
        related_name="cohorts",
        null=True,
        blank=True,
        verbose_name=_("course"),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="trained_cohorts",
        blank=True,
        verbose_name=_("trainers"),
    )
    archived_at = models.DateTimeField(
        _("archived at"),
        null=True,
        blank=True,
        help_text=_("A finished cohort that is archived no longer shows in everyday lists."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Raised by every change that alters all its learners' progress (dates, releases,
    # deadlines, the course): a stored summary made before it is out of date
    # (see cohorts.services.progress_changed and dashboards.summaries).
    progress_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="cohort_name_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self, now: datetime.datetime) -> datetime.date:
        """The date in the cohort's time zone at ``now`` (taken once by the caller)."""
        return now.astimezone(self.tz).date()

    def is_running(self, now: datetime.datetime) -> bool:
        return self.starts_on <= self.local_today(now) <= self.ends_on

    def has_ended(self, now: datetime.datetime) -> bool:
        return self.local_today(now) > self.ends_on

    def has_trainer(self, user) -> bool:
        """Whether ``user`` is assigned to this cohort as trainer: the one test for it."""
        return bool(user.is_authenticated) and self.trainers.filter(pk=user.pk).exists()


class ModuleRelease(models.Model):
    """Staff's override of when a module opens for one cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="module_releases")
    module = models.ForeignKey(
        "courses.Module", on_delete=models.CASCADE, related_name="cohort_releases"
    )
    opens_on = models.DateField(_("opens on"))

    class Meta:
        verbose_name = _("module release date")
        verbose_name_plural = _("module release dates")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "module"], name="module_release_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module} @ {self.cohort.name}: {self.opens_on}"


class Enrollment(models.Model):
    """A learner in a cohort: the one record that makes someone a learner."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    starts_on = models.DateField(
        _("personal start date"),
        help_text=_("Usually the cohort's start; later for someone who joins late."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Raised by every change to this learner's progress (a lesson read, work saved,
    # handed in or graded, an extension, a move): see cohorts.services.progress_changed.
    progress_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["cohort", "user__display_name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "cohort"], name="enrollment_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort.name}"


class Invitation(models.Model):
    """An email that lets a newly enrolled person set a password and start.

    Only a hash of the token is stored. Opening the link never uses it up (mail
    scanners open links); setting the password does. The row is also the outbox for
    the invitation mail: a periodic sweep re-sends what is left pending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be delivered")
        USED = "used", _("used")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.enrollment} ({self.get_status_display()})"
