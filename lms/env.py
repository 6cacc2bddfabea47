"""Reading configuration from the environment.

One small module so settings.py reads as a list of decisions. In production
(DJANGO_DEBUG off) every required variable must be present; start-up stops with
one message that names all the missing ones instead of silently falling back to
a development default.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {raw!r}).")


def count(name: str, default: int) -> int:
    """A whole number of at least zero, e.g. how many proxies stand in front."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more (got {raw!r}).")
    return int(raw)


class Env:
    """Collects missing required variables so they can be reported together."""

    def __init__(self, *, production: bool):
        self.production = production
        self.missing: list[str] = []

    def get(self, name: str, *, dev_default: str | None = None) -> str | None:
        value = os.environ.get(name, "").strip()
        if value:
            return value
        if self.production:
            self.missing.append(name)
            return None
        return dev_default

    def optional(self, name: str, default: str | None = None) -> str | None:
        value = os.environ.get(name, "").strip()
        return value or default

    def raise_if_missing(self) -> None:
        if self.missing:
            names = ", ".join(self.missing)
            raise ImproperlyConfigured(
                f"Missing required environment variable(s) for production: {names}. "
                "Set them, or set DJANGO_DEBUG=1 for local development."
            )


def email_settings(url: str, *, base_dir: Path) -> dict:
    """Translate EMAIL_URL into Django email settings.

    smtp://user:password@host:port (add ?tls=1 for STARTTLS or use smtps:// for TLS),
    filemail://relative/or/absolute/path (one .eml file per message),
    consolemail://, locmem://. Each is a backend from notifications.backends, which
    gives every message a Message-ID on SITE_URL's domain.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme in {"smtp", "smtps"}:
        return {
            "EMAIL_BACKEND": "notifications.backends.SmtpBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", "0").lower() in TRUE_VALUES,
            "EMAIL_TIMEOUT": int(query.get("timeout", "10")),
        }
    if scheme == "filemail":
        raw_path = unquote(parts.netloc + parts.path)
        path = Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "EMAIL_BACKEND": "notifications.backends.EmlFileBackend",
            "EMAIL_FILE_PATH": str(path),
        }
    if scheme == "consolemail":
        return {"EMAIL_BACKEND": "notifications.backends.ConsoleBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "notifications.backends.LocmemBackend"}
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported "
        "(use smtp://, smtps://, filemail://, consolemail:// or locmem://)."
    )


def cache_settings(url: str | None) -> dict:
    """A Redis cache that fails open, or a process-local cache for development.

    Failing open includes allauth's rate-limit locks (see accounts.cache): a Redis
    outage lifts the rate limits and breaks nothing else.
    """
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "klantbekwaam",
            }
        }
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL (got {scheme!r}).")
    return {
        "default": {
            "BACKEND": "accounts.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "kb",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # A Redis outage must never break a page: errors read as a cache miss.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
