"""The account an upgrade command acts as (``--som``): the one its changes name in the field
history, so it must be someone who could act now."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def anvandaren(namn: str | None, *, vem: str):
    """The active account ``namn``; ``vem`` says in the refusal who it should be."""
    if not namn:
        raise CommandError(f"Ange --som med användarnamnet på {vem}.")
    try:
        return get_user_model().objects.get(username=namn, is_active=True)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"Det finns ingen aktiv användare {namn}.") from exc
