"""`make load`'s pieces, without a server: the journeys are defined, the script's options work.

Importing locust patches the process with gevent, so both run in a subprocess.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DESCRIBE_JOURNEYS = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("locustfile", "bench/locustfile.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
users = {}
for name in ("Learner", "Trainer"):
    user = getattr(module, name)
    (journey,) = user.tasks
    users[name] = {
        "weight": user.weight,
        "kind": user.kind,
        "tasks": [task.__name__ for task in journey.tasks],
        "logs_in": callable(getattr(user, "on_start", None)),
    }
print(json.dumps({"users": users, "code": module.totp_code("GEZDGNBVGY3TQOJQ", 1)}))
"""


def _python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_locustfile_defines_the_learner_and_trainer_journeys():
    result = _python("-c", DESCRIBE_JOURNEYS)

    assert result.returncode == 0, result.stderr
    described = json.loads(result.stdout.strip().splitlines()[-1])
    assert described["users"]["Learner"]["tasks"] == [
        "dashboard",
        "course",
        "lesson",
        "quiz",
        "reflection_autosave",
    ]
    assert described["users"]["Trainer"]["tasks"] == [
        "grading_queue",
        "grading_page",
        "cohort_overview",
    ]
    assert described["users"]["Learner"]["kind"] == "learners"
    assert described["users"]["Trainer"]["kind"] == "trainers"
    assert described["users"]["Learner"]["weight"] > described["users"]["Trainer"]["weight"]


def test_locustfile_computes_totp_codes_as_allauth_checks_them():
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    result = _python("-c", DESCRIBE_JOURNEYS)

    code = json.loads(result.stdout.strip().splitlines()[-1])["code"]
    assert code == format_hotp_value(hotp_value("GEZDGNBVGY3TQOJQ", 1))


def test_load_script_explains_its_options():
    result = _python("scripts/load.py", "--help")

    assert result.returncode == 0
    for option in ("--users", "--duration", "--workers", "--settle", "--dry-run"):
        assert option in result.stdout


def test_load_script_dry_run_shows_the_plan_with_production_settings():
    result = _python("scripts/load.py", "--dry-run", "--users", "7", "--duration", "5")

    assert result.returncode == 0, result.stderr
    assert "--users 7" in result.stdout
    assert "--run-time 5s" in result.stdout
    assert "--workers 2" in result.stdout
    assert "DJANGO_DEBUG=0" in result.stdout
    assert "KB_TRUSTED_PROXY_COUNT=1" in result.stdout
    assert "DJANGO_SECRET_KEY=(generated)" in result.stdout


def test_load_script_refuses_nonsense_options():
    result = _python("scripts/load.py", "--dry-run", "--users", "0")

    assert result.returncode == 2
    assert "--users must be at least 1" in result.stderr
