from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    """A quiz, scan or reflection, imported from the course files with its module.

    ``config`` holds the kind's definition exactly as validated at import time:
    questions and options (quiz), dimensions, statements and result model (scan),
    prompts and rubric (reflection).
    """

    class Kind(models.TextChoices):
        QUIZ = "quiz", _("quiz")
        SCAN = "scan", _("scan")
        REFLECTION = "reflection", _("reflection")

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="assignments"
    )
    module = models.ForeignKey(
        "courses.Module", on_delete=models.CASCADE, related_name="assignments"
    )
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, help_text=_("Markdown."))
    position = models.PositiveIntegerField(_("position"), default=0)
    due_offset_days = models.PositiveIntegerField(
        _("due after (days)"), default=7, help_text=_("Days after the (personal) start.")
    )
    config = models.JSONField(_("definition"), default=dict)
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["module__position", "position"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="assignment_slug_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_quiz(self) -> bool:
        return self.kind == self.Kind.QUIZ

    @property
    def is_scan(self) -> bool:
        return self.kind == self.Kind.SCAN

    @property
    def is_reflection(self) -> bool:
        return self.kind == self.Kind.REFLECTION


class Submission(models.Model):
    """One revision of a learner's work on an assignment.

    Reflections move draft → submitted → returned (a new revision opens) or approved.
    Quiz attempts and scans are graded when submitted: each quiz attempt is its own
    revision and the best one counts.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for revision")
        APPROVED = "approved", _("approved")

    enrollment = models.ForeignKey(
        "cohorts.Enrollment", on_delete=models.CASCADE, related_name="submissions"
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    revision = models.PositiveIntegerField(_("revision"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        help_text=_("Goes up with every saved change; an autosave names the version it edited."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enrollment", "assignment", "-revision"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "assignment", "revision"], name="submission_revision_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["assignment", "status"]),
            # The grading queue and its badge: a trainer's learners' work by status, with
            # what the queue filters and sorts on and the id it lists, read from the index
            # alone (PostgreSQL needs the id in the index for that).
            models.Index(
                fields=["enrollment", "status", "assignment", "submitted_at", "id"],
                name="submission_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.revision} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Grade(models.Model):
    """A trainer's assessment of one reflection revision: rubric scores and a comment."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for revision")

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="grade")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grades_given"
    )
    rubric_scores = models.JSONField(_("rubric scores"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    seen_at = models.DateTimeField(
        _("seen by the learner at"),
        null=True,
        blank=True,
        help_text=_("When the learner first opened the released feedback."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self) -> str:
        return f"{self.submission}: {self.get_decision_display()}"


class Extension(models.Model):
    """A later deadline for one learner on one assignment, granted by a trainer or staff."""

    enrollment = models.ForeignKey(
        "cohorts.Enrollment", on_delete=models.CASCADE, related_name="extensions"
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    due_on = models.DateField(_("new due date"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extensions_granted"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "assignment"], name="extension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.assignment} → {self.due_on}"


class AssignmentDeadline(models.Model):
    """Staff's override of an assignment's due date for one cohort.

    The table keeps its original name from when the model lived in ``cohorts``.
    """

    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="deadlines")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="cohort_deadlines"
    )
    due_on = models.DateField(_("due on"))

    class Meta:
        db_table = "cohorts_assignmentdeadline"
        verbose_name = _("assignment due date")
        verbose_name_plural = _("assignment due dates")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "assignment"], name="assignment_deadline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} @ {self.cohort.name}: {self.due_on}"


class SubmissionMessage(models.Model):
    """A short exchange about one submission between the learner and their trainers.

    It belongs to the revision it is about, so the thread stays with the work.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submission_messages"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message about a submission")
        verbose_name_plural = _("messages about submissions")

    def __str__(self) -> str:
        return f"{self.author} on {self.submission}"


class CommentSnippet(models.Model):
    """A trainer's own reusable piece of feedback (the comment bank)."""

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_snippets"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("comment snippet")
        verbose_name_plural = _("comment snippets")

    def __str__(self) -> str:
        return self.text[:60]
