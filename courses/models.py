import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    """A course as imported from its folder under courses/content/<slug>/."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    learning_goals = models.JSONField(_("learning goals"), default=list, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    release_offset_days = models.PositiveIntegerField(
        _("opens after (days)"), default=0, help_text=_("Days after the cohort's start.")
    )
    job_aid_title = models.CharField(_("job aid title"), max_length=200, blank=True)
    job_aid = models.TextField(
        _("job aid"),
        blank=True,
        help_text=_("Markdown: the module's printable one-page card for learners."),
    )
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_slug_unique")
        ]

    def __str__(self) -> str:
        return self.title

    def default_opens_on(self, cohort_starts_on: datetime.date) -> datetime.date:
        return cohort_starts_on + datetime.timedelta(days=self.release_offset_days)


class Lesson(models.Model):
    """One Markdown file. Slugs are unique in the course, so a lesson can move modules."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    minutes = models.PositiveIntegerField(_("estimated minutes"), default=5)
    position = models.PositiveIntegerField(_("position"), default=0)
    archived = models.BooleanField(
        _("archived"), default=False, help_text=_("Removed from the course files; progress kept.")
    )

    class Meta:
        ordering = ["module__position", "position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique")
        ]

    def __str__(self) -> str:
        return self.title


class LessonProgress(models.Model):
    """A learner has read a lesson (per enrolment, so a second course run starts fresh)."""

    enrollment = models.ForeignKey(
        "cohorts.Enrollment", on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lesson} read at {self.read_at:%Y-%m-%d %H:%M}"
