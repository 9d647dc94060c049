"""Concurrency on PostgreSQL, with processes (each its own connection), started together:

- ``distinct``: 8 processes each advancing its own ärenden along the main path; the
  throughput, and the ratio to one process doing the same work alone.
- ``contended``: 8 processes taking the same transition on the same ärende at the same
  moment, step by step along the main path: exactly one may succeed each time, the others
  must be told the ärende moved (``StaleState``), and the history must hold each step once,
  in order, with intact chains (``workflow.history.verify``).
- ``registration``: 16 registrars registering ärenden in one diarium series through
  ``arenden.diarium.services.registrera_arende``: the throughput, and that the numbers run 1…N
  with none doubled or skipped. Measured twice, as the transitions are: the registration
  in the diarium (number, ärende, field history, workflow history) apart from the ärende's
  viewflow process, and as the application runs it, with the process started in the same
  transaction (``registration_with_process``).
"""

from __future__ import annotations

import multiprocessing
import time
import traceback

from django.contrib.contenttypes.models import ContentType
from django.db import connections

from arenden.diarium.services import registrera_arende
from arenden.models import Arende
from flows import synk
from flows.models import ArendeProcess
from flows.namn import ArendeStatus
from tests.benchmark.cast import BY_HAND, MAIN_PATH, REGISTRERAT, Cast, before_step
from tests.benchmark.common import say
from workflow import roles as workflow_roles
from workflow.engine import StaleState, TransitionNotAllowed, do_transition
from workflow.history import verify
from workflow.models import WorkflowHistory

_ctx = multiprocessing.get_context("fork")


def _spawn(target, jobs: list[tuple]) -> list:
    """Run ``target(queue, barrier, *job)`` in one process per job, all released together;
    returns what each put on the queue."""
    connections.close_all()  # children must open their own connections
    queue = _ctx.Queue()
    barrier = _ctx.Barrier(len(jobs))
    procs = [_ctx.Process(target=_child, args=(target, queue, barrier, job)) for job in jobs]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    failed = [r for r in results if "error" in r]
    if failed:
        raise RuntimeError(f"en process misslyckades:\n{failed[0]['error']}")
    return results


def _child(target, queue, barrier, job):
    try:
        connections.close_all()
        queue.put(target(barrier, *job))
    except Exception:  # report to the parent instead of hanging it
        queue.put({"error": traceback.format_exc()})
    finally:
        connections.close_all()


def _advance(barrier, cast: Cast, pks: list[int]) -> dict:
    objects = list(Arende.objects.filter(pk__in=pks).order_by("pk"))
    barrier.wait(timeout=120)
    start = time.time()
    for obj in objects:
        for transition, who, _target in BY_HAND:
            user = cast.actor(who)
            workflow_roles.forget(user)
            before_step(transition, obj.pk)
            do_transition(obj, transition, user)
    return {"start": start, "end": time.time(), "transitions": len(objects) * len(MAIN_PATH)}


def _advance_engine(barrier, cast: Cast, pks: list[int]) -> dict:
    """As ``_advance``, the engine alone (the process layer's receivers not connected), which
    is what the DCWorkflow peer (tests/benchmark/peer.py) is compared with."""
    with synk.utan_process():
        return _advance(barrier, cast, pks)


def _fight(barrier, cast: Cast, pks: list[int]) -> dict:
    outcomes = []
    for pk in pks:
        for step, (transition, who, _target) in enumerate(BY_HAND):
            obj = Arende.objects.get(pk=pk)  # everyone has read the ärende before anyone moves
            user = cast.actor(who)
            workflow_roles.forget(user)
            before_step(transition, pk)
            barrier.wait(timeout=120)
            try:
                do_transition(obj, transition, user)
                outcome = "ok"
            except StaleState:
                outcome = "stale"
            except TransitionNotAllowed:
                outcome = "refused"
            outcomes.append((pk, step, outcome))
    return {"outcomes": outcomes}


def _register(barrier, cast: Cast, count: int, process: bool = True) -> dict:
    if not process:
        with synk.utan_process():
            return _register(barrier, cast, count)
    barrier.wait(timeout=120)
    start = time.time()
    numbers = [
        registrera_arende(
            organ=cast.organ,
            arendemening=f"Samtidig registrering {i}",
            typ=Arende.Typ.SKRIVELSE,
            user=cast.registrator,
            registrerat=REGISTRERAT,
        ).lopnummer
        for i in range(count)
    ]
    return {"start": start, "end": time.time(), "numbers": numbers}


