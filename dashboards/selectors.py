"""Cross-app tables for the trainer's screens: the progress matrix, activity and charts.

Everything builds on ``learning.progress.course_states`` (the one completion rule);
this module adds when things happened (activity, timelines, weekly completion) and
who is at risk. Every function reads a whole cohort in a fixed number of queries,
for one moment ``now`` that the view takes once.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assignments.models import Assignment, Extension, Submission
from assignments.scoring import scoring_version
from assignments.selectors import AssignmentState
from cohorts.models import Cohort, Enrollment, Invitation
from cohorts.selectors import cohorts_overview
from courses.models import LessonProgress
from dashboards.charts import bar_chart, cohort_quadrant_chart
from learning.progress import (
    CourseState,
    course_states,
    is_inactive,
    last_activity_by_enrollment,
)
from organisations.models import Membership, Organisation

MIN_GROUP = 5  # as on the learner side: a group chart needs at least five results
TIMELINE_LIMIT = 50
MAX_WEEKS = 53

SORTS = {
    "name": gettext_lazy("Name (A–Z)"),
    "progress": gettext_lazy("Progress, lowest first"),
    "-progress": gettext_lazy("Progress, highest first"),
    "activity": gettext_lazy("Last activity, longest ago first"),
}
DEFAULT_SORT = "name"

# A symbol per status for the eye; the cell's text says the same for everyone else.
ICONS = {
    "not_started": "–",
    "draft": "✎",
    "submitted": "◔",
    "returned": "↺",
    "approved": "✓",
    "passed": "✓",
    "failed": "✗",
    "done": "✓",
    "overdue": "!",
}

_SHOWN = [Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED]


# --- The progress matrix --------------------------------------------------------


@dataclass
class Cell:
    """One learner on one assignment, as the matrix and the CSV show it."""

    state: AssignmentState

    @property
    def key(self) -> str:
        if self.state.is_open and self.state.is_overdue:
            return "overdue"
        return self.state.status_key

    @property
    def icon(self) -> str:
        return ICONS[self.key]

    @property
    def label(self) -> str:
        label = self.state.status_label
        if self.state.is_open and self.state.is_overdue:
            return _("%(status)s, overdue") % {"status": label}
        if self.state.is_late:
            return _("%(status)s, handed in late") % {"status": label}
        return label


@dataclass
class LearnerRow:
    state: CourseState
    last_activity: datetime.datetime | None
    overdue_count: int = 0
    is_inactive: bool = False

    @property
    def enrollment(self) -> Enrollment:
        return self.state.enrollment

    @property
    def name(self) -> str:
        user = self.enrollment.user
        return user.display_name or user.email

    @property
    def percent(self) -> int:
        return self.state.percent

    @property
    def is_at_risk(self) -> bool:
        return bool(self.overdue_count) or self.is_inactive

    @property
    def cells(self) -> list[Cell]:
        return [Cell(state) for state in self.state.assignments]

    @property
    def risk_reasons(self) -> list[str]:
        reasons = []
        if self.overdue_count:
            reasons.append(_("%(count)d overdue") % {"count": self.overdue_count})
        if self.is_inactive:
            reasons.append(_("no activity for 7 days"))
        return reasons


def learner_rows(enrollments, *, now: datetime.datetime) -> list[LearnerRow]:
    """One row per enrolment: course state, last activity, at-risk (ten queries).

    Expects enrolments with ``user``, ``cohort`` and ``cohort__course`` selected.
    """
    enrollments = list(enrollments)
    states = course_states(enrollments, now=now)
    activity = last_activity_by_enrollment(enrollments)
    rows = []
    for state in states:
        enrollment = state.enrollment
        last = activity.get(enrollment.pk)
        row = LearnerRow(state=state, last_activity=last)
        if not state.is_complete:
            row.overdue_count = len(state.overdue)
            row.is_inactive = is_inactive(enrollment, last, now=now)
        rows.append(row)
    return rows


def cohort_learners(cohort: Cohort) -> QuerySet[Enrollment]:
    """The learners the trainer follows: everyone not withdrawn.

    Through the cohort's own manager, so every enrolment shares ``cohort`` (and the
    course it carries) instead of reading both again for each learner.
    """
    return (
        cohort.enrollments.filter(status__in=_SHOWN)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def _sorted(rows: list[LearnerRow], sort: str) -> list[LearnerRow]:
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.enrollment.user.email))
    if sort == "progress":
        return sorted(by_name, key=lambda row: row.percent)
    if sort == "-progress":
        return sorted(by_name, key=lambda row: -row.percent)
    if sort == "activity":
        never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return sorted(by_name, key=lambda row: row.last_activity or never)
    return by_name


@dataclass
class CohortOverview:
    cohort: Cohort
    now: datetime.datetime
    sort: str
    at_risk_only: bool
    assignments: list[Assignment]
    rows: list[LearnerRow]  # sorted, filtered when ``at_risk_only``
    learner_count: int
    at_risk_count: int
    charts: dict = field(default_factory=dict)


def cohort_overview(
    cohort: Cohort,
    *,
    now: datetime.datetime,
    sort: str = DEFAULT_SORT,
    at_risk_only: bool = False,
    with_charts: bool = False,
) -> CohortOverview:
    """The progress matrix of a cohort (eleven queries; three more with the charts)."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    enrollments = list(cohort_learners(cohort))
    rows = learner_rows(enrollments, now=now)
    assignments = [s.assignment for s in rows[0].state.assignments] if rows else []
    at_risk = [row for row in rows if row.is_at_risk]
    overview = CohortOverview(
        cohort=cohort,
        now=now,
        sort=sort,
        at_risk_only=at_risk_only,
        assignments=assignments,
        rows=_sorted(at_risk if at_risk_only else rows, sort),
        learner_count=len(rows),
        at_risk_count=len(at_risk),
    )
    if with_charts:
        overview.charts = cohort_charts(cohort, rows, enrollments, now=now)
    return overview


