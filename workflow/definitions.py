"""Workflow definitions as data, in the manner of Plone's DCWorkflow.

A :class:`Workflow` is declared once (states with their permission maps, transitions with
guards and hooks, worklists, the roles it knows) and is validated when it is registered.
Nothing here touches the database but the checks a definition declares, read when a step is
taken (:class:`NewRecord` counts the object's history); the engine (:mod:`workflow.engine`)
executes definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

#: Roles every workflow knows without declaring them. ``Anonymous`` is held by everyone,
#: ``Authenticated`` by every logged-in user.
ANONYMOUS = "Anonymous"
AUTHENTICATED = "Authenticated"
BUILTIN_ROLES = frozenset({ANONYMOUS, AUTHENTICATED})

#: a person takes the step (a button, or the step's form)
USER = "user"
#: the engine takes the step by itself after another, when its guard and requirements hold
AUTOMATIC = "automatic"
#: the domain's own code takes the step as part of a larger one (Plone's "workflow method"):
#: recorded in the history like any step, never offered as a button
METHOD = "method"


class DefinitionError(Exception):
    """A workflow definition is inconsistent; the message names every problem found."""

    def __init__(self, workflow_id: str, problems: Sequence[str]):
        self.workflow_id = workflow_id
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            _("Arbetsflödet %(id)s är felaktigt:\n%(problems)s")
            % {"id": workflow_id, "problems": lines}
        )


def _tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (str(value),)
    return tuple(str(item) for item in value)


# A definition may be built from the members of its vocabulary (:mod:`workflow.vocabulary`);
# it keeps their values, plain strings, so what it exports, hashes and stores is the id.


def _name(function) -> str:
    return getattr(function, "__qualname__", repr(function))


@dataclass(frozen=True)
class Guard:
    """Who may take a transition.

    Within one list any entry suffices; every non-empty list must pass (Plone's rule).
    ``condition`` is called as ``condition(obj, user)`` and must return a truthy value.
    """

    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    condition: Callable[[Any, Any], bool] | None = None
    #: Shown to the user when the condition is what fails (Swedish).
    condition_message: str = ""

    def __post_init__(self):
        object.__setattr__(self, "roles", _tuple(self.roles))
        object.__setattr__(self, "permissions", _tuple(self.permissions))

    def failure(self, obj, user, roles: frozenset[str]) -> str | None:
        """Return why ``user`` (holding ``roles`` in context) fails this guard, or None."""
        if self.roles and roles.isdisjoint(self.roles):
            return _("kräver någon av rollerna %(roles)s") % {"roles": ", ".join(self.roles)}
        if self.permissions and not any(user.has_perm(p, obj) for p in self.permissions):
            return _("kräver någon av behörigheterna %(perms)s") % {
                "perms": ", ".join(self.permissions)
            }
        if self.condition is not None and not self.condition(obj, user):
            return self.condition_message or _("villkoret för övergången är inte uppfyllt")
        return None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"roles": list(self.roles), "permissions": list(self.permissions)}
        if self.condition is not None:
            data["condition"] = _name(self.condition)
        return data


@dataclass(frozen=True)
class Tasks:
    """One way the open tasks of a process may look while the object is in a state.

    The engine never reads tasks. They are for a process kept beside the workflow that hands
    the work out to people (an inbox, a queue, timers), so that which work is open in which
    state is declared with the state, in the definition, and not a second time in the
    process: the process is routed by it and checks itself against it.

    ``open`` are the tasks held open, ``besides`` those that may be open as well. A process
    that enters the state (started, or brought back in step) opens the first group that is
    an ``entry`` and whose ``when(obj)`` holds (no ``when``: always), through ``start`` (the
    process's step that opens them; by default the first of ``open``). A group that is not
    an entry is only reached through the process's own steps (a task done, a timer fired)."""

    open: tuple[str, ...]
    besides: tuple[str, ...] = ()
    entry: bool = True
    when: Callable[[Any], bool] | None = None
    start: str = ""

    def __post_init__(self):
        object.__setattr__(self, "open", _tuple(self.open))
        object.__setattr__(self, "besides", _tuple(self.besides))

    @property
    def entered_at(self) -> str:
        return self.start or next(iter(self.open), "")

    def agrees(self, names: set[str] | frozenset[str]) -> bool:
        """Are tasks with these names open as this group says: all of ``open``, and nothing
        but ``open`` and ``besides``?"""
        return set(self.open) <= names and names <= {*self.open, *self.besides}

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "open": list(self.open),
            "besides": list(self.besides),
            "entry": self.entry,
            "start": self.entered_at,
        }
        if self.when is not None:
            data["when"] = _name(self.when)
        return data


@dataclass(frozen=True)
class State:
    id: str
    title: str
    description: str = ""
    #: permission ("app.codename") → roles that hold it while the object is in this state
    permissions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: a final state needs no exit (avslutat, makulerat)
    final: bool = False
    #: the work a process holds open in this state (see :class:`Tasks`): ``()`` when there is
    #: none, ``None`` when the definition does not say (a workflow without such a process)
    tasks: tuple[Tasks, ...] | None = None
    #: permission → role → ``check(obj)``: the role holds that permission here only on an
    #: object where the check holds (the delegat reads a secret ärende only where they may
    #: decide it). Asked by ``user.has_perm(perm, obj)``; a worklist, which selects by role
    #: in the database, does not ask it
    only_where: Mapping[str, Mapping[str, Callable[[Any], bool]]] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        perms = {perm: frozenset(_tuple(roles)) for perm, roles in self.permissions.items()}
        object.__setattr__(self, "permissions", perms)
        if self.tasks is not None:
            object.__setattr__(self, "tasks", tuple(self.tasks))
        only = {perm: dict(checks) for perm, checks in self.only_where.items()}
        object.__setattr__(self, "only_where", only)

    def roles_for(self, permission: str) -> frozenset[str]:
        return self.permissions.get(permission, frozenset())

    def grants(self, permission: str, roles: frozenset[str], obj) -> bool:
        """Does one of ``roles`` hold ``permission`` on ``obj`` in this state?"""
        held = self.roles_for(permission) & roles
        checks = self.only_where.get(permission, {})
        return any(role not in checks or checks[role](obj) for role in held)

    def task_names(self) -> frozenset[str]:
        """Every task that may be open in this state."""
        return frozenset(
            name for group in self.tasks or () for name in (*group.open, *group.besides)
        )

    def as_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "final": self.final,
            "permissions": {p: sorted(r) for p, r in sorted(self.permissions.items())},
        }
        if self.only_where:
            data["only_where"] = {
                p: {role: _name(check) for role, check in sorted(checks.items())}
                for p, checks in sorted(self.only_where.items())
            }
        if self.tasks is not None:
            data["tasks"] = [group.as_dict() for group in self.tasks]
        return data


