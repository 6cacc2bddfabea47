import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import AccountError, user_create, user_update_profile
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
    assert address.verified
    assert address.primary
    assert address.email == "new.person@example.com"


def test_user_create_refuses_a_duplicate_in_any_case(db):
    user_create(email="dup@example.com")
    with pytest.raises(AccountError, match="already exists"):
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
    # While sign-up is closed, an unknown address is not invited to sign up either.
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


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
    settings.PRIVILEGED_ROLES_REQUIRE_MFA = True
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


def test_mfa_is_required_for_organisation_admins_too(client, world, settings):
    settings.PRIVILEGED_ROLES_REQUIRE_MFA = True
    client.force_login(world.org_admin)
    response = client.get("/organisatie/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_mfa_requirement_is_met_by_a_totp_authenticator(client, world, settings):
    settings.PRIVILEGED_ROLES_REQUIRE_MFA = True
    Authenticator.objects.create(
        user=world.staff, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(world.staff)
    assert client.get("/beheer/").status_code == 200


def test_mfa_is_not_required_when_switched_off(client, world, settings):
    settings.PRIVILEGED_ROLES_REQUIRE_MFA = False
    client.force_login(world.trainer)
    assert client.get("/trainer/").status_code == 200


def test_allauth_pages_use_the_product_layout(client, db):
    body = client.get(LOGIN).content.decode()
    assert 'class="site-header"' in body
    assert "<h1>Inloggen</h1>" in body


@pytest.mark.parametrize(
    "path", [LOGIN, "/accounts/signup/", "/accounts/password/reset/", "/accounts/logout/"]
)
def test_logging_in_is_called_inloggen_everywhere(client, world, path):
    if path == "/accounts/logout/":
        client.force_login(world.learner)
    body = client.get(path).content.decode().lower()
    assert "aanmeld" not in body
    assert "afmeld" not in body
    assert "inloggen" in body or "uitloggen" in body


def test_login_page_explains_access_by_invitation_while_signup_is_closed(client, db):
    body = client.get(LOGIN).content.decode()
    assert 'href="/accounts/signup/' not in body
    assert "registr" not in body.lower()
    assert "Je krijgt toegang via je organisatie" in body


def test_login_page_links_to_signup_when_it_is_open(client, db, settings):
    settings.SIGNUP_OPEN = True
    body = client.get(LOGIN).content.decode()
    assert 'href="/accounts/signup/' in body
    assert "Je krijgt toegang via je organisatie" not in body


def _blocks_inside_phrasing(html: str) -> list[str]:
    """Block elements (<ul>, <div>, <p>) inside a <p> or <span>: invalid HTML."""
    from html.parser import HTMLParser

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open, self.problems = [], []

        def handle_starttag(self, tag, _attrs):
            if tag in {"ul", "ol", "div", "p"} and {"p", "span"} & set(self.open):
                self.problems.append(f"<{tag}> inside {self.open[-3:]}")
            if tag in {"p", "span", "div", "form", "ul", "ol", "li"}:
                self.open.append(tag)

        def handle_endtag(self, tag):
            if tag in self.open:
                while self.open.pop() != tag:
                    pass

    checker = Checker()
    checker.feed(html)
    return checker.problems


@pytest.mark.parametrize(
    "path",
    [LOGIN, "/accounts/password/change/", "/accounts/password/reset/", "/accounts/signup/"],
)
def test_allauth_forms_are_valid_html_with_password_help_texts(client, world, settings, path):
    settings.SIGNUP_OPEN = True
    if path == "/accounts/password/change/":
        client.force_login(world.learner)
    body = client.get(path).content.decode()
    assert _blocks_inside_phrasing(body) == []


def test_password_help_text_is_shown_and_linked_to_its_field(client, world):
    client.force_login(world.learner)
    body = client.get("/accounts/password/change/").content.decode()
    assert '<div class="help" id="id_password1_helptext"><ul>' in body
    assert 'aria-describedby="id_password1_helptext"' in body


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


# --- Names are one line -------------------------------------------------------


def test_profile_form_makes_the_display_name_one_line(client, world):
    client.force_login(world.learner)
    client.post(
        reverse("profile"),
        {
            "display_name": "Alice\r\nBcc: iedereen@example.com\tA.\u2028B\u202e",
            "language": "nl",
            "time_zone": "Europe/Amsterdam",
        },
    )
    world.learner.refresh_from_db()
    assert world.learner.display_name == "Alice Bcc: iedereen@example.com A. B"


@pytest.mark.parametrize("raw", ["Bob\nBoos", "Bob\rBoos", "Bob\x00\x1bBoos", "Bob\u2029Boos"])
def test_services_store_names_without_control_characters(db, raw):
    user = user_create(email="bob.boos@example.com", display_name=raw)
    assert user.display_name == "Bob Boos"
    user_update_profile(user=user, display_name=raw, language="nl", time_zone="Europe/Amsterdam")
    user.refresh_from_db()
    assert user.display_name == "Bob Boos"


def test_profile_offers_each_language_in_itself(client, world):
    client.force_login(world.learner)
    body = client.get(reverse("profile")).content.decode()
    assert ">English</option>" in body
    assert ">Nederlands</option>" in body
    assert "Engels" not in body


# --- Account mail ---------------------------------------------------------------


def _reset_mail(client, email="alice@example.com", **extra):
    client.post("/accounts/password/reset/", {"email": email}, **extra)
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_reset_mail_links_to_site_url_whatever_host_the_request_used(client, world, settings):
    settings.SITE_URL = "https://leren.example.com"
    message = _reset_mail(client, HTTP_HOST="localhost")
    html = message.alternatives[0][0]
    assert "https://leren.example.com/accounts/password/reset/key/" in message.body
    assert 'href="https://leren.example.com/accounts/password/reset/key/' in html
    assert "localhost" not in message.body + html


def test_reset_mail_names_the_product_and_greets_the_person(client, world):
    message = _reset_mail(client)
    assert message.subject == "[Klantbekwaam] Nieuw wachtwoord instellen"
    assert message.body.startswith("Hallo Alice,")
    assert "Klantbekwaam" in message.body
    assert "127.0.0.1" not in message.subject
    assert "Hallo van" not in message.body


def test_reset_mail_has_a_text_and_an_html_part(client, world):
    message = _reset_mail(client)
    assert message.alternatives[0][1] == "text/html"
    html = message.alternatives[0][0]
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="nl">' in html


def test_reset_mail_is_in_the_recipients_language(client, world):
    world.learner.language = "en"
    world.learner.save(update_fields=["language"])
    message = _reset_mail(client)
    assert message.subject == "[Klantbekwaam] Set a new password"
    assert message.body.startswith("Hello Alice,")


def test_reset_mail_escapes_the_name_in_html(client, db):
    user_create(email="eve@example.com", password=PASSWORD, display_name="<b>Eve</b>")
    message = _reset_mail(client, "eve@example.com")
    assert "&lt;b&gt;Eve&lt;/b&gt;" in message.alternatives[0][0]


def test_mail_message_id_uses_the_site_domain(client, world, settings):
    settings.EMAIL_BACKEND = "notifications.backends.LocmemBackend"
    settings.SITE_URL = "https://leren.example.com"
    message = _reset_mail(client)
    assert message.message()["Message-ID"].endswith("@leren.example.com>")


def test_password_change_notice_is_ours_with_both_parts(client, world):
    client.force_login(world.learner)
    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Nieuw-Sterk-Wachtwoord-42",
            "password2": "Nieuw-Sterk-Wachtwoord-42",
        },
    )
    (message,) = mail.outbox
    assert message.subject == "[Klantbekwaam] Je wachtwoord is gewijzigd"
    assert "Het wachtwoord van je Klantbekwaam-account is gewijzigd." in message.body
    assert message.alternatives[0][1] == "text/html"


def test_admin_form_makes_the_display_name_one_line_too(client, world):
    client.force_login(user_create(email="root@example.com", is_staff=True, is_superuser=True))
    user = world.nobody
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "display_name": "Nina\r\nNieuw",
            "language": "nl",
            "time_zone": "Europe/Amsterdam",
            "is_active": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Nina Nieuw"
