from django.conf import settings

from accounts.roles import ANONYMOUS


def navigation(request):
    """What the base layout and the login page need: the roles, and whether sign-up is open."""
    return {
        "roles": getattr(request, "roles", ANONYMOUS),
        "signup_open": settings.SIGNUP_OPEN,
    }
