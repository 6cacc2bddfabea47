"""The benchmark's data set (``seed_bench``, docs/performance.md).

Organisations with cohorts of the shipped course at different points of it, and what
their people did: lessons read, quiz attempts, scans, reflection drafts, work waiting
for grading, grades, threads, extensions and the reminder mail of the past weeks.

Written with bulk inserts, not through the services: a service per row would take
hours at this size. The rows are the ones the services write, from the same rules:
due dates from ``assignments.deadlines.due_on``, a quiz attempt's questions from
``quiz_next_draw`` (stored in ``result["questions"]``), its score from ``quiz_grade``,
a scan's result from ``scan_result``, reminder keys as ``notifications.rules`` makes
them. Everything is drawn from one seeded random generator, so two runs build the
same data (apart from the dates, which follow the day it is built).
"""

import datetime
import math
import random
import time
import unicodedata
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction

from accounts.models import User
from assignments.deadlines import due_at, due_on
from assignments.models import (
    Assignment,
    CommentSnippet,
    Extension,
    Grade,
    Submission,
    SubmissionMessage,
)
from assignments.scoring import quiz_grade, scan_result
from assignments.selectors import quiz_next_draw
from cohorts.models import Cohort, Enrollment
from courses.models import Course, Lesson, LessonProgress, Module
from courses.services import course_import
from demo.seed import COURSE_FOLDER, TRAINER_COMMENTS, TRAINER_SNIPPETS, _reflection_text
from notifications.models import Message, ReminderItem, Rule
from organisations.models import Membership, Organisation

# Every seeded account has this password (hashed once): the load test logs in with it.
BENCH_PASSWORD = "klantbekwaam-bench"  # noqa: S105 (a documented benchmark password)
SEED = 12
BATCH = 2000
TZ = zoneinfo.ZoneInfo("Europe/Amsterdam")

# The objects the benchmark measures (demo.bench finds them by these names).
MEASURED_COHORT = "Klantbekwaam 01"
LARGE_COHORT = "Klantbekwaam groot"
BENCH_LEARNER = "deelnemer.bench@bench-01.example.com"
ORG_SLUG_PREFIX = "bench-"

MEASURED_DAYS_AGO = 30  # every module open, the final test not yet due
LARGE_DAYS_AGO = 25
COHORT_WEEKS = 8
WITHDRAWN_EVERY = 80  # one learner in 80 has withdrawn
LATE_START_EVERY = 20  # one in 20 joined a week after their cohort
EXTENSION_SHARE = 0.02
THREAD_SHARE = 0.1

ORGANISATION_NAMES = [
    "Gemeente Lindevoort",
    "Zorggroep Het Anker",
    "Waterbedrijf Oostrand",
    "Woonstichting De Linde",
    "Energie Noord",
    "Verzekeraar Hoeksteen",
    "Hogeschool Dijkland",
    "Transportbedrijf Van Rijn",
    "Bibliotheek Midden",
    "Provincie Zuidwaard",
]
# Names read best as running text.
FIRST_NAMES = (  # noqa: SIM905
    "Anna Bram Chantal Daan Emma Fatima Gijs Hanna Ilse Jesse Kim Lars Lotte Milan Noor "
    "Omar Priya Ruben Sanne Tim Umut Vera Wouter Yara Zoë Bas Demi Eva Finn Iris Joost "
    "Lieke Mees Nina Pieter Rosa Sem Tessa Youssef Mila Koen Sophie Thijs Aylin Niels Esra "
    "Jeroen Fleur"
).split()
LAST_NAMES = (  # noqa: SIM905
    "de Vries|Jansen|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|Peters|"
    "Hendriks|van Dijk|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|van der Meer|Kok|"
    "Jacobs|de Haan|Vermeulen|van den Berg|El Amrani|Yilmaz|Claes|Maes|Wouters|Demir|"
    "Verbeek|Kuipers|Hoekstra"
).split("|")
DEPARTMENTS = ["Klantenservice", "Balie", "Backoffice", "Buitendienst", "Sales", "Facilitair"]
LEARNER_MESSAGES = [
    "Dank voor je feedback. Bedoel je dat ik de vraag achter de vraag eerder had moeten stellen?",
    "Ik snap het tweede punt niet helemaal. Kun je een voorbeeld geven?",
    "Helder, ik pas het deze week toe aan de balie.",
]
TRAINER_REPLIES = [
    "Ja, precies. Vraag eerst wat de klant wil bereiken en leg pas daarna uit.",
    "Een voorbeeld: in plaats van de regel uit te leggen, vraag je wat de klant nodig heeft.",
    "Mooi. Vertel in de bijeenkomst hoe het ging.",
]


