from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A client of the training company whose employees follow a course."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    admins_may_enrol = models.BooleanField(
        _("organisation admins may enrol and invite"),
        default=False,
        help_text=_("Staff decide whether the client's HR contacts enrol people themselves."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep learner data for (months)"),
        default=12,
        help_text=_("After a cohort ends, its learners are anonymised once this period passes."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person belonging to a client organisation; org admins follow its people."""

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        ORG_ADMIN = "org_admin", _("organisation admin")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    department = models.CharField(_("department"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def is_org_admin(self) -> bool:
        return self.role == self.Role.ORG_ADMIN