#: A hook receives the :class:`workflow.engine.TransitionEvent` of the running transition.
Hook = Callable[[Any], None]


@dataclass(frozen=True)
class Requirement:
    """A record the step needs, read when the step is taken: the guard says who may take a
    transition (and so which buttons a user sees); a requirement says what must exist for the
    new state to be true (a handläggare for *tilldelat*, a beslut for *beslutat*). The engine
    refuses the step while ``check(obj)`` is false, whoever asks, and says ``missing``."""

    check: Callable[[Any], bool]
    #: what is missing, for the user (Swedish), e.g. "ärendet har ingen handläggare"
    missing: str
    #: says from the object, when the check refused, what is missing in this case (the
    #: counts, say); called only then; an empty answer falls back to ``missing``
    explain: Callable[[Any], str] | None = None

    def unmet(self, obj) -> str | None:
        """What is missing on ``obj``, or None when the check holds."""
        if self.check(obj):
            return None
        return str(self.explain and self.explain(obj) or self.missing)

    def as_dict(self) -> dict[str, Any]:
        data = {"check": _name(self.check), "missing": str(self.missing)}
        if self.explain is not None:
            data["explain"] = _name(self.explain)
        return data


class NewRecord:
    """A check: the object holds a record that no step ``transitions`` in its history accounts
    for yet. Such a step says that something was made (a beslut, a signature, a marking): the
    service that makes it saves the record, then takes the step, so that the step taken
    directly, or a second time, finds nothing new and is refused, and no entry is written
    with nothing behind it.

    ``records(obj)`` gives the records: a queryset, or how many. With ``actor_field`` (the
    records' field naming who made them, e.g. ``"user_id"``) it is a guard's condition
    ``(obj, user)``: the user's own records are counted against the steps they took, so that
    the entry is signed in the name of whose record it is."""

    def __init__(self, records: Callable[[Any], Any], *transitions: str, actor_field: str = ""):
        self.records = records
        self.transitions = tuple(str(t) for t in transitions)
        self.actor_field = actor_field
        self.__name__ = self.__qualname__ = f"new_record_for_{'_'.join(self.transitions)}"

    def taken(self, obj, user=None):
        """The steps ``transitions`` in the object's history (by ``user``, if given)."""
        from .models import WorkflowHistory

        taken = WorkflowHistory.objects.for_object(obj).filter(transition__in=self.transitions)
        return taken if user is None else taken.filter(actor_id=user.pk)

    def __call__(self, obj, user=None) -> bool:
        records = self.records(obj)
        if self.actor_field:
            records = records.filter(**{self.actor_field: getattr(user, "pk", None)})
        made = records if isinstance(records, int) else records.count()
        return made > self.taken(obj, user if self.actor_field else None).count()


