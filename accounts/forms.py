from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import User, single_line


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone"]
        help_texts = {
            "display_name": _("How trainers and colleagues see your name."),
            "time_zone": _("Reminders arrive in the daytime of this time zone."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself ("Nederlands", "English"), as in the footer.
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]

    def clean_display_name(self) -> str:
        # One line: a name travels into mail bodies and headers.
        return single_line(self.cleaned_data["display_name"])


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("language").choices)
    next = forms.CharField(required=False)
