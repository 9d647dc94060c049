"""The one door through which states change (Plone's ``doActionFor``), and the questions
asked of the definitions: what may this user do here, what is on their worklist.

``do_transition`` runs in one database transaction: guard check with the roles in context,
row lock, stale-state check, the state change through django-fsm-2, the field history
(simple-history, with the transition as change reason), the workflow history entry chained
by hash, the signals, then any automatic transitions. Whatever fails, nothing is kept.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import registry, signals, statements
from .definitions import Transition, Workflow
from .models import LocalRole, WorkflowError, WorkflowHistory
from .roles import global_roles, group_ids, roles_in_context

#: Automatic transitions followed after one user transition, at most (guards against loops).
MAX_AUTOMATIC_STEPS = 20
#: The longest comment a step takes: a motivering, not a document (those are handlingar).
MAX_COMMENT = 4000


class TransitionNotAllowed(WorkflowError):
    """The transition does not exist here, or this user may not take it now."""


class CommentRequired(TransitionNotAllowed):
    pass


class RequirementMissing(TransitionNotAllowed):
    """The step's records are not there (see :class:`workflow.definitions.Requirement`)."""


class StaleState(WorkflowError):
    """Someone else moved the object after the caller read it."""


@dataclass
class TransitionEvent:
    """What before/after hooks and signal receivers get."""

    obj: Model
    workflow: Workflow
    transition: Transition
    user: object
    roles: frozenset[str]
    comment: str
    from_state: str
    to_state: str
    #: what the caller handed to :func:`do_transition` for the hooks (Plone's kwargs to a
    #: transition script), e.g. the day a protokoll was anslaget
    data: dict = dataclasses.field(default_factory=dict)