@dataclass(frozen=True)
class Pace:
    """How a learner keeps up: the share of due work done and how far ahead they work."""

    name: str
    share: float  # of the work due by the horizon, and of the open lessons
    horizon_days: int  # work due up to this many days from today counts as "due"
    late_share: float  # of what they hand in, how much comes after the deadline


PACES = [
    (Pace("ahead", 1.0, 5, 0.0), 20),
    (Pace("on track", 1.0, 0, 0.05), 35),
    (Pace("slipping", 0.7, 0, 0.3), 25),
    (Pace("behind", 0.4, -5, 0.6), 12),
    (Pace("far behind", 0.15, -10, 0.8), 5),
    (Pace("not started", 0.0, 0, 0.0), 3),
]
ON_TRACK = PACES[1][0]


class BenchSeedError(Exception):
    """The benchmark's data cannot be built here; the message says why."""


@dataclass
class CohortPlan:
    name: str
    learners: int
    days_ago: int


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    pairs: int = 0
    assignments: int = 0
    running_learners: int = 0
    seconds: float = 0.0
    seeded_at: datetime.datetime | None = None


def active_learners(size: int) -> int:
    """Learners of a cohort of ``size`` who have not withdrawn."""
    return size - size // WITHDRAWN_EVERY


def plan_cohorts(
    *, cohorts: int, learners: int, large_learners: int, min_pairs: int, assignments: int
) -> list[CohortPlan]:
    """The measured cohort first, then the regular ones, the large one, and as many more
    regular ones as it takes for ``min_pairs`` (learner, deadline) pairs."""
    rng = random.Random(SEED)
    plans = [CohortPlan(MEASURED_COHORT, learners, MEASURED_DAYS_AGO)]
    for number in range(2, cohorts + 1):
        plans.append(CohortPlan(f"Klantbekwaam {number:02d}", learners, rng.randint(5, 45)))
    if large_learners:
        plans.append(CohortPlan(LARGE_COHORT, large_learners, LARGE_DAYS_AGO))
    number = cohorts
    while sum(active_learners(p.learners) for p in plans) * assignments < min_pairs:
        number += 1
        plans.append(CohortPlan(f"Klantbekwaam {number:02d}", learners, rng.randint(5, 45)))
    return plans


@contextmanager
def own_timestamps(*models):
    """Let bulk inserts keep the moments the rows stand for: ``auto_now`` and
    ``auto_now_add`` would stamp every row with the moment of seeding."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def database_is_empty() -> bool:
    return not (User.objects.exists() or Organisation.objects.exists() or Course.objects.exists())


def seed_bench(
    *,
    cohorts: int = 20,
    learners: int = 250,
    large_learners: int = 500,
    min_pairs: int = 100_000,
    reset: bool = False,
    now: datetime.datetime | None = None,
    log=None,
) -> SeedReport:
    """Build the data set in the bench database (see the module docstring)."""
    if not getattr(settings, "BENCH_DATABASE", False):
        raise BenchSeedError(
            "seed_bench writes only to the benchmark's database: "
            "run it with DJANGO_SETTINGS_MODULE=lms.bench_settings."
        )
    if not database_is_empty():
        if not reset:
            raise BenchSeedError(
                "The database already holds data; seed_bench builds only into an empty one. "
                "Use --reset to empty it first."
            )
        call_command("flush", interactive=False, verbosity=0)
    started = time.monotonic()
    builder = _Builder(now=now, log=log or (lambda _line: None))
    with transaction.atomic():
        report = builder.build(
            cohorts=cohorts, learners=learners, large_learners=large_learners, min_pairs=min_pairs
        )
    if connection.vendor == "postgresql":
        # PostgreSQL plans from statistics its autovacuum gathers some time after a bulk
        # load; without them it scans whole tables a live database would use indexes on.
        # The vacuum sets the visibility map a live database has, so a covering index is
        # read alone (index-only scans) as it would be there; it cannot run inside a
        # transaction (the tests' own).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    report.seconds = time.monotonic() - started
    return report


def _insert(model, rows: list, counts: dict) -> list:
    model.objects.bulk_create(rows, batch_size=BATCH)
    counts[model._meta.label] = counts.get(model._meta.label, 0) + len(rows)
    return rows


def _local(day: datetime.date, hour: float) -> datetime.datetime:
    """A moment on ``day`` in the cohorts' time zone, ``hour`` hours after midnight."""
    return datetime.datetime.combine(day, datetime.time(), TZ) + datetime.timedelta(hours=hour)


