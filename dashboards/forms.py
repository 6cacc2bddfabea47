from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


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
    """A later deadline for one learner on one assignment."""

    enrollment = forms.ModelChoiceField(queryset=None, label=_("Learner"))
    assignment = forms.ModelChoiceField(queryset=None, label=_("Assignment"))
    due_on = forms.DateField(
        label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, enrollments, assignments, enrollment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
        self.fields["enrollment"].label_from_instance = lambda e: (
            e.user.display_name or e.user.email
        )
        self.fields["assignment"].queryset = assignments
        self.learner_is_given = enrollment is not None
        if enrollment is not None:
            # On a learner's own page the learner is given, not chosen.
            self.fields["enrollment"].initial = enrollment.pk
            self.fields["enrollment"].widget = forms.HiddenInput()
