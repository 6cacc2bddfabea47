"""Invitations: a new learner sets a password through a link; an existing one gets a notice.

The ``Invitation`` row is the outbox. It is written in the caller's transaction and
the send task is published after commit; a broker outage only delays the mail,
because ``invitation_sweep`` re-publishes whatever is left pending.

Tokens. Only a sha256 of the token is stored, yet the worker (and the sweep, hours
later) must put the token in the mail knowing nothing but the row's id. So the token
is not stored randomness but an HMAC under SECRET_KEY of the row's identity
(``invitation_token``): unguessable without the key, recomputable by any worker, and a
copy of the database alone reveals no working link (the same model as Django's
password-reset tokens). Rotating SECRET_KEY invalidates unused links; a holder of
one gets the "expired" page and can ask for a fresh one.

Claiming a send. The model has no "sending" status, so a pending row with
``sent_at`` set means "an attempt claimed at sent_at is in progress". A worker
claims with a conditional UPDATE (pending, and no attempt in progress or only one
older than ``CLAIM_LEASE``); only the worker whose UPDATE matched sends. On success
the row becomes sent; a transient error releases the claim for a retry; a permanent
one (or too many attempts) marks it failed with ``last_error``.

The one window that cannot be closed: the SMTP server accepts the message and the
worker dies before the row is marked sent. After ``CLAIM_LEASE`` the sweep sends it
again, so that person gets the invitation twice (the second link works too; both
stay valid until one is used).
"""

import base64
import datetime
import hashlib
import hmac
import logging
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.crypto import salted_hmac

from accounts.mail import TransientSendError, deliver, describe, render_email
from cohorts.models import Enrollment, Invitation
from organisations.models import Organisation

logger = logging.getLogger(__name__)

VALID_FOR = datetime.timedelta(days=14)
# An attempt claimed longer ago than this is taken to be lost (a dead worker).
CLAIM_LEASE = datetime.timedelta(minutes=10)
# The sweep leaves fresh rows to the task published on commit.
SWEEP_AFTER = datetime.timedelta(minutes=5)
# A link holder can ask for a fresh link at most this often per enrolment.
RENEW_INTERVAL = datetime.timedelta(minutes=5)
# Attempts (each a claim) before a row that keeps failing transiently is given up.
MAX_ATTEMPTS = 6

# Publishing waits briefly for the broker, once; the request never hangs on an outage.
PUBLISH = {
    "retry": True,
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
}

_UNUSED = (Invitation.Status.PENDING, Invitation.Status.SENT, Invitation.Status.FAILED)


class InvitationError(Exception):
    """An invitation cannot be used; the message is shown to the link holder."""


