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
from assignments.services import comment_snippet_add
from cohorts.models import Cohort
from cohorts.services import (
    cohort_assign_trainer,
    cohort_create,
    cohort_set_course,
    enrollment_create,
)
from courses.services import course_import, lesson_mark_read
from learning.progress import course_state
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
    admins_may_enrol: bool = False


DEMO_ORGANISATIONS = [
    DemoOrganisation(
        name="Demo BV",
        slug="demo-bv",
        domain="demo-bv.example.com",
        cohort_name="Klantbekwaam najaar",
        learner=("learner@example.com", "Lotte de Leerling"),
        trainer=("trainer@example.com", "Tim Trainer"),
        org_admin=("orgadmin@example.com", "Olga Opleidingen"),
        admins_may_enrol=True,
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
        # Far enough in that the scan (due on day 3) is overdue for someone.
        start_offset_days=-5,
    ),
]

STAFF = ("staff@example.com", "Sara Staf")
COURSE_FOLDER = settings.BASE_DIR / "courses" / "content" / "klantgerichtheid"
# How many of the open lessons each further learner has read, so the demo shows
# people at different stages, someone overdue among them. The named demo learner
# joins today instead: a fresh journey whose deadlines all lie ahead.
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
def seed_demo(*, now: datetime.datetime | None = None) -> list[str]:
    """Create whatever is missing of the demo, as of ``now``; return a line per thing created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
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
            organisation = organisation_create(
                name=spec.name, slug=spec.slug, admins_may_enrol=spec.admins_may_enrol
            )
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
            for text in TRAINER_SNIPPETS:
                comment_snippet_add(trainer=trainer, text=text)
        if not cohort.has_trainer(trainer):
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
                enrollment = enrollment_create(
                    cohort=cohort,
                    user=learner,
                    starts_on=_personal_start(index, learners, cohort, today),
                )
                if index > 0:
                    stage = READ_PATTERN[(index - 1) % len(READ_PATTERN)]
                    _read_some(enrollment, stage, now)
                    _do_work(enrollment, stage, index, trainer, now)
    return created


def _personal_start(
    index: int, learners: list, cohort: Cohort, today: datetime.date
) -> datetime.date | None:
    """The named learner (index 0) joins today, so their deadlines move with them and a
    first look shows a fresh journey; the last two further learners joined a week late."""
    if index == 0:
        return today
    if index >= len(learners) - 2:
        return cohort.starts_on + datetime.timedelta(days=7)
    return None


REFLECTIONS = [
    "Vorige maand belde een klant over een factuur die hij niet begreep. Ik was vriendelijk, "
    "nam rustig de tijd en legde elke regel uit. Hij bedankte me hartelijk. Pas later besefte ik "
    "dat zijn eigenlijke vraag was waarom hij twee keer voor dezelfde levering betaalde. Die vraag "
    "heb ik niet gehoord, omdat ik zo bezig was met netjes uitleggen. Hij moest een week later "
    "opnieuw bellen en kreeg toen pas een creditnota. Nu zou ik eerst vragen wat hij met de "
    "factuur wil bereiken, en pas daarna gaan uitleggen. Dan help ik hem in één gesprek.",
    "Bij de balie van ons servicepunt kwam een bewoner met een vraag over zijn parkeervergunning. "
    "Ik was aardig, heb koffie aangeboden en uitgebreid verteld hoe de aanvraag werkt. Wat ik niet "
    "deed: zelf kijken of zijn aanvraag al in het systeem stond. Daardoor ging hij naar huis met "
    "een folder en zonder antwoord. Achteraf bleek zijn aanvraag vast te zitten op een ontbrekend "
    "document. Dat had ik in twee minuten kunnen zien. Ik leer hiervan dat vriendelijk zijn pas "
    "waarde heeft als de klant daarna verder is. Volgende keer kijk ik eerst mee in het dossier.",
    "Een collega van de buitendienst vroeg mij om een laptop voor een nieuwe medewerker. Ik zei "
    "opgewekt dat ik er meteen mee aan de slag ging en stuurde een vriendelijke bevestiging. "
    "Maar ik vroeg niet welke programma's nodig waren. De laptop kwam op tijd, maar zonder de "
    "planningssoftware, "
    "zodat de nieuwe collega twee dagen niet kon werken. Mijn toon was goed, mijn oplossing niet. "
    "Nu stel ik bij elke aanvraag drie vragen: waarvoor, voor wanneer en wat moet erop staan.",
]
# The demo trainer's comment bank: feedback a trainer of this course gives often.
TRAINER_SNIPPETS = [
    "Je beschrijft de situatie helder. Maak nog concreter wat je de volgende keer anders doet.",
    "Goed dat je de vraag achter de vraag zoekt. Welke behoefte van de klant hoorde je?",
    "Benoem ook wat de regels van je organisatie hier vragen, en hoe je dat uitlegt.",
]

TRAINER_COMMENTS = {
    "approved": "Helder beschreven en eerlijk over wat er misging. Je verbetering is concreet: "
    "eerst de echte vraag achterhalen. Goed gedaan.",
    "returned": "Je beschrijft de situatie goed, maar ik mis nog wat je nu anders zou doen. "
    "Werk dat deel uit in een paar zinnen en dien opnieuw in.",
}


def _do_work(enrollment, stage: int, index: int, trainer, now: datetime.datetime) -> None:
    """Give a further learner work in the open modules, matching how far they have read.

    What is done follows the course files: the open scans (a post scan only once its
    pre scan exists, so never here), the first quiz, the first reflection with a rubric.
    """
    from assignments.models import Assignment, Grade
    from assignments.services import reflection_draft, reflection_submit, submission_grade

    opened = [s.assignment.pk for s in course_state(enrollment, now=now).assignments if s.is_open]
    by_pk = Assignment.objects.in_bulk(opened)
    work = [by_pk[pk] for pk in opened]
    scans = [a for a in work if a.is_scan and a.config.get("pre_post") != "post"]
    quizzes = [a for a in work if a.is_quiz]
    reflections = [a for a in work if a.is_reflection and a.config["rubric"]["criteria"]]

    if stage >= 2 and scans:
        _take_scan(enrollment, scans[0], index, now)
    if stage >= 3 and quizzes:
        # Every other learner gets a question wrong, as long as that still passes.
        _take_quiz(enrollment, quizzes[0], slip=bool(index % 2), now=now)
    if stage >= 4 and reflections:
        reflection = reflections[0]
        draft = reflection_draft(enrollment=enrollment, assignment=reflection)
        submission = reflection_submit(
            submission=draft,
            answers={
                prompt["id"]: _reflection_text(prompt, index + number)
                for number, prompt in enumerate(reflection.config["prompts"])
                if prompt["required"]
            },
            based_on=draft.version,
            now=now,
        )
        if stage >= 8:
            decision = Grade.Decision.APPROVED
        elif stage == 6:
            decision = Grade.Decision.RETURNED
        else:
            decision = None  # waits in the trainer's queue
        if decision:
            submission_grade(
                submission=submission,
                trainer=trainer,
                rubric_scores=_rubric_scores(reflection.config["rubric"], decision),
                comment=TRAINER_COMMENTS[decision],
                decision=decision,
                now=now,
            )
    if stage >= 5:
        for scan in scans[1:]:
            _take_scan(enrollment, scan, index, now)


def _take_scan(enrollment, scan, index: int, now: datetime.datetime) -> None:
    from assignments.services import scan_submit

    answers = {
        statement["id"]: 1 + (index * 3 + position * (index % 4 + 1)) % 5
        for position, statement in enumerate(scan.config["statements"])
    }
    scan_submit(enrollment=enrollment, assignment=scan, raw_answers=answers, now=now)


def _take_quiz(enrollment, quiz, *, slip: bool, now: datetime.datetime) -> None:
    """Answer the questions this attempt draws, all right but (``slip``) one that can be
    missed while still passing."""
    from assignments.models import Submission
    from assignments.selectors import quiz_next_draw
    from assignments.services import quiz_submit

    draw = quiz_next_draw(
        enrollment_id=enrollment.pk,
        assignment=quiz,
        attempts=Submission.objects.filter(enrollment=enrollment, assignment=quiz),
    )
    questions = {question["id"]: question for question in quiz.config["questions"]}
    may_miss = 1 if slip and draw.needed < len(draw.question_ids) else 0
    answers = {}
    for number, question_id in enumerate(draw.question_ids):
        options = questions[question_id]["options"]
        correct = [o["id"] for o in options if o["correct"]]
        wrong = [o["id"] for o in options if not o["correct"]][:1]
        answers[question_id] = wrong if number < may_miss and wrong else correct
    quiz_submit(
        enrollment=enrollment,
        assignment=quiz,
        raw_answers=answers,
        now=now,
        shown=draw.question_ids,
    )


def _rubric_scores(rubric: dict, decision: str) -> dict[str, int]:
    """Approved: every criterion at the pass level or above (the top level on the first).
    Returned: the first criterion just below the pass level, the others at it."""
    pass_level = rubric.get("pass_level")
    scores = {}
    for number, criterion in enumerate(rubric["criteria"]):
        points = [level["points"] for level in criterion["levels"]]
        at_pass = pass_level if pass_level is not None else points[-1]
        if decision == "approved":
            scores[criterion["id"]] = points[-1] if number == 0 else at_pass
        else:
            below = [p for p in points if p < at_pass] or points[:1]
            scores[criterion["id"]] = below[-1] if number == 0 else at_pass
    return scores


def _reflection_text(prompt: dict, index: int) -> str:
    """Whole sentences of the demo texts, within the prompt's word limits."""
    sentences = [
        sentence.strip() + "."
        for text in REFLECTIONS[index % len(REFLECTIONS) :] + REFLECTIONS
        for sentence in text.split(". ")
        if sentence.strip()
    ]
    chosen: list[str] = []
    words = 0
    for sentence in sentences:
        length = len(sentence.split())
        if words >= max(prompt["min_words"], 1) or words + length > prompt["max_words"]:
            break
        chosen.append(sentence)
        words += length
    return " ".join(chosen).replace("..", ".")


def _read_some(enrollment, count: int, now: datetime.datetime) -> None:
    lessons = course_state(enrollment, now=now).lessons
    open_lessons = [state.lesson for state in lessons if state.is_open]
    for lesson in open_lessons[:count]:
        lesson_mark_read(enrollment=enrollment, lesson=lesson, now=now)
