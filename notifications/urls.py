from django.urls import path

from notifications import views

app_name = "outbox"

urlpatterns = [
    path("", views.outbox, name="list"),
    path("<str:name>/", views.outbox_detail, name="detail"),
]
