"""Signals sent inside the transition's database transaction; a receiver that raises undoes
the whole transition. Receivers get ``event``, a :class:`workflow.engine.TransitionEvent`."""

from django.dispatch import Signal

before_transition = Signal()
after_transition = Signal()
