import functools
import unicodedata
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Line and paragraph separators, control characters (CR, LF, TAB…) and invisible
# format characters (bidi overrides, zero-width spaces).
NOT_IN_A_NAME = {"Cc", "Cf", "Zl", "Zp"}


def single_line(text: str) -> str:
    """A name as one plain line: what a mail header or body can carry safely.

    Characters that break or disguise a line become spaces; runs of spaces one.
    """
    spaced = "".join(" " if unicodedata.category(c) in NOT_IN_A_NAME else c for c in text)
    return " ".join(spaced.split())


@functools.cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """Once per process: listing the time zones walks the zoneinfo folder on disk (some
    15 ms), and a form with a time zone field asks on every page it is shown."""
    return tuple((name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The email address is the login; there are no usernames.

    Roles are not stored here: they follow from enrolments, cohort assignments and
    memberships (see accounts.roles).
    """

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=time_zone_choices, default="Europe/Amsterdam"
    )
    is_staff = models.BooleanField(
        _("platform staff"),
        default=False,
        help_text=_("Staff of the training company: manages organisations and cohorts."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deletion_requested_at = models.DateTimeField(
        _("deletion requested at"),
        null=True,
        blank=True,
        help_text=_("The person asked for their data to be removed; staff handle it."),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique")
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        self.display_name = single_line(self.display_name)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email
