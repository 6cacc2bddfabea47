from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import login_required, public
from accounts.forms import LanguageForm, ProfileForm
from accounts.services import user_set_language, user_update_profile


@login_required
def start(request):
    """Send each person to the start page of their role."""
    return redirect(request.roles.start_url())


@login_required
def welcome(request):
    """For someone who has an account but no cohort, assignment or membership yet."""
    return render(request, "accounts/welcome.html")


@login_required
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        translation.activate(request.user.language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@public
@require_POST
def language_switch(request):
    """Switch the interface language: stored on the profile, or in a cookie before login."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    language = form.cleaned_data["language"]
    next_url = form.cleaned_data["next"] or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=60 * 60 * 24 * 365,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response


@public
def health(request):  # noqa: ARG001 (a view takes the request)
    """For load balancers: the process answers and the database is reachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):  # noqa: ARG001 (Django passes the reason)
    """CSRF_FAILURE_VIEW: a form from a stale tab gets a page that says what to do.

    Not in the URLConf: Django calls it when a form's CSRF token no longer matches.
    An HTMX request (an autosave) gets the sentence alone.
    """
    if getattr(request, "htmx", False):
        return HttpResponse(
            _("This page has expired. Reload it and try again."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return render(request, "403_csrf.html", status=403)
