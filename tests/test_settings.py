"""Settings: production-safe by default, configured only through the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lms.env import cache_settings, email_settings, flag

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k8#Jq2!vLz9@Wm4$Tn7^Rb1&Yc6*Hd3(Pf5)Xg0-Se8+Ua2=Io4",
    "DJANGO_ALLOWED_HOSTS": "leren.example.com",
    "DATABASE_URL": "postgres://kb:secret@db.example.com:5432/kb",
    "CELERY_BROKER_URL": "redis://cache.example.com:6379/0",
    "CACHE_URL": "redis://cache.example.com:6379/1",
    "EMAIL_URL": "smtp://mailer:pw@smtp.example.com:587?tls=1",
    "DEFAULT_FROM_EMAIL": "Klantbekwaam <noreply@example.com>",
    "SITE_URL": "https://leren.example.com",
}


def _run_django(code: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KB_"))}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "EMAIL_URL"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "lms.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = "import django; django.setup(); from django.conf import settings; "


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION_ENV) - {"DJANGO_DEBUG"}))
def test_production_stops_and_names_each_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run_django(SETUP + "print('started')", env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert missing in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_never_falls_back_to_sqlite_or_the_embedded_broker():
    result = _run_django(
        SETUP + "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL,"
        " settings.CACHES['default']['BACKEND'], settings.EMAIL_BACKEND, settings.DEBUG)",
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://cache.example.com:6379/0",
        "accounts.cache.FailOpenRedisCache",
        "notifications.backends.SmtpBackend",
        "False",
    ]


def test_debug_uses_sqlite_embedded_broker_and_local_mail():
    result = _run_django(
        SETUP + "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL,"
        " settings.EMAIL_BACKEND, settings.DATABASES['default']['OPTIONS']['transaction_mode'])",
        {"DJANGO_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "notifications.backends.EmlFileBackend",
        "IMMEDIATE",
    ]


def test_check_deploy_passes_with_production_values():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KB_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_mfa_for_privileged_roles_and_closes_signup():
    result = _run_django(
        SETUP + "print(settings.PRIVILEGED_ROLES_REQUIRE_MFA, settings.SIGNUP_OPEN,"
        " settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS,"
        " settings.SESSION_COOKIE_SECURE, settings.SESSION_ENGINE)",
        PRODUCTION_ENV,
    )
    assert result.stdout.split() == [
        "True",
        "False",
        "False",
        "True",
        "django.contrib.sessions.backends.db",
    ]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (PRODUCTION_ENV, "1"),
        ({"DJANGO_DEBUG": "1"}, "0"),
        ({**PRODUCTION_ENV, "KB_TRUSTED_PROXY_COUNT": "2"}, "2"),
        ({**PRODUCTION_ENV, "KB_TRUSTED_PROXY_COUNT": "0"}, "0"),
    ],
)
def test_trusted_proxy_count_one_in_production_none_in_development(env, expected):
    result = _run_django(SETUP + "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected]


def test_trusted_proxy_count_must_be_a_whole_number():
    result = _run_django(
        SETUP + "print('started')", {**PRODUCTION_ENV, "KB_TRUSTED_PROXY_COUNT": "one"}
    )
    assert result.returncode != 0
    assert "KB_TRUSTED_PROXY_COUNT must be a whole number" in result.stderr


def test_flag_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv("KB_SOMETHING", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KB_SOMETHING"):
        flag("KB_SOMETHING")
    monkeypatch.setenv("KB_SOMETHING", "on")
    assert flag("KB_SOMETHING") is True


def test_email_url_forms():
    smtp = email_settings("smtp://user%40x:p%3Ass@mail.example.com:587?tls=1", base_dir=ROOT)
    assert smtp["EMAIL_HOST"] == "mail.example.com"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@x"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_settings("smtps://mail.example.com", base_dir=ROOT)["EMAIL_PORT"] == 465
    files = email_settings("filemail://var/mail", base_dir=ROOT)
    assert files["EMAIL_FILE_PATH"] == str(ROOT / "var" / "mail")
    assert email_settings("filemail:///tmp/m", base_dir=ROOT)["EMAIL_FILE_PATH"] == "/tmp/m"
    assert email_settings("consolemail://", base_dir=ROOT)["EMAIL_BACKEND"] == (
        "notifications.backends.ConsoleBackend"
    )
    with pytest.raises(ImproperlyConfigured, match="pigeon"):
        email_settings("pigeon://coop", base_dir=ROOT)


def test_cache_fails_open_when_redis_is_unreachable():
    from accounts.cache import FailOpenRedisCache

    config = cache_settings("redis://127.0.0.1:1/0")["default"]
    cache = FailOpenRedisCache(config["LOCATION"], config)
    # Nothing listens on port 1: every call reads as a miss instead of raising.
    assert cache.set("key", "value") is None
    assert cache.get("key") is None
    assert cache.get_many(["a", "b"]) == {}


@pytest.mark.redis
def test_cache_works_on_real_redis_when_configured():
    url = os.environ.get("CACHE_URL")
    if not url:
        pytest.skip("CACHE_URL is not set (the CI PostgreSQL pass sets it to a real Redis)")
    from django.core.cache import cache

    cache.set("kb-test-key", "waarde", 30)
    assert cache.get("kb-test-key") == "waarde"
    assert settings.CACHES["default"]["BACKEND"] == "accounts.cache.FailOpenRedisCache"
