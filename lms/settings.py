"""Klantbekwaam settings: one env-driven place, production-safe by default.

DJANGO_DEBUG=1 turns on development defaults (SQLite, embedded broker, mail in
var/mail). With it off, every variable in REQUIRED below must be set.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from lms.env import Env, cache_settings, count, email_settings, flag

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = flag("DJANGO_DEBUG", default=False)
env = Env(production=not DEBUG)

SECRET_KEY = env.get(
    "DJANGO_SECRET_KEY", dev_default="dev-only-insecure-key-never-use-in-production-0123456789"
)
ALLOWED_HOSTS = [
    host.strip()
    for host in (
        env.get("DJANGO_ALLOWED_HOSTS", dev_default="127.0.0.1,localhost,testserver") or ""
    ).split(",")
    if host.strip()
]
SITE_URL = (env.get("SITE_URL", dev_default="http://127.0.0.1:8000") or "").rstrip("/")
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", dev_default="Klantbekwaam <noreply@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DATABASE_URL = env.get("DATABASE_URL")
CELERY_BROKER_URL = env.get("CELERY_BROKER_URL")
EMAIL_URL = env.get("EMAIL_URL", dev_default="filemail://var/mail")
CACHE_URL = env.get("CACHE_URL")
env.raise_if_missing()

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "organisations",
    "cohorts",
    "courses",
    "assignments",
    "learning",
    "privacy",
    "dashboards",
    "demo",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.FormEncodingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivacyHeadersMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.HtmxErrorMiddleware",
    "accounts.middleware.RolesMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # Development only (production requires DATABASE_URL). Web server, worker and
    # beat share this file: WAL lets readers run beside a writer, IMMEDIATE takes
    # the write lock at BEGIN so two writers queue instead of failing with
    # "database is locked", and the timeout is how long they queue.
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = cache_settings(CACHE_URL)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- Authentication (django-allauth) ----------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Klantbekwaam] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Rate limits count in the cache above: Redis in production, so a limit holds across
# all web processes (and a Redis outage lifts them, see accounts.cache). A class of
# thirty logs in together from one office address, so per address only a flood is
# stopped; the real protection is per account: five failed logins per five minutes
# (MFA codes count there too). A class also sets its first passwords together from
# its invitation links (the link's key is the secret). The rest are allauth's defaults.
ACCOUNT_RATE_LIMITS = {
    "login": "100/m/ip",
    "login_failed": "30/m/ip,5/300s/key",
    "reset_password_from_key": "100/m/ip",
}
# Behind the TLS proxy every request comes from the proxy's address; the client's
# own address is the one this many trusted proxies put in X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = count("KB_TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

# People arrive by invitation; KB_SIGNUP_OPEN=1 opens public sign-up.
SIGNUP_OPEN = flag("KB_SIGNUP_OPEN", default=False)
# While sign-up is closed, a password reset for an unknown address mails nothing
# (allauth would otherwise invite that address to sign up).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = SIGNUP_OPEN
# Staff, trainers and organisation admins must set up TOTP before using the
# product (on in production): they see other people's work and data.
PRIVILEGED_ROLES_REQUIRE_MFA = flag("KB_MFA_REQUIRED", default=not DEBUG)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Klantbekwaam"

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = "lms.formats"  # one date style: "23 november 2026"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kb_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files -----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development WhiteNoise serves straight from the app folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------

globals().update(email_settings(EMAIL_URL, base_dir=BASE_DIR))

# --- Celery -----------------------------------------------------------------

if CELERY_BROKER_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task runs and than the longest retry wait (five minutes,
        # notifications.services.RETRY_MAX); the reminder sweep, not a far-future
        # ETA, sends later work, so redelivery after this is only a safety net.
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    # Embedded broker for development: kombu's filesystem transport in var/.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    # Any process may publish (a request, seed_demo), not only the worker devrun starts.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 24,
    },
    "privacy-retention-sweep": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": 60 * 60 * 24,
    },
    "resend-pending-invitations": {
        "task": "cohorts.tasks.resend_pending_invitations",
        "schedule": 60 * 15,
    },
    # The reminder sweep (docs/reminders.md): runs in UTC; each person's local time
    # and the quiet hours are worked out per person, so DST never shifts it.
    "reminder-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": 60 * 15,
    },
}

# --- Security ---------------------------------------------------------------

# Scripts, styles and images only from our own static files (no inline script or
# style anywhere; the TOTP QR code is a data: image). Not on DEBUG's error pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# A stale tab's form (expired CSRF token) gets the styled page, in the person's language.
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = flag("KB_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = flag("KB_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
