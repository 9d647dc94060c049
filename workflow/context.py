"""Who is acting: one answer for web requests, management commands and background jobs.

``acting_as(user)`` sets the actor for a block of code (a command, a job); the middleware
sets it for each request. Field history (simple-history) and the workflow engine both ask
``current_actor()``.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

_actor: contextvars.ContextVar = contextvars.ContextVar("workflow_actor", default=None)


def current_actor():
    """The user acting now, or None for the system itself."""
    return _actor.get()


@contextmanager
def acting_as(user):
    token = _actor.set(user)
    try:
        yield user
    finally:
        _actor.reset(token)


def history_user(instance=None, request=None, **kwargs):
    """``get_user`` for simple-history's ``HistoricalRecords``: the actor in context, else
    the request's authenticated user."""
    actor = current_actor()
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


class ActorMiddleware:
    """Makes the request's user the acting user for everything the request does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = _actor.set(user if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)
