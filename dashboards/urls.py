from django.urls import include, path

from dashboards import views

trainer_patterns = (
    [
        path("", views.trainer_home, name="home"),
        path("groepen/", views.trainer_cohorts, name="cohorts"),
        path("groepen/<int:cohort_id>/", views.trainer_cohort, name="cohort"),
        path("groepen/<int:cohort_id>/uitstel/", views.trainer_extension, name="extension"),
    ],
    "trainer",
)

organisation_patterns = (
    [
        path("", views.organisation_home, name="home"),
        path("<int:organisation_id>/", views.organisation_detail, name="detail"),
        path("groepen/<int:cohort_id>/", views.organisation_cohort, name="cohort"),
    ],
    "organisation",
)

staff_patterns = (
    [
        path("", views.staff_home, name="home"),
        path("organisaties/<int:organisation_id>/", views.staff_organisation, name="organisation"),
        path("groepen/<int:cohort_id>/", views.staff_cohort, name="cohort"),
        path("groepen/<int:cohort_id>/uitstel/", views.staff_extension, name="extension"),
    ],
    "staff",
)

urlpatterns = [
    path("trainer/", include(trainer_patterns)),
    path("organisatie/", include(organisation_patterns)),
    path("beheer/", include(staff_patterns)),
]