def _actor_fields(user) -> tuple[int | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return user.pk, user.get_username()


def _entry(
    obj,
    wf: Workflow,
    transition_id: str,
    from_state: str,
    to_state: str,
    user,
    roles,
    comment: str,
    last: tuple[int, str] | None = None,
) -> WorkflowHistory:
    """The next entry of ``obj``'s chain, hashed, not yet saved; ``last`` is the chain's
    newest (seq, hash) when the caller read it under the row lock, else it is read here."""
    ct = ContentType.objects.get_for_model(obj)
    seq, prev_hash = last if last is not None else statements.last_link(ct.pk, obj.pk)
    actor_id, actor_name = _actor_fields(user)
    entry = WorkflowHistory(
        content_type=ct,
        object_id=obj.pk,
        seq=seq + 1,
        workflow=wf.id,
        transition=transition_id,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id,
        actor_name=actor_name,
        roles=sorted(roles),
        timestamp=timezone.now(),
        comment=comment,
        prev_hash=prev_hash,
    )
    entry.sign()
    return entry


def record_creation(obj, wf: Workflow, user, fresh_id: bool = False) -> WorkflowHistory:
    """The first history entry: the object came into being in the initial state.

    ``fresh_id``: the database has just assigned the object's id, so its chain is empty and
    need not be read (if it were not, the unique (object, seq) would refuse the entry)."""
    last = (0, "") if fresh_id else None
    entry = _entry(obj, wf, "", "", obj.state, user, global_roles(user), "", last)
    return statements.insert_entry(entry)


def _check(wf: Workflow, obj, transition_id: str, user, comment: str, roles) -> Transition:
    transition = wf.transitions.get(transition_id)
    if transition is None or obj.state not in transition.sources:
        state = wf.states.get(obj.state)
        raise TransitionNotAllowed(
            _("Övergången %(transition)s finns inte från status %(state)s.")
            % {"transition": transition_id, "state": state.title if state else obj.state}
        )
    if transition.automatic:
        raise TransitionNotAllowed(
            _("%(title)s sker automatiskt och kan inte utföras av en användare.")
            % {"title": transition.title}
        )
    reason = transition.guard.failure(obj, user, roles)
    if reason:
        raise TransitionNotAllowed(
            _("Du får inte utföra %(title)s: %(reason)s.")
            % {"title": transition.title, "reason": reason}
        )
    if "\x00" in comment or len(comment) > MAX_COMMENT:
        raise TransitionNotAllowed(
            _("Kommentaren får ha högst %(n)d tecken och inga nolltecken.") % {"n": MAX_COMMENT}
        )
    if transition.comment_required and not comment.strip():
        raise CommentRequired(
            _("%(title)s kräver en kommentar (motivering).") % {"title": transition.title}
        )
    missing = transition.unmet(obj)
    if missing:
        raise RequirementMissing(
            _("%(title)s går inte ännu: %(missing)s.")
            % {"title": transition.title, "missing": missing}
        )
    return transition


def _snapshot(obj) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        value = obj.__dict__.get(field.attname)
        values[field.attname] = copy.deepcopy(value) if isinstance(value, dict | list) else value
    return values


def _changed_fields(obj, before: dict) -> list[str]:
    """The fields a transition must write: the state, whatever the hooks changed, and the
    fields that set themselves on every save (``auto_now``)."""
    changed = ["state"]
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name == "state":
            continue
        if getattr(field, "auto_now", False) or (
            obj.__dict__.get(field.attname) != before[field.attname]
        ):
            changed.append(field.name)
    return changed


def _apply(
    obj,
    wf: Workflow,
    transition: Transition,
    user,
    roles,
    comment: str,
    last: tuple[int, str],
    data: dict | None = None,
) -> tuple[int, str]:
    """Take ``transition`` on the locked ``obj``; returns the chain's new (seq, hash)."""
    from_state = obj.state
    event = TransitionEvent(
        obj=obj,
        workflow=wf,
        transition=transition,
        user=user,
        roles=roles,
        comment=comment,
        from_state=from_state,
        to_state=transition.target_from(from_state),
        data=data or {},
    )
    before = _snapshot(obj)
    signals.before_transition.send(sender=type(obj), event=event)
    for hook in transition.before:
        hook(event)
    obj._workflow_set_state(event.to_state)
    obj._change_reason = transition.id
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    entry = _entry(obj, wf, transition.id, from_state, event.to_state, user, roles, comment, last)
    # the row was read under the lock just now: only what changed since needs writing
    fields = _changed_fields(obj, before)
    if statements.can_write(obj):
        statements.write_transition(obj, fields, from_state, entry)
        obj._update_initial_state()
    else:  # a field history only simple-history itself can write (see statements.can_write)
        obj.save(update_fields=fields)
        statements.insert_entry(entry)
    for hook in transition.after:
        hook(event)
    signals.after_transition.send(sender=type(obj), event=event)
    return entry.seq, entry.hash


def do_transition(obj, transition_id: str, user, comment: str = "", data: dict | None = None):
    """Take ``transition_id`` on ``obj`` as ``user``; the only way a state changes.
    ``data`` reaches the transition's hooks as ``event.data``.

    Raises :class:`TransitionNotAllowed` (not from this state, guard fails, automatic only),
    :class:`CommentRequired`, or :class:`StaleState` (the object moved since ``obj`` was
    read). On success ``obj`` is updated in place and returned.
    """
    comment = comment or ""
    model = type(obj)
    with transaction.atomic():
        locked, last = statements.lock(model, obj.pk, user)
        if locked.state != obj.state:
            wf = registry.workflow_for(locked)
            raise StaleState(
                _(
                    "%(objekt)s har redan flyttats av någon annan (status är nu %(now)s, inte "
                    "%(seen)s). Ladda om och försök igen."
                )
                % {
                    "objekt": capfirst(str(locked)),
                    "now": _state_title(wf, locked.state),
                    "seen": _state_title(wf, obj.state),
                }
            )
        wf = registry.workflow_for(locked)
        roles = roles_in_context(user, locked)
        transition = _check(wf, locked, transition_id, user, comment, roles)
        last = _apply(locked, wf, transition, user, roles, comment, last, data or {})
        _follow_automatic(locked, wf, user, last)
    for field in model._meta.concrete_fields:
        obj.__dict__[field.attname] = locked.__dict__[field.attname]
    obj._update_initial_state()
    return obj


def _follow_automatic(obj, wf: Workflow, user, last: tuple[int, str]) -> None:
    for _step in range(MAX_AUTOMATIC_STEPS):
        roles = roles_in_context(user, obj)
        for candidate in wf.automatic_transitions_from(obj.state):
            if candidate.guard.failure(obj, user, roles) is None and not candidate.unmet(obj):
                last = _apply(obj, wf, candidate, user, roles, "", last)
                break
        else:
            return
    raise WorkflowError(
        _("Automatiska övergångar i %(wf)s går i cirkel från %(state)s.")
        % {"wf": wf.id, "state": obj.state}
    )


def _state_title(wf: Workflow, state_id: str) -> str:
    """The title of ``state_id`` (also for a state the object is not in: a stale copy's)."""
    state = wf.states.get(state_id)
    return str(state.title) if state else state_id


def allowed_transitions(obj, user) -> list[Transition]:
    """The user transitions ``user`` may take on ``obj`` now, in definition order."""
    wf = registry.workflow_for(obj)
    roles = roles_in_context(user, obj)
    return [
        t for t in wf.user_transitions_from(obj.state) if t.guard.failure(obj, user, roles) is None
    ]


def has_permission(user, perm: str, obj) -> bool:
    """Does the state ``obj`` is in give ``perm`` to a role ``user`` holds on it?"""
    wf = registry.workflow_for(obj)
    state = wf.states.get(obj.state)
    if state is None:
        return False
    allowed = state.roles_for(perm)
    return bool(allowed) and state.grants(perm, roles_in_context(user, obj), obj)


def permissions_in_state(user, obj) -> set[str]:
    wf = registry.workflow_for(obj)
    state = wf.states.get(obj.state)
    if state is None:
        return set()
    roles = roles_in_context(user, obj)
    return {perm for perm in state.permissions if state.grants(perm, roles, obj)}


def version(obj) -> int:
    """The sequence number of the object's latest history entry: a form that carries it is
    stale once any step was taken since, even one that came back to the same state."""
    seq = WorkflowHistory.objects.for_object(obj).order_by("-seq").values_list("seq", flat=True)
    return seq.first() or 0


def history(obj) -> QuerySet:
    """The object's workflow history, oldest first."""
    return WorkflowHistory.objects.for_object(obj).select_related("actor").order_by("seq")


# -- worklists --------------------------------------------------------------------------------

#: How far up the containment the worklist query follows inherited local roles.
MAX_PARENT_DEPTH = 4


def holding_local_role(model, roles, user, groups=None) -> QuerySet:
    """Ids (``object_id``) of the objects of ``model`` on which ``user`` holds one of
    ``roles`` locally, directly or through a group; for a subquery (``pk__in=``)."""
    if groups is None:
        groups = group_ids(user)
    ct = ContentType.objects.get_for_model(model)
    who = Q(user_id=user.pk)
    if groups:
        who |= Q(group_id__in=groups)
    return (
        LocalRole.objects.in_force()
        .filter(who, content_type=ct, role__in=roles)
        .order_by()
        .values("object_id")
    )


def _inherited_q(model, roles, user, group_ids, prefix: str = "", depth: int = 0) -> Q | None:
    """Objects of ``model`` that inherit one of ``roles`` from what contains them (None when
    the model has no container)."""
    parent_field = getattr(model, "local_roles_parent", None)
    if not parent_field or depth >= MAX_PARENT_DEPTH:
        return None
    parent_model = model._meta.get_field(parent_field).related_model
    on_parent = Q(
        **{
            f"{prefix}{parent_field}__pk__in": holding_local_role(
                parent_model, roles, user, group_ids
            )
        }
    )
    above = _inherited_q(
        parent_model, roles, user, group_ids, f"{prefix}{parent_field}__", depth + 1
    )
    if above is not None:
        on_parent |= above
    return Q(**{f"{prefix}block_local_roles": False}) & on_parent


def worklist(user, name: str) -> QuerySet:
    """Objects in worklist ``name`` that ``user`` may act on (one query when evaluated)."""
    wf, wl = registry.find_worklist(name)
    bindings = registry.bindings_for_workflow(wf.id)
    if not bindings:
        raise LookupError(f"Arbetsflödet {wf.id} styr ingen modell")
    model = bindings[0].model
    if any(b.model is not model for b in bindings):
        raise LookupError(f"Arbetslistan {name} gäller flera modeller")
    conditions = [registry.governed_q(b) for b in bindings]
    governed = Q()  # an empty condition means every object of the model
    if all(conditions):
        for condition in conditions:
            governed |= condition
    qs = model._default_manager.filter(governed, state__in=wl.states)
    if not global_roles(user).isdisjoint(wl.roles):
        return qs
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    # The objects the user holds a role on, and those inheriting one from a container, as
    # one UNION of ids rather than an OR of two conditions: each part then runs on its own
    # index (local roles by user; the container's objects by container and state), so the
    # cost follows the size of the user's worklist, not the size of the table.
    ids = group_ids(user)
    pks = holding_local_role(model, wl.roles, user, ids)
    inherited = _inherited_q(model, wl.roles, user, ids)
    if inherited is not None:
        through_container = (
            model._default_manager.filter(inherited, governed, state__in=wl.states)
            .order_by()
            .values("pk")
        )
        pks = pks.union(through_container, all=True)
    return qs.filter(pk__in=pks)
