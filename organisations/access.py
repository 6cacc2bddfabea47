from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.models import Membership, Organisation


def organisation_for_admin(user, organisation_id: int) -> Organisation:
    """An organisation the user administers, or 404 (also for staff: they use /beheer/)."""
    return get_object_or_404(
        Organisation,
        pk=organisation_id,
        memberships__user=user,
        memberships__role=Membership.Role.ORG_ADMIN,
    )


def organisation_for_staff(user, organisation_id: int) -> Organisation:
    if not user.is_staff:
        raise Http404
    return get_object_or_404(Organisation, pk=organisation_id)
