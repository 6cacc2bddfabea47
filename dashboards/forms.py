import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import time_zone_choices
from cohorts.models import Cohort
from cohorts.selectors import trainer_candidates
from courses.models import Course
from notifications.models import CohortReminderRules
from organisations.models import Organisation
from organisations.services import RETENTION_MONTHS_MAX, RETENTION_MONTHS_MIN


class ScheduleForm(forms.Form):
    """One optional date per module and per assignment, grouped by module.

    Empty means the default: the cohort's start plus the module's or assignment's
    offset. Whether the dates fit together is the service's rule
    (``assignments.deadlines.schedule_problems``); its messages land on the fields.
    """

    def __init__(self, *args, schedule, deadlines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = list(schedule)
        self.deadlines = list(deadlines)
        for item in self.schedule:
            self.fields[self.module_field(item.module)] = _date_field(
                label=_("Module opens: %(title)s") % {"title": item.module.title},
                initial=item.override,
                default=item.default_opens_on,
            )
        for item in self.deadlines:
            self.fields[self.assignment_field(item.assignment)] = _date_field(
                label=_("Due: %(title)s") % {"title": item.assignment.title},
                initial=item.override,
                default=item.default_due_on,
            )

    @staticmethod
    def module_field(module) -> str:
        return f"module_{module.pk}"

    @staticmethod
    def assignment_field(assignment) -> str:
        return f"assignment_{assignment.pk}"

    def groups(self) -> list[dict]:
        """Per module: its opening-date field, then the due-date fields of its assignments."""
        return [
            {
                "module": item.module,
                "opens": self[self.module_field(item.module)],
                "deadlines": [
                    self[self.assignment_field(deadline.assignment)]
                    for deadline in self.deadlines
                    if deadline.assignment.module_id == item.module.pk
                ],
            }
            for item in self.schedule
        ]

    def opens_on_by_module(self) -> dict:
        return {
            item.module: self.cleaned_data.get(self.module_field(item.module))
            for item in self.schedule
        }

    def due_on_by_assignment(self) -> dict:
        return {
            item.assignment: self.cleaned_data.get(self.assignment_field(item.assignment))
            for item in self.deadlines
        }

    def add_schedule_errors(self, error) -> None:
        """Put a ``ScheduleError``'s messages on the fields they are about."""
        for item in self.schedule:
            if message := error.module_messages.get(item.module.pk):
                self.add_error(self.module_field(item.module), message)
        for item in self.deadlines:
            if message := error.assignment_messages.get(item.assignment.pk):
                self.add_error(self.assignment_field(item.assignment), message)


def _date_field(*, label, initial, default) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        initial=initial,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Default: %(date)s") % {"date": date_format(default, "DATE_FORMAT")},
    )


