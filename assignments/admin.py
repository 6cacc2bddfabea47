from django.contrib import admin

from assignments.models import Assignment, AssignmentDeadline, Extension, Grade, Submission


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "module", "due_offset_days", "archived"]
    list_filter = ["kind", "course", "archived"]
    search_fields = ["title", "slug"]
    readonly_fields = ["config"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "enrollment", "revision", "status", "score", "submitted_at"]
    list_filter = ["status", "assignment__kind", "assignment__course"]
    search_fields = ["enrollment__user__email", "assignment__title"]
    raw_id_fields = ["enrollment", "assignment"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["submission", "trainer", "decision", "released_at"]
    list_filter = ["decision"]
    raw_id_fields = ["submission", "trainer"]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "assignment", "due_on", "granted_by", "granted_at"]
    raw_id_fields = ["enrollment", "assignment", "granted_by"]


@admin.register(AssignmentDeadline)
class AssignmentDeadlineAdmin(admin.ModelAdmin):
    list_display = ["assignment", "cohort", "due_on"]
    list_filter = ["cohort__organisation"]
    raw_id_fields = ["cohort", "assignment"]
