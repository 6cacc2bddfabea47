"""Load test: gunicorn with production settings on the local PostgreSQL, people from locust.

    python scripts/load.py [--users 50] [--spawn-rate 10] [--duration 60] [--workers 2]
                           [--settle 5] [--wait 0.5 1.5] [--only Learner|Trainer] [--dry-run]

What it does, in order (``make load`` runs it with the defaults):

1. creates the database named by DATABASE_URL if it is missing (default
   postgres://postgres@127.0.0.1:5432/klantbekwaam_bench), migrates it, and fills it
   with ``seed_bench`` when it holds no enrolment yet;
2. collects the static files and picks, from the database, the learners and trainers
   the simulated people log in as (``bench/locustfile.py`` reads them from
   var/load/accounts.json): learners with an open lesson, quiz and a reflection they
   can still write, trainers with their cohorts. Those accounts get the load test's
   password and the trainers a TOTP authenticator with the load test's secret, so
   they log in as production requires (MFA for trainers);
3. starts gunicorn (sync workers) on a free loopback port with production settings:
   DJANGO_DEBUG=0, a fresh secret, Redis for cache and broker, HTTPS redirect, secure
   cookies, HSTS and MFA as deployed. Requests come in as from the TLS proxy
   (``X-Forwarded-Proto: https`` and the client's own ``X-Forwarded-For``), so nothing
   is relaxed for plain HTTP on the loopback;
4. runs locust headless (default 50 people for 60 seconds), then stops gunicorn;
5. prints requests per second, p50/p95/p99 and errors, per page and in total, for the
   whole run and for the steady state (from ``--settle`` seconds after the last
   person logged in), with the CPU each process used in the steady state; and writes
   them to var/load/results.json.

It exits non-zero on any error: a failed request, a person who could not log in, or
a server that did not start. The numbers depend on the machine and whatever else it
runs; only the error count is a pass/fail criterion.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/klantbekwaam_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/12"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
# Not a secret: the TOTP key step 2 gives the bench trainers (their password is seed_bench's).
LOAD_TOTP_SECRET = "KBLOADTESTBENCHTOTPSECRET234567A"  # noqa: S105 (base32)
LEARNERS_PER_COHORT = 10
STARTUP_SECONDS = 30
STOP_GRACE_SECONDS = 10
LEARNER_PAGES = "learner: "
TRAINER_PAGES = "trainer: "


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load test on gunicorn + PostgreSQL with production settings (make load).",
    )
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument(
        "--spawn-rate", type=float, default=10, help="people started per second (default 10)"
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--settle",
        type=float,
        default=5,
        help="seconds after the last login before the steady state is counted (default 5)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="a person's pause between pages, in seconds (default 0.5 1.5)",
    )
    parser.add_argument(
        "--only",
        choices=("Learner", "Trainer"),
        help="run one kind of person only (to see what each costs); default both, 9 to 1",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would run, and change nothing"
    )
    # Internal: run inside Django with the load test's settings (step 2).
    parser.add_argument("--write-accounts", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("users", "duration", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.spawn_rate <= 0 or args.settle < 0 or not 0 <= args.wait[0] <= args.wait[1]:
        parser.error("--spawn-rate must be above 0, --settle 0 or more, --wait MIN <= MAX")
    return args


# --- Environment ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(port: int) -> dict[str, str]:
    """Production settings as deployed behind a TLS proxy, on this machine's services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KB_")) and key != "SITE_URL"
    }
    return env | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # The address people use; the proxy in front speaks HTTPS (X-Forwarded-Proto).
        "SITE_URL": f"https://127.0.0.1:{port}",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL,
        "CACHE_URL": os.environ.get("CACHE_URL") or DEFAULT_CACHE_URL,
        "EMAIL_URL": f"filemail://{OUT / 'mail'}",
        "DEFAULT_FROM_EMAIL": "Klantbekwaam <noreply@example.com>",
        "KB_TRUSTED_PROXY_COUNT": "1",
    }


def redacted(env: dict[str, str]) -> dict[str, str]:
    return {
        key: "(generated)" if key == "DJANGO_SECRET_KEY" else value
        for key, value in env.items()
        if key.startswith(("DJANGO_", "KB_")) or key.endswith("_URL") or key == "SITE_URL"
    }


