import datetime
import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import User, single_line
from accounts.services import user_create
from cohorts.csv_import import PROBLEMS, PersonRow, person_problem
from cohorts.invitations import invite_or_notify
from cohorts.models import Cohort, Enrollment, ModuleRelease
from organisations.models import Membership, Organisation
from organisations.services import membership_add

logger = logging.getLogger(__name__)


class CohortError(Exception):
    """A cohort write could not be done; the message is shown to the user."""


def progress_changed(*, enrollments=(), cohorts=(), course=None) -> None:
    """Mark stored progress summaries and kept progress rows out of date
    (``dashboards.summaries``, ``learning.progress``).

    Every service that changes what a learner has done (a lesson read, work saved,
    handed in or graded), when it is due (an extension, a deadline, a release, the
    cohort's dates) or what the course holds (an import) calls this in its own
    transaction: an enrolment's own changes raise its version, a cohort-wide change
    the cohort's, an import every cohort of the course. ``enrollments`` and
    ``cohorts`` take objects or ids.
    """
    enrollment_ids = [getattr(e, "pk", e) for e in enrollments]
    cohort_ids = [getattr(c, "pk", c) for c in cohorts]
    # The objects in hand no longer know their version: progress read through them later
    # in this request reads its rows again (``learning.progress.progress_rows``).
    for instance in (*enrollments, *cohorts):
        if isinstance(instance, Enrollment | Cohort):
            instance.progress_outdated = True
    if enrollment_ids:
        Enrollment.objects.filter(pk__in=enrollment_ids).update(
            progress_version=F("progress_version") + 1
        )
    if cohort_ids:
        Cohort.objects.filter(pk__in=cohort_ids).update(progress_version=F("progress_version") + 1)
    if course is not None:
        Cohort.objects.filter(course=course).update(progress_version=F("progress_version") + 1)


@transaction.atomic
def cohort_create(
    *,
    organisation: Organisation,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    time_zone: str = "Europe/Amsterdam",
    course=None,
) -> Cohort:
    cohort = Cohort(
        organisation=organisation,
        course=course,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        time_zone=time_zone,
    )
    try:
        cohort.full_clean()
    except ValidationError as exc:
        raise CohortError("; ".join(exc.messages)) from exc
    cohort.save()
    return cohort


@transaction.atomic
def cohort_set_course(*, cohort: Cohort, course) -> Cohort:
    cohort.course = course
    cohort.save(update_fields=["course"])
    progress_changed(cohorts=[cohort])
    return cohort


@transaction.atomic
def module_release_set(*, cohort: Cohort, module, opens_on: datetime.date | None):
    """Staff override of a module's opening date for one cohort; None restores the default."""
    if module.course_id != cohort.course_id:
        raise CohortError("This module is not part of the cohort's course.")
    progress_changed(cohorts=[cohort])
    if opens_on is None:
        ModuleRelease.objects.filter(cohort=cohort, module=module).delete()
        return None
    release, _created = ModuleRelease.objects.update_or_create(
        cohort=cohort, module=module, defaults={"opens_on": opens_on}
    )
    return release


@transaction.atomic
def cohort_assign_trainer(*, cohort: Cohort, trainer) -> None:
    cohort.trainers.add(trainer)


@transaction.atomic
def enrollment_create(
    *, cohort: Cohort, user, starts_on: datetime.date | None = None
) -> Enrollment:
    """Enrol ``user`` in ``cohort``; they become a member of its organisation too.

    Enrolling someone who is already enrolled returns the existing enrolment
    (re-activating a withdrawn one) rather than failing, so CSV imports and
    invitations can be repeated safely.
    """
    membership_add(user=user, organisation=cohort.organisation, role=Membership.Role.MEMBER)
    enrollment, created = Enrollment.objects.get_or_create(
        user=user,
        cohort=cohort,
        defaults={"starts_on": max(starts_on or cohort.starts_on, cohort.starts_on)},
    )
    if not created and enrollment.status == Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.save(update_fields=["status"])
    return enrollment


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    time_zone: str,
    course,
) -> Cohort:
    """Change a cohort's name, dates, time zone and course.

    The course stays once learners have started work in it: their submissions
    belong to its assignments. Learners who started with the cohort move with its
    start date; nobody starts before the cohort.
    """
    if cohort.archived_at is not None:
        raise CohortError(_("This cohort is archived. Restore it before changing it."))
    name = name.strip()
    if (
        Cohort.objects.filter(organisation_id=cohort.organisation_id, name__iexact=name)
        .exclude(pk=cohort.pk)
        .exists()
    ):
        raise CohortError(_("This organisation already has a cohort with this name."))
    course_id = course.pk if course is not None else None
    course_changes = course_id != cohort.course_id
    if (
        course_changes
        and Enrollment.objects.filter(cohort=cohort, submissions__isnull=False).exists()
    ):
        raise CohortError(
            _(
                "Learners in this cohort have already started work in its course, "
                "so the course can no longer be changed."
            )
        )
    previous_start = cohort.starts_on
    cohort.name = name
    cohort.starts_on = starts_on
    cohort.ends_on = ends_on
    cohort.time_zone = time_zone
    cohort.course = course
    try:
        cohort.full_clean()
    except ValidationError as exc:
        raise CohortError("; ".join(exc.messages)) from exc
    cohort.save(update_fields=["name", "starts_on", "ends_on", "time_zone", "course"])
    # Dates, time zone and course decide every learner's deadlines and openings.
    progress_changed(cohorts=[cohort])
    if course_changes:
        # Opening dates of the old course's modules mean nothing for the new one.
        ModuleRelease.objects.filter(cohort=cohort).delete()
    if starts_on != previous_start:
        Enrollment.objects.filter(cohort=cohort, starts_on=previous_start).update(
            starts_on=starts_on
        )
        Enrollment.objects.filter(cohort=cohort, starts_on__lt=starts_on).update(
            starts_on=starts_on
        )
    return cohort


