from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Data rights (AVG/GDPR): export, deletion requests, anonymisation, retention.

    It reads every app that stores something about a person, so it sits above them
    all; only the staff screens in ``dashboards`` import it.
    """

    name = "privacy"
    verbose_name = _("Privacy")
