"""The reminder rules: what is due for whom at one moment ``now``.

Nothing here writes. ``find_candidates`` reads the running cohorts once and asks each
rule over all of them together: the learner rules share one progress read
(``course_states``, a fixed eight queries, and two for the last activity), the
digest is one aggregate query, the summary one query for the admins. No query runs
per learner. A candidate carries its unique key (recipient, rule, target,
occurrence); ``services`` decides which are new and writes them.

Each rule fires in a window, not at one instant, so a sweep that did not run (the
workers were down, it was night where the person lives) catches up later the same
day or the next, and the key stops it from ever firing twice.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Exists, Min, OuterRef, Q

from accounts.models import User
from assignments.models import Assignment, Submission
from cohorts.models import Cohort, Enrollment
from learning.progress import course_states, inactive_since, last_activity_by_enrollment
from notifications.models import CohortReminderRules, Message, Rule
from organisations.models import Membership

# Reminder mail leaves only in the recipient's daytime.
DAY_STARTS = datetime.time(8, 0)
DAY_ENDS = datetime.time(20, 0)
# How long after its moment a rule may still fire (catching up after an outage).
MODULE_WINDOW_DAYS = 2
OVERDUE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Candidate:
    recipient: User
    rule: str
    target: str
    occurrence: str
    kind: str
    local_date: datetime.date
    organisation_id: int | None = None
    enrollment: Enrollment | None = None
    assignment: Assignment | None = None
    module_id: int | None = None
    module_title: str = ""
    due_on: datetime.date | None = None

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.recipient.pk, self.rule, self.target, self.occurrence)

    @property
    def label(self) -> str:
        """The target in words, for the command's preview."""
        if self.assignment is not None:
            when = f" ({self.due_on:%Y-%m-%d})" if self.due_on else ""
            return f"{self.assignment.title}{when}"
        if self.module_title:
            return self.module_title
        if self.enrollment is not None:
            return self.enrollment.cohort.name
        return self.target


def local_now(user, now: datetime.datetime) -> datetime.datetime:
    try:
        tz = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("Europe/Amsterdam")
    return now.astimezone(tz)


def is_daytime(user, now: datetime.datetime) -> bool:
    """Between 08:00 and 20:00 where the person lives (right across DST changes)."""
    return DAY_STARTS <= local_now(user, now).time() < DAY_ENDS


def next_daytime(user, now: datetime.datetime) -> datetime.datetime:
    """``now`` if it is daytime for the person, else the next 08:00 in their time zone."""
    local = local_now(user, now)
    if local.time() < DAY_STARTS:
        day = local.date()
    elif local.time() >= DAY_ENDS:
        day = local.date() + datetime.timedelta(days=1)
    else:
        return now
    return datetime.datetime.combine(day, DAY_STARTS, tzinfo=local.tzinfo).astimezone(datetime.UTC)


def reachable_users():
    """People who may get reminder mail: active, with a password set (an invitee who
    never accepted gets the invitation, nothing else) and a verified address."""
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .filter(Exists(verified))
    )


def rules_for(cohort: Cohort) -> CohortReminderRules:
    """The cohort's rules, or the defaults (unsaved) when staff never changed them."""
    try:
        return cohort.reminder_rules
    except CohortReminderRules.DoesNotExist:
        return CohortReminderRules(cohort=cohort)


def running_cohorts(now: datetime.datetime) -> list[Cohort]:
    """Cohorts running on their own local date, not archived, with a course (one query)."""
    day = now.astimezone(datetime.UTC).date()
    margin = datetime.timedelta(days=1)
    cohorts = Cohort.objects.filter(
        archived_at__isnull=True,
        course__isnull=False,
        starts_on__lte=day + margin,
        ends_on__gte=day - margin,
    ).select_related("course", "organisation", "reminder_rules")
    return [cohort for cohort in cohorts if cohort.is_running(now)]


def find_candidates(
    *, now: datetime.datetime, cohorts: list[Cohort] | None = None
) -> list[Candidate]:
    """Everything the scheduled rules find at ``now`` for people in their daytime."""
    if cohorts is None:
        cohorts = running_cohorts(now)
    if not cohorts:
        return []
    return [
        *learner_candidates(cohorts, now=now),
        *digest_candidates(cohorts, now=now),
        *summary_candidates(cohorts, now=now),
    ]


# --- learners: due soon, overdue, inactive, module opened ---------------------------