@transaction.atomic
def cohort_set_trainers(*, cohort: Cohort, trainers) -> Cohort:
    """Make exactly ``trainers`` the cohort's trainers (an empty list removes all)."""
    inactive = [trainer for trainer in trainers if not trainer.is_active]
    if inactive:
        raise CohortError(
            _("%(name)s has no active account and cannot train a cohort.") % {"name": inactive[0]}
        )
    cohort.trainers.set(trainers)
    return cohort


@transaction.atomic
def cohort_archive(*, cohort: Cohort, now: datetime.datetime) -> Cohort:
    """Archive a finished cohort: it leaves everyday lists but stays reachable."""
    if not cohort.has_ended(now):
        raise CohortError(
            _("A cohort can only be archived after it has ended (after %(date)s).")
            % {"date": date_format(cohort.ends_on, "DATE_FORMAT")}
        )
    # Claimed with a conditional update, so a second click cannot move the date.
    if not Cohort.objects.filter(pk=cohort.pk, archived_at__isnull=True).update(archived_at=now):
        raise CohortError(_("This cohort is already archived."))
    cohort.archived_at = now
    return cohort


@transaction.atomic
def cohort_unarchive(*, cohort: Cohort) -> Cohort:
    """Bring an archived cohort back into the everyday lists."""
    if not Cohort.objects.filter(pk=cohort.pk, archived_at__isnull=False).update(archived_at=None):
        raise CohortError(_("This cohort is not archived."))
    cohort.archived_at = None
    return cohort


# --- Enrolling people: one at a time or from a CSV file; moving; withdrawing ---

NEW = "new"
ALREADY_ENROLLED = "enrolled"
INVALID = "invalid"
# Lookups by a list of values go in slices: SQLite limits the parameters per query.
_CHUNK = 500


@dataclass(frozen=True)
class EnrolmentOutcome:
    enrollment: Enrollment
    created: bool


@dataclass(frozen=True)
class PlannedRow:
    person: PersonRow
    status: str  # NEW, ALREADY_ENROLLED or INVALID


@dataclass(frozen=True)
class EnrolmentPlan:
    """What importing a file would do now: every row with its status, and the totals."""

    rows: list[PlannedRow]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new_count(self) -> int:
        return self.count(NEW)

    @property
    def enrolled_count(self) -> int:
        return self.count(ALREADY_ENROLLED)

    @property
    def invalid_count(self) -> int:
        return self.count(INVALID)


def _chunks(values: list) -> list[list]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _check_open_for_enrolment(cohort: Cohort) -> None:
    if cohort.archived_at is not None:
        raise CohortError(_("This cohort is archived; nobody can be enrolled in it."))


def personal_start(
    *, cohort: Cohort, now: datetime.datetime, starts_on: datetime.date | None = None
) -> datetime.date:
    """The personal start date for someone enrolled at ``now``.

    The cohort's start, or today for someone who joins a running cohort late. A date
    the person enrolling chose must fall within the cohort.
    """
    if starts_on is None:
        return min(max(cohort.local_today(now), cohort.starts_on), cohort.ends_on)
    if not cohort.starts_on <= starts_on <= cohort.ends_on:
        raise CohortError(
            _("The personal start date must fall within the cohort: %(start)s to %(end)s.")
            % {
                "start": date_format(cohort.starts_on, "DATE_FORMAT"),
                "end": date_format(cohort.ends_on, "DATE_FORMAT"),
            }
        )
    return starts_on