# --- Charts ---------------------------------------------------------------------


def cohort_charts(cohort: Cohort, rows: list[LearnerRow], enrollments, *, now) -> dict:
    """The fasescan before and after, the kwadrant-scan, and completion per week."""
    scans = list(
        Assignment.objects.filter(
            course_id=cohort.course_id,
            kind=Assignment.Kind.SCAN,
            archived=False,
            module__archived=False,
        ).only("id", "slug", "title", "config")
    )
    results: dict[int, list[dict]] = {scan.pk: [] for scan in scans}
    for assignment_id, result in Submission.objects.filter(
        enrollment__in=enrollments,
        assignment__in=scans,
        status=Submission.Status.SUBMITTED,
    ).values_list("assignment_id", "result"):
        results[assignment_id].append(result)
    return {
        "phases": _phase_chart(scans, results),
        "quadrant": _quadrant_chart(scans, results),
        "completion": _completion_chart(cohort, rows, enrollments, now=now),
    }


def _phase_chart(scans, results) -> dict | None:
    """Counts per phase for the pre scan and the post scan (its ``pair``).

    Each result counts in the phase it was given when scored; ``first_edition`` counts
    the shown results scored by the first edition when the shown ones differ in version.
    """
    post = next((s for s in scans if s.config.get("pre_post") == "post"), None)
    if post is None:
        return None
    pre = next((s for s in scans if s.slug == post.config.get("pair")), None)
    phases = post.config["phases"]
    series, hidden, shown = [], [], []
    for key, label, scan in (("pre", _("At the start"), pre), ("post", _("At the end"), post)):
        if scan is None:
            continue
        outcomes = [r.get("outcome") for r in results[scan.pk]]
        if len(outcomes) < MIN_GROUP:
            hidden.append({"label": label, "title": scan.title, "count": len(outcomes)})
            continue
        series.append(
            {
                "key": key,
                "label": label,
                "title": scan.title,
                "total": len(outcomes),
                "values": [outcomes.count(phase["key"]) for phase in phases],
            }
        )
        shown.extend(results[scan.pk])
    chart = bar_chart([p["title"] for p in phases], series) if series else None
    versions = {scoring_version(r) for r in shown}
    return {
        "chart": chart,
        "hidden": hidden,
        "first_edition": sum(1 for r in shown if scoring_version(r) == 1)
        if len(versions) > 1
        else 0,
        "rows": [
            {"title": phase["title"], "values": [s["values"][index] for s in series]}
            for index, phase in enumerate(phases)
        ],
    }


