from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from courses.models import Lesson, Module
        from courses.signals import outline_row_changed

        for model in (Module, Lesson):
            post_save.connect(outline_row_changed, sender=model, dispatch_uid=f"outline-{model}")
            post_delete.connect(outline_row_changed, sender=model, dispatch_uid=f"outline-{model}")
