"""Load test journeys for `make load` (scripts/load.py runs this file with locust).

Two kinds of simulated person work against the seeded bench data:

- ``Learner``: logs in once, then loops dashboard → course page → a lesson → a quiz
  page → a reflection page and an autosave of its draft, sent as the page's HTMX
  form sends it (the CSRF token, the revision and the version the page started from).
- ``Trainer``: logs in once with password and TOTP code, then loops grading queue →
  a grading page → the overview of one of their cohorts.

Who logs in, and what is open to them, comes from the accounts file that
``scripts/load.py`` writes from the database (``KB_LOAD_ACCOUNTS``)::

    {"password": "...", "totp_secret": "BASE32...",
     "learners": [{"email", "cohort", "lessons", "quizzes", "reflections"}],
     "trainers": [{"email", "cohorts", "submissions"}]}

Each simulated person takes the next account of its kind and its own client
address (``X-Forwarded-For``, from the benchmarking range 198.18.0.0/15), and
every request says it came through the TLS proxy (``X-Forwarded-Proto: https``),
as production's proxy does; so production settings run unchanged over plain HTTP
on the loopback, and the per-address login limits count as they would for real
people. With ``KB_LOAD_RECORD`` set, every request (time, name, duration, error)
and the moment the last person finished logging in are written there at the end,
for the whole-run and steady-state figures.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from html import unescape
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

from locust import FastHttpUser, SequentialTaskSet, between, events, task
from locust.exception import StopUser

WAIT_SECONDS = tuple(float(s) for s in os.environ.get("KB_LOAD_WAIT", "0.5,1.5").split(","))
TOTP_PERIOD = 30
CODE_MARGIN = 10  # seconds a code must still be valid for when it is sent

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_DRAFT_URL = re.compile(r'data-hx-post="([^"]+/concept/\d+/)"')
_VERSION = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')
_REVISION = re.compile(r'<input[^>]*name="revision"[^>]*value="(\d+)"')
_TEXTAREA = re.compile(r"<textarea\b[^>]*>")
_NAME = re.compile(r'\bname="([^"]+)"')
_MAX_WORDS = re.compile(r'\bdata-max-words="(\d+)"')
_GRADE_LINK = re.compile(r'href="/trainer/beoordelen/(\d+)/')

_addresses = itertools.count(1)
_accounts = {"learners": itertools.count(), "trainers": itertools.count()}
_totp_steps_used: dict[str, int] = {}
_record: list[tuple[float, str, float, str]] = []
_logged_in: list[float] = []


def load_accounts() -> dict:
    path = os.environ.get("KB_LOAD_ACCOUNTS")
    if not path:
        raise RuntimeError("KB_LOAD_ACCOUNTS must name the accounts file scripts/load.py writes.")
    return json.loads(Path(path).read_text())


def client_address(n: int) -> str:
    """The n-th simulated person's own address, in the benchmarking range 198.18.0.0/15."""
    return f"198.{18 + n // 65_000 % 2}.{n // 250 % 256}.{n % 250 + 1}"


