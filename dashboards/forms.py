from django import forms
from django.utils.translation import gettext_lazy as _


class ScheduleForm(forms.Form):
    """One optional date per module; empty means "cohort start + the module's offset"."""

    def __init__(self, *args, schedule, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        for item in schedule:
            self.fields[self.field_name(item.module)] = forms.DateField(
                label=item.module.title,
                required=False,
                initial=item.override,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("Default: %(date)s") % {"date": item.default_opens_on.isoformat()},
            )

    @staticmethod
    def field_name(module) -> str:
        return f"module_{module.pk}"

    def opens_on_by_module(self) -> dict:
        return {
            item.module: self.cleaned_data.get(self.field_name(item.module))
            for item in self.schedule
        }
