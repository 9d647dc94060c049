"""Transition cost: ärenden through the eight user transitions of the main path, each
transition in its own committed transaction, three ways:

- ``engine``: ``workflow.engine.do_transition`` with real users holding real (local) roles:
  guard, row lock, stale check, django-fsm-2, simple-history, workflow history with its hash
  chain, signals and the lifecycle's own hooks; without the ärende's viewflow process.
- ``engine_with_process``: the same as the application runs it, with each transition also
  keeping the ärende's viewflow process (its tasks) in step.
- ``bare``: the libraries alone: the django-fsm-2 transition method and a save that
  simple-history records; nothing else.
- ``floor``: the writes the engine makes (UPDATE of the ärende, INSERT of its field history,
  INSERT of the workflow history entry) as three raw SQL statements.

Each user is asked afresh for every transition (its cached roles are dropped, as in a new
request). The variants take turns in rounds so that drift in the machine hits them alike.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import replace
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from arenden.models import Arende
from arenden.organisation import roles
from flows import synk
from flows.namn import ArendeStatus
from tests.benchmark.cast import BY_HAND, MAIN_PATH, Cast, before_step
from tests.benchmark.common import counting_queries, percentile, say
from workflow import fieldhistory, hashing, registry
from workflow import roles as workflow_roles
from workflow.definitions import Workflow
from workflow.engine import do_transition
from workflow.history import verify
from workflow.models import WorkflowHistory

VARIANTS = ("engine", "engine_with_process", "engine_without_hooks", "bare", "floor")
ROUNDS = 4
#: ärenden per variant whose statements are counted (apart from the timed ones)
COUNTED = 3


class Meter:
    """Times each transition (and counts its statements when ``counting``)."""

    def __init__(self, counting: bool = False):
        self.times: list[float] = []
        self.queries = 0
        self.counting = counting

    @contextmanager
    def __call__(self):
        if self.counting:
            with counting_queries() as counter:
                yield
            self.queries += counter.count
        else:
            start = time.perf_counter()
            yield
            self.times.append(time.perf_counter() - start)


def _engine_with_process(cast: Cast, pk: int, meter: Meter) -> None:
    """The engine as the application runs it: each transition also keeps the ärende's
    viewflow process in step (flows/synk.py)."""
    obj = Arende.objects.get(pk=pk)
    for transition, who, _target in BY_HAND:  # the automatic steps go with the one before
        user = cast.actor(who)
        workflow_roles.forget(user)  # as in a new request: roles are looked up again
        before_step(transition, pk)
        with meter():
            do_transition(obj, transition, user)


def _engine(cast: Cast, pk: int, meter: Meter) -> None:
    """The engine alone: the process layer's receivers are not connected."""
    with synk.utan_process():
        _engine_with_process(cast, pk, meter)


def _without_hooks(wf: Workflow) -> Workflow:
    """The same lifecycle without the domain's hooks, guard conditions and requirements: what
    the engine itself costs, apart from the queries the lifecycle's own rules make."""
    return Workflow(
        id=wf.id,
        title=wf.title,
        states=wf.state_list,
        transitions=[
            replace(t, before=(), after=(), requires=(), guard=replace(t.guard, condition=None))
            for t in wf.transition_list
        ],
        initial_state=wf.initial_state,
        roles=wf.roles,
        worklists=wf.worklist_list,
        description=wf.description,
    )


def _engine_without_hooks(cast: Cast, pk: int, meter: Meter) -> None:
    real = registry.get_workflow("arende")
    registry.register(_without_hooks(real))
    try:
        _engine(cast, pk, meter)
    finally:
        registry.register(real)


def _bare(cast: Cast, pk: int, meter: Meter) -> None:
    obj = Arende.objects.get(pk=pk)
    for transition, who, target in MAIN_PATH:
        user = cast.actor(who)
        with meter(), transaction.atomic():
            obj._workflow_set_state(target)
            obj._change_reason = transition
            obj._history_user = user
            obj.save()


