"""Stored summaries of each learner's progress for the cohort pages.

The trainer's progress matrix and HR's report sort, filter and count every learner
of a cohort on every request. Building each learner's course state for that costs
about a millisecond per learner; a ``LearnerSummary`` keeps what those pages need
from it, so a page of a 500-learner cohort reads 500 small rows instead. It is
derived data: deleting every row loses nothing (``dashboards.summaries`` builds
missing and outdated ones again on the next request).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Enrollment


class LearnerSummary(models.Model):
    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The enrolment's and its cohort's ``progress_version`` it was built from: a
    # summary whose versions differ from the current ones is out of date.
    enrollment_version = models.PositiveIntegerField()
    cohort_version = models.PositiveIntegerField()
    built_at = models.DateTimeField()
    # The facts that do not change with the clock (see dashboards.summaries).
    data = models.JSONField()

    class Meta:
        verbose_name = _("learner summary")
        verbose_name_plural = _("learner summaries")

    def __str__(self) -> str:
        return f"summary of enrolment {self.enrollment_id}"
