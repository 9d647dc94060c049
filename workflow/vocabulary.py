"""A definition's vocabulary: the ``StrEnum`` classes that name its states, transitions and
worklists, so that code names an id as a constant (``do_transition(obj, Steg.BESLUTA, user)``)
and a misspelling fails when the module loads instead of when the line runs.

The members are written out by hand beside the definition, which is built from them; this
module checks that the two say the same: every member is an id of the definition and every id
has a member. ``manage.py workflow_check`` runs the check for every registered workflow that
was registered with a vocabulary (``registry.register(workflow, vocabulary=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from .definitions import Workflow


@dataclass(frozen=True)
class Vocabulary:
    states: type[StrEnum]
    transitions: type[StrEnum]
    worklists: type[StrEnum] | None = None


def problems(workflow: Workflow, vocabulary: Vocabulary) -> list[str]:
    """Where ``vocabulary`` and ``workflow`` disagree, as Swedish sentences."""
    found: list[str] = []
    for kind, enum, ids in (
        (_("tillståndet"), vocabulary.states, workflow.states),
        (_("övergången"), vocabulary.transitions, workflow.transitions),
        (_("arbetslistan"), vocabulary.worklists, workflow.worklists),
    ):
        members = {str(member.value): member.name for member in enum or ()}
        name = enum.__name__ if enum is not None else _("(ingen uppräkning)")
        for ident in ids:
            if ident not in members:
                found.append(
                    _("%(kind)s %(id)s saknar konstant i %(enum)s")
                    % {"kind": kind, "id": ident, "enum": name}
                )
        for value, member in members.items():
            if value not in ids:
                found.append(
                    _("%(enum)s.%(member)s nämner %(kind)s %(id)s, som arbetsflödet inte har")
                    % {"enum": name, "member": member, "kind": kind, "id": value}
                )
    return found
