"""Signals other apps listen to; work never imports the apps above it.

``grade_released`` is sent inside the grading transaction, with the grade and the
moment (``now``); a receiver that writes does so in the same transaction, and
anything it publishes it must publish on commit.
"""

from django.dispatch import Signal

grade_released = Signal()