@dataclass(frozen=True)
class Transition:
    id: str
    title: str
    sources: tuple[str, ...]
    #: the new state; ``None`` means stay in the current state (recorded all the same)
    target: str | None
    guard: Guard = field(default_factory=Guard)
    trigger: str = USER
    before: tuple[Hook, ...] = ()
    after: tuple[Hook, ...] = ()
    comment_required: bool = False
    description: str = ""
    #: what must exist when the step is taken (see :class:`Requirement`)
    requires: tuple[Requirement, ...] = ()
    #: the URL name of the page that collects the step's data (called with the object's pk);
    #: a step with a form is taken there, never from a bare button
    form: str = ""

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        if self.target is not None:
            object.__setattr__(self, "target", str(self.target))
        object.__setattr__(self, "sources", _tuple(self.sources))
        object.__setattr__(self, "before", tuple(self.before))
        object.__setattr__(self, "after", tuple(self.after))
        object.__setattr__(self, "requires", tuple(self.requires))

    def unmet(self, obj) -> str | None:
        """What the first unmet requirement says is missing, or None when all hold."""
        for requirement in self.requires:
            missing = requirement.unmet(obj)
            if missing:
                return missing
        return None

    @property
    def automatic(self) -> bool:
        return self.trigger == AUTOMATIC

    def target_from(self, source: str) -> str:
        return source if self.target is None else self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "sources": list(self.sources),
            "target": self.target,
            "trigger": self.trigger,
            "guard": self.guard.as_dict(),
            "comment_required": self.comment_required,
            "requires": [r.as_dict() for r in self.requires],
            "form": self.form,
            "before": [_name(h) for h in self.before],
            "after": [_name(h) for h in self.after],
        }


@dataclass(frozen=True)
class Worklist:
    """A named query: objects in ``states`` that a user holding one of ``roles`` may act on."""

    id: str
    title: str
    states: tuple[str, ...]
    roles: tuple[str, ...]
    description: str = ""

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "states", _tuple(self.states))
        object.__setattr__(self, "roles", _tuple(self.roles))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "states": list(self.states),
            "roles": list(self.roles),
        }


