"""Forms for enrolling people. The rules themselves live in services and the CSV reader."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.csv_import import MAX_DEPARTMENT_LENGTH, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH

_DATE_HELP = _(
    "Leave empty for the usual date: the cohort's start, or today for someone who joins "
    "a running cohort. Deadlines move along with a later start."
)


class PersonForm(forms.Form):
    email = forms.CharField(
        label=_("Email address"),
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=MAX_NAME_LENGTH)
    last_name = forms.CharField(label=_("Last name"), max_length=MAX_NAME_LENGTH)
    department = forms.CharField(
        label=_("Department (optional)"), max_length=MAX_DEPARTMENT_LENGTH, required=False
    )
    starts_on = forms.DateField(
        label=_("Personal start date (optional)"),
        required=False,
        help_text=_DATE_HELP,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns e-mail, voornaam, achternaam and optionally afdeling, separated by "
            "commas or semicolons; at most 10,000 people and 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    starts_on = forms.DateField(
        label=_("Personal start date for everyone in the file (optional)"),
        required=False,
        help_text=_DATE_HELP,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MoveForm(forms.Form):
    """The cohort to move to, by id: the view fetches it through an access function."""

    # Any whole number passes the form, so another organisation's cohort ends in a 404
    # from the access function rather than in a form error that confirms it exists.
    to_cohort = forms.IntegerField(label=_("Move to cohort"), widget=forms.Select)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cohort"].widget.choices = [
            (cohort.pk, str(cohort.name)) for cohort in targets
        ]
