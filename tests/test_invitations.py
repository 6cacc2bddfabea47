"""Invitations: the mail, the link, the resend, and the outbox behind them."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends import locmem
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.services import user_create
from cohorts import invitations
from cohorts.invitations import (
    InvitationError,
    TransientSendError,
    failed_invitations_for,
    invitation_accept,
    invitation_claim,
    invitation_send,
    invitations_resend_pending,
    invite_or_notify,
    token_hash,
)
from cohorts.models import Invitation
from cohorts.services import enrollment_create
from cohorts.tasks import resend_pending_invitations, send_invitation
from lms.celery import app
from tests.smtp import SmtpSink

SITE = "https://leren.example.com"
NEW_PASSWORD = "zeven-blauwe-fietsen-42"
# Runs (or collects) on_commit callbacks inside the test transaction.
captureOnCommitCallbacks = TestCase.captureOnCommitCallbacks
LINK = re.compile(re.escape(SITE) + r"/uitnodiging/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def eager():
    """Tasks run in-process; on_commit callbacks are run by captureOnCommitCallbacks."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def newcomer(world):
    """Noor: a new account without a password, enrolled in Acme's cohort, English mail."""
    user = user_create(email="noor@example.com", display_name="Noor", language="en")
    return enrollment_create(cohort=world.cohort, user=user)


def _invite(enrollment, by, now=None):
    with captureOnCommitCallbacks(execute=True):
        invite_or_notify(enrollment=enrollment, invited_by=by, now=now or timezone.now())
    return Invitation.objects.filter(enrollment=enrollment).order_by("-pk").first()


def _token_from(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _accept_url(token):
    return reverse("invitations:accept", kwargs={"token": token})


# --- issuing and sending ------------------------------------------------------------


def test_issuing_stores_one_hashed_row_and_sends_after_commit(world, newcomer, eager):
    with captureOnCommitCallbacks(execute=False) as callbacks:
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=timezone.now())
    assert mail.outbox == []  # nothing leaves before the enrolment commits
    for callback in callbacks:
        callback()
    invitation = Invitation.objects.get(enrollment=newcomer)
    assert invitation.status == Invitation.Status.SENT
    assert invitation.invited_by == world.org_admin
    assert invitation.attempts == 1
    assert len(mail.outbox) == 1
    token = _token_from(mail.outbox[0])
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash


