from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts.roles import roles_for

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """Dutch unless the person chose otherwise.

    The language stored on the profile wins; before login the language cookie set
    by the switch counts. The browser's Accept-Language is deliberately ignored:
    the product is Dutch first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.user.is_authenticated and request.user.language in SUPPORTED_LANGUAGES:
            language = request.user.language
        elif cookie in SUPPORTED_LANGUAGES:
            language = cookie
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RolesMiddleware:
    """``request.roles``: computed once, on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: roles_for(request.user))
        return self.get_response(request)


class RequireMFAMiddleware:
    """Staff, trainers and org admins must have TOTP set up when the setting asks for it.

    allauth offers MFA but has no switch to require it; this sends such a person to
    the TOTP set-up page until they have an authenticator. Account pages (to set it
    up or log out) and static files stay reachable.
    """

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health/", "/taal/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PRIVILEGED_ROLES_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and (request.roles.staff or request.roles.trainer or request.roles.org_admin)
            and not self._has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _has_totp(user) -> bool:
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class PrivacyHeadersMiddleware:
    """No browser features we never use, and no stored copies of personal pages.

    A page for a logged-in person (their work, their calendar file, a report on
    colleagues) must not stay in a shared computer's cache or a proxy. Static files
    never get here: WhiteNoise answers them earlier, with their long cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class HtmxErrorMiddleware:
    """An HTMX request that fails gets one plain sentence, never a whole page.

    Without this, DEBUG's error pages (or our own error pages) could end up inside
    the page that made the request. Short answers that views give on purpose (the
    autosave's "already submitted", the 401 "logged out") are no whole page and
    stay as they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code >= 400
            and not response.streaming
            and self._is_whole_page(response)
        ):
            return HttpResponse(
                self._sentence(response.status_code),
                status=response.status_code,
                content_type="text/plain; charset=utf-8",
            )
        return response

    @staticmethod
    def _is_whole_page(response) -> bool:
        if not response.get("Content-Type", "").startswith("text/html"):
            return False
        start = response.content[:200].lstrip().lower()
        return start.startswith((b"<!doctype html", b"<html"))

    @staticmethod
    def _sentence(status: int) -> str:
        if status == 403:
            return _("You do not have access to this.")
        if status == 404:
            return _("This was not found. Reload the page and try again.")
        if status >= 500:
            return _("Something went wrong on our side. Try again in a moment.")
        return _("This could not be processed. Reload the page and try again.")


class FormEncodingMiddleware:
    """A form post that cannot be read as UTF-8 is a 400 with a sentence, never a 500.

    Browsers send our forms as UTF-8. Django would otherwise replace undecodable
    bytes silently (and store the replacement characters) or fail on an unknown
    charset deep inside the CSRF check, so this runs before it.
    """

    FORM = "application/x-www-form-urlencoded"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in {self.FORM, "multipart/form-data"}:
            charset = request.content_params.get("charset", "utf-8").lower().replace("_", "-")
            if charset not in {"utf-8", "utf8"}:
                raise BadRequest("form post in an unsupported charset")
            if request.content_type == self.FORM and not _is_utf8(request.body):
                raise BadRequest("form post that is not valid UTF-8")
        return self.get_response(request)


def _is_utf8(body: bytes) -> bool:
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