def _throughput(results, key) -> tuple[float, float]:
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return sum(key(r) for r in results) / wall, wall


def run(per_process: int = 25, contended: int = 10, per_registrar: int = 40) -> dict:
    results: dict = {}
    cast = Cast("SAM")

    say(f"samtidighet: 1 process, sedan 8 processer med {per_process} egna ärenden var")
    alone_ids = cast.register(per_process)
    [alone] = _spawn(_advance, [(cast, alone_ids)])
    alone_tps, _ = _throughput([alone], lambda r: r["transitions"])
    ids = cast.register(8 * per_process)
    chunks = [ids[k::8] for k in range(8)]
    runs = _spawn(_advance, [(cast, chunk) for chunk in chunks])
    tps, wall = _throughput(runs, lambda r: r["transitions"])
    done = Arende.objects.filter(pk__in=ids, state=ArendeStatus.AVSLUTAT).count()
    results["distinct"] = {
        "processes": 8,
        "transitions": sum(r["transitions"] for r in runs),
        "seconds": wall,
        "transitions_per_s": tps,
        "one_process_transitions_per_s": alone_tps,
        "speedup": tps / alone_tps,
        "all_finished": done == len(ids),
    }

    say(f"samtidighet: 8 processer med {per_process} egna ärenden var, motorn utan processen")
    ids = cast.register(8 * per_process)
    runs = _spawn(_advance_engine, [(cast, ids[k::8]) for k in range(8)])
    tps, wall = _throughput(runs, lambda r: r["transitions"])
    done = Arende.objects.filter(pk__in=ids, state=ArendeStatus.AVSLUTAT).count()
    results["distinct_engine"] = {
        "processes": 8,
        "transitions": sum(r["transitions"] for r in runs),
        "seconds": wall,
        "transitions_per_s": tps,
        "all_finished": done == len(ids),
    }

    say(f"samtidighet: 8 processer tävlar om samma ärende, {contended} ärenden × 8 steg")
    fight_ids = cast.register(contended)
    runs = _spawn(_fight, [(cast, fight_ids)] * 8)
    tally: dict[tuple[int, int], list[str]] = {}
    for r in runs:
        for pk, step, outcome in r["outcomes"]:
            tally.setdefault((pk, step), []).append(outcome)
    exactly_one = all(outcomes.count("ok") == 1 for outcomes in tally.values())
    others_stale = all(outcomes.count("stale") == len(outcomes) - 1 for outcomes in tally.values())
    ct = ContentType.objects.get_for_model(Arende)
    entries = WorkflowHistory.objects.filter(content_type=ct, object_id__in=fight_ids)
    expected = [""] + [t for t, _w, _s in MAIN_PATH]
    recorded = {}
    for pk, transition in entries.order_by("object_id", "seq").values_list(
        "object_id", "transition"
    ):
        recorded.setdefault(pk, []).append(transition)
    report = verify(entries)
    results["contended"] = {
        "processes": 8,
        "arenden": contended,
        "steps": len(tally),
        "exactly_one_success_per_step": exactly_one,
        "others_told_stale": others_stale,
        "history_exact": all(recorded.get(pk) == expected for pk in fight_ids),
        "chains_intact": report.intact,
        "entries": report.entries,
    }

    for key, prefix, process in (
        ("registration", "REG", False),
        ("registration_with_process", "REP", True),
    ):
        say(
            f"samtidighet: 16 registratorer, {per_registrar} ärenden var i samma serie"
            + (", med ärendets process" if process else "")
        )
        reg = Cast(prefix)
        runs = _spawn(_register, [(reg, per_registrar, process)] * 16)
        per_s, wall = _throughput(runs, lambda r: len(r["numbers"]))
        numbers = sorted(n for r in runs for n in r["numbers"])
        series = Arende.objects.filter(serie=reg.organ.diarieprefix)
        stored = sorted(series.values_list("lopnummer", flat=True))
        results[key] = {
            "processes": 16,
            "registered": len(numbers),
            "seconds": wall,
            "per_s": per_s,
            "no_duplicate_or_gap": numbers == list(range(1, len(numbers) + 1))
            and stored == numbers,
            "with_process": process,
            "processes_started": ArendeProcess.objects.filter(arende__in=series).count(),
        }
    return results
