from django.urls import include, path

from dashboards.views import grading, organisation, staff, trainer

trainer_patterns = (
    [
        path("", grading.queue, name="home"),
        path("groepen/", trainer.cohorts, name="cohorts"),
        path("groepen/<int:cohort_id>/", trainer.cohort, name="cohort"),
        path("groepen/<int:cohort_id>/uitstel/", trainer.extension, name="extension"),
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
