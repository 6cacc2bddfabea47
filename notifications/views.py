from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.access import debug_only, login_required, public, role_required
from accounts.roles import roles_for
from notifications.mail import read_unsubscribe_token
from notifications.models import LEARNER_CATEGORIES, Category
from notifications.outbox import outbox_message, outbox_messages
from notifications.services import opted_out, preferences_update, unsubscribe

# The outbox holds everyone's mail, password-reset links included: staff only,
# and only with DEBUG on (the demo).


@debug_only
@role_required("staff")
def outbox(request):
    """Mail the demo has 'sent' (written to var/mail)."""
    return render(request, "notifications/outbox.html", {"messages_sent": outbox_messages()})


@debug_only
@role_required("staff")
def outbox_detail(request, name: str):
    message = outbox_message(name)
    if message is None:
        raise Http404
    return render(request, "notifications/outbox_detail.html", {"message": message})


# --- preferences and the unsubscribe link ----------------------------------------------


def _categories_for(user) -> list[str]:
    """The categories that can reach this person: learner mail for everyone (they may be
    enrolled later), the digest for trainers, the summary for org admins."""
    roles = roles_for(user)
    shown = list(LEARNER_CATEGORIES)
    if roles.trainer:
        shown.append(Category.TRAINER_DIGEST)
    if roles.org_admin:
        shown.append(Category.ORG_SUMMARY)
    return shown


@login_required
def preferences(request):
    """Which mail the person wants; account and invitation mail cannot be switched off."""
    shown = _categories_for(request.user)
    if request.method == "POST":
        enabled = set(request.POST.getlist("category"))
        preferences_update(user=request.user, enabled=enabled, shown=set(shown))
        messages.success(request, _("Your email preferences have been saved."))
        return redirect("notifications:preferences")
    off = {category for _user, category in opted_out([request.user.pk])}
    choices = [
        {"value": category, "label": Category(category).label, "on": category not in off}
        for category in shown
    ]
    return render(request, "notifications/preferences.html", {"choices": choices})


@public
@csrf_exempt
def unsubscribe_link(request, token: str):
    """The link in every reminder mail. A GET only shows a button (link scanners open
    links); the POST switches the categories off. The POST is also RFC 8058's one-click
    unsubscribe, which mail programs send without a session or a CSRF token, so it is
    exempt: the signed token is what authorises it."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user_id, categories = found
    labels = [Category(category).label for category in categories]
    if request.method == "POST":
        unsubscribe(user_id=user_id, categories=categories)
        return render(request, "notifications/unsubscribe_done.html", {"labels": labels})
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "notifications/unsubscribe_confirm.html", {"labels": labels})
