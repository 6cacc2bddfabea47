from django.urls import include, path

from dashboards.views import enrolment, grading, guide, organisation, privacy, staff, trainer

trainer_patterns = (
    [
        path("", grading.queue, name="home"),
        path("beoordelen/<int:submission_id>/", grading.grade, name="grade"),
        path(
            "beoordelen/<int:submission_id>/opmerkingen/",
            grading.snippet_add,
            name="snippet_add",
        ),
        path(
            "beoordelen/<int:submission_id>/opmerkingen/<int:snippet_id>/verwijderen/",
            grading.snippet_delete,
            name="snippet_delete",
        ),
        path("groepen/", trainer.cohorts, name="cohorts"),
        path("handleiding/", guide.guide, name="guide"),
        path("groepen/<int:cohort_id>/", trainer.cohort, name="cohort"),
        path("groepen/<int:cohort_id>/export.csv", trainer.export, name="export"),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/",
            trainer.learner,
            name="learner",
        ),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/herinnering/",
            trainer.nudge,
            name="nudge",
        ),
    ],
    "trainer",
)

organisation_patterns = (
    [
        path("", organisation.home, name="home"),
        path("<int:organisation_id>/", organisation.detail, name="detail"),
        path("groepen/<int:cohort_id>/", organisation.cohort, name="cohort"),
        path("groepen/<int:cohort_id>/inschrijven/", enrolment.organisation_enrol, name="enrol"),
        path(
            "groepen/<int:cohort_id>/inschrijven/controle/<str:token>/",
            enrolment.organisation_enrol_preview,
            name="enrol_preview",
        ),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/verplaatsen/",
            enrolment.organisation_enrollment_move,
            name="enrollment_move",
        ),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/uitschrijven/",
            enrolment.organisation_enrollment_withdraw,
            name="enrollment_withdraw",
        ),
        path("groepen/<int:cohort_id>/export.csv", organisation.export, name="export"),
    ],
    "organisation",
)

staff_patterns = (
    [
        path("", staff.home, name="home"),
        path("organisaties/nieuw/", staff.organisation_add, name="organisation_add"),
        path("organisaties/<int:organisation_id>/", staff.organisation, name="organisation"),
        path(
            "organisaties/<int:organisation_id>/wijzigen/",
            staff.organisation_edit,
            name="organisation_edit",
        ),
        path(
            "organisaties/<int:organisation_id>/groepen/nieuw/",
            staff.cohort_add,
            name="cohort_add",
        ),
        path("groepen/<int:cohort_id>/", staff.cohort, name="cohort"),
        path("groepen/<int:cohort_id>/inschrijven/", enrolment.staff_enrol, name="enrol"),
        path(
            "groepen/<int:cohort_id>/inschrijven/controle/<str:token>/",
            enrolment.staff_enrol_preview,
            name="enrol_preview",
        ),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/verplaatsen/",
            enrolment.staff_enrollment_move,
            name="enrollment_move",
        ),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/uitschrijven/",
            enrolment.staff_enrollment_withdraw,
            name="enrollment_withdraw",
        ),
        path("groepen/<int:cohort_id>/gegevens/", staff.cohort_edit, name="cohort_edit"),
        path(
            "groepen/<int:cohort_id>/archiveren/", staff.cohort_archive_view, name="cohort_archive"
        ),
        path(
            "groepen/<int:cohort_id>/terugzetten/",
            staff.cohort_unarchive_view,
            name="cohort_unarchive",
        ),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/uitstel/",
            staff.enrollment_extension,
            name="enrollment_extension",
        ),
        path(
            "groepen/<int:cohort_id>/herinneringen/",
            staff.cohort_reminders,
            name="cohort_reminders",
        ),
        path("herinneringen/", staff.reminders, name="reminders"),
        path("privacy/", privacy.requests, name="privacy"),
        path("privacy/<int:person_id>/anonimiseren/", privacy.anonymise, name="anonymise"),
    ],
    "staff",
)

urlpatterns = [
    path("trainer/", include(trainer_patterns)),
    path("organisatie/", include(organisation_patterns)),
    path("beheer/", include(staff_patterns)),
]
