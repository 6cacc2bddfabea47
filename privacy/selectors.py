"""Reads for data rights: everything stored about one person, open deletion requests,
and who is due for anonymisation under the retention rule."""

import calendar
import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assignments.feedback import rubric_rows
from assignments.models import (
    Assignment,
    CommentSnippet,
    Extension,
    Grade,
    Submission,
    SubmissionMessage,
)
from cohorts.models import Cohort, Enrollment, Invitation
from courses.models import LessonProgress
from notifications.models import MailOptOut, Message
from organisations.models import Membership, Organisation

# Retention is counted in whole months and bounded, so the date arithmetic stays in range.
MAX_RETENTION_MONTHS = 120
# The AVG gives a month to answer a request; the staff list shows the date.
ANSWER_WITHIN_MONTHS = 1
# The longest email address there is (RFC 5321).
MAX_EMAIL_LENGTH = 254


def months_before(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved back by ``months`` (0–120), clamped to the end of a shorter month."""
    months = min(max(months, 0), MAX_RETENTION_MONTHS)
    index = day.year * 12 + (day.month - 1) - months
    year, month_index = divmod(index, 12)
    if year < datetime.MINYEAR:
        return datetime.date.min
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return datetime.date(year, month_index + 1, min(day.day, last_day))


def months_after(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved forward by ``months`` (0–120), clamped to the end of a shorter month."""
    months = min(max(months, 0), MAX_RETENTION_MONTHS)
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    if year > datetime.MAXYEAR:
        return datetime.date.max
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return datetime.date(year, month_index + 1, min(day.day, last_day))


# --- Everything about one person ----------------------------------------------------------


def _name(person, *, me) -> str:
    """Someone else's name as the person may read it: never another person's email."""
    if person is None:
        return ""
    if person.pk == me.pk:
        return me.display_name or me.email
    return person.display_name or _("a trainer")


def _readable_answers(assignment: Assignment, answers: dict) -> list[dict]:
    """The answers beside the questions they answer, in the assignment's order."""
    config = assignment.config or {}
    rows = []
    if assignment.is_quiz:
        for question in config.get("questions", []):
            if question["id"] in answers:
                texts = {option["id"]: option["text"] for option in question["options"]}
                chosen = answers[question["id"]]
                chosen = chosen if isinstance(chosen, list) else [chosen]
                rows.append(
                    {
                        "question": question["text"],
                        "answer": "; ".join(str(texts.get(c, c)) for c in chosen),
                    }
                )
    elif assignment.is_scan:
        for statement in config.get("statements", []):
            if statement["id"] in answers:
                rows.append(
                    {"question": statement["text"], "answer": str(answers[statement["id"]])}
                )
    else:
        for prompt in config.get("prompts", []):
            if answers.get(prompt["id"]):
                rows.append({"question": prompt["label"], "answer": answers[prompt["id"]]})
    known = {
        item["id"] for key in ("questions", "statements", "prompts") for item in config.get(key, [])
    }
    # Answers to questions that have since been removed from the course are still theirs.
    rows += [
        {"question": key, "answer": str(value)}
        for key, value in answers.items()
        if key not in known and value
    ]
    return rows


def _grade(submission: Submission, me) -> dict | None:
    grade = getattr(submission, "grade", None)
    if grade is None or grade.released_at is None:
        return None
    return {
        "decision": grade.decision,
        "decision_label": grade.get_decision_display(),
        "rubric": [
            {
                "criterion": row.criterion,
                "level": row.level,
                "points": row.points,
                "max_points": row.max_points,
            }
            for row in rubric_rows(submission.assignment, grade)
        ],
        "rubric_scores": grade.rubric_scores,
        "comment": grade.comment,
        "trainer": _name(grade.trainer, me=me),
        "released_at": grade.released_at,
        "seen_at": grade.seen_at,
    }


def _submission(submission: Submission, me) -> dict:
    assignment = submission.assignment
    return {
        "assignment": assignment.title,
        "module": assignment.module.title,
        "kind": assignment.kind,
        "revision": submission.revision,
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "answers": submission.answers,
        "answers_readable": _readable_answers(assignment, submission.answers or {}),
        "score": submission.score,
        "passed": submission.passed,
        "result": submission.result,
        "created_at": submission.created_at,
        "updated_at": submission.updated_at,
        "submitted_at": submission.submitted_at,
        "grade": _grade(submission, me),
        "messages": [
            {
                "author": _name(message.author, me=me),
                "written_by_you": message.author_id == me.pk,
                "text": message.text,
                "created_at": message.created_at,
            }
            for message in submission.messages.all()
        ],
    }


def _enrollments(user: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .select_related("cohort__organisation", "cohort__course")
        .prefetch_related(
            Prefetch(
                "lesson_progress",
                queryset=LessonProgress.objects.select_related("lesson__module").order_by(
                    "read_at", "pk"
                ),
            ),
            Prefetch(
                "submissions",
                queryset=Submission.objects.select_related("assignment__module", "grade__trainer")
                .prefetch_related(
                    Prefetch(
                        "messages", queryset=SubmissionMessage.objects.select_related("author")
                    )
                )
                .order_by("assignment__module__position", "assignment__position", "revision"),
            ),
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("assignment", "granted_by").order_by(
                    "due_on", "pk"
                ),
            ),
            Prefetch(
                "invitations",
                queryset=Invitation.objects.select_related("invited_by").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .order_by("cohort__starts_on", "pk")
    )


def _enrollment(enrollment: Enrollment, me) -> dict:
    cohort = enrollment.cohort
    return {
        "organisation": cohort.organisation.name,
        "cohort": cohort.name,
        "course": cohort.course.title if cohort.course else "",
        "cohort_starts_on": cohort.starts_on,
        "cohort_ends_on": cohort.ends_on,
        "personal_start": enrollment.starts_on,
        "status": enrollment.status,
        "status_label": enrollment.get_status_display(),
        "enrolled_at": enrollment.created_at,
        "lessons_read": [
            {
                "lesson": progress.lesson.title,
                "module": progress.lesson.module.title,
                "read_at": progress.read_at,
            }
            for progress in enrollment.lesson_progress.all()
        ],
        "submissions": [_submission(s, me) for s in enrollment.submissions.all()],
        "extensions": [
            {
                "assignment": extension.assignment.title,
                "due_on": extension.due_on,
                "granted_by": _name(extension.granted_by, me=me),
                "granted_at": extension.granted_at,
            }
            for extension in enrollment.extensions.all()
        ],
        # Invitations without their token hash: the link is no business of an export.
        "invitations": [
            {
                "status": invitation.status,
                "status_label": invitation.get_status_display(),
                "invited_by": _name(invitation.invited_by, me=me),
                "created_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "sent_at": invitation.sent_at,
                "used_at": invitation.used_at,
            }
            for invitation in enrollment.invitations.all()
        ],
    }


def personal_data(user: User, *, now: datetime.datetime) -> dict:
    """Everything stored about ``user``, as plain data for data.json and index.html.

    Other people appear only by name where they acted on this person's work (a
    trainer's grade, message or extension); their email addresses never do. What a
    trainer wrote about other learners' work appears only as their own text.
    """
    enrollments = list(_enrollments(user))
    written_elsewhere = (
        SubmissionMessage.objects.filter(author=user)
        .exclude(submission__enrollment__user=user)
        .select_related("submission__assignment", "submission__enrollment__cohort")
        .order_by("created_at", "pk")
    )
    return {
        "exported_at": now,
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
            "platform_staff": user.is_staff,
            "deletion_requested_at": user.deletion_requested_at,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # The kind and dates of each second factor; never its secret.
        "two_factor_authentication": [
            {
                "type": authenticator.type,
                "created_at": authenticator.created_at,
                "last_used_at": authenticator.last_used_at,
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.role,
                "role_label": membership.get_role_display(),
                "department": membership.department,
                "created_at": membership.created_at,
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        ],
        "enrolments": [_enrollment(enrollment, user) for enrollment in enrollments],
        "as_trainer": {
            "cohorts": [
                {"organisation": cohort.organisation.name, "cohort": cohort.name}
                for cohort in Cohort.objects.filter(trainers=user)
                .select_related("organisation")
                .order_by("organisation__name", "name")
            ],
            "messages_written": [
                {
                    "cohort": message.submission.enrollment.cohort.name,
                    "assignment": message.submission.assignment.title,
                    "text": message.text,
                    "created_at": message.created_at,
                }
                for message in written_elsewhere
            ],
            "comment_snippets": [
                {"text": snippet.text, "created_at": snippet.created_at}
                for snippet in CommentSnippet.objects.filter(trainer=user).order_by(
                    "created_at", "pk"
                )
            ],
            # What a trainer decided about other people is those people's data: counted only.
            "grades_given": Grade.objects.filter(trainer=user).count(),
            "extensions_granted": Extension.objects.filter(granted_by=user).count(),
        },
        "invitations_sent": Invitation.objects.filter(invited_by=user).count(),
        # The reminder mail sent to them: what it was about and when, never its text.
        "reminder_emails": [
            {
                "kind": message.kind,
                "kind_label": message.get_kind_display(),
                "status": message.status,
                "status_label": message.get_status_display(),
                "created_at": message.created_at,
                "sent_at": message.sent_at,
                "rules": [item.rule for item in message.items.all()],
                "reminders": [item.get_rule_display() for item in message.items.all()],
            }
            for message in Message.objects.filter(recipient=user)
            .prefetch_related("items")
            .order_by("created_at", "pk")
        ],
        "email_switched_off": [
            {"category": opt_out.category, "label": opt_out.get_category_display()}
            for opt_out in MailOptOut.objects.filter(user=user).order_by("category")
        ],
    }


# --- Deletion requests and anonymisation ----------------------------------------------------


def _with_roles(users: QuerySet[User]) -> QuerySet[User]:
    return users.annotate(
        is_learner=Exists(Enrollment.objects.filter(user=OuterRef("pk"))),
        is_trainer=Exists(Cohort.trainers.through.objects.filter(user=OuterRef("pk"))),
        is_org_admin=Exists(
            Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.ORG_ADMIN)
        ),
    )


def answer_by(requested_at: datetime.datetime) -> datetime.date:
    """The last day to handle a request made at ``requested_at``."""
    return months_after(timezone.localdate(requested_at), ANSWER_WITHIN_MONTHS)


def deletion_requests() -> list[User]:
    """Open requests, oldest first: asked for deletion and not yet anonymised.

    Each person carries ``answer_by``, the last day to handle their request.
    """
    people = list(
        _with_roles(
            User.objects.filter(deletion_requested_at__isnull=False, anonymised_at__isnull=True)
        ).order_by("deletion_requested_at", "pk")
    )
    for person in people:
        person.answer_by = answer_by(person.deletion_requested_at)
    return people


def people_with_email(email: str) -> QuerySet[User]:
    """Staff looking up one person by the exact address (no partial matches to browse)."""
    email = email.strip()
    if len(email) > MAX_EMAIL_LENGTH:
        # No account has such an address; SQLite cannot even compare one this long.
        return _with_roles(User.objects.none())
    return _with_roles(User.objects.filter(email__iexact=email)).order_by("pk")


@dataclass(frozen=True)
class AnonymiseSummary:
    """What anonymising one person removes and what it keeps, for the confirmation page."""

    refused: bool
    enrollments: int
    submissions: int
    reflection_revisions: int
    messages: int
    grade_comments: int
    invitations: int
    email_addresses: int
    authenticators: int
    comment_snippets: int
    grades_given: int


def anonymise_summary(person: User) -> AnonymiseSummary:
    submissions = Submission.objects.filter(enrollment__user=person)
    return AnonymiseSummary(
        refused=person.is_staff or person.is_superuser,
        enrollments=Enrollment.objects.filter(user=person).count(),
        submissions=submissions.count(),
        reflection_revisions=submissions.filter(assignment__kind=Assignment.Kind.REFLECTION)
        .exclude(answers={})
        .count(),
        messages=SubmissionMessage.objects.filter(
            Q(author=person) | Q(submission__enrollment__user=person)
        ).count(),
        grade_comments=Grade.objects.filter(submission__enrollment__user=person)
        .exclude(comment="")
        .count(),
        invitations=Invitation.objects.filter(enrollment__user=person).count(),
        email_addresses=EmailAddress.objects.filter(user=person).count(),
        authenticators=Authenticator.objects.filter(user=person).count(),
        comment_snippets=CommentSnippet.objects.filter(trainer=person).count(),
        grades_given=Grade.objects.filter(trainer=person).count(),
    )


# --- Retention ----------------------------------------------------------------------------


def retention_cutoff(today: datetime.date, retention_months: int) -> datetime.date:
    """A cohort that ended before this date is past its organisation's retention."""
    return months_before(today, retention_months)


def retention_due(*, now: datetime.datetime) -> QuerySet[User]:
    """Learners to anonymise at ``now``: every cohort they were ever enrolled in ended
    more than its organisation's retention ago, and they hold no other role.

    Trainers, organisation admins and staff are never anonymised automatically; a
    person enrolled in one old and one recent cohort waits for the recent one. Dates
    are counted in the platform's time zone (``settings.TIME_ZONE``).
    """
    today = timezone.localdate(now)
    within_retention = Q(pk__in=[])
    for months in Organisation.objects.values_list("retention_months", flat=True).distinct():
        within_retention |= Q(
            cohort__organisation__retention_months=months,
            cohort__ends_on__gte=retention_cutoff(today, months),
        )
    return (
        _with_roles(
            User.objects.filter(anonymised_at__isnull=True, is_staff=False, is_superuser=False)
        )
        .filter(is_learner=True, is_trainer=False, is_org_admin=False)
        .exclude(Exists(Enrollment.objects.filter(within_retention, user=OuterRef("pk"))))
        .annotate(last_cohort_ended_on=Max("enrollments__cohort__ends_on"))
        .order_by("pk")
    )
