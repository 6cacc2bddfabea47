"""Event mail that starts in another app: connected in ``NotificationsConfig.ready``."""

from notifications.services import feedback_ready_notify


def on_grade_released(*, grade, now, **_signal):
    feedback_ready_notify(grade=grade, now=now)