class Workflow:
    """A validated, immutable workflow definition with fast lookups."""

    def __init__(
        self,
        id: str,
        title: str,
        states: Sequence[State],
        transitions: Sequence[Transition],
        initial_state: str,
        roles: Sequence[str],
        worklists: Sequence[Worklist] = (),
        description: str = "",
    ):
        self.id = id
        self.title = title
        self.description = description
        self.initial_state = str(initial_state)
        self.roles = frozenset(roles) | BUILTIN_ROLES
        self.state_list = tuple(states)
        self.transition_list = tuple(transitions)
        self.worklist_list = tuple(worklists)
        self.states = {s.id: s for s in self.state_list}
        self.transitions = {t.id: t for t in self.transition_list}
        self.worklists = {w.id: w for w in self.worklist_list}
        self._user_exits: dict[str, tuple[Transition, ...]] = {}
        self._automatic_exits: dict[str, tuple[Transition, ...]] = {}
        for state in self.state_list:
            exits = [t for t in self.transition_list if state.id in t.sources]
            self._user_exits[state.id] = tuple(t for t in exits if t.trigger == USER)
            self._automatic_exits[state.id] = tuple(t for t in exits if t.automatic)
        self.managed_permissions = frozenset(
            perm for state in self.state_list for perm in state.permissions
        )
        problems = self.problems()
        if problems:
            raise DefinitionError(id, problems)

    def __repr__(self) -> str:
        return f"<Workflow {self.id}>"

    def state(self, state_id: str) -> State:
        return self.states[state_id]

    def user_transitions_from(self, state_id: str) -> tuple[Transition, ...]:
        return self._user_exits.get(state_id, ())

    def automatic_transitions_from(self, state_id: str) -> tuple[Transition, ...]:
        return self._automatic_exits.get(state_id, ())

    def roles_allowed(self, transition: Transition, state_id: str) -> frozenset[str]:
        """The roles that pass ``transition``'s guard while the object is in ``state_id``,
        as far as the definition tells: its roles, and for a permission this workflow
        manages, the roles the state gives it (a permission it does not manage, and the
        guard's condition, need the user and the object, and narrow nothing here)."""
        guard = transition.guard
        roles = set(self.roles)
        if guard.roles:
            roles &= set(guard.roles)
        managed = [p for p in guard.permissions if p in self.managed_permissions]
        if managed and len(managed) == len(guard.permissions):
            state = self.states[state_id]
            roles &= set().union(*(state.roles_for(p) for p in managed))
        return frozenset(roles)

    # -- validation -------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every inconsistency in the definition, as Swedish sentences naming the culprit."""
        problems: list[str] = []
        for kind, items in (
            (_("tillstånd"), self.state_list),
            (_("övergång"), self.transition_list),
            (_("arbetslista"), self.worklist_list),
        ):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    problems.append(
                        _("%(kind)s %(id)s är deklarerad två gånger")
                        % {"kind": kind, "id": item.id}
                    )
                seen.add(item.id)

        if self.initial_state not in self.states:
            problems.append(
                _("starttillståndet %(id)s finns inte bland tillstånden")
                % {"id": self.initial_state}
            )

        def check_roles(roles, where):
            for role in roles:
                if role not in self.roles:
                    problems.append(
                        _("okänd roll %(role)s i %(where)s") % {"role": role, "where": where}
                    )

        for state in self.state_list:
            for perm, roles in state.permissions.items():
                if perm.count(".") != 1:
                    problems.append(
                        _("behörigheten %(perm)s i tillståndet %(state)s ska skrivas app.kodnamn")
                        % {"perm": perm, "state": state.id}
                    )
                check_roles(sorted(roles), _("tillståndet %(id)s") % {"id": state.id})
            for perm, checks in state.only_where.items():
                for role in sorted(set(checks) - state.roles_for(perm)):
                    problems.append(
                        _(
                            "villkoret för rollen %(role)s på %(perm)s i tillståndet %(state)s "
                            "gäller en behörighet rollen inte har där"
                        )
                        % {"role": role, "perm": perm, "state": state.id}
                    )

        for state in self.state_list:
            for group in state.tasks or ():
                if not group.open:
                    problems.append(
                        _("tillståndet %(id)s har en grupp uppgifter utan någon öppen uppgift")
                        % {"id": state.id}
                    )

        for t in self.transition_list:
            where = _("övergången %(id)s") % {"id": t.id}
            if not t.sources:
                problems.append(_("%(where)s har inget källtillstånd") % {"where": where})
            for source in t.sources:
                if source not in self.states:
                    problems.append(
                        _("%(where)s utgår från okänt tillstånd %(state)s")
                        % {"where": where, "state": source}
                    )
            if t.target is not None and t.target not in self.states:
                problems.append(
                    _("%(where)s leder till okänt tillstånd %(state)s")
                    % {"where": where, "state": t.target}
                )
            if t.trigger not in (USER, AUTOMATIC, METHOD):
                problems.append(
                    _("%(where)s har okänd utlösare %(trigger)s")
                    % {"where": where, "trigger": t.trigger}
                )
            check_roles(t.guard.roles, where)

        for w in self.worklist_list:
            where = _("arbetslistan %(id)s") % {"id": w.id}
            for state in w.states:
                if state not in self.states:
                    problems.append(
                        _("%(where)s nämner okänt tillstånd %(state)s")
                        % {"where": where, "state": state}
                    )
            check_roles(w.roles, where)

        if self.initial_state in self.states:
            reachable = {self.initial_state}
            frontier = [self.initial_state]
            while frontier:
                current = frontier.pop()
                for t in self.transition_list:
                    if current in t.sources:
                        nxt = t.target_from(current)
                        if nxt in self.states and nxt not in reachable:
                            reachable.add(nxt)
                            frontier.append(nxt)
            for state in self.state_list:
                if state.id not in reachable:
                    problems.append(
                        _("tillståndet %(id)s kan inte nås från starttillståndet")
                        % {"id": state.id}
                    )

        for state in self.state_list:
            leaves = any(
                state.id in t.sources and t.target_from(state.id) != state.id
                for t in self.transition_list
            )
            if not state.final and not leaves:
                problems.append(
                    _("tillståndet %(id)s är inte slutligt men saknar utgående övergångar")
                    % {"id": state.id}
                )
        return problems

    # -- export -----------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "initial_state": self.initial_state,
            "roles": sorted(self.roles),
            "states": [s.as_dict() for s in self.state_list],
            "transitions": [t.as_dict() for t in self.transition_list],
            "worklists": [w.as_dict() for w in self.worklist_list],
        }
