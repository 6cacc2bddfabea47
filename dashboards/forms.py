from django import forms
from django.utils.translation import gettext_lazy as _


class ScheduleForm(forms.Form):
    """One optional date per module; empty means "cohort start + the module's offset"."""

    def __init__(self, *args, schedule, deadlines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        self.deadlines = list(deadlines)
        for item in schedule:
            self.fields[self.field_name(item.module)] = forms.DateField(
                label=item.module.title,
                required=False,
                initial=item.override,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("Default: %(date)s") % {"date": item.default_opens_on.isoformat()},
            )

        for item in self.deadlines:
            self.fields[f"assignment_{item.assignment.pk}"] = forms.DateField(
                label=_("Due: %(title)s") % {"title": item.assignment.title},
                required=False,
                initial=item.override,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("Default: %(date)s") % {"date": item.default_due_on.isoformat()},
            )

    def due_on_by_assignment(self) -> dict:
        return {
            item.assignment: self.cleaned_data.get(f"assignment_{item.assignment.pk}")
            for item in self.deadlines
        }

    @staticmethod
    def field_name(module) -> str:
        return f"module_{module.pk}"

    def opens_on_by_module(self) -> dict:
        return {
            item.module: self.cleaned_data.get(self.field_name(item.module))
            for item in self.schedule
        }


class ExtensionForm(forms.Form):
    """A later deadline for one learner on one assignment."""

    enrollment = forms.ModelChoiceField(queryset=None, label=_("Learner"))
    assignment = forms.ModelChoiceField(queryset=None, label=_("Assignment"))
    due_on = forms.DateField(
        label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, enrollments, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
        self.fields["enrollment"].label_from_instance = lambda e: (
            e.user.display_name or e.user.email
        )
        self.fields["assignment"].queryset = assignments
