from django.contrib import admin

from courses.models import Course, Lesson, LessonProgress, Module


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["position", "slug", "title", "release_offset_days", "archived"]
    readonly_fields = ["slug"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "slug"]
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "position", "release_offset_days", "archived"]
    list_filter = ["course", "archived"]
    search_fields = ["title", "slug"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "position", "minutes", "archived"]
    list_filter = ["course", "module", "archived"]
    search_fields = ["title", "slug"]


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "lesson", "read_at"]
    list_filter = ["lesson__course"]
    search_fields = ["enrollment__user__email", "lesson__title"]
    raw_id_fields = ["enrollment", "lesson"]