def _enrolled_addresses(cohort: Cohort) -> set[str]:
    # Only this cohort is looked at: whether an address has an account elsewhere
    # must never change what the person enrolling sees.
    return {
        email.lower()
        for email in Enrollment.objects.filter(cohort=cohort).values_list("user__email", flat=True)
    }


def enrolment_plan(*, cohort: Cohort, rows: list[PersonRow]) -> EnrolmentPlan:
    """The preview of an import, against the database as it is now (one query).

    The import itself runs this again, so a preview that went stale (someone was
    enrolled meanwhile) never causes a duplicate.
    """
    enrolled = _enrolled_addresses(cohort)
    planned = []
    for person in rows:
        if person.problem or person_problem(person):
            status = INVALID
        elif person.email in enrolled:
            status = ALREADY_ENROLLED
        else:
            status = NEW
        planned.append(PlannedRow(person=person, status=status))
    return EnrolmentPlan(rows=planned)


def _membership_department(membership: Membership, department: str) -> bool:
    """Record the department given for the person; an empty one keeps what is known."""
    if department and membership.department != department:
        membership.department = department
        return True
    return False


@transaction.atomic
def enrollment_invite(
    *,
    cohort: Cohort,
    email: str,
    first_name: str,
    last_name: str,
    department: str = "",
    starts_on: datetime.date | None = None,
    by,
    now: datetime.datetime,
) -> EnrolmentOutcome:
    """Enrol one person, creating their account if there is none, and tell them.

    An existing account keeps its name: the names given only name a new account.
    Someone already enrolled in the cohort is reported (``created`` False) and not
    touched.
    """
    _check_open_for_enrolment(cohort)
    person = PersonRow(
        line=0,
        email=single_line(email).lower(),
        first_name=single_line(first_name),
        last_name=single_line(last_name),
        department=single_line(department),
    )
    problem = person_problem(person)
    if problem:
        raise CohortError(capfirst(str(PROBLEMS[problem])) + ".")
    start = personal_start(cohort=cohort, now=now, starts_on=starts_on)
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    user = User.objects.annotate(address=Lower("email")).filter(address=person.email).first()
    if user is None:
        user = user_create(
            email=person.email, display_name=person.display_name, time_zone=cohort.time_zone
        )
    existing = Enrollment.objects.filter(user=user, cohort=cohort).first()
    if existing is not None:
        return EnrolmentOutcome(enrollment=existing, created=False)
    membership = membership_add(user=user, organisation=cohort.organisation)
    if _membership_department(membership, person.department):
        membership.save(update_fields=["department"])
    enrollment = Enrollment.objects.create(user=user, cohort=cohort, starts_on=start)
    invite_or_notify(enrollment=enrollment, invited_by=by, now=now)
    return EnrolmentOutcome(enrollment=enrollment, created=True)


@dataclass(frozen=True)
class ImportResult:
    enrolled: int
    already_enrolled: int
    invalid: int


@transaction.atomic
def enrollment_import(
    *,
    cohort: Cohort,
    rows: list[PersonRow],
    starts_on: datetime.date | None = None,
    by,
    now: datetime.datetime,
) -> ImportResult:
    """Enrol every valid, not yet enrolled row of a previewed file, all or nothing.

    Accounts, memberships and enrolments are written in bulk, so the number of
    queries grows with the rows only by batches; then each new enrolment is told
    (``invite_or_notify``), its mail going out after commit.
    """
    _check_open_for_enrolment(cohort)
    start = personal_start(cohort=cohort, now=now, starts_on=starts_on)
    # Two imports into one cohort at once queue up here (PostgreSQL), so the plan
    # below is still true when the rows are written.
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    plan = enrolment_plan(cohort=cohort, rows=rows)
    people = [row.person for row in plan.rows if row.status == NEW]

    users = {}
    for chunk in _chunks([person.email for person in people]):
        for user in User.objects.annotate(address=Lower("email")).filter(address__in=chunk):
            users[user.address] = user
    new_users = [
        User(
            email=person.email,
            display_name=person.display_name,
            password=make_password(None),
            time_zone=cohort.time_zone,
            date_joined=now,
        )
        for person in people
        if person.email not in users
    ]
    organisation = cohort.organisation
    try:
        # Like accounts.services.user_create, in bulk: no password, a verified address.
        User.objects.bulk_create(new_users, batch_size=_CHUNK)
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in new_users
            ],
            batch_size=_CHUNK,
        )
        users |= {user.email: user for user in new_users}

        memberships = {}
        for chunk in _chunks([users[person.email].pk for person in people]):
            for membership in Membership.objects.filter(
                organisation=organisation, user_id__in=chunk
            ):
                memberships[membership.user_id] = membership
        changed, added = [], []
        for person in people:
            user = users[person.email]
            if user.pk in memberships:
                if _membership_department(memberships[user.pk], person.department):
                    changed.append(memberships[user.pk])
            else:
                added.append(
                    Membership(user=user, organisation=organisation, department=person.department)
                )
        Membership.objects.bulk_create(added, batch_size=_CHUNK)
        Membership.objects.bulk_update(changed, ["department"], batch_size=_CHUNK)
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(user=users[person.email], cohort=cohort, starts_on=start)
                for person in people
            ],
            batch_size=_CHUNK,
        )
    except IntegrityError as error:
        # Someone enrolled or created one of these people in the meantime.
        raise CohortError(
            _("Someone changed these enrolments at the same time. Nothing was imported; try again.")
        ) from error
    for enrollment in enrollments:
        invite_or_notify(enrollment=enrollment, invited_by=by, now=now)
    return ImportResult(
        enrolled=len(enrollments),
        already_enrolled=plan.enrolled_count,
        invalid=plan.invalid_count,
    )


