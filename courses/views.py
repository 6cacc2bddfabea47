"""Page responses about course content that several areas share (no URLs of its own)."""

import datetime

from django.shortcuts import render

from courses.models import Module


def module_locked(request, *, cohort, module: Module, opens_on: datetime.date):
    """The page for a module, or a lesson or assignment in it, that has not opened yet."""
    return render(
        request,
        "courses/locked.html",
        {"cohort": cohort, "module": module, "opens_on": opens_on},
        status=403,
    )