def run(command: list[str], env: dict[str, str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)


# --- 1. Database ---------------------------------------------------------------------


def ensure_services() -> None:
    """Start the local PostgreSQL and Redis if they are not running, as CI does."""
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode != 0:
        clusters = sorted(Path("/etc/postgresql").glob("*"))
        if clusters:
            version = clusters[-1].name
            run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                dict(os.environ),
            )
    ping = ["redis-cli", "-h", "127.0.0.1", "ping"]
    if subprocess.run(ping, capture_output=True, check=False).returncode != 0:
        run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--save", ""],
            dict(os.environ),
        )
    for _ in range(30):
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False)
        if ready.returncode == 0 and subprocess.run(ping, capture_output=True).returncode == 0:
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL or Redis on 127.0.0.1 is not answering")


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            print(f"creating database {name}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def is_empty(url: str) -> bool:
    """No account yet (seed_bench builds only into such a database)."""
    import psycopg

    with psycopg.connect(url) as connection:
        if connection.execute("SELECT to_regclass('accounts_user')").fetchone()[0] is None:
            return True
        return not connection.execute("SELECT EXISTS (SELECT 1 FROM accounts_user)").fetchone()[0]


def seed_command(env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """seed_bench as ``make bench`` runs it (its own settings), on this database."""
    seed_env = dict(env)
    if (ROOT / "lms" / "bench_settings.py").exists():
        seed_env["DJANGO_SETTINGS_MODULE"] = "lms.bench_settings"
    return [sys.executable, "manage.py", "seed_bench"], seed_env


# --- 2. Accounts (inside Django) -------------------------------------------------------


def write_accounts(path: Path, *, learners_per_cohort: int = LEARNERS_PER_COHORT) -> None:
    """Pick who logs in, and make sure they can: password, verified address, TOTP."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.mfa.adapter import get_adapter as mfa_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import check_password, make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from assignments.models import Submission
    from cohorts.models import Cohort, Enrollment
    from demo.bench_data import BENCH_LEARNER, BENCH_PASSWORD
    from learning.progress import course_states

    decrypt = mfa_adapter().decrypt

    now = timezone.now()
    cohorts = list(
        Cohort.objects.filter(
            archived_at=None, course__isnull=False, starts_on__lte=now.date()
        ).prefetch_related("trainers")
    )
    writable = {None, Submission.Status.DRAFT, Submission.Status.RETURNED}
    by_cohort: dict[int, list[dict]] = {}
    for cohort in cohorts:
        enrollments = (
            Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.ACTIVE)
            # make bench writes this learner's drafts; two writers would refuse each other.
            .exclude(user__email=BENCH_LEARNER)
            .select_related("user", "cohort", "cohort__course")
            .order_by("pk")[: learners_per_cohort * 4]
        )
        for state in course_states(enrollments, now=now):
            open_work = [a for a in state.assignments if a.is_open]
            plan = {
                "email": state.enrollment.user.email,
                "cohort": cohort.pk,
                "lessons": [ls.lesson.slug for ls in state.lessons if ls.is_open],
                "quizzes": [a.assignment.slug for a in open_work if a.assignment.is_quiz],
                "reflections": [
                    a.assignment.slug
                    for a in open_work
                    if a.assignment.is_reflection
                    and (a.latest.status if a.latest else None) in writable
                ],
            }
            if all(plan[key] for key in ("lessons", "quizzes", "reflections")):
                by_cohort.setdefault(cohort.pk, []).append(plan)
    # One from each cohort in turn, so any number of people spreads over all cohorts.
    learners = [
        plans[i]
        for i in range(learners_per_cohort)
        for plans in by_cohort.values()
        if i < len(plans)
    ]
    cohorts_of: dict[User, list[int]] = {}
    for cohort in cohorts:
        for trainer in cohort.trainers.all():
            cohorts_of.setdefault(trainer, []).append(cohort.pk)
    trainers = [
        {
            "email": trainer.email,
            "cohorts": their_cohorts,
            "submissions": list(
                Submission.objects.filter(
                    enrollment__cohort__in=their_cohorts, status=Submission.Status.SUBMITTED
                )
                .order_by("submitted_at")
                .values_list("pk", flat=True)[:50]
            ),
        }
        for trainer, their_cohorts in sorted(cohorts_of.items(), key=lambda item: item[0].pk)
    ]
    if not learners or not trainers:
        raise SystemExit(
            f"The bench data has {len(learners)} learners with open work and "
            f"{len(trainers)} trainers of running cohorts; the journeys need both."
        )
    emails = [person["email"] for person in learners + trainers]
    people = list(User.objects.filter(email__in=emails))
    trainer_emails = {t["email"] for t in trainers}
    with transaction.atomic():
        # seed_bench gives everyone BENCH_PASSWORD; data from elsewhere gets it here.
        if not all(check_password(BENCH_PASSWORD, person.password) for person in people[:1]):
            User.objects.filter(pk__in=[p.pk for p in people]).update(
                password=make_password(BENCH_PASSWORD)
            )
        for person in people:
            EmailAddress.objects.update_or_create(
                user=person, email=person.email, defaults={"verified": True, "primary": True}
            )
            if person.email in trainer_emails:
                totp = Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP)
                if [decrypt(a.data["secret"]) for a in totp] != [LOAD_TOTP_SECRET]:
                    totp.delete()
                    TOTP.activate(person, LOAD_TOTP_SECRET)
    path.write_text(
        json.dumps(
            {
                "password": BENCH_PASSWORD,
                "totp_secret": LOAD_TOTP_SECRET,
                "learners": learners,
                "trainers": trainers,
            },
            indent=1,
        )
    )
    print(f"{len(learners)} learners in {len(by_cohort)} cohorts, {len(trainers)} trainers")


# --- 3. Server -------------------------------------------------------------------------


def gunicorn_command(port: int, workers: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "lms.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "30",
        "--log-level",
        "warning",
    ]


def wait_until_healthy(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/", headers={"X-Forwarded-Proto": "https"}
    )
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped during start-up; see var/load/gunicorn.log")
        # Our own loopback address.
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /health/ within {STARTUP_SECONDS} s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- 4. CPU while it runs --------------------------------------------------------------


def cpu_sample(gunicorn_pid: int, locust_pid: int) -> dict:
    """CPU seconds so far per process, by role (psutil comes with locust)."""
    import psutil

    def tree(pid: int) -> list:
        try:
            parent = psutil.Process(pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    roles: dict[str, list] = {"gunicorn": tree(gunicorn_pid), "locust": tree(locust_pid)}
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("postgres", "redis-server"):
            roles.setdefault(process.info["name"], []).append(process)
    seconds: dict[str, dict[int, float]] = {}
    for role, processes in roles.items():
        for process in processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                seconds.setdefault(role, {})[process.pid] = times.user + times.system
    total = psutil.cpu_times()
    return {
        "at": time.time(),
        "roles": seconds,
        "busy": sum(total) - total.idle - getattr(total, "iowait", 0),
        "all": sum(total),
        "cores": psutil.cpu_count(),
    }


def cpu_between(samples: list[dict], start: float, end: float) -> dict[str, float]:
    """Percent of one core each role used between two moments (100 % = one core)."""
    inside = [s for s in samples if start <= s["at"] <= end]
    if len(inside) < 2:
        return {}
    first, last = inside[0], inside[-1]
    elapsed = last["at"] - first["at"]
    usage = {}
    for role, now in last["roles"].items():
        before = first["roles"].get(role, {})
        used = sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())
        usage[role] = round(100 * used / elapsed, 1)
    share = (last["busy"] - first["busy"]) / max(last["all"] - first["all"], 1e-9)
    machine = 100 * share * last["cores"]
    # Whatever else ran meanwhile: another job on the machine disturbs the numbers.
    usage["everything else"] = round(max(machine - sum(usage.values()), 0.0), 1)
    usage[f"machine ({last['cores']} cores)"] = round(machine, 1)
    return usage


# --- 5. Figures --------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def summarise(requests: list, start: float, end: float) -> dict[str, dict]:
    """Per request name, per group and in total: count, req/s, p50/p95/p99, errors."""
    groups: dict[str, list] = {}
    for at, name, milliseconds, error in requests:
        if start <= at <= end:
            keys = [name, "all requests"]
            for prefix, group in (
                (LEARNER_PAGES, "learner pages"),
                (TRAINER_PAGES, "trainer pages"),
            ):
                if name.startswith(prefix):
                    keys.append(group)
            for key in keys:
                groups.setdefault(key, []).append((milliseconds, error))
    seconds = max(end - start, 1e-9)
    figures = {}
    for key, rows in groups.items():
        times = sorted(ms for ms, _ in rows)
        figures[key] = {
            "requests": len(rows),
            "per_second": round(len(rows) / seconds, 1),
            "p50_ms": round(percentile(times, 0.50)),
            "p95_ms": round(percentile(times, 0.95)),
            "p99_ms": round(percentile(times, 0.99)),
            "errors": sum(1 for _, error in rows if error),
        }
    return figures


def print_table(title: str, figures: dict[str, dict], seconds: float) -> None:
    print(f"\n{title} ({seconds:.0f} s)")
    columns = ("requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"  {'':28} " + " ".join(f"{column:>8}" for column in columns))
    totals = ("learner pages", "trainer pages", "all requests")
    for key in sorted(k for k in figures if k not in totals) + [t for t in totals if t in figures]:
        row = figures[key]
        print(
            f"  {key:28} {row['requests']:8} {row['per_second']:8} {row['p50_ms']:8} "
            f"{row['p95_ms']:8} {row['p99_ms']:8} {row['errors']:8}"
        )


def errors_of(requests: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for _, name, _, error in requests:
        if error:
            found[f"{name}: {error[:120]}"] = found.get(f"{name}: {error[:120]}", 0) + 1
    return found


# --- Main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.write_accounts:
        write_accounts(Path(args.write_accounts))
        return 0
    port = free_port()
    env = production_env(port)
    accounts, record = OUT / "accounts.json", OUT / "requests.json"
    locust_env = env | {
        "KB_LOAD_ACCOUNTS": str(accounts),
        "KB_LOAD_RECORD": str(record),
        "KB_LOAD_WAIT": f"{args.wait[0]},{args.wait[1]}",
    }
    host = f"http://127.0.0.1:{port}"
    locust = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--only-summary",
        "--loglevel",
        "WARNING",
        *([args.only] if args.only else []),
    ]
    seed, seed_env = seed_command(env)
    steps = [
        ["create the database if missing", env["DATABASE_URL"]],
        ["migrate", f"{sys.executable} manage.py migrate --no-input"],
        ["seed when there is no account", " ".join(seed)],
        ["static files", f"{sys.executable} manage.py collectstatic --no-input"],
        ["accounts", f"{sys.executable} scripts/load.py --write-accounts {accounts}"],
        ["server", " ".join(gunicorn_command(port, args.workers))],
        ["load", " ".join(locust)],
    ]
    if args.dry_run:
        for what, command in steps:
            print(f"{what:34} {command}")
        print("\nenvironment:")
        for key, value in sorted(redacted(env).items()):
            print(f"  {key}={value}")
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    ensure_services()
    ensure_database(env["DATABASE_URL"])
    run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    if is_empty(env["DATABASE_URL"]):
        run(seed, seed_env)
    run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
    run([sys.executable, str(Path(__file__)), "--write-accounts", str(accounts)], env)

    print("$", " ".join(gunicorn_command(port, args.workers)), flush=True)
    with (OUT / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(
            gunicorn_command(port, args.workers),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    samples: list[dict] = []
    try:
        wait_until_healthy(port, server)
        print("$", " ".join(locust), flush=True)
        started = time.time()
        with (OUT / "locust.log").open("w") as log:
            load = subprocess.Popen(
                locust, cwd=ROOT, env=locust_env, stdout=log, stderr=subprocess.STDOUT
            )
            while load.poll() is None:
                samples.append(cpu_sample(server.pid, load.pid))
                time.sleep(1)
        server_died = server.poll() is not None
    finally:
        stop(server)

    if not record.exists():
        print((OUT / "locust.log").read_text()[-3000:], file=sys.stderr)
        print("locust wrote no record of its requests; see var/load/locust.log", file=sys.stderr)
        return 1
    data = json.loads(record.read_text())
    requests, logged_in = data["requests"], data["logged_in"]
    end = max((at for at, *_ in requests), default=started)
    steady_from = (logged_in[-1] if logged_in else end) + args.settle
    whole = summarise(requests, started, end)
    steady = summarise(requests, steady_from, end)
    print_table("Whole run, ramp-up and logins included", whole, end - started)
    print_table(
        f"Steady state, from {args.settle:g} s after the last login "
        f"({steady_from - started:.0f} s in)",
        steady,
        end - steady_from,
    )
    cpu = cpu_between(samples, steady_from, end)
    print("\nCPU in the steady state (% of one core):")
    for role, percent in cpu.items():
        print(f"  {role:20} {percent:6}")
    errors = errors_of(requests)
    problems = []
    if errors:
        problems.append(f"{sum(errors.values())} failed requests")
    if len(logged_in) < args.users:
        problems.append(f"{args.users - len(logged_in)} of {args.users} people never logged in")
    if server_died:
        problems.append("gunicorn stopped during the run")
    if load.returncode != 0 and not errors:
        problems.append(f"locust exited with {load.returncode} (see var/load/locust.log)")
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "settings": {
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "duration_s": args.duration,
            "gunicorn_workers": args.workers,
            "wait_s": list(args.wait),
            "settle_s": args.settle,
            "only": args.only,
            "cores": os.cpu_count(),
        },
        "last_login_s": round((logged_in[-1] if logged_in else end) - started, 1),
        "whole_run": whole,
        "steady_state": steady,
        "steady_state_cpu_percent_of_one_core": cpu,
        "errors": errors,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwritten to {(OUT / 'results.json').relative_to(ROOT)}")
    if problems:
        for error, times in errors.items():
            print(f"  {times} × {error}", file=sys.stderr)
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("0 errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