def enrollment_move_targets(*, enrollment: Enrollment, now: datetime.datetime) -> list[Cohort]:
    """The cohorts ``enrollment_move`` would accept for this learner at ``now``."""
    if enrollment.cohort.course_id is None:
        return []
    candidates = (
        Cohort.objects.filter(
            organisation_id=enrollment.cohort.organisation_id,
            course_id=enrollment.cohort.course_id,
            archived_at__isnull=True,
            # A day's margin for time zones; has_ended below is the rule.
            ends_on__gte=now.date() - datetime.timedelta(days=1),
        )
        .exclude(enrollments__user_id=enrollment.user_id)
        .order_by("starts_on", "name")
    )
    return [cohort for cohort in candidates if not cohort.has_ended(now)]


@transaction.atomic
def enrollment_move(
    *, enrollment: Enrollment, to_cohort: Cohort, by, now: datetime.datetime
) -> Enrollment:
    """Move a learner, with their work, to another cohort of the same organisation.

    The work hangs on the enrolment, so the enrolment itself moves. Only between
    cohorts that follow the same course; never into a cohort that has ended, is
    archived, or already has this person. Their personal start becomes the new
    cohort's start unless they started later than that.
    """
    source = enrollment.cohort
    if to_cohort.pk == source.pk:
        raise CohortError(_("The learner is already in this cohort."))
    if to_cohort.organisation_id != source.organisation_id:
        raise CohortError(_("A learner can only move to a cohort of the same organisation."))
    if to_cohort.course_id is None or to_cohort.course_id != source.course_id:
        raise CohortError(
            _(
                "A learner can only move to a cohort that follows the same course, "
                "so their work fits."
            )
        )
    if to_cohort.archived_at is not None or to_cohort.has_ended(now):
        raise CohortError(
            _("That cohort has ended; choose a cohort that is still running or yet to start.")
        )
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise CohortError(_("This learner has withdrawn and cannot be moved."))
    if Enrollment.objects.filter(user_id=enrollment.user_id, cohort=to_cohort).exists():
        raise CohortError(_("This learner is already enrolled in that cohort."))
    starts_on = min(max(enrollment.starts_on, to_cohort.starts_on), to_cohort.ends_on)
    # Conditional on where the learner is now, so two moves at once cannot both apply.
    moved = Enrollment.objects.filter(pk=enrollment.pk, cohort=source).update(
        cohort=to_cohort, starts_on=starts_on, progress_version=F("progress_version") + 1
    )
    if not moved:
        raise CohortError(_("This learner was moved or removed in the meantime."))
    logger.info(
        "Enrolment %s moved from cohort %s to %s by user %s",
        enrollment.pk,
        source.pk,
        to_cohort.pk,
        getattr(by, "pk", None),
    )
    enrollment.cohort = to_cohort
    enrollment.starts_on = starts_on
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, by, now: datetime.datetime) -> Enrollment:
    """Take a learner out of their cohort; their work stays, and so do they as a person.

    Withdrawing twice changes nothing. Reminders and open invitation links stop,
    because both look at the enrolment's status.
    """
    withdrawn = (
        Enrollment.objects.filter(pk=enrollment.pk)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .update(status=Enrollment.Status.WITHDRAWN)
    )
    if withdrawn:
        logger.info(
            "Enrolment %s withdrawn by user %s at %s",
            enrollment.pk,
            getattr(by, "pk", None),
            now.isoformat(),
        )
    enrollment.status = Enrollment.Status.WITHDRAWN
    return enrollment