# --- tokens -----------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(invitation: Invitation) -> str:
    """The token in this row's link (recomputed, never stored)."""
    identity = (
        f"{invitation.pk}:{invitation.enrollment_id}:"
        f"{invitation.created_at.astimezone(datetime.UTC):%Y%m%d%H%M%S%f}"
    )
    digest = salted_hmac("cohorts.invitations", identity, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _link_token(invitation: Invitation) -> str | None:
    """The token in this row's link, or None if it no longer matches (SECRET_KEY rotated)."""
    token = invitation_token(invitation)
    return token if hmac.compare_digest(token_hash(token), invitation.token_hash) else None


def invitation_url(invitation: Invitation) -> str:
    token = invitation_token(invitation)
    return settings.SITE_URL + reverse("invitations:accept", kwargs={"token": token})


# --- issuing ------------------------------------------------------------------


def invite_or_notify(*, enrollment: Enrollment, invited_by, now: datetime.datetime) -> None:
    """Tell a newly enrolled person: an invitation for a new account, a notice otherwise.

    Call it inside the enrolment's transaction; the mail goes out after commit.
    """
    if enrollment.user.has_usable_password():
        enrolment_notice_send(enrollment=enrollment)
    else:
        invitation_issue(enrollment=enrollment, invited_by=invited_by, now=now)


def invitation_resend(*, enrollment: Enrollment, invited_by, now: datetime.datetime) -> bool:
    """Staff's or an org admin's "send again": True for a fresh invitation, False for a notice.

    A fresh invitation makes every older unused link of the enrolment stop working.
    """
    invite_or_notify(enrollment=enrollment, invited_by=invited_by, now=now)
    return not enrollment.user.has_usable_password()


@transaction.atomic
def invitation_issue(*, enrollment: Enrollment, invited_by, now: datetime.datetime) -> Invitation:
    """A fresh invitation for ``enrollment``; every older unused link stops working."""
    Invitation.objects.filter(enrollment=enrollment, status__in=_UNUSED, expires_at__gt=now).update(
        expires_at=now
    )
    invitation = Invitation.objects.create(
        enrollment=enrollment,
        # Unique placeholder until the row has the id its token is made from.
        token_hash=secrets.token_hex(32),
        invited_by=invited_by if getattr(invited_by, "is_authenticated", False) else None,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    invitation.token_hash = token_hash(invitation_token(invitation))
    invitation.save(update_fields=["token_hash"])
    _publish_invitation(invitation.pk)
    return invitation


def _publish_invitation(invitation_id: int) -> None:
    from cohorts.tasks import send_invitation

    # robust: a broker outage is logged, never breaks the request; the sweep sends later.
    transaction.on_commit(
        lambda: send_invitation.apply_async((invitation_id,), **PUBLISH), robust=True
    )


def enrolment_notice_send(*, enrollment: Enrollment) -> None:
    """Publish the "you have been enrolled" mail after commit.

    There is no row for a notice (the model is the invitation's), so a notice lost
    with the broker is not re-sent; the person still finds the cohort at /leren/.
    """
    from cohorts.tasks import send_enrolment_notice

    enrollment_id = enrollment.pk
    transaction.on_commit(
        lambda: send_enrolment_notice.apply_async((enrollment_id,), **PUBLISH), robust=True
    )


# --- sending ------------------------------------------------------------------


def invitation_claim(*, invitation_id: int, now: datetime.datetime) -> bool:
    """Take the right to send this row now; at most one worker gets True."""
    claimed = (
        Invitation.objects.filter(
            pk=invitation_id, status=Invitation.Status.PENDING, expires_at__gt=now
        )
        .exclude(enrollment__status=Enrollment.Status.WITHDRAWN)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=now - CLAIM_LEASE))
        .update(sent_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def invitation_send(*, invitation_id: int, now: datetime.datetime) -> None:
    """Send one invitation if it is still due and this worker wins the claim.

    Raises TransientSendError (claim released) when the task should retry.
    """
    if not invitation_claim(invitation_id=invitation_id, now=now):
        return
    invitation = Invitation.objects.select_related(
        "enrollment__user", "enrollment__cohort", "enrollment__cohort__course"
    ).get(pk=invitation_id)
    user = invitation.enrollment.user
    claimed = Invitation.objects.filter(pk=invitation_id, status=Invitation.Status.PENDING)
    if _link_token(invitation) is None:
        claimed.update(status=Invitation.Status.FAILED, last_error="The link no longer matches.")
        return
    context = {
        "user": user,
        "to": user.email,
        "cohort": invitation.enrollment.cohort,
        "invitation_url": invitation_url(invitation),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    message = render_email("invitation", context, user.language)
    try:
        deliver(message)
    except TransientSendError as error:
        if invitation.attempts >= MAX_ATTEMPTS:
            claimed.update(status=Invitation.Status.FAILED, last_error=str(error))
            return
        claimed.update(sent_at=None, last_error=str(error))
        raise
    except Exception as error:
        logger.warning("Invitation %s could not be delivered: %s", invitation_id, error)
        claimed.update(status=Invitation.Status.FAILED, last_error=describe(error))
        return
    claimed.update(status=Invitation.Status.SENT, sent_at=now, last_error="")


def enrolment_notice_deliver(*, enrollment_id: int) -> None:
    """Send the notice to an existing account; permanent failures are logged and dropped."""
    enrollment = (
        Enrollment.objects.select_related("user", "cohort", "cohort__course")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None or enrollment.status == Enrollment.Status.WITHDRAWN:
        return
    user = enrollment.user
    context = {
        "user": user,
        "to": user.email,
        "cohort": enrollment.cohort,
        "learn_url": settings.SITE_URL + reverse("learn:home"),
        "site_url": settings.SITE_URL,
    }
    try:
        deliver(render_email("enrolment_notice", context, user.language))
    except TransientSendError:
        raise
    except Exception as error:
        logger.warning("Enrolment notice %s could not be delivered: %s", enrollment_id, error)


def invitations_due_for_resend(*, now: datetime.datetime) -> list[int]:
    """Pending rows whose publish or worker was lost: old enough, not being sent now."""
    return list(
        Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            created_at__lt=now - SWEEP_AFTER,
            expires_at__gt=now,
        )
        .exclude(enrollment__status=Enrollment.Status.WITHDRAWN)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=now - CLAIM_LEASE))
        .values_list("pk", flat=True)[:500]
    )


def invitations_resend_pending(*, now: datetime.datetime) -> int:
    """The sweep: send what was left pending; each row is claimed, so it never doubles up."""
    sent = 0
    for invitation_id in invitations_due_for_resend(now=now):
        try:
            invitation_send(invitation_id=invitation_id, now=now)
        except TransientSendError:
            continue  # claim released; the next sweep tries again
        sent += 1
    return sent


# --- the link -----------------------------------------------------------------


def invitation_for_token(token: str) -> Invitation | None:
    """The row a link points to, whatever its state; None for an unknown token."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("enrollment__user", "enrollment__cohort")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_state(invitation: Invitation, *, now: datetime.datetime) -> str:
    """What the link page shows: "open", "used", "has_password", "expired" or "closed"."""
    user = invitation.enrollment.user
    if invitation.enrollment.status == Enrollment.Status.WITHDRAWN:
        return "closed"
    if invitation.status == Invitation.Status.USED:
        # Used by its owner, who logs in now; without a password (reset by staff) it renews.
        return "used" if user.has_usable_password() else "expired"
    if user.has_usable_password():
        return "has_password"
    if invitation.expires_at <= now:
        return "expired"
    return "open"


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, now: datetime.datetime):
    """Set the password and use the link up, once: a second submit raises InvitationError."""
    used = Invitation.objects.filter(
        pk=invitation.pk, status__in=_UNUSED, expires_at__gt=now
    ).update(status=Invitation.Status.USED, used_at=now)
    if used != 1:
        raise InvitationError("This link has already been used or has expired.")
    user = invitation.enrollment.user
    if user.has_usable_password():
        raise InvitationError("This account already has a password.")
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    # Every other unused link for this person's enrolments stops working too.
    Invitation.objects.filter(enrollment__user=user, status__in=_UNUSED, expires_at__gt=now).update(
        expires_at=now
    )
    return user


def invitation_renew(*, invitation: Invitation, now: datetime.datetime) -> None:
    """A fresh link, to the address on file, for the holder of an expired one.

    At most one per RENEW_INTERVAL per enrolment; the holder is told the same either way.
    """
    if invitation_state(invitation, now=now) != "expired":
        return
    with transaction.atomic():
        # Lock the enrolment so two clicks cannot both pass the interval check.
        enrollment = Enrollment.objects.select_for_update().get(pk=invitation.enrollment_id)
        recent = Invitation.objects.filter(
            enrollment=enrollment, created_at__gt=now - RENEW_INTERVAL
        ).exists()
        if not recent:
            invitation_issue(enrollment=enrollment, invited_by=None, now=now)


# --- for the report pages -------------------------------------------------------


def failed_invitations_for(organisation: Organisation) -> QuerySet[Invitation]:
    """Undeliverable invitations of the organisation, the newest per enrolment only.

    An invitation replaced by a newer one (a resend) no longer counts.
    """
    newer = Invitation.objects.filter(
        enrollment=OuterRef("enrollment"), created_at__gt=OuterRef("created_at")
    )
    return (
        Invitation.objects.filter(
            enrollment__cohort__organisation=organisation,
            status=Invitation.Status.FAILED,
        )
        .exclude(enrollment__status=Enrollment.Status.WITHDRAWN)
        .filter(~Exists(newer))
        .select_related("enrollment__user", "enrollment__cohort")
        .order_by("enrollment__cohort__name", "enrollment__user__email")
    )
