"""Platform staff handle data rights, /beheer/privacy/: open deletion requests and
anonymising a person (after a confirmation page that says what happens)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import role_required
from privacy.access import person_for_staff
from privacy.selectors import anonymise_summary, deletion_requests, people_with_email
from privacy.services import PrivacyError, user_anonymise


@role_required("staff")
def requests(request):
    """Open deletion requests, oldest first, and a look-up by exact email address."""
    email = request.GET.get("email", "").strip()
    return render(
        request,
        "privacy/staff_requests.html",
        {
            "requests": deletion_requests(),
            "email": email,
            "found": people_with_email(email) if email else None,
        },
    )


@role_required("staff")
def anonymise(request, person_id: int):
    person = person_for_staff(request.user, person_id)
    if request.method == "POST":
        try:
            user_anonymise(user=person, now=timezone.now())
        except PrivacyError as error:
            messages.error(request, str(error))
            return redirect("staff:anonymise", person_id=person.pk)
        messages.success(request, _("The person has been anonymised."))
        return redirect("staff:privacy")
    return render(
        request,
        "privacy/staff_anonymise.html",
        {"person": person, "summary": anonymise_summary(person)},
    )
