from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone"]
        help_texts = {
            "display_name": _("How trainers and colleagues see your name."),
            "time_zone": _("Reminders arrive in the daytime of this time zone."),
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("language").choices)
    next = forms.CharField(required=False)
