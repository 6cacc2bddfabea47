"""Demo data: two organisations, the named demo accounts and a cohort of learners each.

Built through the same services people trigger, and idempotent: every step looks
for what it would create first, so a second run changes nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from cohorts.models import Cohort
from cohorts.services import (
    cohort_assign_trainer,
    cohort_create,
    cohort_set_course,
    enrollment_create,
)
from courses.selectors import course_state
from courses.services import course_import, lesson_mark_read
from organisations.models import Membership, Organisation
from organisations.services import membership_add, organisation_create

DEMO_PASSWORD = "klantbekwaam-demo"  # noqa: S105 (public demo password, documented)


@dataclass
class DemoOrganisation:
    name: str
    slug: str
    domain: str
    cohort_name: str
    learner: tuple[str, str]
    trainer: tuple[str, str]
    org_admin: tuple[str, str]
    further_learners: list[str] = field(default_factory=list)
    start_offset_days: int = 0


DEMO_ORGANISATIONS = [
    DemoOrganisation(
        name="Demo BV",
        slug="demo-bv",
        domain="demo-bv.example.com",
        cohort_name="Klantbekwaam najaar",
        learner=("learner@example.com", "Lotte de Leerling"),
        trainer=("trainer@example.com", "Tim Trainer"),
        org_admin=("orgadmin@example.com", "Olga Opleidingen"),
        further_learners=[
            "Sanne de Vries",
            "Daan Jansen",
            "Fatima El Amrani",
            "Bram Visser",
            "Noor Bakker",
            "Ruben Smit",
            "Eva Mulder",
            "Milan de Boer",
            "Yara Peeters",
        ],
        start_offset_days=-10,
    ),
    DemoOrganisation(
        name="Tweede BV",
        slug="tweede-bv",
        domain="tweede-bv.example.com",
        cohort_name="Klantbekwaam voorjaar",
        learner=("learner2@example.com", "Lars Leerling"),
        trainer=("trainer2@example.com", "Tessa Trainer"),
        org_admin=("orgadmin2@example.com", "Omar Opleidingen"),
        further_learners=[
            "Julia Wouters",
            "Sem Hendriks",
            "Aylin Demir",
            "Thomas Claes",
            "Lieke Dekker",
            "Jesse van Dijk",
            "Mila Verbeek",
            "Kevin Maes",
            "Iris Vermeulen",
        ],
        start_offset_days=-3,
    ),
]

STAFF = ("staff@example.com", "Sara Staf")
COURSE_FOLDER = settings.BASE_DIR / "courses" / "content" / "klantgerichtheid"
# How many of the open lessons each further learner has read, so the demo shows
# people at different stages (the named demo learner starts fresh).
READ_PATTERN = [8, 6, 5, 4, 3, 2, 1, 0, 0]


def _email_for(name: str, domain: str) -> str:
    local = name.lower().replace(" ", ".").replace("'", "")
    return f"{local}@{domain}"


def _person(email: str, display_name: str, **extra) -> tuple[User, bool]:
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    return user_create(
        email=email, password=DEMO_PASSWORD, display_name=display_name, **extra
    ), True


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> list[str]:
    """Create whatever is missing of the demo; return a line per thing created."""
    today = today or timezone.localdate()
    created: list[str] = []

    report = course_import(folder=COURSE_FOLDER)
    if report.changed:
        created.append(f"course {report.course.slug}")
    course = report.course

    staff, is_new = _person(*STAFF, is_staff=True, is_superuser=True)
    if is_new:
        created.append(f"staff {staff.email}")

    for spec in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=spec.slug).first()
        if organisation is None:
            organisation = organisation_create(name=spec.name, slug=spec.slug)
            created.append(f"organisation {spec.name}")

        cohort = Cohort.objects.filter(organisation=organisation, name=spec.cohort_name).first()
        if cohort is None:
            starts_on = today + datetime.timedelta(days=spec.start_offset_days)
            cohort = cohort_create(
                organisation=organisation,
                name=spec.cohort_name,
                starts_on=starts_on,
                ends_on=starts_on + datetime.timedelta(days=70),
                course=course,
            )
            created.append(f"cohort {spec.cohort_name}")
        if cohort.course_id is None:
            cohort_set_course(cohort=cohort, course=course)

        trainer, is_new = _person(*spec.trainer)
        if is_new:
            created.append(f"trainer {trainer.email}")
        if not cohort.trainers.filter(pk=trainer.pk).exists():
            cohort_assign_trainer(cohort=cohort, trainer=trainer)

        org_admin, is_new = _person(*spec.org_admin)
        if is_new:
            created.append(f"org admin {org_admin.email}")
        membership_add(user=org_admin, organisation=organisation, role=Membership.Role.ORG_ADMIN)

        learners = [spec.learner] + [
            (_email_for(name, spec.domain), name) for name in spec.further_learners
        ]
        for index, (email, name) in enumerate(learners):
            learner, is_new = _person(email, name)
            if is_new:
                created.append(f"learner {learner.email}")
            if not cohort.enrollments.filter(user=learner).exists():
                # The last two joined a week late, so personal start dates differ.
                late = datetime.timedelta(days=7) if index >= len(learners) - 2 else None
                enrollment = enrollment_create(
                    cohort=cohort,
                    user=learner,
                    starts_on=cohort.starts_on + late if late else None,
                )
                if index > 0:
                    _read_some(enrollment, READ_PATTERN[(index - 1) % len(READ_PATTERN)])
    return created


def _read_some(enrollment, count: int) -> None:
    open_lessons = [state.lesson for state in course_state(enrollment).lessons if state.is_open]
    for lesson in open_lessons[:count]:
        lesson_mark_read(enrollment=enrollment, lesson=lesson)
