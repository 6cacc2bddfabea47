from django.contrib import admin

from cohorts.models import Cohort, Enrollment, ModuleRelease


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]


class ModuleReleaseInline(admin.TabularInline):
    model = ModuleRelease
    extra = 0
    autocomplete_fields = ["module"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "course", "starts_on", "ends_on", "time_zone"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    filter_horizontal = ["trainers"]
    inlines = [ModuleReleaseInline, EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "status", "starts_on"]
    list_filter = ["status", "cohort__organisation"]
    search_fields = ["user__email", "user__display_name", "cohort__name"]
    autocomplete_fields = ["user", "cohort"]
