"""Run the demo: web server, Celery worker and Celery beat, stopped by one Ctrl-C.

Each child runs in its own process group, so on SIGINT or SIGTERM this script can
stop each group (the worker's pool processes, runserver's reloader child) and
leave nothing behind. If any child dies, the others are stopped too.

    python scripts/devrun.py [--port 8000]

The web server listens on 127.0.0.1:PORT; SITE_URL (links in mail and calendars)
defaults to that address unless it is set.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var"
STOP_GRACE_SECONDS = 10
DEFAULT_PORT = 8000


def commands(port: int) -> dict[str, list[str]]:
    return {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "lms",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "demo@%h",
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "lms",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
    }


stopping = False


def _request_stop(_signum, _frame):
    global stopping
    stopping = True


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name == "web":
                    # runserver's reloader parent and its serving child alike.
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    # Celery's main process shuts its own pool down (warm shutdown).
                    process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes.values():
        # Kill whatever is left in each group, including orphaned grandchildren.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the demo: web server, worker and beat.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="web server port")
    port = parser.parse_args(argv).port
    site_url = os.environ.get("SITE_URL") or f"http://127.0.0.1:{port}"
    for folder in ("broker/queue", "broker/control", "mail"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1"),
        "SITE_URL": site_url,
        "PYTHONUNBUFFERED": "1",
    }
    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        for name, command in commands(port).items()
    }
    print(f"Klantbekwaam demo: http://127.0.0.1:{port}  (Ctrl-C stops everything)", flush=True)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} exited with {process.returncode}; stopping the rest.", flush=True)
                exit_code = process.returncode or 1
                break
        else:
            time.sleep(0.5)
            continue
        break
    print("Stopping web server, worker and beat...", flush=True)
    _stop(processes)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
