"""Who is acting: one answer for web requests, management commands and background jobs.

``acting_as(user)`` sets the actor for a block of code (a command, a job); the middleware
sets it for each request. Field history (simple-history) and the workflow engine both ask
``current_actor()``. ``acting_as(user, reason=...)`` also gives the reason each signed
field-history row written in the block records, unless its own code gives one: for changes a
user's action sets off but did not choose (the roles an identity provider's claim gives at
login), so that the history says why, not only who.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

_actor: contextvars.ContextVar = contextvars.ContextVar("workflow_actor", default=None)
_reason: contextvars.ContextVar = contextvars.ContextVar("workflow_reason", default=None)


def current_actor():
    """The user acting now, or None for the system itself."""
    return _actor.get()


def current_reason() -> str | None:
    """The reason given by the innermost :func:`acting_as` that gave one, or None."""
    return _reason.get()


@contextmanager
def acting_as(user, reason: str | None = None):
    token = _actor.set(user)
    reason_token = _reason.set(reason) if reason is not None else None
    try:
        yield user
    finally:
        if reason_token is not None:
            _reason.reset(reason_token)
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
