"""A person's own data rights, from their profile: download everything, ask for deletion."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import login_required
from privacy.export import export_filename, export_zip
from privacy.services import deletion_request


@login_required
def export(request):
    """Everything stored about the person asking; there is no id, so only their own."""
    now = timezone.now()
    response = HttpResponse(export_zip(user=request.user, now=now), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(user=request.user, now=now)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def deletion(request):
    """What a deletion request means, with the button to ask; after asking, what happens next."""
    if request.method == "POST":
        if deletion_request(user=request.user, now=timezone.now()):
            messages.success(request, _("Your request to delete your data has been received."))
        return redirect("privacy:deletion")
    return render(request, "privacy/deletion.html")
