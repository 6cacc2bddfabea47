from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User


def person_for_staff(user, person_id: int) -> User:
    """Anyone's account, for platform staff handling data rights; 404 for everyone else."""
    if not user.is_staff:
        raise Http404
    return get_object_or_404(User, pk=person_id)
