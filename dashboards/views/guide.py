"""The trainer guide in the product, /trainer/handleiding/."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import get_language

from accounts.access import login_required
from dashboards.guide import trainer_guide


@login_required
def guide(request):
    """For trainers and staff; learners and HR get the 403 of the other trainer pages."""
    if not (request.roles.trainer or request.roles.staff):
        raise PermissionDenied
    return render(
        request, "dashboards/trainer_guide.html", {"guide": trainer_guide(get_language())}
    )
