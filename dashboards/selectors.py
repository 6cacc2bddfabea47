"""Cross-app tables for the trainer's screens: the progress matrix, activity and charts.

Everything builds on ``learning.progress.course_states`` (the one completion rule);
this module adds when things happened (activity, timelines, weekly completion) and
who is at risk. Every function reads a whole cohort in a fixed number of queries,
for one moment ``now`` that the view takes once.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import is_password_usable
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from assignments.models import Assignment, Extension, Submission
from assignments.scoring import scoring_version
from assignments.selectors import STATUS_LABELS, AssignmentState
from cohorts.models import Cohort, Enrollment, Invitation
from cohorts.selectors import cohorts_overview
from courses.models import LessonProgress
from dashboards.charts import bar_chart, cohort_quadrant_chart
from dashboards.summaries import learner_summaries, summary_of, with_versions
from learning.progress import (
    CourseState,
    course_state,
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


@dataclass(frozen=True)
class Cell:
    """One learner on one assignment, as the matrix and the CSV show it."""

    status_key: str
    is_open: bool
    is_overdue: bool  # nothing handed in and the deadline passed
    is_late: bool  # handed in after the deadline
    # The whole state, on the one learner's page (its dates); None in the matrix.
    state: AssignmentState | None = None

    @classmethod
    def of(cls, state: AssignmentState) -> "Cell":
        return cls(state.status_key, state.is_open, state.is_overdue, state.is_late, state)

    @property
    def key(self) -> str:
        if self.is_open and self.is_overdue:
            return "overdue"
        return self.status_key

    @property
    def icon(self) -> str:
        return ICONS[self.key]

    @property
    def label(self) -> str:
        label = STATUS_LABELS[self.status_key]()
        if self.is_open and self.is_overdue:
            return _("%(status)s, overdue") % {"status": label}
        if self.is_late:
            return _("%(status)s, handed in late") % {"status": label}
        return label


class LearnerRow:
    """One learner in the matrix and the report, from their stored summary
    (``dashboards.summaries``) and the moment ``now``: what is overdue and who has
    been inactive is worked out here, so the summary never goes stale with time."""

    def __init__(
        self,
        enrollment: Enrollment,
        summary: dict,
        *,
        now: datetime.datetime,
        today: datetime.date | None = None,
        running: bool | None = None,
    ):
        """``today`` (the cohort's date at ``now``) and ``running`` (whether the cohort
        runs then) are the same for every row of a cohort: ``cohort_rows`` works them
        out once and passes them in."""
        cohort = enrollment.cohort
        self.enrollment = enrollment
        self.percent: int = summary["percent"]
        self.is_complete: bool = summary["complete"]
        last = summary["last"]
        self.last_activity = (
            datetime.datetime.fromtimestamp(last, datetime.UTC) if last is not None else None
        )
        self._facts = summary["cells"]
        self.assignment_ids: list[int] = summary["assignments"]
        self.item_count: int = summary["items"]
        self.done_moments: list[float] = summary["done"]  # sorted POSIX timestamps
        self._scans: dict[str, list] = summary["scans"]
        self._today = (today or cohort.local_today(now)).toordinal()
        self._now = now_ts = now.timestamp()
        self.overdue_count = 0
        self.is_inactive = False
        if not self.is_complete:
            # _is_open and _is_overdue, inlined: this runs for every learner of the cohort.
            today_ordinal = self._today
            self.overdue_count = sum(
                1
                for _key, handed_in, _late, due, opens in self._facts
                if not handed_in and now_ts > due and today_ordinal >= opens
            )
            self.is_inactive = is_inactive(enrollment, self.last_activity, now=now, running=running)

    def _is_open(self, opens: int) -> bool:
        return self._today >= opens

    def _is_overdue(self, handed_in: bool, due: float) -> bool:
        return not handed_in and self._now > due

    @property
    def name(self) -> str:
        user = self.enrollment.user
        return user.display_name or user.email

    @property
    def is_at_risk(self) -> bool:
        return bool(self.overdue_count) or self.is_inactive

    @property
    def cells(self) -> list[Cell]:
        """Built when asked for: only the rows on the page are shown."""
        return [
            Cell(
                status_key=key,
                is_open=self._is_open(opens),
                is_overdue=self._is_overdue(handed_in, due),
                is_late=late,
            )
            for key, handed_in, late, due, opens in self._facts
        ]

    @property
    def cell_keys(self) -> list[tuple[str, str, bool]]:
        """Per cell what its markup depends on: key, status key, handed in late (see
        ``dashboards.templatetags.matrix``)."""
        return [
            (
                "overdue" if self._is_open(opens) and self._is_overdue(handed_in, due) else key,
                key,
                late,
            )
            for key, handed_in, late, due, opens in self._facts
        ]

    def scan_point(self, assignment_id: int) -> dict | None:
        """The scan's result as the cohort charts count it, or None when not done."""
        stored = self._scans.get(str(assignment_id))
        if stored is None:
            return None
        outcome, version, x, y = stored
        point = {"outcome": outcome}
        if version is not None:
            point["scoring"] = version
        if x is not None and y is not None:
            point |= {"x": x, "y": y}
        return point

    @property
    def risk_reasons(self) -> list[str]:
        reasons = []
        if self.overdue_count:
            reasons.append(_("%(count)d overdue") % {"count": self.overdue_count})
        if self.is_inactive:
            reasons.append(_("no activity for 7 days"))
        return reasons


