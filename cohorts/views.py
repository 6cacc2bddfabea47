"""The invitation link, and a resend for staff and organisation admins."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import login_required, public
from cohorts import invitations
from cohorts.access import cohort_for_org_admin, cohort_for_staff
from cohorts.invitations import InvitationError

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _invitation_or_404(token: str):
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        raise Http404
    return invitation


@public
def accept(request, token):
    """GET shows the form and never uses the link up (mail scanners open links)."""
    now = timezone.now()
    invitation = _invitation_or_404(token)
    state = invitations.invitation_state(invitation, now=now)
    user = invitation.enrollment.user
    form = SetPasswordForm(user)
    if request.method == "POST" and state == "open":
        form = SetPasswordForm(user, request.POST)
        if form.is_valid():
            try:
                user = invitations.invitation_accept(
                    invitation=invitation, password=form.cleaned_data["new_password1"], now=now
                )
            except InvitationError:
                return redirect("invitations:accept", token=token)
            login(request, user, backend=LOGIN_BACKEND)
            return redirect("learn:home")
    # A POST to a link that is no longer open is refused; the page says why.
    status = 409 if request.method == "POST" and state != "open" else 200
    return render(
        request,
        "cohorts/invitation.html",
        {"invitation": invitation, "state": state, "form": form, "token": token},
        status=status,
    )


@public
@require_POST
def renew(request, token):
    """A fresh link to the address on file, for the holder of an expired one."""
    invitation = _invitation_or_404(token)
    invitations.invitation_renew(invitation=invitation, now=timezone.now())
    return render(request, "cohorts/invitation_renewed.html")


def _enrollment_for_inviter(request, cohort_id: int, enrollment_id: int):
    """Staff anywhere; an organisation admin only in their own organisation's cohorts."""
    if request.roles.staff:
        cohort = cohort_for_staff(request.user, cohort_id)
    elif request.roles.org_admin:
        cohort = cohort_for_org_admin(request.user, cohort_id)
    else:
        raise PermissionDenied
    return get_object_or_404(cohort.enrollments.select_related("user", "cohort"), pk=enrollment_id)


@login_required
@require_POST
def resend(request, cohort_id, enrollment_id):
    enrollment = _enrollment_for_inviter(request, cohort_id, enrollment_id)
    invited = invitations.invitation_resend(
        enrollment=enrollment, invited_by=request.user, now=timezone.now()
    )
    if invited:
        text = _("A new invitation is on its way to %(email)s.")
    else:
        text = _("%(email)s already has an account; we sent a notice of the enrolment instead.")
    messages.success(request, text % {"email": enrollment.user.email})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    if request.roles.staff:
        return redirect(reverse("staff:cohort", kwargs={"cohort_id": cohort_id}))
    return redirect(reverse("organisation:cohort", kwargs={"cohort_id": cohort_id}))
