from django.http import Http404
from django.shortcuts import render

from accounts.access import debug_only, role_required
from notifications.outbox import outbox_message, outbox_messages

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
