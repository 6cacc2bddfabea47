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