class _Builder:
    def __init__(self, *, now, log):
        self.now = now or datetime.datetime.now(datetime.UTC)
        self.today = self.now.astimezone(TZ).date()
        self.rng = random.Random(SEED)
        self.log = log
        self.counts: dict[str, int] = {}
        self.password = make_password(BENCH_PASSWORD)
        self.texts: dict[tuple[str, int], str] = {}

    # --- people and cohorts -------------------------------------------------------------

    def build(self, *, cohorts, learners, large_learners, min_pairs) -> SeedReport:
        course = course_import(folder=COURSE_FOLDER).course
        self.modules = list(Module.objects.filter(course=course, archived=False))
        self.lessons = list(
            Lesson.objects.filter(course=course, archived=False).select_related("module")
        )
        self.assignments = sorted(
            Assignment.objects.filter(
                course=course, archived=False, module__archived=False
            ).select_related("module"),
            key=lambda a: (a.due_offset_days, a.module.position, a.position),
        )
        plans = plan_cohorts(
            cohorts=cohorts,
            learners=learners,
            large_learners=large_learners,
            min_pairs=min_pairs,
            assignments=len(self.assignments),
        )
        self.log(f"course imported; {len(plans)} cohorts planned")
        organisations, cohort_rows = self._organisations_and_cohorts(course, plans)
        self._staff_trainers_admins(organisations, cohort_rows)
        enrollments = self._learners(cohort_rows, plans)
        self.log(f"{len(enrollments)} learners enrolled")
        self._work(enrollments)
        report = SeedReport(counts=dict(sorted(self.counts.items())), seeded_at=self.now)
        report.assignments = len(self.assignments)
        report.running_learners = sum(
            1 for e in enrollments if e.status == Enrollment.Status.ACTIVE
        )
        report.pairs = report.running_learners * report.assignments
        return report

    def _organisations_and_cohorts(self, course, plans):
        regular = [p for p in plans if p.name != LARGE_COHORT]
        # Four cohorts per organisation; the large cohort has one of its own.
        per_organisation = 4
        count = math.ceil(len(regular) / per_organisation) + (len(plans) > len(regular))
        with own_timestamps(Organisation):
            organisations = _insert(
                Organisation,
                [
                    Organisation(
                        name=self._organisation_name(number),
                        slug=f"{ORG_SLUG_PREFIX}{number + 1:02d}",
                        admins_may_enrol=number % 2 == 0,
                        created_at=self.now,
                    )
                    for number in range(count)
                ],
                self.counts,
            )
        rows = []
        for index, plan in enumerate(plans):
            if plan.name == LARGE_COHORT:
                organisation = organisations[-1]
            else:
                organisation = organisations[regular.index(plan) // per_organisation]
            starts_on = self.today - datetime.timedelta(days=plan.days_ago)
            rows.append(
                Cohort(
                    organisation=organisation,
                    name=plan.name,
                    starts_on=starts_on,
                    ends_on=starts_on + datetime.timedelta(weeks=COHORT_WEEKS),
                    course=course,
                    created_at=self.now - datetime.timedelta(days=plan.days_ago + 14 + index),
                )
            )
        with own_timestamps(Cohort):
            _insert(Cohort, rows, self.counts)
        return organisations, rows

    def _organisation_name(self, number: int) -> str:
        base = ORGANISATION_NAMES[number % len(ORGANISATION_NAMES)]
        return base if number < len(ORGANISATION_NAMES) else f"{base} {number // 10 + 1}"

    def _user(self, email: str, name: str, **extra) -> User:
        return User(
            email=email,
            display_name=name,
            password=self.password,
            date_joined=self.now - datetime.timedelta(days=60),
            **extra,
        )

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _staff_trainers_admins(self, organisations, cohorts) -> None:
        staff = [
            self._user("staf@klantbekwaam.example.com", "Sara Staf", is_staff=True),
            self._user("planning@klantbekwaam.example.com", "Paul Planning", is_staff=True),
        ]
        # One trainer per two or three cohorts, the measured cohort's trainer with three.
        groups, start, size = [], 0, 3
        while start < len(cohorts):
            groups.append(cohorts[start : start + size])
            start += size
            size = 5 - size
        trainers = [
            self._user(f"trainer{number + 1:02d}@klantbekwaam.example.com", self._name())
            for number in range(len(groups))
        ]
        admins = [
            (organisation, self._user(f"{local}@{organisation.slug}.example.com", self._name()))
            for organisation in organisations
            for local in ("hr", "opleidingen")
        ]
        _insert(User, [*staff, *trainers, *(user for _o, user in admins)], self.counts)
        self._addresses([*staff, *trainers, *(user for _o, user in admins)])
        _insert(
            Cohort.trainers.through,
            [
                Cohort.trainers.through(cohort_id=cohort.pk, user_id=trainer.pk)
                for trainer, group in zip(trainers, groups, strict=True)
                for cohort in group
            ],
            self.counts,
        )
        self.trainer_of = {
            cohort.pk: trainer
            for trainer, group in zip(trainers, groups, strict=True)
            for cohort in group
        }
        self.trainers = trainers
        self.admins = admins
        with own_timestamps(Membership):
            _insert(
                Membership,
                [
                    Membership(
                        user=user,
                        organisation=organisation,
                        role=Membership.Role.ORG_ADMIN,
                        created_at=self.now - datetime.timedelta(days=60),
                    )
                    for organisation, user in admins
                ],
                self.counts,
            )
        with own_timestamps(CommentSnippet):
            _insert(
                CommentSnippet,
                [
                    CommentSnippet(
                        trainer=trainer,
                        text=text,
                        created_at=self.now - datetime.timedelta(days=30 - number),
                    )
                    for trainer in trainers
                    for number, text in enumerate(TRAINER_SNIPPETS)
                ],
                self.counts,
            )

    def _addresses(self, users) -> None:
        _insert(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            self.counts,
        )

    def _learners(self, cohorts, plans) -> list[Enrollment]:
        users, enrollments, memberships = [], [], []
        for cohort, plan in zip(cohorts, plans, strict=True):
            domain = f"{cohort.organisation.slug}.example.com"
            number = int(plan.name.split()[-1]) if plan.name != LARGE_COHORT else 0
            for index in range(plan.learners):
                if plan.name == MEASURED_COHORT and index == 0:
                    email, name = BENCH_LEARNER, "Lotte Bench"
                else:
                    name = self._name()
                    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
                    local = ascii_name.decode().lower().replace(" ", ".")
                    email = f"{local}.{number:02d}{index:04d}@{domain}"
                user = self._user(email, name)
                late = index % LATE_START_EVERY == LATE_START_EVERY - 1
                status = (
                    Enrollment.Status.WITHDRAWN
                    if index % WITHDRAWN_EVERY == WITHDRAWN_EVERY - 1
                    else Enrollment.Status.ACTIVE
                )
                users.append(user)
                enrollments.append(
                    Enrollment(
                        user=user,
                        cohort=cohort,
                        status=status,
                        starts_on=cohort.starts_on + datetime.timedelta(days=7 if late else 0),
                        created_at=_local(cohort.starts_on, -24 * 10),
                    )
                )
                memberships.append(
                    Membership(
                        user=user,
                        organisation=cohort.organisation,
                        department=self.rng.choice(DEPARTMENTS),
                        created_at=_local(cohort.starts_on, -24 * 10),
                    )
                )
        _insert(User, users, self.counts)
        self._addresses(users)
        with own_timestamps(Membership, Enrollment):
            _insert(Membership, memberships, self.counts)
            _insert(Enrollment, enrollments, self.counts)
        return enrollments

    # --- work -----------------------------------------------------------------------------

    def _work(self, enrollments: list[Enrollment]) -> None:
        self.lesson_rows, self.submissions, self.extensions = [], [], []
        self.graded: list[tuple[Submission, dict]] = []  # (submission, grade fields)
        self.messages: dict[tuple[int, str, datetime.date], Message] = {}
        self.items: list[tuple[tuple, ReminderItem]] = []
        for index, enrollment in enumerate(enrollments):
            if enrollment.user.email == BENCH_LEARNER:
                pace, forced = ON_TRACK, "bench"
            elif enrollment.cohort.name == MEASURED_COHORT and index % 250 == 1:
                pace, forced = ON_TRACK, "resubmitted"  # a revision 2 waits for grading
            else:
                pace, forced = self._pace(), None
            self._learner_work(enrollment, pace, forced)
        with own_timestamps(Extension, Submission):
            _insert(Extension, self.extensions, self.counts)
            _insert(LessonProgress, self.lesson_rows, self.counts)
            _insert(Submission, self.submissions, self.counts)
        self.log(f"{len(self.submissions)} submissions written")
        self._grades_and_threads()
        self._trainer_and_admin_mail()
        with own_timestamps(Message):
            _insert(Message, list(self.messages.values()), self.counts)
        rows = []
        for key, item in self.items:
            item.message = self.messages[key]
            rows.append(item)
        _insert(ReminderItem, rows, self.counts)

    def _pace(self) -> Pace:
        paces, weights = zip(*PACES, strict=True)
        return self.rng.choices(paces, weights=weights)[0]

    def _learner_work(self, enrollment: Enrollment, pace: Pace, forced: str | None) -> None:
        cohort = enrollment.cohort
        rng = self.rng
        if enrollment.status == Enrollment.Status.WITHDRAWN:
            pace = PACES[-1][0]  # withdrew before doing anything
        opens = {m.pk: m.default_opens_on(cohort.starts_on) for m in self.modules}
        start = enrollment.starts_on
        # Lessons: a share of the open ones, in order, read after the module opened.
        open_lessons = [lesson for lesson in self.lessons if opens[lesson.module_id] <= self.today]
        read = round(len(open_lessons) * pace.share)
        if forced == "bench":
            read = len(open_lessons) - 2
        for number, lesson in enumerate(open_lessons[:read]):
            first_day = max(opens[lesson.module_id], start)
            moment = _local(first_day, 9 + number % 4 * 2 + rng.random() * 8)
            moment += datetime.timedelta(days=rng.random() * 3)
            self.lesson_rows.append(
                LessonProgress(enrollment=enrollment, lesson=lesson, read_at=self._past(moment))
            )
        # Deadlines, an extension now and then.
        extension = None
        if forced is None and rng.random() < EXTENSION_SHARE:
            candidates = [
                a
                for a in self.assignments
                if abs((self._due(a, enrollment, None) - self.today).days) <= 5
            ]
            if candidates:
                assignment = rng.choice(candidates)
                extension = (assignment.pk, self._due(assignment, enrollment, None) + _days(7))
                self.extensions.append(
                    Extension(
                        enrollment=enrollment,
                        assignment=assignment,
                        due_on=extension[1],
                        granted_by=self.trainer_of[cohort.pk],
                        granted_at=self._past(_local(self.today, -30)),
                    )
                )
        horizon = self.today + _days(pace.horizon_days)
        open_work = [a for a in self.assignments if opens[a.module_id] <= self.today]
        # In order of their deadlines, so a post scan always follows its baseline scan.
        due_work = [a for a in open_work if self._due(a, enrollment, extension) <= horizon]
        done = due_work[: round(len(due_work) * pace.share)]
        handed_in: dict[int, datetime.datetime | None] = {}
        drafted = False
        for assignment in open_work:
            due = self._due(assignment, enrollment, extension)
            if assignment in done:
                late = rng.random() < pace.late_share
                moment = self._hand_in_moment(due, opens[assignment.module_id], start, late)
                handed_in[assignment.pk] = self._do(
                    enrollment, assignment, moment, forced=forced, pace=pace
                )
            elif (
                assignment.is_reflection
                and not drafted
                and pace.share > 0
                and (forced == "bench" or rng.random() < 0.6)
            ):
                drafted = True
                self._draft(enrollment, assignment, revision=1, answers=None)
        if enrollment.status == Enrollment.Status.ACTIVE:
            self._reminder_history(enrollment, opens, extension, handed_in)

    def _due(self, assignment, enrollment, extension) -> datetime.date:
        return due_on(
            assignment=assignment,
            cohort=enrollment.cohort,
            personal_start=enrollment.starts_on,
            extension=extension[1] if extension and extension[0] == assignment.pk else None,
        )

    def _past(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment``, or a little before now if it lies ahead."""
        latest = self.now - datetime.timedelta(minutes=20)
        if moment <= latest:
            return moment
        return latest - datetime.timedelta(minutes=self.rng.randint(0, 600))

    def _hand_in_moment(self, due, opens, start, late: bool) -> datetime.datetime:
        rng = self.rng
        if late:
            moment = _local(due, 24 + rng.random() * 24 * 4)
        else:
            moment = _local(due, 23.5 - rng.random() * 24 * 3)
        earliest = _local(max(opens, start), 8 + rng.random() * 4)
        return self._past(max(moment, earliest))

    def _do(self, enrollment, assignment, moment, *, forced, pace) -> datetime.datetime:
        """Hand the work in at ``moment``; returns when it counted as handed in."""
        if assignment.is_scan:
            answers = {
                s["id"]: self.rng.choice((2, 3, 3, 4, 4, 5))
                for s in assignment.config["statements"]
            }
            self._submission(
                enrollment,
                assignment,
                revision=1,
                status=Submission.Status.SUBMITTED,
                answers=answers,
                result=scan_result(assignment.config, answers),
                submitted_at=moment,
                moment=moment,
            )
            return moment
        if assignment.is_quiz:
            return self._quiz(enrollment, assignment, moment, pace)
        return self._reflection(enrollment, assignment, moment, forced=forced)

    def _submission(self, enrollment, assignment, *, revision, status, answers, moment, **fields):
        """One revision; ``moment`` is when it was last changed (handed in, or edited)."""
        submission = Submission(
            enrollment=enrollment,
            assignment=assignment,
            revision=revision,
            status=status,
            answers=answers,
            created_at=fields.pop("created_at", moment - datetime.timedelta(minutes=40)),
            updated_at=fields.pop("updated_at", moment),
            **fields,
        )
        self.submissions.append(submission)
        return submission

    def _quiz(self, enrollment, quiz, moment, pace) -> datetime.datetime:
        attempts: list[Submission] = []
        fail_first = self.rng.random() < (0.25 if pace.share >= 0.7 else 0.5)
        for number in range(2 if fail_first else 1):
            draw = quiz_next_draw(enrollment_id=enrollment.pk, assignment=quiz, attempts=attempts)
            passing = number == 1 or not fail_first
            answers = self._quiz_answers(quiz, draw, passing=passing)
            score, passed, _results = quiz_grade(
                quiz.config, answers, question_ids=draw.question_ids
            )
            at = moment - datetime.timedelta(hours=(1 - number) * 20 if fail_first else 0)
            attempts.append(
                self._submission(
                    enrollment,
                    quiz,
                    revision=draw.attempt,
                    status=Submission.Status.SUBMITTED,
                    answers=answers,
                    score=score,
                    passed=passed,
                    result={"questions": draw.question_ids},
                    submitted_at=self._past(at),
                    moment=self._past(at),
                )
            )
        return moment

    def _quiz_answers(self, quiz, draw, *, passing: bool) -> dict[str, list[str]]:
        questions = {q["id"]: q for q in quiz.config["questions"]}
        slips = len(draw.question_ids) - draw.needed
        wrong = self.rng.randint(0, slips) if passing else slips + 1
        wrong_ids = set(self.rng.sample(draw.question_ids, min(wrong, len(draw.question_ids))))
        answers = {}
        for question_id in draw.question_ids:
            options = questions[question_id]["options"]
            right = sorted(o["id"] for o in options if o["correct"])
            others = [o["id"] for o in options if not o["correct"]]
            answers[question_id] = [others[0]] if question_id in wrong_ids and others else right
        return answers

    def _text(self, prompt: dict, variant: int, *, partial: bool = False) -> str:
        key = (prompt["id"], variant)
        if key not in self.texts:
            self.texts[key] = _reflection_text(prompt, variant)
        text = self.texts[key]
        if partial:
            words = text.split()
            return " ".join(words[: max(5, len(words) // 2)])
        return text

    def _answers(self, assignment, *, partial=False, revised=False) -> dict[str, str]:
        variant = self.rng.randint(0, 2)
        answers = {
            prompt["id"]: self._text(prompt, variant + n, partial=partial)
            for n, prompt in enumerate(assignment.config["prompts"])
            if prompt["required"] or self.rng.random() < 0.3
        }
        if revised:
            answers = {
                key: value + " Nu vraag ik eerst wat de klant wil bereiken en vat ik dat samen."
                for key, value in answers.items()
            }
        return answers

    def _draft(self, enrollment, assignment, *, revision, answers) -> None:
        edited = self._past(self.now - datetime.timedelta(hours=self.rng.random() * 72))
        self._submission(
            enrollment,
            assignment,
            revision=revision,
            status=Submission.Status.DRAFT,
            answers=answers or self._answers(assignment, partial=True),
            version=self.rng.randint(2, 12),
            moment=edited,
            created_at=edited - datetime.timedelta(days=self.rng.random() * 4),
        )

    def _reflection(self, enrollment, assignment, moment, *, forced) -> datetime.datetime:
        """Submitted at ``moment``; graded a day or three later if that has passed.

        A quarter is returned; the learner then revises (a draft, or revision 2
        submitted and waiting, or approved in turn)."""
        rng = self.rng
        answers = self._answers(assignment)
        first = self._submission(
            enrollment,
            assignment,
            revision=1,
            status=Submission.Status.SUBMITTED,
            answers=answers,
            version=rng.randint(3, 20),
            submitted_at=moment,
            moment=moment,
        )
        graded_at = moment + datetime.timedelta(hours=12 + rng.random() * 60)
        revised_at = graded_at + datetime.timedelta(hours=6 + rng.random() * 48)
        # The measured cohort's second learner: returned, revised and waiting again.
        resubmit = forced == "resubmitted" and moment < self.now - datetime.timedelta(days=4)
        if resubmit:
            graded_at = moment + datetime.timedelta(days=1)
            revised_at = graded_at + datetime.timedelta(days=1)
        if graded_at >= self.now:
            return moment  # waiting in the trainer's queue
        returned = resubmit or rng.random() < 0.25
        self._grade(first, graded_at, approved=not returned)
        if not returned:
            return moment
        revised = self._answers(assignment, revised=True)
        if revised_at >= self.now:
            self._draft(enrollment, assignment, revision=2, answers=revised)
            return moment
        second = self._submission(
            enrollment,
            assignment,
            revision=2,
            status=Submission.Status.SUBMITTED,
            answers=revised,
            version=rng.randint(2, 8),
            submitted_at=revised_at,
            moment=revised_at,
            created_at=graded_at + datetime.timedelta(hours=2),
        )
        regraded_at = revised_at + datetime.timedelta(hours=12 + rng.random() * 48)
        if not resubmit and regraded_at < self.now:
            self._grade(second, regraded_at, approved=True)
        return moment

    def _grade(self, submission, at, *, approved: bool) -> None:
        rubric = submission.assignment.config["rubric"]
        pass_level = rubric.get("pass_level", 2)
        scores = {}
        for number, criterion in enumerate(rubric["criteria"]):
            points = sorted(level["points"] for level in criterion["levels"])
            if approved:
                scores[criterion["id"]] = self.rng.choice([p for p in points if p >= pass_level])
            elif number == 0:
                scores[criterion["id"]] = max(p for p in points if p < pass_level)
            else:
                scores[criterion["id"]] = self.rng.choice(points[1:])
        decision = Grade.Decision.APPROVED if approved else Grade.Decision.RETURNED
        submission.status = Submission.Status.APPROVED if approved else Submission.Status.RETURNED
        submission.updated_at = at
        seen = at + datetime.timedelta(hours=2 + self.rng.random() * 30)
        self.graded.append(
            (
                submission,
                {
                    "trainer": self.trainer_of[submission.enrollment.cohort_id],
                    "rubric_scores": scores,
                    "comment": TRAINER_COMMENTS[decision],
                    "decision": decision,
                    "released_at": at,
                    "seen_at": seen if seen < self.now else None,
                    "created_at": at,
                },
            )
        )

    def _grades_and_threads(self) -> None:
        grades, threads = [], []
        for submission, values in self.graded:
            grades.append(Grade(submission=submission, **values))
            if self.rng.random() < THREAD_SHARE and values["seen_at"]:
                asked = values["seen_at"] + datetime.timedelta(minutes=10)
                answered = asked + datetime.timedelta(hours=5)
                if answered < self.now:
                    number = self.rng.randrange(len(LEARNER_MESSAGES))
                    threads += [
                        SubmissionMessage(
                            submission=submission,
                            author=submission.enrollment.user,
                            text=LEARNER_MESSAGES[number],
                            created_at=asked,
                        ),
                        SubmissionMessage(
                            submission=submission,
                            author=values["trainer"],
                            text=TRAINER_REPLIES[number],
                            created_at=answered,
                        ),
                    ]
        with own_timestamps(Grade, SubmissionMessage):
            _insert(Grade, grades, self.counts)
            _insert(SubmissionMessage, threads, self.counts)
        # The "feedback ready" mail of every grade: event mail, one item each.
        for grade in grades:
            enrollment = grade.submission.enrollment
            self._item(
                enrollment.user,
                Message.Kind.EVENT,
                grade.released_at,
                organisation_id=enrollment.cohort.organisation_id,
                rule=Rule.FEEDBACK_READY,
                target=f"grade:{grade.pk}",
                occurrence="released",
                enrollment=enrollment,
                assignment=grade.submission.assignment,
                event_key=grade.pk,
            )

    # --- reminder history -------------------------------------------------------------------

    def _reminder_history(self, enrollment, opens, extension, handed_in) -> None:
        """The learner's daily reminders up to yesterday, as the rules would have found
        them: three days and one day before each deadline while the work was not in,
        once the day after a missed deadline, and each module opened after their start."""
        start = enrollment.starts_on
        for assignment in self.assignments:
            if opens[assignment.module_id] > self.today:
                continue
            due = self._due(assignment, enrollment, extension)
            moment = handed_in.get(assignment.pk)
            target = f"assignment:{assignment.pk}:{enrollment.pk}"
            for days_before in (3, 1):
                day = due - _days(days_before)
                if (
                    start <= day < self.today
                    and opens[assignment.module_id] <= day
                    and (moment is None or moment.astimezone(TZ).date() > day)
                ):
                    self._daily(
                        enrollment,
                        day,
                        rule=Rule.DUE_SOON,
                        target=target,
                        occurrence=f"d{days_before}:{due:%Y%m%d}",
                        assignment=assignment,
                        due_on=due,
                    )
            day = due + _days(1)
            if day < self.today and (moment is None or moment > due_at(due, TZ)):
                self._daily(
                    enrollment,
                    day,
                    rule=Rule.OVERDUE,
                    target=target,
                    occurrence=f"late:{due:%Y%m%d}",
                    assignment=assignment,
                    due_on=due,
                )
        for module in self.modules:
            day = opens[module.pk]
            if start < day < self.today:
                self._daily(
                    enrollment,
                    day,
                    rule=Rule.MODULE_RELEASED,
                    target=f"module:{module.pk}:{enrollment.pk}",
                    occurrence="open",
                    module=module,
                )

    def _daily(self, enrollment, day, **item) -> None:
        self._item(
            enrollment.user,
            Message.Kind.DAILY,
            _local(day, 8 + self.rng.random()),
            organisation_id=enrollment.cohort.organisation_id,
            enrollment=enrollment,
            **item,
        )

    def _item(self, recipient, kind, moment, *, organisation_id=None, event_key=None, **item):
        local_date = moment.astimezone(TZ).date()
        key = (recipient.pk, kind, event_key or local_date)
        if key not in self.messages:
            failed = self.rng.random() < 0.002
            self.messages[key] = Message(
                recipient=recipient,
                organisation_id=organisation_id,
                kind=kind,
                local_date=local_date,
                send_after=moment,
                status=Message.Status.FAILED if failed else Message.Status.SENT,
                attempts=1,
                last_error="550 5.1.1 Mailbox unavailable" if failed else "",
                created_at=moment,
                claimed_at=moment + datetime.timedelta(seconds=20),
                sent_at=None if failed else moment + datetime.timedelta(seconds=21),
            )
        self.items.append((key, ReminderItem(recipient=recipient, created_at=moment, **item)))

    def _trainer_and_admin_mail(self) -> None:
        """Two weeks of trainer digests and six weeks of weekly summaries."""
        for number in range(1, 15):
            day = self.today - _days(number)
            for trainer in self.trainers:
                self._item(
                    trainer,
                    Message.Kind.DIGEST,
                    _local(day, 8.25),
                    rule=Rule.TRAINER_DIGEST,
                    target="queue",
                    occurrence=f"{day:%Y%m%d}",
                )
        monday = self.today - _days(self.today.weekday())
        for number in range(1, 7):
            day = monday - _days(7 * number)
            year, week, _weekday = day.isocalendar()
            for organisation, admin in self.admins:
                self._item(
                    admin,
                    Message.Kind.SUMMARY,
                    _local(day, 8.5),
                    organisation_id=organisation.pk,
                    rule=Rule.ORG_SUMMARY,
                    target=f"organisation:{organisation.pk}",
                    occurrence=f"{year}-W{week:02d}",
                )


def _days(number: int) -> datetime.timedelta:
    return datetime.timedelta(days=number)
