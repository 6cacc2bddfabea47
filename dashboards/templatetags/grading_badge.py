"""The navigation's count of work waiting for a trainer.

A template tag rather than a context processor: the processors live in ``accounts``,
which sits under the apps that know about work (tests/test_layers.py).
"""

from django import template

from assignments.selectors import grading_queue_count

register = template.Library()


@register.simple_tag(takes_context=True)
def grading_waiting_count(context, user) -> int:
    """{% grading_waiting_count user as waiting %}: one COUNT query; only call it for trainers.

    The unfiltered queue has counted the same work already and passes it on as
    ``grading_waiting``, so that page does not count twice.
    """
    waiting = context.get("grading_waiting")
    return grading_queue_count(user) if waiting is None else waiting
