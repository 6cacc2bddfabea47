"""Benchmark settings (`make bench`, docs/performance.md): the real settings with the
benchmark's own database, as production runs them where it matters for speed.

The database is var/bench.sqlite3, or DATABASE_URL (PostgreSQL) when it is set, so
the benchmark never touches the development database. DEBUG is off: templates are
cached and no query is logged, as in production. The URLconf adds the floor view the
benchmark compares every page with.
"""

import os

# Development defaults for what production must set (secret key, mail, broker); the
# settings that change speed are set below as production has them.
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("EMAIL_URL", "locmem://")

from lms.settings import *  # noqa: F403
from lms.settings import ALLOWED_HOSTS, DATABASE_URL, DATABASES, VAR_DIR

DEBUG = False
# seed_bench fills this database and may flush it (--reset); it refuses any database
# whose settings do not say this.
BENCH_DATABASE = True
ROOT_URLCONF = "demo.bench_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]

if not DATABASE_URL:
    DATABASES = {"default": {**DATABASES["default"], "NAME": VAR_DIR / "bench.sqlite3"}}

# Static files come from the app folders without collectstatic, read once at start.
WHITENOISE_AUTOREFRESH = False
# Trainers and organisation admins are measured without a TOTP set-up (force_login).
PRIVILEGED_ROLES_REQUIRE_MFA = False