def test_invitation_mail_is_in_the_recipients_language_with_text_and_html(world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    message = mail.outbox[0]
    assert message.to == ["noor@example.com"]
    assert "Acme najaar" in message.subject
    with translation.override("en"):
        assert gettext("Set your password") in message.alternatives[0][0]
    assert "Hello Noor," in message.body  # English, though the site default is Dutch
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{SITE}/uitnodiging/{_token_from(message)}/"' in html


def test_dutch_recipient_gets_dutch_mail(world, eager):
    user = user_create(email="daan@example.com", display_name="Daan", language="nl")
    _invite(enrollment_create(cohort=world.cohort, user=user), world.staff)
    body = mail.outbox[0].body
    assert "Hallo Daan," in body
    assert "Hello Daan," not in body
    assert _token_from(mail.outbox[0])


def test_existing_account_gets_a_notice_without_a_token(world, eager):
    enrollment = enrollment_create(cohort=world.other_cohort, user=world.learner)
    _invite(enrollment, world.staff)
    assert not Invitation.objects.filter(enrollment=enrollment).exists()
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Bolt najaar" in message.subject
    assert f"{SITE}/leren/" in message.body
    assert "/uitnodiging/" not in message.body
    assert f'href="{SITE}/leren/"' in message.alternatives[0][0]


def test_broker_outage_never_breaks_the_enrolment(world, newcomer, monkeypatch):
    def broker_down(*_args, **_kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(send_invitation, "apply_async", broker_down)
    with captureOnCommitCallbacks(execute=True):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=timezone.now())
    invitation = Invitation.objects.get(enrollment=newcomer)
    assert invitation.status == Invitation.Status.PENDING  # the sweep sends it later


# --- the link -------------------------------------------------------------------------


def test_get_shows_the_form_and_never_uses_the_link_up(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    token = _token_from(mail.outbox[0])
    for _ in range(3):  # a mail scanner, a preview, the person
        response = client.get(_accept_url(token))
        assert response.status_code == 200
        assert b"noor@example.com" in response.content
        assert b'name="new_password1"' in response.content
    invitation = Invitation.objects.get(enrollment=newcomer)
    assert invitation.status == Invitation.Status.SENT
    assert invitation.used_at is None


def test_post_sets_password_verifies_email_logs_in_and_lands_on_learning(
    client, world, newcomer, eager
):
    _invite(newcomer, world.org_admin)
    EmailAddress.objects.filter(user=newcomer.user).update(verified=False, primary=False)
    token = _token_from(mail.outbox[0])
    response = client.post(
        _accept_url(token), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("learn:home")
    user = newcomer.user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.verified, address.primary) == (True, True)
    assert client.get(reverse("learn:home")).status_code == 200
    invitation = Invitation.objects.get(enrollment=newcomer)
    assert invitation.status == Invitation.Status.USED
    assert invitation.used_at is not None


def test_weak_password_is_refused_and_link_stays_usable(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    token = _token_from(mail.outbox[0])
    response = client.post(_accept_url(token), {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert b"field-errors" in response.content
    assert Invitation.objects.get(enrollment=newcomer).status == Invitation.Status.SENT


def test_second_submit_is_refused_cleanly(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    token = _token_from(mail.outbox[0])
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(_accept_url(token), data).status_code == 302
    client.logout()
    other = {"new_password1": "andere-groene-tram-77", "new_password2": "andere-groene-tram-77"}
    response = client.post(_accept_url(token), other)
    assert response.status_code == 409
    assert reverse("account_login").encode() in response.content
    newcomer.user.refresh_from_db()
    assert newcomer.user.check_password(NEW_PASSWORD)


def test_accepting_twice_in_the_service_raises(world, newcomer, eager):
    invitation = _invite(newcomer, world.org_admin)
    now = timezone.now()
    invitation_accept(invitation=invitation, password=NEW_PASSWORD, now=now)
    with pytest.raises(InvitationError, match="already been used"):
        invitation_accept(invitation=invitation, password="iets-anders-99", now=now)


@pytest.mark.parametrize("token", ["bestaat-niet", "x" * 43, "x" * 200])
def test_unknown_or_tampered_token_is_404(client, world, newcomer, eager, token):
    _invite(newcomer, world.org_admin)
    real = _token_from(mail.outbox[0])
    assert token != real
    assert client.get(_accept_url(token)).status_code == 404
    assert client.post(reverse("invitations:renew", kwargs={"token": token})).status_code == 404


def test_tampered_last_character_is_404(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    real = _token_from(mail.outbox[0])
    tampered = real[:-1] + ("A" if real[-1] != "A" else "B")
    assert client.get(_accept_url(tampered)).status_code == 404


def _let_expire(enrollment):
    """Fourteen days pass."""
    Invitation.objects.filter(enrollment=enrollment).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
        created_at=timezone.now() - datetime.timedelta(days=14, minutes=1),
    )


def test_expired_link_explains_and_a_fresh_link_works(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    _let_expire(newcomer)
    old_token = _token_from(mail.outbox[0])
    response = client.get(_accept_url(old_token))
    assert response.status_code == 200
    assert b'name="new_password1"' not in response.content
    assert b"noor@example.com" not in response.content  # nothing beyond what the holder knows
    renew_url = reverse("invitations:renew", kwargs={"token": old_token})
    assert renew_url.encode() in response.content
    refused = client.post(
        _accept_url(old_token), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert refused.status_code == 409

    with captureOnCommitCallbacks(execute=True):
        assert client.post(renew_url).status_code == 200
    assert len(mail.outbox) == 2
    new_token = _token_from(mail.outbox[1])
    assert new_token != old_token
    response = client.post(
        _accept_url(new_token), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("learn:home")


def test_asking_for_a_fresh_link_again_and_again_sends_one(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    _let_expire(newcomer)
    renew_url = reverse("invitations:renew", kwargs={"token": _token_from(mail.outbox[0])})
    with captureOnCommitCallbacks(execute=True):
        for _ in range(3):
            assert client.post(renew_url).status_code == 200
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(enrollment=newcomer).count() == 2


def test_fresh_link_cannot_be_asked_for_a_valid_invitation(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    renew_url = reverse("invitations:renew", kwargs={"token": _token_from(mail.outbox[0])})
    with captureOnCommitCallbacks(execute=True):
        client.post(renew_url)
    assert len(mail.outbox) == 1


def test_used_link_of_account_with_password_suggests_logging_in(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    token = _token_from(mail.outbox[0])
    client.post(_accept_url(token), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    response = client.get(_accept_url(token))
    assert response.status_code == 200
    assert reverse("account_login").encode() in response.content
    assert reverse("invitations:renew", kwargs={"token": token}).encode() not in response.content


# --- resend by staff and org admins ---------------------------------------------------


def test_resend_invalidates_the_old_link(client, world, newcomer, eager):
    _invite(newcomer, world.org_admin)
    old_token = _token_from(mail.outbox[0])
    client.force_login(world.org_admin)
    url = reverse(
        "invitations:resend", kwargs={"cohort_id": world.cohort.pk, "enrollment_id": newcomer.pk}
    )
    with captureOnCommitCallbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation:cohort", args=[world.cohort.pk])
    new_token = _token_from(mail.outbox[1])
    client.logout()
    assert b'name="new_password1"' not in client.get(_accept_url(old_token)).content
    assert b'name="new_password1"' in client.get(_accept_url(new_token)).content
    assert Invitation.objects.get(token_hash=token_hash(new_token)).invited_by == world.org_admin


def test_staff_resend_goes_back_to_the_page_it_came_from(client, world, newcomer, eager):
    client.force_login(world.staff)
    url = reverse(
        "invitations:resend", kwargs={"cohort_id": world.cohort.pk, "enrollment_id": newcomer.pk}
    )
    back = reverse("staff:cohort", args=[world.cohort.pk]) + "#uitnodigingen"
    with captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"next": back})
    assert response["Location"] == back
    assert len(mail.outbox) == 1
    external = client.post(url, {"next": "https://elders.example.org/"})
    assert external["Location"] == reverse("staff:cohort", args=[world.cohort.pk])


def test_org_admin_of_other_organisation_cannot_resend(client, world, newcomer):
    client.force_login(world.org_admin_other)
    url = reverse(
        "invitations:resend", kwargs={"cohort_id": world.cohort.pk, "enrollment_id": newcomer.pk}
    )
    assert client.post(url).status_code == 404
    # Nor by naming their own cohort with Acme's enrolment.
    url = reverse(
        "invitations:resend",
        kwargs={"cohort_id": world.other_cohort.pk, "enrollment_id": newcomer.pk},
    )
    assert client.post(url).status_code == 404
    assert not Invitation.objects.exists()


def test_resend_is_post_only(client, world, newcomer):
    client.force_login(world.staff)
    url = reverse(
        "invitations:resend", kwargs={"cohort_id": world.cohort.pk, "enrollment_id": newcomer.pk}
    )
    assert client.get(url).status_code == 405


# --- failures, retries, the sweep and the claim ---------------------------------------


def test_refused_recipient_marks_failed_and_shows_for_the_org_admin(
    world, newcomer, smtp_server, eager
):
    smtp_server(SmtpSink(refuse_all=True))
    invitation = _invite(newcomer, world.org_admin)
    assert invitation.status == Invitation.Status.FAILED
    assert "SMTPRecipientsRefused" in invitation.last_error
    assert list(failed_invitations_for(world.acme)) == [invitation]
    assert list(failed_invitations_for(world.bolt)) == []


def test_failed_invitation_leaves_the_list_once_resent(world, newcomer, smtp_server, eager):
    handler = smtp_server(SmtpSink(refuse_all=True))
    _invite(newcomer, world.org_admin)
    handler.refuse_all = False
    _invite(newcomer, world.org_admin)
    assert list(failed_invitations_for(world.acme)) == []
    assert len(handler.accepted) == 1


def test_failed_invitations_include_renders_for_the_report(rf, world, newcomer, smtp_server, eager):
    from django.template.loader import render_to_string

    smtp_server(SmtpSink(refuse_all=True))
    _invite(newcomer, world.org_admin)
    html = render_to_string(
        "cohorts/_failed_invitations.html",
        {"failed_invitations": failed_invitations_for(world.acme), "can_resend": True},
        request=rf.get("/"),
    )
    assert "noor@example.com" in html
    assert reverse("invitations:resend", args=[world.cohort.pk, newcomer.pk]) in html


def test_transient_failure_retries_and_then_sends(world, newcomer, smtp_server):
    handler = smtp_server(SmtpSink(defer_data=1))
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=timezone.now())
    invitation = Invitation.objects.get(enrollment=newcomer)
    # Run as Celery runs it; an in-process run performs the retry straight away.
    result = send_invitation.apply((invitation.pk,))
    assert result.state == "SUCCESS"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (Invitation.Status.SENT, 2)
    assert len(handler.accepted) == 1


def test_transient_failure_releases_the_claim(world, newcomer, smtp_server):
    smtp_server(SmtpSink(defer_data=1))
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=timezone.now())
    invitation = Invitation.objects.get(enrollment=newcomer)
    with pytest.raises(TransientSendError, match="451"):
        invitation_send(invitation_id=invitation.pk, now=timezone.now())
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_at) == (Invitation.Status.PENDING, None)
    assert "451" in invitation.last_error


def test_too_many_transient_failures_mark_failed(world, newcomer, smtp_server):
    smtp_server(SmtpSink(defer_data=100))
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=timezone.now())
    invitation = Invitation.objects.get(enrollment=newcomer)
    for _ in range(invitations.MAX_ATTEMPTS - 1):
        with pytest.raises(TransientSendError, match="451"):
            invitation_send(invitation_id=invitation.pk, now=timezone.now())
    invitation_send(invitation_id=invitation.pk, now=timezone.now())
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.FAILED
    assert invitation.attempts == invitations.MAX_ATTEMPTS


def test_sweep_resends_pending_rows_left_by_a_lost_publish(world, newcomer):
    created = timezone.now() - datetime.timedelta(minutes=20)
    with captureOnCommitCallbacks(execute=False):  # the publish is lost
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=created)
    fresh = user_create(email="fenna@example.com", display_name="Fenna")
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(
            enrollment=enrollment_create(cohort=world.cohort, user=fresh),
            invited_by=world.org_admin,
            now=timezone.now(),
        )
    resend_pending_invitations()
    assert [m.to for m in mail.outbox] == [["noor@example.com"]]  # the fresh one waits its turn
    assert Invitation.objects.get(enrollment=newcomer).status == Invitation.Status.SENT
    resend_pending_invitations()
    assert len(mail.outbox) == 1


def test_sweep_takes_over_an_attempt_whose_worker_died(world, newcomer):
    now = timezone.now()
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=now)
    invitation = Invitation.objects.get(enrollment=newcomer)
    assert invitation_claim(invitation_id=invitation.pk, now=now)  # ...and the worker dies
    later = now + invitations.SWEEP_AFTER + datetime.timedelta(minutes=1)
    assert invitations_resend_pending(now=later) == 0  # still inside the claim's lease
    much_later = now + invitations.CLAIM_LEASE + datetime.timedelta(minutes=1)
    assert invitations_resend_pending(now=much_later) == 1
    assert len(mail.outbox) == 1


def test_expired_pending_row_is_never_sent(world, newcomer):
    past = timezone.now() - datetime.timedelta(days=15)
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=past)
    invitation = Invitation.objects.get(enrollment=newcomer)
    send_invitation(invitation.pk)
    assert mail.outbox == []


class _RacingBackend(locmem.EmailBackend):
    """While this worker is inside SMTP, a second worker runs the same task for the row."""

    invitation_id = None

    def send_messages(self, messages):
        racer, type(self).invitation_id = type(self).invitation_id, None
        if racer is not None:
            send_invitation(racer)
        return super().send_messages(messages)


def test_two_workers_send_once(world, newcomer, settings):
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=timezone.now())
    invitation = Invitation.objects.get(enrollment=newcomer)
    settings.EMAIL_BACKEND = f"{__name__}._RacingBackend"
    _RacingBackend.invitation_id = invitation.pk
    send_invitation(invitation.pk)
    assert _RacingBackend.invitation_id is None  # the second worker did run
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (Invitation.Status.SENT, 1)


def test_claim_is_granted_once(world, newcomer):
    now = timezone.now()
    with captureOnCommitCallbacks(execute=False):
        invite_or_notify(enrollment=newcomer, invited_by=world.org_admin, now=now)
    invitation = Invitation.objects.get(enrollment=newcomer)
    assert invitation_claim(invitation_id=invitation.pk, now=now) is True
    assert invitation_claim(invitation_id=invitation.pk, now=now) is False
