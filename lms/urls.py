from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

# The Django admin logs in through allauth, so its login has the same rate limits
# and MFA as the rest of the product.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Klantbekwaam"

urlpatterns = [
    path("", account_views.start, name="start"),
    path("welkom/", account_views.welcome, name="welcome"),
    path("profiel/", account_views.profile, name="profile"),
    path("profiel/", include("privacy.urls")),
    path("", include("notifications.mail_urls")),
    path("taal/", account_views.language_switch, name="language_switch"),
    path("health/", account_views.health, name="health"),
    path("leren/", include("learning.urls")),
    path("uitnodiging/", include("cohorts.urls")),
    path("", include("dashboards.urls")),
    path("dev/mail/", include("notifications.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