@dataclass
class _KeptCohort:
    minute: int
    roster: dict[int, tuple]  # enrolment id -> (its version, status, the cohort's version)
    rows: list["LearnerRow"]
    # The trainer's charts of these rows, per (language, the course's stamp).
    charts: dict[tuple, dict] = field(default_factory=dict)


# cohort id -> its rows as last built in this process.
_kept_rows: dict[int, _KeptCohort] = {}
KEPT_COHORTS = 200


def forget_kept_rows() -> None:
    _kept_rows.clear()


def _roster(cohort: Cohort) -> dict[int, tuple]:
    """What a cohort's rows depend on, read in one light query: each learner's progress
    version and status, with the cohort's version."""
    return {
        pk: rest
        for pk, *rest in Enrollment.objects.filter(cohort=cohort, status__in=_SHOWN).values_list(
            "pk", "progress_version", "status", "cohort__progress_version"
        )
    }


def cohort_rows(cohort: Cohort, *, now: datetime.datetime) -> list[LearnerRow]:
    """A row per learner the trainer follows, in name order, from the stored summaries
    (one light query; when rows are built, one more for the learners and one for
    summaries not in this process's memory, see ``dashboards.summaries``).

    Each process keeps a cohort's rows for the minute (overdue and inactive follow the
    clock), checked against a light read of the learners' versions and statuses on each
    request: while nothing changed they are used as they are; when a few learners' work
    changed only their rows are built again. Names and addresses edited meanwhile show
    from the next minute.
    """
    roster = _roster(cohort)
    minute = int(now.timestamp() // 60)
    kept = _kept_rows.get(cohort.pk)
    if kept is not None and kept.minute == minute and kept.roster.keys() == roster.keys():
        changed = [pk for pk, stamp in roster.items() if kept.roster[pk] != stamp]
        if not changed:
            return kept.rows
        if len(changed) <= max(10, len(roster) // 20):
            fresh = {row.enrollment.pk: row for row in _cohort_rows(cohort, now=now, only=changed)}
            if len(fresh) == len(changed):
                old = {row.enrollment.pk: row for row in kept.rows if row.enrollment.pk in fresh}
                rows = [fresh.get(row.enrollment.pk, row) for row in kept.rows]
                # The charts count items done and scan results: work saved or a quiz
                # retried leaves them as they were.
                same_charts = all(_charted(old[pk]) == _charted(row) for pk, row in fresh.items())
                _kept_rows[cohort.pk] = _KeptCohort(
                    minute, roster, rows, charts=kept.charts if same_charts else {}
                )
                return rows
    rows = _cohort_rows(cohort, now=now)
    if len(_kept_rows) >= KEPT_COHORTS:
        _kept_rows.clear()
    _kept_rows[cohort.pk] = _KeptCohort(minute, roster, rows)
    return rows


def _charted(row: "LearnerRow") -> tuple:
    """What the cohort charts read of a row."""
    return (row.item_count, row.done_moments, row._scans)


def _cohort_rows(cohort: Cohort, *, now: datetime.datetime, only=None) -> list[LearnerRow]:
    enrollments = cohort_learners(cohort, only=only)
    summaries = learner_summaries(cohort, enrollments, now=now)
    today = cohort.local_today(now)
    running = cohort.is_running(now)
    return [
        LearnerRow(e, summaries[e.pk], now=now, today=today, running=running) for e in enrollments
    ]


@dataclass(frozen=True, slots=True)
class Person:
    """The learner's account as the rows show it."""

    pk: int
    display_name: str
    email: str


@dataclass(frozen=True, slots=True)
class Learner:
    """An enrolment as the cohort pages read it: the fields they show and the versions
    the summaries are checked with, read as plain values (a model instance per row
    costs more than the row's whole share of the page at 500 learners)."""

    pk: int
    cohort: Cohort
    user: Person
    status: str
    starts_on: datetime.date
    created_at: datetime.datetime
    progress_version: int
    cohort_progress_version: int

    @property
    def user_id(self) -> int:
        return self.user.pk


def cohort_learners(cohort: Cohort, *, only=None) -> list[Learner]:
    """The learners the trainer follows: everyone not withdrawn (or ``only`` these
    enrolment ids), in name order (one query). Each shares ``cohort`` (and the course it
    carries)."""
    enrollments = cohort.enrollments.filter(status__in=_SHOWN)
    if only is not None:
        enrollments = enrollments.filter(pk__in=only)
    rows = (
        with_versions(enrollments)
        .order_by("user__display_name", "user__email")
        .values_list(
            "id",
            "status",
            "starts_on",
            "created_at",
            "progress_version",
            "cohort_progress_version",
            "user_id",
            "user__display_name",
            "user__email",
        )
    )
    return [
        Learner(
            pk=pk,
            cohort=cohort,
            user=Person(user_id, name, email),
            status=status,
            starts_on=starts_on,
            created_at=created_at,
            progress_version=version,
            cohort_progress_version=cohort_version,
        )
        for (
            pk,
            status,
            starts_on,
            created_at,
            version,
            cohort_version,
            user_id,
            name,
            email,
        ) in rows
    ]


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
    rows = cohort_rows(cohort, now=now)
    at_risk = [row for row in rows if row.is_at_risk]
    overview = CohortOverview(
        cohort=cohort,
        now=now,
        sort=sort,
        at_risk_only=at_risk_only,
        assignments=_assignments(rows),
        rows=_sorted(at_risk if at_risk_only else rows, sort),
        learner_count=len(rows),
        at_risk_count=len(at_risk),
    )
    if with_charts:
        overview.charts = cohort_charts(cohort, rows, now=now)
    return overview


def _assignments(rows: list[LearnerRow]) -> list[Assignment]:
    """The matrix's columns: the assignments of the summaries, in their order (one query)."""
    if not rows:
        return []
    ids = rows[0].assignment_ids
    by_id = Assignment.objects.only("id", "slug", "title", "kind").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


# --- Charts ---------------------------------------------------------------------


def cohort_charts(cohort: Cohort, rows: list[LearnerRow], *, now) -> dict:
    """The fasescan before and after, the kwadrant-scan, and completion per week.

    Kept with the cohort's rows (``cohort_rows``) while they are the same rows, in the
    same language and of the same course content."""
    kept = _kept_rows.get(cohort.pk)
    key = None
    if kept is not None and kept.rows is rows and Cohort.course.is_cached(cohort):
        key = (get_language(), cohort.course.updated_at if cohort.course else None)
        if key in kept.charts:
            return kept.charts[key]
    charts = _cohort_charts(cohort, rows, now=now)
    if key is not None:
        kept.charts[key] = charts
    return charts


def _cohort_charts(cohort: Cohort, rows: list[LearnerRow], *, now) -> dict:
    scans = list(
        Assignment.objects.filter(
            course_id=cohort.course_id,
            kind=Assignment.Kind.SCAN,
            archived=False,
            module__archived=False,
        ).only("id", "slug", "title", "config")
    )
    results = {pk: list(by_learner.values()) for pk, by_learner in _scan_points(rows, scans)}
    return {
        "phases": _phase_chart(scans, results),
        "quadrant": _quadrant_chart(scans, results),
        "completion": _completion_chart(cohort, rows, now=now),
    }


def _scan_points(rows: list[LearnerRow], scans) -> list[tuple[int, dict[int, dict]]]:
    """Per scan, each shown learner's result as the charts read it (outcome, scoring
    version, the two axis scores; never the answers), from their summaries."""
    return [
        (
            scan.pk,
            {row.enrollment.pk: point for row in rows if (point := row.scan_point(scan.pk))},
        )
        for scan in scans
    ]


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


def _completion_chart(cohort: Cohort, rows: list[LearnerRow], *, now) -> dict | None:
    """Per week since the start: the share of all items (lessons and assignments) of
    the cohort's learners done by the end of that week; the current week counts until now."""
    today = cohort.local_today(now)
    if not rows or today < cohort.starts_on:
        return None
    total = sum(row.item_count for row in rows)
    if not total:
        return None
    last_day = min(today, cohort.ends_on)
    weeks = min((last_day - cohort.starts_on).days // 7 + 1, MAX_WEEKS)
    moments = sorted(moment for row in rows for moment in row.done_moments)
    points = []
    for week in range(weeks):
        starts = cohort.starts_on + datetime.timedelta(days=7 * week)
        end = datetime.datetime.combine(
            starts + datetime.timedelta(days=7), datetime.time(), cohort.tz
        )
        done = bisect.bisect_left(moments, min(end, now).timestamp())
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
    state: CourseState
    submissions: list[Submission]  # handed-in work with its grade, newest first
    extensions: list[Extension]
    timeline: list[TimelineEvent]
    timeline_is_capped: bool

    @property
    def cells(self) -> list[Cell]:
        """Each assignment with its whole state (dates, when it was handed in)."""
        return [Cell.of(state) for state in self.state.assignments]


def learner_detail(enrollment: Enrollment, *, now: datetime.datetime) -> LearnerDetail:
    """One learner's progress, work, grades, extensions and what they did, newest first."""
    state = course_state(enrollment, now=now)
    last = last_activity_by_enrollment([enrollment]).get(enrollment.pk)
    row = LearnerRow(enrollment, summary_of(state, last_activity=last, lessons_read_at=[]), now=now)
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
        state=state,
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
    """Completed by the one completion rule; ``invited`` while an invitation is unused
    and the person has no password yet (``waiting_invitations``); not started while
    nothing is done; behind by the trainer overview's at-risk rule; otherwise on track."""
    if row.is_complete:
        return "completed"
    if invited:
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


def waiting_invitations(cohort: Cohort) -> set[int]:
    """The enrolments whose invitation is unused while the person has no password yet
    (one query; read fresh, as the kept rows may be a minute old)."""
    return {
        enrollment_id
        for enrollment_id, password in Invitation.objects.filter(enrollment__cohort=cohort)
        .exclude(status=Invitation.Status.USED)
        .values_list("enrollment_id", "enrollment__user__password")
        if not is_password_usable(password)
    }


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
    learner_rows_ = cohort_rows(cohort, now=now)
    invited = waiting_invitations(cohort)
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
        report.phases, report.growth, report.quadrant = _scan_aggregates(cohort, learner_rows_)
    return report


def _scan_aggregates(
    cohort: Cohort, rows: list[LearnerRow]
) -> tuple[dict | None, dict | None, dict | None]:
    """The fasescan before and after, how many moved up a phase, and the kwadrant-scan
    per quadrant: counts only, each hidden below MIN_GROUP results (one query, for the
    scans; the results are in the learners' summaries)."""
    scans = list(
        Assignment.objects.filter(
            course_id=cohort.course_id,
            kind=Assignment.Kind.SCAN,
            archived=False,
            module__archived=False,
        ).only("id", "slug", "title", "config")
    )
    # The outcome and the version it was scored with; never the scores.
    outcomes = {
        pk: {
            enrollment_id: {key: point.get(key) for key in ("outcome", "scoring")}
            for enrollment_id, point in by_learner.items()
        }
        for pk, by_learner in _scan_points(rows, scans)
    }
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
