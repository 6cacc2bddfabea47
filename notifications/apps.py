from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from assignments.signals import grade_released
        from notifications.receivers import on_grade_released

        grade_released.connect(on_grade_released, dispatch_uid="notifications.feedback_ready")
