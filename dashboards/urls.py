from django.urls import include, path

from dashboards.views import grading, organisation, staff, trainer

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
        path("groepen/<int:cohort_id>/", trainer.cohort, name="cohort"),
        path("groepen/<int:cohort_id>/uitstel/", trainer.extension, name="extension"),
        path("groepen/<int:cohort_id>/export.csv", trainer.export, name="export"),
        path(
            "groepen/<int:cohort_id>/deelnemers/<int:enrollment_id>/",
            trainer.learner,
            name="learner",
        ),
    ],
    "trainer",
)

organisation_patterns = (
    [
        path("", organisation.home, name="home"),
        path("<int:organisation_id>/", organisation.detail, name="detail"),
        path("groepen/<int:cohort_id>/", organisation.cohort, name="cohort"),
    ],
    "organisation",
)

staff_patterns = (
    [
        path("", staff.home, name="home"),
        path("organisaties/<int:organisation_id>/", staff.organisation, name="organisation"),
        path("groepen/<int:cohort_id>/", staff.cohort, name="cohort"),
        path("groepen/<int:cohort_id>/uitstel/", staff.extension, name="extension"),
    ],
    "staff",
)

urlpatterns = [
    path("trainer/", include(trainer_patterns)),
    path("organisatie/", include(organisation_patterns)),
    path("beheer/", include(staff_patterns)),
]
