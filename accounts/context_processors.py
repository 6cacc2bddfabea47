from accounts.roles import ANONYMOUS


def navigation(request):
    """The roles the base layout needs for its navigation."""
    return {"roles": getattr(request, "roles", ANONYMOUS)}
