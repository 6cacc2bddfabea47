"""Every view declares who may see it.

Each decorator here sets ``view.access_rule``; a test walks the URLConf and fails
for any view without one. Object-level checks (which cohort, which organisation)
live in the owning app's ``access.py`` and raise 404.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

PUBLIC = "public"
AUTHENTICATED = "authenticated"
DEBUG_ONLY = "debug-only"
ROLE_RULES = ("learner", "trainer", "org_admin", "staff")


def _to_login(request):
    """Send a logged-out visitor to the login page and back.

    HTMX requests (autosave) get a plain 401 instead: following the redirect would
    hand the script a login page as if the save had worked.
    """
    if getattr(request, "htmx", False):
        return HttpResponse(_("You are logged out."), status=401)
    return redirect_to_login(request.get_full_path())


def _declare(view, rule: str):
    view.access_rule = rule
    return view


def public(view):
    """Anyone, logged in or not."""
    return _declare(view, PUBLIC)


def login_required(view):
    """Any logged-in person, whatever their role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _to_login(request)
        return view(request, *args, **kwargs)

    return _declare(wrapper, AUTHENTICATED)


def role_required(role: str):
    """A logged-in person who holds ``role``; others get 403.

    The object itself is still fetched through an access function, so holding the
    role in one organisation never opens another organisation's objects.
    """
    if role not in ROLE_RULES:
        raise ValueError(f"Unknown role {role!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _to_login(request)
            if not getattr(request.roles, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _declare(wrapper, role)

    return decorator


def debug_only(view):
    """Development aids: 404 unless DEBUG is on."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return _declare(wrapper, DEBUG_ONLY)
