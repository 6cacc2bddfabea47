"""Test settings: the real settings with development defaults and fast hashing.

DATABASE_URL, CELERY_BROKER_URL and CACHE_URL are honoured, so the same suite runs
against PostgreSQL and Redis in CI.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("EMAIL_URL", "locmem://")

from lms.settings import *  # noqa: F403
from lms.settings import BASE_DIR, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
PRIVILEGED_ROLES_REQUIRE_MFA = False
CELERY_TASK_ALWAYS_EAGER = False
TEST_ARTEFACTS_DIR = BASE_DIR / "test-artefacts"
