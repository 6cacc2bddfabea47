import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import AccountError, user_create
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


def _login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("learner", "/leren/"),
        ("trainer", "/trainer/"),
        ("org_admin", "/organisatie/"),
        ("staff", "/beheer/"),
        ("nobody", "/welkom/"),
    ],
)
def test_login_lands_each_role_on_its_start_page_in_dutch(client, world, role, start):
    user = getattr(world, role)
    response = _login(client, user.email)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == start
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


def test_login_is_by_email_case_insensitively(client, world):
    response = _login(client, "ALICE@Example.com")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_a_clear_message_in_dutch(client, world):
    response = _login(client, "alice@example.com", "wrong-password")
    assert response.status_code == 200
    assert "niet correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_rate_limited_never_a_500(client, world):
    statuses = [_login(client, "alice@example.com", "wrong").status_code for _ in range(7)]
    assert 500 not in statuses
    response = _login(client, "alice@example.com", "wrong")
    body = response.content.decode()
    assert response.status_code in {200, 429}
    assert "Te veel inlogpogingen" in body
    # Even the right password is refused while the limit holds.
    response = _login(client, "alice@example.com", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_unverified_address_cannot_log_in_until_confirmed(client, db):
    user = User.objects.create_user(email="fresh@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = _login(client, "fresh@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert "fresh@example.com" in mail.outbox[0].to


def test_user_create_always_makes_a_verified_primary_address(db):
    user = user_create(email="New.Person@Example.com", password=PASSWORD)
    assert user.email == "new.person@example.com"
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary
    assert address.email == "new.person@example.com"


def test_user_create_refuses_a_duplicate_in_any_case(db):
    user_create(email="dup@example.com")
    with pytest.raises(AccountError):
        user_create(email="DUP@example.com")


def test_public_signup_is_closed_by_default(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "gesloten" in response.content.decode().lower()
    client.post(
        "/accounts/signup/",
        {
            "email": "x@example.com",
            "password1": "Sterk-Wachtwoord-42",
            "password2": "Sterk-Wachtwoord-42",
        },
    )
    assert not User.objects.filter(email="x@example.com").exists()


def test_signup_can_be_opened_by_setting(client, db, settings):
    settings.SIGNUP_OPEN = True
    client.post(
        "/accounts/signup/",
        {
            "email": "x@example.com",
            "password1": "Sterk-Wachtwoord-42",
            "password2": "Sterk-Wachtwoord-42",
        },
    )
    user = User.objects.get(email="x@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1


def test_password_reset_sends_mail_for_known_address_only(client, world):
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    client.post("/accounts/password/reset/", {"email": "unknown@example.com"})
    recipients = [message.to for message in mail.outbox]
    assert ["alice@example.com"] in recipients
    assert all(to != ["unknown@example.com"] for to in recipients) or len(mail.outbox) == 2


def test_profile_update_changes_language_and_time_zone(client, world):
    client.force_login(world.learner)
    response = client.post(
        reverse("profile"),
        {"display_name": "Alice A.", "language": "en", "time_zone": "Europe/Brussels"},
    )
    assert response.status_code == 302
    world.learner.refresh_from_db()
    assert (world.learner.display_name, world.learner.language, world.learner.time_zone) == (
        "Alice A.",
        "en",
        "Europe/Brussels",
    )
    assert '<html lang="en">' in client.get(reverse("learn:home")).content.decode()


def test_profile_rejects_unknown_time_zone_and_keeps_the_input(client, world):
    client.force_login(world.learner)
    response = client.post(
        reverse("profile"),
        {"display_name": "Alice <b>bold</b>", "language": "nl", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice &lt;b&gt;bold&lt;/b&gt;" in body
    world.learner.refresh_from_db()
    assert world.learner.time_zone == "Europe/Amsterdam"
    assert world.learner.display_name == "Alice"


def test_language_switch_is_stored_on_the_profile(client, world):
    client.force_login(world.learner)
    response = client.post(reverse("language_switch"), {"language": "en", "next": "/leren/"})
    assert response.status_code == 302
    assert response["Location"] == "/leren/"
    world.learner.refresh_from_db()
    assert world.learner.language == "en"
    body = client.get("/leren/").content.decode()
    assert "My learning path" in body


def test_language_switch_before_login_uses_a_cookie(client, db):
    client.post(reverse("language_switch"), {"language": "en", "next": "/accounts/login/"})
    assert '<html lang="en">' in client.get(LOGIN).content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client, db):
    response = client.post(
        reverse("language_switch"), {"language": "en", "next": "https://evil.example.net/"}
    )
    assert response["Location"] == "/"
    assert client.post(reverse("language_switch"), {"language": "xx"}).status_code == 400


def test_language_switch_is_post_only(client, db):
    assert client.get(reverse("language_switch")).status_code == 405


def test_dutch_is_the_default_whatever_the_browser_asks(client, world):
    client.force_login(world.learner)
    response = client.get("/leren/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nl">' in response.content.decode()
    assert "Mijn leertraject" in response.content.decode()


def test_mfa_is_required_for_trainers_and_staff_when_switched_on(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF_AND_TRAINERS = True
    client.force_login(world.trainer)
    response = client.get("/trainer/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page (after confirming the password) stays reachable.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/")

    client.force_login(world.learner)
    assert client.get("/leren/").status_code == 200


def test_mfa_requirement_is_met_by_a_totp_authenticator(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF_AND_TRAINERS = True
    Authenticator.objects.create(
        user=world.staff, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(world.staff)
    assert client.get("/beheer/").status_code == 200


def test_mfa_is_not_required_when_switched_off(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF_AND_TRAINERS = False
    client.force_login(world.trainer)
    assert client.get("/trainer/").status_code == 200


def test_allauth_pages_use_the_product_layout(client, db):
    body = client.get(LOGIN).content.decode()
    assert 'class="site-header"' in body
    assert "Aanmelden" in body


def test_welcome_page_for_someone_without_a_role(client, world):
    client.force_login(world.nobody)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/welkom/"
    assert "nog geen deel" in response.content.decode()


def test_person_with_two_roles_sees_both_in_navigation(client, world):
    from cohorts.services import enrollment_create

    enrollment_create(cohort=world.other_cohort, user=world.trainer)
    client.force_login(world.trainer)
    body = client.get("/trainer/").content.decode()
    assert 'href="/leren/"' in body
    assert 'href="/trainer/groepen/"' in body
    assert 'href="/beheer/"' not in body


def test_user_text_is_escaped_in_navigation(client, db):
    user = UserFactory(display_name="<script>alert(1)</script>")
    client.force_login(user)
    body = client.get("/welkom/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