class ExtensionForm(forms.Form):
    """A later deadline for one learner on one assignment.

    The form belongs to one learner's page: the learner travels in a hidden field that
    must be that learner (``enrollments``), so a stale or edited form grants nothing.
    """

    enrollment = forms.ModelChoiceField(
        queryset=None, label=_("Learner"), widget=forms.HiddenInput()
    )
    assignment = forms.ModelChoiceField(queryset=None, label=_("Assignment"))
    due_on = forms.DateField(
        label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, enrollments, assignments, enrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
        self.fields["enrollment"].initial = enrollment.pk
        self.fields["assignment"].queryset = assignments


def _label(model, field: str):
    """The model field's own (translated) name, so a form and the admin agree."""
    return capfirst(model._meta.get_field(field).verbose_name)


class OrganisationForm(forms.Form):
    """Staff create and edit a client organisation; the slug is made from the name."""

    name = forms.CharField(label=_label(Organisation, "name"), max_length=200)
    admins_may_enrol = forms.BooleanField(
        label=_label(Organisation, "admins_may_enrol"),
        required=False,
        help_text=Organisation._meta.get_field("admins_may_enrol").help_text,
    )
    retention_months = forms.IntegerField(
        label=_label(Organisation, "retention_months"),
        min_value=RETENTION_MONTHS_MIN,
        max_value=RETENTION_MONTHS_MAX,
        initial=12,
        help_text=Organisation._meta.get_field("retention_months").help_text,
    )

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            for name in self.fields:
                self.fields[name].initial = getattr(organisation, name)


# Dates further out are typing errors, and they keep deadline arithmetic in range.
DATE_RANGE = datetime.timedelta(days=5 * 365 + 1)


def _person(user) -> str:
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


class CohortForm(forms.Form):
    """A cohort's name, course, dates, time zone and trainers, for staff.

    Trainers are picked from platform staff and people who already train, or added by
    the exact email address of any active account (staff may see every account).
    """

    name = forms.CharField(label=_label(Cohort, "name"), max_length=200)
    course = forms.ModelChoiceField(queryset=None, label=_label(Cohort, "course"))
    starts_on = forms.DateField(
        label=_label(Cohort, "starts_on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_label(Cohort, "ends_on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time_zone = forms.ChoiceField(
        label=_label(Cohort, "time_zone"), choices=time_zone_choices, initial="Europe/Amsterdam"
    )
    trainers = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_label(Cohort, "trainers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trainer_email = forms.EmailField(
        label=_("Add a trainer by email address"),
        required=False,
        help_text=_("The exact email address of an existing account."),
    )

    def __init__(
        self, *args, organisation: Organisation, today: datetime.date, cohort=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.cohort = cohort
        self.today = today
        self.fields["course"].queryset = Course.objects.order_by("title")
        self.fields["trainers"].queryset = trainer_candidates()
        self.fields["trainers"].label_from_instance = _person
        if cohort is not None:
            for name in ("name", "course", "starts_on", "ends_on", "time_zone"):
                self.fields[name].initial = getattr(cohort, name)
            self.fields["trainers"].initial = [trainer.pk for trainer in cohort.trainers.only("pk")]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Cohort.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.cohort is not None:
            others = others.exclude(pk=self.cohort.pk)
        if others.exists():
            raise forms.ValidationError(_("This organisation already has a cohort with this name."))
        return name

    def clean_trainer_email(self):
        email = self.cleaned_data["trainer_email"]
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no active account with this email address."))
        return user

    def clean(self):
        cleaned = super().clean()
        earliest, latest = self.today - DATE_RANGE, self.today + DATE_RANGE
        for name in ("starts_on", "ends_on"):
            day = cleaned.get(name)
            if day is not None and not earliest <= day <= latest:
                self.add_error(name, _("Choose a date within five years of today."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on and "ends_on" not in self.errors:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned

    def chosen_trainers(self) -> list:
        """The ticked trainers plus the one added by email address, each once."""
        chosen = list(self.cleaned_data["trainers"])
        added = self.cleaned_data.get("trainer_email")
        if added is not None and added not in chosen:
            chosen.append(added)
        return chosen

    def fields_for_details(self):
        """Every field but the trainers, which the template shows as a group."""
        return [self[name] for name in self.fields if name not in {"trainers", "trainer_email"}]


class ReminderRulesForm(forms.ModelForm):
    """Staff's reminder settings for one cohort (saved by ``reminder_rules_update``)."""

    GROUPS = (
        (_("Before a deadline"), ("due_soon", "due_soon_first_days", "due_soon_second_days")),
        (_("After a deadline"), ("overdue", "overdue_days")),
        (_("Quiet learners"), ("inactive", "inactive_days")),
        (_("Other emails"), ("module_released", "feedback_ready", "trainer_digest", "org_summary")),
    )

    class Meta:
        model = CohortReminderRules
        # Every setting but the cohort and updated_at (tests/test_reminder_pages.py
        # checks that none is left out).
        fields = [
            "due_soon",
            "due_soon_first_days",
            "due_soon_second_days",
            "overdue",
            "overdue_days",
            "inactive",
            "inactive_days",
            "module_released",
            "feedback_ready",
            "trainer_digest",
            "org_summary",
        ]

    def groups(self) -> list[dict]:
        return [
            {"legend": legend, "fields": [self[name] for name in names]}
            for legend, names in self.GROUPS
        ]
