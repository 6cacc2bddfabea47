from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organisations.models import Membership, Organisation

SLUG_MAX_LENGTH = Organisation._meta.get_field("slug").max_length
RETENTION_MONTHS_MIN = 1
RETENTION_MONTHS_MAX = 120


class OrganisationError(Exception):
    """An organisation write could not be done; the message is shown to the user."""


def _unique_slug(name: str) -> str:
    """A slug from ``name`` that no organisation uses yet ("acme", then "acme-2", …)."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-") or "organisatie"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check(*, name: str, retention_months: int, organisation: Organisation | None = None):
    if not name:
        raise OrganisationError(_("Give the organisation a name."))
    if len(name) > Organisation._meta.get_field("name").max_length:
        raise OrganisationError(_("That name is too long."))
    others = Organisation.objects.filter(name__iexact=name)
    if organisation is not None:
        others = others.exclude(pk=organisation.pk)
    if others.exists():
        raise OrganisationError(_("Another organisation already has this name."))
    if not RETENTION_MONTHS_MIN <= retention_months <= RETENTION_MONTHS_MAX:
        raise OrganisationError(
            _("Keep learner data for %(min)d to %(max)d months.")
            % {"min": RETENTION_MONTHS_MIN, "max": RETENTION_MONTHS_MAX}
        )


@transaction.atomic
def organisation_create(
    *,
    name: str,
    slug: str = "",
    admins_may_enrol: bool = False,
    retention_months: int = 12,
) -> Organisation:
    """A new client organisation; without ``slug`` one is made from the name."""
    name = name.strip()
    _check(name=name, retention_months=retention_months)
    return Organisation.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        admins_may_enrol=admins_may_enrol,
        retention_months=retention_months,
    )


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    name: str,
    admins_may_enrol: bool,
    retention_months: int,
) -> Organisation:
    """Change an organisation's settings. The slug stays: it is an identifier, not a label."""
    name = name.strip()
    _check(name=name, retention_months=retention_months, organisation=organisation)
    organisation.name = name
    organisation.admins_may_enrol = admins_may_enrol
    organisation.retention_months = retention_months
    organisation.save(update_fields=["name", "admins_may_enrol", "retention_months"])
    return organisation


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
