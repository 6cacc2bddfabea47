"""The benchmark's URLconf (lms.bench_settings): the product plus the floor view."""

from django.urls import include, path

from demo import views

urlpatterns = [
    path("bench/vloer/", views.bench_floor, name="bench_floor"),
    path("", include("lms.urls")),
]
