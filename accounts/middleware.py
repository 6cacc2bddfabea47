from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

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
    """Staff and trainers must have TOTP set up when the setting asks for it.

    allauth offers MFA but has no switch to require it; this sends such a person to
    the TOTP set-up page until they have an authenticator. Account pages (to set it
    up or log out) and static files stay reachable.
    """

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health/", "/taal/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_STAFF_AND_TRAINERS
            and request.user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and (request.roles.staff or request.roles.trainer)
            and not self._has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _has_totp(user) -> bool:
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