def _quadrant_chart(scans, results) -> dict | None:
    scan = next((s for s in scans if s.config.get("result_model") == "quadrant"), None)
    if scan is None:
        return None
    points = results[scan.pk]
    return {
        "title": scan.title,
        "count": len(points),
        "chart": cohort_quadrant_chart(scan.config, points) if len(points) >= MIN_GROUP else None,
    }


def _done_at(state: AssignmentState) -> datetime.datetime | None:
    """When the work became done: the first passing quiz attempt, the scan, or the
    reflection's approval (``submission_grade`` sets ``updated_at`` then)."""
    if not state.is_done:
        return None
    if state.assignment.is_reflection:
        return state.latest.updated_at
    return state.handed_in_at


def _completion_chart(cohort: Cohort, rows: list[LearnerRow], enrollments, *, now) -> dict | None:
    """Per week since the start: the share of all items (lessons and assignments) of
    the cohort's learners done by the end of that week; the current week counts until now."""
    today = cohort.local_today(now)
    if not rows or today < cohort.starts_on:
        return None
    last_day = min(today, cohort.ends_on)
    weeks = min((last_day - cohort.starts_on).days // 7 + 1, MAX_WEEKS)
    lessons = {
        (row.enrollment.pk, lesson.lesson.pk) for row in rows for lesson in row.state.lessons
    }
    moments = [
        read_at
        for enrollment_id, lesson_id, read_at in LessonProgress.objects.filter(
            enrollment__in=enrollments
        ).values_list("enrollment_id", "lesson_id", "read_at")
        if (enrollment_id, lesson_id) in lessons
    ]
    moments += [
        moment
        for row in rows
        for state in row.state.assignments
        if (moment := _done_at(state)) is not None
    ]
    total = sum(module.item_count for row in rows for module in row.state.modules)
    if not total:
        return None
    points = []
    for week in range(weeks):
        starts = cohort.starts_on + datetime.timedelta(days=7 * week)
        end = datetime.datetime.combine(
            starts + datetime.timedelta(days=7), datetime.time(), cohort.tz
        )
        end = min(end, now)
        done = sum(1 for moment in moments if moment < end)
        points.append({"week": week + 1, "starts": starts, "percent": round(100 * done / total)})
    series = [{"key": "done", "label": _("Done"), "values": [point["percent"] for point in points]}]
    return {
        "chart": bar_chart([str(point["week"]) for point in points], series, top=100),
        "points": points,
    }


# --- One learner ----------------------------------------------------------------


@dataclass
class TimelineEvent:
    at: datetime.datetime
    kind: str  # lesson, submission, grade, extension: a CSS modifier
    text: str

    @property
    def iso(self) -> str:
        """For ``<time datetime>``, which takes at most milliseconds."""
        return self.at.replace(microsecond=0).isoformat()


@dataclass
class LearnerDetail:
    row: LearnerRow
    submissions: list[Submission]  # handed-in work with its grade, newest first
    extensions: list[Extension]
    timeline: list[TimelineEvent]
    timeline_is_capped: bool

    @property
    def state(self) -> CourseState:
        return self.row.state


def learner_detail(enrollment: Enrollment, *, now: datetime.datetime) -> LearnerDetail:
    """One learner's progress, work, grades, extensions and what they did, newest first."""
    row = learner_rows([enrollment], now=now)[0]
    submissions = list(
        Submission.objects.filter(enrollment=enrollment)
        .exclude(status=Submission.Status.DRAFT)
        .select_related("assignment", "grade", "grade__trainer")
        .defer("answers", "result", "assignment__config", "assignment__instructions")
        .order_by("-submitted_at", "-revision")
    )
    extensions = list(
        Extension.objects.filter(enrollment=enrollment)
        .select_related("assignment", "granted_by")
        .defer("assignment__config", "assignment__instructions")
        .order_by("-granted_at")
    )
    lessons = (
        LessonProgress.objects.filter(enrollment=enrollment)
        .select_related("lesson")
        .defer("lesson__body")
        .order_by("-read_at")[: TIMELINE_LIMIT + 1]
    )
    events = [
        TimelineEvent(
            progress.read_at, "lesson", _("Read the lesson “%(title)s”") % _title(progress.lesson)
        )
        for progress in lessons
    ]
    for submission in submissions:
        events.append(
            TimelineEvent(
                submission.submitted_at or submission.created_at, "submission", _handed(submission)
            )
        )
        grade = getattr(submission, "grade", None)
        if grade is not None:
            events.append(TimelineEvent(grade.created_at, "grade", _graded(submission, grade)))
    events += [
        TimelineEvent(
            extension.granted_at,
            "extension",
            _("Extension for “%(title)s” until %(date)s, granted by %(name)s")
            % {
                "title": extension.assignment.title,
                "date": date_format(extension.due_on, "DATE_FORMAT"),
                "name": extension.granted_by,
            },
        )
        for extension in extensions
    ]
    events.sort(key=lambda event: event.at, reverse=True)
    return LearnerDetail(
        row=row,
        submissions=submissions,
        extensions=extensions,
        timeline=events[:TIMELINE_LIMIT],
        timeline_is_capped=len(events) > TIMELINE_LIMIT,
    )


def _title(item) -> dict:
    return {"title": item.title}


def _handed(submission: Submission) -> str:
    assignment = submission.assignment
    if assignment.is_quiz:
        return _("Quiz attempt “%(title)s”: %(score)s%% correct") % {
            "title": assignment.title,
            "score": f"{submission.score or 0:g}",
        }
    if assignment.is_scan:
        return _("Did the scan “%(title)s”") % _title(assignment)
    return _("Handed in “%(title)s” (revision %(revision)d)") % {
        "title": assignment.title,
        "revision": submission.revision,
    }


def _graded(submission: Submission, grade) -> str:
    values = {"title": submission.assignment.title, "name": grade.trainer}
    if grade.decision == grade.Decision.APPROVED:
        return _("“%(title)s” approved by %(name)s") % values
    return _("“%(title)s” returned for revision by %(name)s") % values


# --- Export ---------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading = + - @ (or tab, return) gets an
    apostrophe, so a name like ``=HYPERLINK(...)`` stays text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def overview_csv_rows(overview: CohortOverview) -> list[list]:
    """The matrix as rows of cells: name, email, progress, a status per assignment, last
    activity (in the cohort's time zone)."""
    tz = overview.cohort.tz
    header = [_("Name"), _("Email address"), _("Progress (percent)")]
    header += [assignment.title for assignment in overview.assignments]
    header.append(_("Last activity"))
    rows = [[csv_text(str(cell)) for cell in header]]
    for row in overview.rows:
        last = row.last_activity
        rows.append(
            [
                csv_text(row.enrollment.user.display_name),
                csv_text(row.enrollment.user.email),
                row.percent,
                *(csv_text(cell.label) for cell in row.cells),
                last.astimezone(tz).strftime("%Y-%m-%d %H:%M") if last else "",
            ]
        )
    return rows


# --- The organisation admin's reports (HR) ----------------------------------------
#
# HR follows each person's status and progress and sees scan results only in
# aggregate, never from fewer than MIN_GROUP results. Nothing here reads reflection
# text, feedback, messages or anyone's answers: the scan query takes the result's
# outcome only, and no individual result leaves this module.


@dataclass
class OrganisationCohorts:
    organisation: Organisation
    active: list[Cohort]
    archived: list[Cohort]


def organisation_cohorts(organisations) -> list[OrganisationCohorts]:
    """Each organisation with its cohorts, active ones first and archived ones apart
    (one query for all cohorts, whatever the number of organisations)."""
    organisations = list(organisations)
    cohorts = list(
        cohorts_overview(include_archived=True)
        .filter(organisation__in=[o.pk for o in organisations])
        .order_by("-starts_on", "name")
    )
    groups = []
    for organisation in organisations:
        own = [c for c in cohorts if c.organisation_id == organisation.pk]
        groups.append(
            OrganisationCohorts(
                organisation=organisation,
                active=[c for c in own if c.archived_at is None],
                archived=[c for c in own if c.archived_at is not None],
            )
        )
    return groups


REPORT_STATUSES = {
    "invited": gettext_lazy("Invited"),
    "not_started": gettext_lazy("Not started"),
    "behind": gettext_lazy("Behind"),
    "on_track": gettext_lazy("On track"),
    "completed": gettext_lazy("Completed"),
}
REPORT_SORTS = {
    "name": gettext_lazy("Name (A–Z)"),
    "status": gettext_lazy("Status"),
    "progress": gettext_lazy("Progress, lowest first"),
    "-progress": gettext_lazy("Progress, highest first"),
    "department": gettext_lazy("Department"),
    "start": gettext_lazy("Start date"),
}


@dataclass
class ReportRow:
    """One person in HR's cohort report: status, progress, department, start date."""

    row: LearnerRow
    status: str
    department: str

    @property
    def enrollment(self) -> Enrollment:
        return self.row.enrollment

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def percent(self) -> int:
        return self.row.percent

    @property
    def status_label(self) -> str:
        return str(REPORT_STATUSES[self.status])

    @property
    def reasons(self) -> list[str]:
        """Why someone is behind (overdue work, inactivity): counts, never content."""
        return self.row.risk_reasons if self.status == "behind" else []


def report_status(row: LearnerRow, *, invited: bool) -> str:
    """Completed by the one completion rule; invited while an invitation is unused and
    the person has no password yet; not started while nothing is done; behind by the
    trainer overview's at-risk rule; otherwise on track."""
    if row.state.is_complete:
        return "completed"
    if invited and not row.enrollment.user.has_usable_password():
        return "invited"
    if row.last_activity is None:
        return "not_started"
    if row.is_at_risk:
        return "behind"
    return "on_track"


@dataclass
class CohortReport:
    cohort: Cohort
    now: datetime.datetime
    sort: str
    status: str  # a key of REPORT_STATUSES, or "" for everyone
    rows: list[ReportRow]  # sorted, filtered by ``status``
    learner_count: int
    completed_count: int
    average_percent: int
    status_counts: list[dict]
    phases: dict | None = None
    growth: dict | None = None
    quadrant: dict | None = None

    @property
    def completion_percent(self) -> int:
        if not self.learner_count:
            return 0
        return round(100 * self.completed_count / self.learner_count)


def _report_sorted(rows: list[ReportRow], sort: str) -> list[ReportRow]:
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.enrollment.user.email))
    order = list(REPORT_STATUSES)
    keys = {
        "status": lambda r: order.index(r.status),
        "progress": lambda r: r.percent,
        "-progress": lambda r: -r.percent,
        "department": lambda r: (r.department == "", r.department.casefold()),
        "start": lambda r: r.enrollment.starts_on,
    }
    return sorted(by_name, key=keys[sort]) if sort in keys else by_name