def totp_code(secret: str, step: int) -> str:
    """RFC 6238 (SHA-1, six digits), as allauth checks it."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def first(pattern: re.Pattern, text: str) -> str | None:
    found = pattern.search(text)
    return unescape(found.group(1)) if found else None


def draft_text(n: int, max_words: int) -> str:
    """A changed draft each time (an unchanged form is not sent), within the word limit."""
    words = (
        f"Concept {n}: vandaag hielp ik een klant die vooral uitleg nodig had over de "
        "regels, en ik merkte dat erkenning eerst kwam voordat er ruimte was voor een oplossing."
    ).split()
    return " ".join(words[: max_words or len(words)])


class Person(FastHttpUser):
    """A logged-in person behind the TLS proxy, with their own client address."""

    abstract = True
    wait_time = between(*WAIT_SECONDS)
    kind = ""

    def on_start(self) -> None:
        accounts = load_accounts()
        people = accounts[self.kind]
        self.account = people[next(_accounts[self.kind]) % len(people)]
        self.address = client_address(next(_addresses))
        self.origin = "https://" + urlsplit(self.host).netloc
        # Secure cookies (session, CSRF) go back as a browser sends them over HTTPS: the
        # HTTPS hop to the proxy is the one left out here.
        self.client.cookiejar.set_policy(DefaultCookiePolicy(secure_protocols=("https", "http")))
        if not self.log_in(accounts):
            raise StopUser  # counted as an error already; its pages would only redirect
        _logged_in.append(time.time())

    def choice(self, items: list):
        return random.choice(items)

    def headers(self, referer: str | None = None) -> dict:
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        if referer is not None:
            # What a browser sends with a form post from one of our pages.
            headers |= {"Origin": self.origin, "Referer": self.origin + referer}
        return headers

    def page(self, path: str, name: str):
        """GET a page that must answer 200 itself (a redirect means the journey went wrong)."""
        with self.client.get(
            path, name=name, headers=self.headers(), allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
            return response

    def post(self, path: str, data: dict, *, name: str, referer: str, headers=None):
        return self.client.post(
            path,
            data=data,
            name=name,
            headers=self.headers(referer) | (headers or {}),
            allow_redirects=False,
            catch_response=True,
        )

    def log_in(self, accounts: dict) -> bool:
        login = "/accounts/login/"
        form = self.page(login, "login: form")
        data = {
            "csrfmiddlewaretoken": first(_CSRF, form.text or ""),
            "login": self.account["email"],
            "password": accounts["password"],
        }
        with self.post(login, data, name="login: submit", referer=login) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not self.logged_in_at(location):
                response.failure(f"login refused ({response.status_code} {location})")
                return False
        if urlsplit(location).path.startswith("/accounts/2fa/"):
            return self.second_factor(location, accounts["totp_secret"])
        return True

    @staticmethod
    def logged_in_at(location: str) -> bool:
        """After the password: the start page, or the TOTP step; any other account page
        (the form again, e-mail verification) means not logged in."""
        path = urlsplit(location).path
        return not path.startswith("/accounts/") or path.startswith("/accounts/2fa/")

    def second_factor(self, path: str, secret: str) -> bool:
        """Type the current code, as a person reads it off their app; once more if refused."""
        form = self.page(path, "login: code form")
        token = first(_CSRF, form.text or "")
        for _attempt in range(2):
            with self.post(
                path,
                {"csrfmiddlewaretoken": token, "code": self.fresh_code(secret)},
                name="login: code submit",
                referer=path,
            ) as response:
                location = response.headers.get("Location", "")
                if response.status_code == 302 and self.logged_in_at(location):
                    return True
                # Stays an error: only a server slower than a code's lifetime refuses it.
                response.failure(f"TOTP code refused ({response.status_code} {location})")
        return False

    def fresh_code(self, secret: str) -> str:
        """A code with time to spare, and one this account has not used yet.

        The server accepts a code only in its own 30-second period, and each code
        once per account (two people sharing an account, when there are more simulated
        trainers than trainers, wait for the next one).
        """
        while True:
            periods, into = divmod(time.time(), TOTP_PERIOD)
            step = int(periods)
            if (
                into < TOTP_PERIOD - CODE_MARGIN
                and _totp_steps_used.get(self.account["email"]) != step
            ):
                break
            time.sleep(TOTP_PERIOD - into + 0.1)
        _totp_steps_used[self.account["email"]] = step
        return totp_code(secret, step)


class LearnerJourney(SequentialTaskSet):
    @task
    def dashboard(self) -> None:
        self.user.page("/leren/", "learner: dashboard")

    @task
    def course(self) -> None:
        self.user.page(f"/leren/groepen/{self.user.account['cohort']}/", "learner: course")

    @task
    def lesson(self) -> None:
        slug = self.user.pick("lessons")
        self.user.page(
            f"/leren/groepen/{self.user.account['cohort']}/lessen/{slug}/", "learner: lesson"
        )

    @task
    def quiz(self) -> None:
        slug = self.user.pick("quizzes")
        self.user.page(
            f"/leren/groepen/{self.user.account['cohort']}/opdrachten/{slug}/", "learner: quiz"
        )

    @task
    def reflection_autosave(self) -> None:
        """Open a reflection, write for a while, and let the page autosave the draft."""
        path = (
            f"/leren/groepen/{self.user.account['cohort']}/opdrachten/"
            f"{self.user.pick('reflections')}/"
        )
        page = self.user.page(path, "learner: reflection")
        text = page.text or ""
        draft_url = first(_DRAFT_URL, text)
        if page.status_code != 200 or draft_url is None:
            return  # handed in since the accounts file was written: nothing to autosave
        # What the page's form sends: its own fields only (not the feedback thread's reply).
        form = text[text.index("data-draft-key") :]
        form = form[: form.index("</form>")]
        self.wait()
        self.user.drafts += 1
        data = {
            "csrfmiddlewaretoken": first(_CSRF, form),
            "revision": first(_REVISION, form),
            "version": first(_VERSION, form),
        }
        for field in _TEXTAREA.findall(form):
            name, max_words = first(_NAME, field), first(_MAX_WORDS, field)
            if name:  # the read-only copies beside a refused text have none
                data[name] = draft_text(self.user.drafts, int(max_words or 0))
        htmx = {
            "HX-Request": "true",
            "HX-Current-URL": self.user.origin + path,
            "HX-Target": "save-status",
        }
        with self.user.post(
            draft_url, data, name="learner: autosave", referer=path, headers=htmx
        ) as response:
            if response.status_code != 200 or not response.headers.get("X-Draft-Version"):
                refused = response.headers.get("X-Draft-Refused", "")
                response.failure(f"draft not saved ({response.status_code} {refused})".strip())


class Learner(Person):
    weight = 9
    kind = "learners"
    tasks = [LearnerJourney]

    def on_start(self) -> None:
        self.drafts = 0
        super().on_start()

    def pick(self, what: str) -> str:
        items = self.account[what]
        # Reflections in turn, so each is written on as often; the rest at random.
        return items[self.drafts % len(items)] if what == "reflections" else self.choice(items)


class TrainerJourney(SequentialTaskSet):
    @task
    def grading_queue(self) -> None:
        page = self.user.page("/trainer/", "trainer: grading queue")
        self.user.waiting = [int(n) for n in _GRADE_LINK.findall(page.text or "")] or (
            self.user.account["submissions"]
        )

    @task
    def grading_page(self) -> None:
        if self.user.waiting:
            submission = self.user.choice(self.user.waiting)
            self.user.page(f"/trainer/beoordelen/{submission}/", "trainer: grading page")

    @task
    def cohort_overview(self) -> None:
        cohort = self.user.choice(self.user.account["cohorts"])
        self.user.page(f"/trainer/groepen/{cohort}/", "trainer: cohort overview")


class Trainer(Person):
    weight = 1
    kind = "trainers"
    tasks = [TrainerJourney]

    def on_start(self) -> None:
        self.waiting: list[int] = []
        super().on_start()


@events.request.add_listener
def _remember_request(name, response_time, exception, **_kwargs) -> None:
    if os.environ.get("KB_LOAD_RECORD"):
        _record.append((time.time(), name, response_time, str(exception) if exception else ""))


@events.quitting.add_listener
def _write_record(**_kwargs) -> None:
    path = os.environ.get("KB_LOAD_RECORD")
    if path:
        Path(path).write_text(
            json.dumps({"logged_in": sorted(_logged_in), "requests": _record}) + "\n"
        )
