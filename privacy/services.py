"""Writes for data rights: a deletion request, anonymising a person, the retention sweep.

Anonymising keeps what cohort statistics are made of (enrolments, every submission's
status, score, result and dates, lesson progress, rubric scores) and removes what
identifies the person or what they wrote in their own words. The user row stays, so
grades, extensions and enrolments keep pointing at something (those foreign keys
protect), but it no longer names anyone and can no longer log in.
"""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from assignments.models import (
    Assignment,
    CommentSnippet,
    Extension,
    Grade,
    Submission,
    SubmissionMessage,
)
from cohorts.models import Enrollment, Invitation
from cohorts.services import progress_changed
from notifications.models import MailOptOut, Message
from organisations.models import Membership
from privacy.selectors import retention_due


class PrivacyError(Exception):
    """A data-rights action cannot be done; the message says why."""


def anonymised_email(user_id: int) -> str:
    """A placeholder that is unique, says what happened and can never receive mail."""
    return f"anonymised-{user_id}@invalid.example"


def deletion_request(*, user: User, now: datetime.datetime) -> bool:
    """Record that ``user`` asks for their data to be removed; asking again changes nothing.

    Returns whether this was a new request.
    """
    asked = User.objects.filter(pk=user.pk, deletion_requested_at__isnull=True).update(
        deletion_requested_at=now
    )
    if asked:
        user.deletion_requested_at = now
    return bool(asked)


def _refuse_staff(user: User) -> None:
    if user.is_staff or user.is_superuser:
        raise PrivacyError(
            _(
                "Platform staff cannot be anonymised here, so that nobody can lock the "
                "platform out. Take away their staff status in the Django admin first."
            )
        )


def _scrub_admin_log(user: User, enrollment_ids: list[int]) -> None:
    """The Django admin's history names objects by their text, which names the person."""
    placeholder = anonymised_email(user.pk)
    targets = [
        (User, [user.pk]),
        (Membership, list(Membership.objects.filter(user=user).values_list("pk", flat=True))),
        (Enrollment, enrollment_ids),
        (
            Extension,
            list(Extension.objects.filter(enrollment__user=user).values_list("pk", flat=True)),
        ),
        (
            Invitation,
            list(Invitation.objects.filter(enrollment__user=user).values_list("pk", flat=True)),
        ),
    ]
    for model, ids in targets:
        if ids:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in ids],
            ).update(object_repr=placeholder, change_message="")


def _scrub(user: User, now: datetime.datetime) -> User:
    """Remove what identifies ``user``; keep what statistics count. Safe to repeat."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _refuse_staff(user)
    enrollment_ids = list(Enrollment.objects.filter(user=user).values_list("pk", flat=True))
    _scrub_admin_log(user, enrollment_ids)
    # Reflections are the person's own words; quiz choices and scan ratings identify
    # nobody and stay, so scores, results and the cohort's scan charts hold.
    Submission.objects.filter(
        enrollment_id__in=enrollment_ids, assignment__kind=Assignment.Kind.REFLECTION
    ).update(answers={})
    # The cohort pages keep rows with the person's name: raising their versions makes
    # every process read them again, without the name, on the next view.
    progress_changed(enrollments=enrollment_ids)
    # The thread about their work quotes and names them, whoever wrote in it; and what
    # they wrote about someone else's work is theirs.
    SubmissionMessage.objects.filter(
        Q(author=user) | Q(submission__enrollment_id__in=enrollment_ids)
    ).delete()
    # A trainer's comment on their work does the same; the rubric scores stay.
    Grade.objects.filter(submission__enrollment_id__in=enrollment_ids).update(comment="")
    Invitation.objects.filter(enrollment_id__in=enrollment_ids).delete()
    # The reminder mail sent to them, with its log (an error can quote the address).
    Message.objects.filter(recipient=user).delete()
    MailOptOut.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).update(department="")
    CommentSnippet.objects.filter(trainer=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = anonymised_email(user.pk)
    user.display_name = ""
    user.language = settings.LANGUAGE_CODE
    user.time_zone = User._meta.get_field("time_zone").default
    user.set_unusable_password()
    user.is_active = False
    user.anonymised_at = user.anonymised_at or now
    user.save(
        update_fields=[
            "email",
            "display_name",
            "language",
            "time_zone",
            "password",
            "is_active",
            "anonymised_at",
        ]
    )
    return user


def sessions_delete(*, user_ids: set[int]) -> int:
    """Log these people out everywhere: their database sessions go.

    Sessions are not indexed by user, so each is read once; anonymising is rare.
    """
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    keys = [
        session.session_key
        for session in Session.objects.iterator()
        if str(session.get_decoded().get(SESSION_KEY)) in wanted
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_anonymise(*, user: User, now: datetime.datetime) -> User:
    """Anonymise one person (staff's action on a request, or the retention sweep).

    Refuses platform staff. Anonymising someone twice changes nothing more; the first
    ``anonymised_at`` stays.
    """
    user = _scrub(user, now)
    sessions_delete(user_ids={user.pk})
    return user


@dataclass(frozen=True)
class RetentionCase:
    user_id: int
    last_cohort_ended_on: datetime.date


def retention_sweep(*, now: datetime.datetime, dry_run: bool = False) -> list[RetentionCase]:
    """Anonymise every learner whose data is past retention at ``now`` (see
    ``privacy.selectors.retention_due``). With ``dry_run`` nothing changes.

    Each person is anonymised in their own transaction and checked again under the
    lock, so someone enrolled in a new cohort meanwhile is left alone.
    """
    cases = [
        RetentionCase(user_id=pk, last_cohort_ended_on=ended)
        for pk, ended in retention_due(now=now).values_list("pk", "last_cohort_ended_on")
    ]
    if dry_run:
        return cases
    done = []
    for case in cases:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=case.user_id).first()
            if user is None or not retention_due(now=now).filter(pk=user.pk).exists():
                continue
            _scrub(user, now)
        done.append(case)
    sessions_delete(user_ids={case.user_id for case in done})
    return done