def learner_candidates(cohorts: list[Cohort], *, now: datetime.datetime) -> list[Candidate]:
    enrollments = [
        enrollment
        for enrollment in Enrollment.objects.filter(
            cohort__in=cohorts,
            status=Enrollment.Status.ACTIVE,
            user__in=reachable_users(),
        ).select_related("user", "cohort", "cohort__course", "cohort__reminder_rules")
        if is_daytime(enrollment.user, now)
    ]
    if not enrollments:
        return []
    states = course_states(enrollments, now=now)
    activity = last_activity_by_enrollment(enrollments)
    found = []
    for state in states:
        enrollment = state.enrollment
        if state.is_complete:
            continue
        cohort = enrollment.cohort
        rules = rules_for(cohort)
        today = cohort.local_today(now)
        user = enrollment.user
        local_date = local_now(user, now).date()

        base = {
            "recipient": user,
            "kind": Message.Kind.DAILY,
            "local_date": local_date,
            "organisation_id": cohort.organisation_id,
            "enrollment": enrollment,
        }

        for work in state.assignments:
            if not work.is_open or work.is_handed_in:
                continue
            days_left = (work.due_on - today).days
            target = f"assignment:{work.assignment.pk}:{enrollment.pk}"
            occurrence = _due_soon_occurrence(rules, days_left)
            if occurrence:
                found.append(
                    Candidate(
                        **base,
                        rule=Rule.DUE_SOON,
                        target=target,
                        occurrence=f"{occurrence}:{work.due_on:%Y%m%d}",
                        assignment=work.assignment,
                        due_on=work.due_on,
                    )
                )
            days_late = -days_left
            if (
                rules.overdue
                and rules.overdue_days <= days_late < rules.overdue_days + OVERDUE_WINDOW_DAYS
            ):
                found.append(
                    Candidate(
                        **base,
                        rule=Rule.OVERDUE,
                        target=target,
                        occurrence=f"late:{work.due_on:%Y%m%d}",
                        assignment=work.assignment,
                        due_on=work.due_on,
                    )
                )
        if rules.module_released:
            for module in state.modules:
                opened = (today - module.opens_on).days
                # The first modules open with the course: the invitation says so.
                if module.opens_on > enrollment.starts_on and 0 <= opened < MODULE_WINDOW_DAYS:
                    found.append(
                        Candidate(
                            **base,
                            rule=Rule.MODULE_RELEASED,
                            target=f"module:{module.module.pk}:{enrollment.pk}",
                            occurrence="open",
                            module_id=module.module.pk,
                            module_title=module.module.title,
                        )
                    )
        if rules.inactive:
            after = datetime.timedelta(days=rules.inactive_days)
            last = activity.get(enrollment.pk)
            if enrollment.starts_on <= today and (now - inactive_since(enrollment, last)) >= after:
                since = inactive_since(enrollment, last)
                # One per quiet period: a learner idle for three weeks hears from us
                # once a week, and any activity starts a new period.
                period = (now - since) // after
                found.append(
                    Candidate(
                        **base,
                        rule=Rule.INACTIVE,
                        target=f"enrollment:{enrollment.pk}",
                        occurrence=f"{since.astimezone(datetime.UTC):%Y%m%d%H%M}:{period}",
                    )
                )
    return found


def _due_soon_occurrence(rules: CohortReminderRules, days_left: int) -> str | None:
    """Which of the two reminders before a deadline applies ``days_left`` days before it.

    Each covers the days up to the next one, so a reminder that could not go out on
    its day goes out the next day, and none goes out after the deadline.
    """
    if not rules.due_soon or days_left < 0:
        return None
    second = rules.due_soon_second_days
    first = rules.due_soon_first_days
    if second and days_left <= min(second, first):
        return f"d{second}"
    if days_left <= first and (not second or days_left > second):
        return f"d{first}"
    return None


# --- trainers: the daily digest --------------------------------------------------------


