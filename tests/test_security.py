"""Response headers, the health probe, and rate limits that hold up in real life.

Rate limits must key on the person's own address behind the proxy, let a whole
class log in from one office, and never lock everyone out when Redis is down.
"""

import time
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from accounts.services import user_create
from lms.env import cache_settings
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
NOBODY_LISTENS = "redis://127.0.0.1:1/0"


def _login(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Headers -----------------------------------------------------------------


def test_pages_send_a_strict_content_security_policy(client, world):
    client.force_login(world.learner)
    policy = client.get(reverse("learn:home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }


def test_login_page_has_the_policy_too(client, db):
    assert "script-src 'self'" in client.get(LOGIN)["Content-Security-Policy"]


def test_pages_switch_off_browser_features_we_never_use(client, db):
    policy = client.get(LOGIN)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_pages_for_a_logged_in_person_are_never_stored(client, world):
    client.force_login(world.learner)
    cache_control = client.get(reverse("learn:home"))["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_the_calendar_file_is_never_stored_either(client, world):
    client.force_login(world.learner)
    response = client.get(reverse("learn:calendar", args=[world.cohort.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_own_caching_when_logged_in(client, world):
    client.force_login(world.learner)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_health_says_ok_when_the_database_answers(client, db):
    response = client.get("/health/")
    assert (response.status_code, response.content) == (200, b"ok")


def test_health_answers_503_when_the_database_is_down(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


# --- Rate limits behind the proxy ---------------------------------------------


def test_rate_limits_key_on_the_client_address_the_proxy_reports(world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}

    def attempt(address):
        return _login(Client(), world.learner.email, HTTP_X_FORWARDED_FOR=address)

    assert attempt("203.0.113.1").status_code == 302
    # Another person behind the same proxy is not held back by the first…
    assert attempt("203.0.113.2").status_code == 302
    # …while the first, trying again, is.
    assert attempt("203.0.113.1").status_code == 429


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    assert _login(Client(), world.learner.email, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code
    second = _login(Client(), world.learner.email, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert second.status_code == 429


def test_a_class_of_thirty_logs_in_from_one_address_with_some_typos(db):
    people = [user_create(email=f"deelnemer{n}@example.com", password=PASSWORD) for n in range(30)]
    statuses = []
    logged_in = 0
    for n, person in enumerate(people):
        client = Client(REMOTE_ADDR="198.51.100.7")
        if n % 3 == 0:  # every third person mistypes once first
            statuses.append(_login(client, person.email, "typo").status_code)
        statuses.append(_login(client, person.email).status_code)
        logged_in += _logged_in(client)
    assert 429 not in statuses
    assert logged_in == 30


def test_a_class_sets_its_first_passwords_together_from_one_address(db):
    # Each person follows their own link; the link's key is what keeps it safe.
    statuses = {
        Client(REMOTE_ADDR="198.51.100.7")
        .post(f"/accounts/password/reset/key/{n}-set-password/", {})
        .status_code
        for n in range(30)
    }
    assert 429 not in statuses


def test_failed_logins_stay_limited_per_account(db):
    user_create(email="target@example.com", password=PASSWORD)
    for n in range(5):
        _login(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "target@example.com", "guess")
    # From yet another address, even the right password is refused for now.
    client = Client(REMOTE_ADDR="198.51.100.99")
    body = _login(client, "target@example.com").content.decode()
    assert not _logged_in(client)
    assert "Te veel inlogpogingen" in body


# --- Redis down: limits lift, nothing else breaks -----------------------------


@pytest.fixture
def redis_down(settings):
    settings.CACHES = cache_settings(NOBODY_LISTENS)


def test_fail_open_cache_semantics_when_redis_is_unreachable():
    from accounts.cache import FailOpenRedisCache

    config = cache_settings(NOBODY_LISTENS)["default"]
    cache = FailOpenRedisCache(config["LOCATION"], config)
    assert cache.get("key", "fallback") == "fallback"
    assert cache.set("key", "value") is None
    # A lock or a "first use" marker is granted, so nothing waits for Redis.
    assert cache.add("lock", True) is True
    # A counter reads as missing, the way Django reports a key that is not there.
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    with pytest.raises(ValueError, match="not found"):
        cache.decr("counter")


def test_login_works_while_redis_is_down(world, redis_down):
    client = Client()
    started = time.monotonic()
    response = _login(client, world.learner.email)
    assert response.status_code == 302
    assert _logged_in(client)
    assert time.monotonic() - started < 5


def test_password_reset_works_while_redis_is_down(client, world, redis_down):
    response = client.post("/accounts/password/reset/", {"email": world.learner.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[world.learner.email]]


def test_password_change_works_while_redis_is_down(client, world, redis_down):
    client.force_login(world.learner)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Nieuw-Sterk-Wachtwoord-42",
            "password2": "Nieuw-Sterk-Wachtwoord-42",
        },
    )
    assert response.status_code == 302
    world.learner.refresh_from_db()
    assert world.learner.check_password("Nieuw-Sterk-Wachtwoord-42")


def test_totp_login_works_while_redis_is_down(world, redis_down):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(world.trainer, secret)
    client = Client()
    response = _login(client, world.trainer.email)
    assert response["Location"] == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert _logged_in(client)
