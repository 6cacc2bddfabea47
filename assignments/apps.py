from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = _("Assignments")

    def ready(self) -> None:
        # Modules list their assignments in course.yaml; the course importer hands them
        # to this handler (courses never imports assignments).
        from assignments.content import AssignmentItems
        from courses.content_files import register_module_items

        register_module_items(AssignmentItems())

        # The course's stamp moves with its assignments, as with its modules and lessons.
        from django.db.models.signals import post_delete, post_save

        from assignments.models import Assignment
        from courses.signals import outline_row_changed

        post_save.connect(outline_row_changed, sender=Assignment, dispatch_uid="outline-assignment")
        post_delete.connect(
            outline_row_changed, sender=Assignment, dispatch_uid="outline-assignment"
        )