def digest_candidates(cohorts: list[Cohort], *, now: datetime.datetime) -> list[Candidate]:
    """A trainer with reflections waiting in a cohort that has the digest on (one query
    for the counts, one for the trainers)."""
    cohort_ids = [cohort.pk for cohort in cohorts if rules_for(cohort).trainer_digest]
    if not cohort_ids:
        return []
    waiting = (
        Submission.objects.filter(
            status=Submission.Status.SUBMITTED,
            assignment__kind=Assignment.Kind.REFLECTION,
            enrollment__cohort_id__in=cohort_ids,
            enrollment__status=Enrollment.Status.ACTIVE,
        )
        .values("enrollment__cohort__trainers")
        .annotate(count=Count("pk"), oldest=Min("submitted_at"))
        .filter(enrollment__cohort__trainers__isnull=False)
    )
    counts = {row["enrollment__cohort__trainers"]: row for row in waiting}
    if not counts:
        return []
    found = []
    for trainer in reachable_users().filter(pk__in=counts):
        if not is_daytime(trainer, now):
            continue
        local_date = local_now(trainer, now).date()
        found.append(
            Candidate(
                recipient=trainer,
                rule=Rule.TRAINER_DIGEST,
                target="queue",
                occurrence=f"{local_date:%Y%m%d}",
                kind=Message.Kind.DIGEST,
                local_date=local_date,
            )
        )
    return found


# --- organisation admins: the weekly summary ------------------------------------------


def summary_candidates(cohorts: list[Cohort], *, now: datetime.datetime) -> list[Candidate]:
    """On Monday from 08:00 in the admin's time zone, for organisations with a running
    cohort that has the summary on (one query)."""
    organisation_ids = {
        cohort.organisation_id for cohort in cohorts if rules_for(cohort).org_summary
    }
    if not organisation_ids:
        return []
    admins = (
        Membership.objects.filter(
            organisation_id__in=organisation_ids,
            role=Membership.Role.ORG_ADMIN,
            user__in=reachable_users(),
        )
        .select_related("user")
        .order_by("organisation_id", "user_id")
    )
    found = []
    for membership in admins:
        admin = membership.user
        local = local_now(admin, now)
        if local.weekday() != 0 or not is_daytime(admin, now):
            continue
        year, week, _ = local.isocalendar()
        found.append(
            Candidate(
                recipient=admin,
                rule=Rule.ORG_SUMMARY,
                target=f"organisation:{membership.organisation_id}",
                occurrence=f"{year}-W{week:02d}",
                kind=Message.Kind.SUMMARY,
                local_date=local.date(),
                organisation_id=membership.organisation_id,
            )
        )
    return found


def waiting_work(trainer, *, now: datetime.datetime) -> tuple[int, datetime.datetime | None]:
    """How many reflections wait for ``trainer`` and since when the oldest, in the running
    cohorts that have the digest on (two queries)."""
    cohort_ids = [cohort.pk for cohort in running_cohorts(now) if rules_for(cohort).trainer_digest]
    row = Submission.objects.filter(
        status=Submission.Status.SUBMITTED,
        assignment__kind=Assignment.Kind.REFLECTION,
        enrollment__cohort_id__in=cohort_ids,
        enrollment__cohort__trainers=trainer,
        enrollment__status=Enrollment.Status.ACTIVE,
    ).aggregate(count=Count("pk"), oldest=Min("submitted_at"))
    return row["count"], row["oldest"]


def summary_rows(organisation_id: int, *, now: datetime.datetime) -> list[dict]:
    """Per running cohort of the organisation: learners, complete, with overdue work,
    inactive. Numbers only: no names, no work (a fixed number of queries)."""
    cohorts = [
        cohort
        for cohort in running_cohorts(now)
        if cohort.organisation_id == organisation_id and rules_for(cohort).org_summary
    ]
    enrollments = list(
        Enrollment.objects.filter(cohort__in=cohorts)
        .filter(~Q(status=Enrollment.Status.WITHDRAWN))
        .select_related("cohort", "cohort__course")
    )
    states = course_states(enrollments, now=now)
    activity = last_activity_by_enrollment(enrollments)
    rows = {
        cohort.pk: {"cohort": cohort, "learners": 0, "complete": 0, "overdue": 0, "quiet": 0}
        for cohort in cohorts
    }
    for state in states:
        row = rows[state.enrollment.cohort_id]
        row["learners"] += 1
        if state.is_complete:
            row["complete"] += 1
            continue
        if state.overdue:
            row["overdue"] += 1
        last = activity.get(state.enrollment.pk)
        if now - inactive_since(state.enrollment, last) >= datetime.timedelta(
            days=rules_for(state.enrollment.cohort).inactive_days
        ):
            row["quiet"] += 1
    return sorted(rows.values(), key=lambda row: row["cohort"].name)
