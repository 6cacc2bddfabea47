from django.db import transaction
from django.utils.text import slugify

from organisations.models import Membership, Organisation


@transaction.atomic
def organisation_create(*, name: str, slug: str = "") -> Organisation:
    return Organisation.objects.create(name=name.strip(), slug=slug or slugify(name))


@transaction.atomic
def membership_add(*, user, organisation: Organisation, role: str = Membership.Role.MEMBER):
    """Add a person to an organisation, or raise their role to ``role``.

    Adding someone as a plain member never demotes an existing org admin.
    """
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created and role == Membership.Role.ORG_ADMIN and not membership.is_org_admin:
        membership.role = Membership.Role.ORG_ADMIN
        membership.save(update_fields=["role"])
    return membership