def cohort_report(
    cohort: Cohort,
    *,
    now: datetime.datetime,
    sort: str = DEFAULT_SORT,
    status: str = "",
    with_aggregates: bool = True,
) -> CohortReport:
    """HR's report of a cohort: a status per person and the cohort's aggregates
    (thirteen queries; two more with the scan aggregates)."""
    sort = sort if sort in REPORT_SORTS else DEFAULT_SORT
    status = status if status in REPORT_STATUSES else ""
    enrollments = list(cohort_learners(cohort))
    learner_rows_ = learner_rows(enrollments, now=now)
    invited = set(
        Invitation.objects.filter(enrollment__cohort=cohort)
        .exclude(status=Invitation.Status.USED)
        .values_list("enrollment_id", flat=True)
    )
    departments = dict(
        Membership.objects.filter(
            organisation_id=cohort.organisation_id, user__enrollments__cohort=cohort
        ).values_list("user_id", "department")
    )
    rows = [
        ReportRow(
            row=row,
            status=report_status(row, invited=row.enrollment.pk in invited),
            department=departments.get(row.enrollment.user_id, ""),
        )
        for row in learner_rows_
    ]
    report = CohortReport(
        cohort=cohort,
        now=now,
        sort=sort,
        status=status,
        rows=_report_sorted([r for r in rows if r.status == status] if status else rows, sort),
        learner_count=len(rows),
        completed_count=sum(1 for r in rows if r.status == "completed"),
        average_percent=round(sum(r.percent for r in rows) / len(rows)) if rows else 0,
        status_counts=[
            {"key": key, "label": label, "count": sum(1 for r in rows if r.status == key)}
            for key, label in REPORT_STATUSES.items()
        ],
    )
    if with_aggregates:
        report.phases, report.growth, report.quadrant = _scan_aggregates(cohort, enrollments)
    return report