class _Floor:
    """The engine's writes as raw SQL, with everything that does not change precomputed."""

    def __init__(self, cast: Cast):
        self.cast = cast
        arende = Arende._meta
        historical = Arende.history.model._meta
        self.update_sql = (
            f"UPDATE {arende.db_table} SET {connection.ops.quote_name('state')} = %s "
            f"WHERE {connection.ops.quote_name('id')} = %s "
            f"AND {connection.ops.quote_name('state')} = %s"
        )
        self.hist_fields = [f for f in historical.concrete_fields if f.name != "history_id"]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.hist_fields)
        marks = ", ".join(["%s"] * len(self.hist_fields))
        self.hist_sql = f"INSERT INTO {historical.db_table} ({columns}) VALUES ({marks})"
        wf_fields = [f for f in WorkflowHistory._meta.concrete_fields if f.name != "id"]
        self.wf_columns = [f.column for f in wf_fields]
        columns = ", ".join(connection.ops.quote_name(c) for c in self.wf_columns)
        marks = ", ".join(["%s"] * len(wf_fields))
        self.wf_sql = f"INSERT INTO {WorkflowHistory._meta.db_table} ({columns}) VALUES ({marks})"
        self.ct = ContentType.objects.get_for_model(Arende)
        self.label = f"{self.ct.app_label}.{self.ct.model}"
        self.key_id, self.key = hashing.current_key()
        # what the engine records: the stabschef's and nämndsekreterare's roles come from the
        # organ, the handläggare's from the ärende
        self.roles = {
            who: sorted(workflow_roles.roles_in_context(cast.actor(who), cast.organ))
            for _t, who, _s in MAIN_PATH
        }
        handlaggare = workflow_roles.global_roles(cast.handlaggare) | {roles.HANDLAGGARE}
        self.roles["handlaggare"] = sorted(handlaggare)

    def __call__(self, pk: int, meter: Meter) -> None:
        obj = Arende.objects.get(pk=pk)
        seq, prev_hash = (
            WorkflowHistory.objects.filter(content_type=self.ct, object_id=pk)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        row = [
            field.get_db_prep_save(getattr(obj, field.attname), connection)
            if hasattr(obj, field.attname)
            else None
            for field in self.hist_fields
        ]
        slots = {f.attname: i for i, f in enumerate(self.hist_fields)}
        # the field history signed as the engine signs it (workflow.fieldhistory)
        signer = fieldhistory.signer_for(Arende.history.model)
        signed = {name: getattr(obj, name, None) for name in signer.attnames}
        mac = fieldhistory.tail(Arende.history.model, pk)
        state = obj.state
        for transition, who, target in MAIN_PATH:
            user = self.cast.actor(who)
            with meter():
                seq += 1
                now = timezone.now()
                digest = hashing.entry_hash(
                    model_label=self.label,
                    object_id=pk,
                    seq=seq,
                    workflow="arende",
                    transition=transition,
                    from_state=state,
                    to_state=target,
                    actor_id=user.pk,
                    actor_name=user.username,
                    roles=self.roles[who],
                    timestamp=now,
                    comment="",
                    prev_hash=prev_hash,
                )
                stamp = connection.ops.adapt_datetimefield_value(now)
                for name, value in (
                    ("state", target),
                    ("history_date", stamp),
                    ("history_change_reason", transition),
                    ("history_type", "~"),
                    ("history_user_id", user.pk),
                ):
                    row[slots[name]] = value
                    signed[name] = now if name == "history_date" else value
                row[slots["history_key_id"]] = self.key_id
                row[slots["history_prev_mac"]] = mac
                mac = signer.mac(self.key, self.key_id, list(signed.values()), mac)
                row[slots["history_mac"]] = mac
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(self.update_sql, [target, pk, state])
                    cursor.execute(self.hist_sql, row)
                    entry = {
                        "content_type_id": self.ct.pk,
                        "object_id": pk,
                        "seq": seq,
                        "workflow": "arende",
                        "transition": transition,
                        "from_state": state,
                        "to_state": target,
                        "actor_id": user.pk,
                        "actor_name": user.username,
                        "roles": json.dumps(self.roles[who], ensure_ascii=False),
                        "timestamp": stamp,
                        "comment": "",
                        "prev_hash": prev_hash,
                        "hash": digest,
                        # signed as the engine signs (the keyed chain)
                        "key_id": self.key_id,
                        "mac": hashing.entry_mac(self.key, self.key_id, digest),
                    }
                    cursor.execute(self.wf_sql, [entry[c] for c in self.wf_columns])
            state, prev_hash = target, digest


def _count_by_step(cast: Cast, pks) -> dict:
    """The engine's statements for each transition of the main path."""
    by_step = {transition: 0 for transition, _w, _t in BY_HAND}
    for pk in pks:
        obj = Arende.objects.get(pk=pk)
        for transition, who, _target in BY_HAND:
            user = cast.actor(who)
            workflow_roles.forget(user)
            before_step(transition, pk)
            with counting_queries() as counter, synk.utan_process():
                do_transition(obj, transition, user)
            by_step[transition] += counter.count
    return {t: c / len(pks) for t, c in by_step.items()}


def run(n: int) -> dict:
    """``n`` ärenden per variant; returns the figures for this database."""
    vendor = connection.vendor
    say(f"övergångar på {vendor}: förbereder {n} ärenden per variant")
    cast = Cast("BEN")
    runners = {
        "engine": partial(_engine, cast),
        "engine_with_process": partial(_engine_with_process, cast),
        "engine_without_hooks": partial(_engine_without_hooks, cast),
        "bare": partial(_bare, cast),
        "floor": _Floor(cast),
    }
    warm = 2
    ids = {v: cast.register(n + warm + COUNTED, text=f"Mätärende {v}") for v in VARIANTS}

    for variant in VARIANTS:  # warm-up: connection, content types, compiled SQL
        for pk in ids[variant][:warm]:
            runners[variant](pk, Meter())

    meters = {v: Meter() for v in VARIANTS}
    timed_ids = {v: ids[v][warm : warm + n] for v in VARIANTS}
    per_round = max(1, -(-n // ROUNDS))
    for start in range(0, n, per_round):
        for variant in VARIANTS:
            for pk in timed_ids[variant][start : start + per_round]:
                runners[variant](pk, meters[variant])
        say(f"övergångar på {vendor}: {min(start + per_round, n)}/{n} ärenden per variant")

    results: dict = {"vendor": vendor, "arenden_per_variant": n, "variants": {}}
    for variant in VARIANTS:
        counter = Meter(counting=True)
        counted = ids[variant][warm + n :]
        for pk in counted:
            runners[variant](pk, counter)
        times = meters[variant].times
        total = sum(times)
        # every variant makes the same state changes; the engine's automatic ones are timed
        # inside the step that sets them off, so the count is of transitions, not of calls
        transitions = n * len(MAIN_PATH)
        results["variants"][variant] = {
            "transitions": transitions,
            "seconds": total,
            "transitions_per_s": transitions / total,
            "us_per_transition": total / transitions * 1e6,
            "p50_us": percentile(times, 50) * 1e6,
            "p95_us": percentile(times, 95) * 1e6,
            "queries_per_transition": counter.queries / (len(counted) * len(MAIN_PATH)),
        }
    extra = cast.register(2, text="Mätärende räkning")
    results["engine_queries_by_transition"] = _count_by_step(cast, extra)
    us = {v: r["us_per_transition"] for v, r in results["variants"].items()}
    results["ratio_engine_bare"] = us["engine"] / us["bare"]
    results["ratio_engine_floor"] = us["engine"] / us["floor"]
    results["ratio_engine_without_hooks_bare"] = us["engine_without_hooks"] / us["bare"]
    results["ratio_engine_with_process_bare"] = us["engine_with_process"] / us["bare"]

    ct = ContentType.objects.get_for_model(Arende)
    chained = [
        *ids["engine"],
        *ids["engine_with_process"],
        *ids["engine_without_hooks"],
        *ids["floor"],
        *extra,
    ]
    report = verify(WorkflowHistory.objects.filter(content_type=ct, object_id__in=chained))
    results["chains_intact"] = report.intact
    results["chain_entries"] = report.entries
    finished = Arende.objects.filter(pk__in=chained, state=ArendeStatus.AVSLUTAT).count()
    results["all_finished"] = finished == len(chained)
    return results
