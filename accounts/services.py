from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User, single_line


class AccountError(Exception):
    """A write in accounts could not be done; the message is shown to the user."""


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    display_name: str = "",
    language: str = "nl",
    time_zone: str = "Europe/Amsterdam",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a person with a verified, primary email address.

    Everyone created by seed data, invitations or tests goes through here, so no
    account ever lacks the EmailAddress row allauth needs to let them log in.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(f"An account for {email} already exists.")
    user = User.objects.create_user(
        email=email,
        password=password,
        display_name=single_line(display_name),
        language=language,
        time_zone=time_zone,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, language: str, time_zone: str) -> User:
    user.display_name = single_line(display_name)
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["display_name", "language", "time_zone"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user