def _scan_aggregates(cohort: Cohort, enrollments) -> tuple[dict | None, dict | None, dict | None]:
    """The fasescan before and after, how many moved up a phase, and the kwadrant-scan
    per quadrant: counts only, each hidden below MIN_GROUP results (two queries)."""
    scans = list(
        Assignment.objects.filter(
            course_id=cohort.course_id,
            kind=Assignment.Kind.SCAN,
            archived=False,
            module__archived=False,
        ).only("id", "slug", "title", "config")
    )
    # The outcome and the version it was scored with; never the scores.
    outcomes: dict[int, dict[int, dict]] = {scan.pk: {} for scan in scans}
    for enrollment_id, assignment_id, outcome, version in Submission.objects.filter(
        enrollment__in=enrollments,
        assignment__in=scans,
        status=Submission.Status.SUBMITTED,
    ).values_list("enrollment_id", "assignment_id", "result__outcome", "result__scoring"):
        outcomes[assignment_id][enrollment_id] = {"outcome": outcome, "scoring": version}
    results = {pk: list(by_learner.values()) for pk, by_learner in outcomes.items()}
    phases = _phase_chart(scans, results)
    return phases, _growth(scans, outcomes), _quadrant_counts(scans, results)


def _growth(scans, outcomes) -> dict | None:
    """Of the learners with both fasescans: how many ended a phase (or more) higher,
    in the same phase, or lower; ``mixed`` counts those whose two results were scored
    by different versions (the stored phases are compared as they are)."""
    post = next((s for s in scans if s.config.get("pre_post") == "post"), None)
    pre = next((s for s in scans if post and s.slug == post.config.get("pair")), None)
    if post is None or pre is None:
        return None
    order = [phase["key"] for phase in post.config["phases"]]
    before, after = outcomes[pre.pk], outcomes[post.pk]
    both = [
        (before[pk], after[pk])
        for pk in before.keys() & after.keys()
        if before[pk]["outcome"] in order and after[pk]["outcome"] in order
    ]
    moves = [order.index(a["outcome"]) - order.index(b["outcome"]) for b, a in both]
    growth = {"count": len(moves), "is_shown": len(moves) >= MIN_GROUP}
    if growth["is_shown"]:
        growth |= {
            "up": sum(1 for move in moves if move > 0),
            "same": sum(1 for move in moves if move == 0),
            "down": sum(1 for move in moves if move < 0),
            "mixed": sum(1 for b, a in both if scoring_version(b) != scoring_version(a)),
        }
    return growth


def _quadrant_counts(scans, results) -> dict | None:
    """The kwadrant-scan's 2x2 with a count per quadrant and no dots."""
    scan = next((s for s in scans if s.config.get("result_model") == "quadrant"), None)
    if scan is None:
        return None
    points = results[scan.pk]
    shown = len(points) >= MIN_GROUP
    return {
        "title": scan.title,
        "count": len(points),
        # Outcomes only, so the chart has counts and no positions.
        "chart": cohort_quadrant_chart(scan.config, points) if shown else None,
    }


def report_csv_rows(report: CohortReport) -> list[list]:
    """HR's report as rows of cells: name, email, department, start date, status,
    progress. Status and progress only: no work, scores or answers."""
    header = [
        _("Name"),
        _("Email address"),
        _("Department"),
        _("Start date"),
        _("Status"),
        _("Progress (percent)"),
    ]
    rows = [[csv_text(str(cell)) for cell in header]]
    for row in report.rows:
        user = row.enrollment.user
        rows.append(
            [
                csv_text(user.display_name),
                csv_text(user.email),
                csv_text(row.department),
                row.enrollment.starts_on.isoformat(),
                csv_text(row.status_label),
                row.percent,
            ]
        )
    return rows
