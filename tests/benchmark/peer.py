"""The peer: the same eight-step lifecycle on Plone's DCWorkflow (Products.DCWorkflow on
Products.CMFCore), stored in ZODB FileStorage, one committed ZODB transaction per transition.

Runs as a script in an interpreter that has the optional ``peer`` extra
(``pip install -e ".[peer]"``), never inside Django: it imports nothing from the project.
``python tests/benchmark/peer.py '{"n": 300}' out.json`` writes its figures as JSON.

What it models, as the engine benchmark does (tests/benchmark/transitions.py):

- the states registrerat → … → avslutat and the eight transitions of the main path, each with
  a role guard (the stabschef and the sekreterare hold their roles on the organ's folder, the
  handläggare a local role on the ärende, as ``tilldela`` gives it);
- a permission map: each state sets who may View and Access contents information on the
  ärende, written onto the object by ``updateRoleMappingsFor`` at every transition;
- history variables: action, actor, comments and time, kept in the workflow history on the
  object (DCWorkflow's own ``workflow_history``);
- ``bevaka`` is automatic after ``expediera``, as in the application.

Eight writers: eight threads, each with its own connection to one ``DB`` on one FileStorage
and its own ärenden; ZODB serialises the commits; a ConflictError is retried.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

STATES = [
    "registrerat",
    "tilldelat",
    "under_beredning",
    "beredd",
    "anmalt",
    "beslutat",
    "expedierat",
    "bevakas",
    "avslutat",
]
#: transition, role that guards it, target state (as tests/benchmark/cast.MAIN_PATH)
MAIN_PATH = [
    ("tilldela", "Stabschef", "tilldelat"),
    ("paborja_beredning", "Handlaggare", "under_beredning"),
    ("markera_beredd", "Handlaggare", "beredd"),
    ("anmal", "Namndsekreterare", "anmalt"),
    ("besluta", "Namndsekreterare", "beslutat"),
    ("expediera", "Namndsekreterare", "expedierat"),
    ("bevaka", None, "bevakas"),  # automatic, inside expediera
    ("avsluta", "Stabschef", "avslutat"),
]
ACTORS = {
    "Stabschef": "stabschef",
    "Handlaggare": "handlaggare",
    "Namndsekreterare": "sekreterare",
}
VIEW = "View"
ACCESS = "Access contents information"


def available() -> bool:
    try:
        import Products.CMFCore  # noqa: F401
        import Products.DCWorkflow  # noqa: F401
        import ZODB  # noqa: F401
    except ImportError:
        return False
    return True


_CLASSES: tuple = ()


def _classes() -> tuple:
    """The root and the ärende as persistent classes; made once, at module level, so that
    ZODB can pickle them by name."""
    global _CLASSES
    if _CLASSES:
        return _CLASSES
    from OFS.Folder import Folder
    from OFS.SimpleItem import SimpleItem

    class Rot(Folder):
        """The top of the tree (the part of Zope's Application that expressions need)."""

        def getPhysicalRoot(self):
            return self

    class PeerArende(SimpleItem):
        meta_type = "PeerArende"

        def __init__(self, id):
            self.id = id

    for cls in (Rot, PeerArende):
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    globals().update(Rot=Rot, PeerArende=PeerArende)
    _CLASSES = (Rot, PeerArende)
    return _CLASSES


def _setup():
    """Register what ZCML would (the workflow-status adapter) and build the definition."""
    from OFS.Folder import Folder
    from Products.CMFCore.interfaces import IWorkflowStatus
    from Products.CMFCore.WorkflowTool import DefaultWorkflowStatus, WorkflowTool
    from Products.DCWorkflow.DCWorkflow import DCWorkflowDefinition
    from Products.DCWorkflow.Expression import Expression
    from Products.DCWorkflow.Guard import Guard
    from Products.DCWorkflow.Transitions import TRIGGER_AUTOMATIC, TRIGGER_USER_ACTION
    from zope.component import provideAdapter
    from zope.interface import Interface
    from zope.traversing.adapters import DefaultTraversable
    from zope.traversing.interfaces import ITraversable

    provideAdapter(DefaultWorkflowStatus, (Interface, Interface), IWorkflowStatus)
    provideAdapter(DefaultTraversable, (Interface,), ITraversable)

    wf = DCWorkflowDefinition("arende_workflow")
    wf.permissions = (VIEW, ACCESS)
    for state in STATES:
        wf.states.addState(state)
    wf.initial_state = "registrerat"
    wf.state_var = "review_state"
    for name, expr, for_status in (
        ("action", "transition/getId|nothing", 1),
        ("actor", "user/getUserName", 1),
        ("comments", "python:state_change.kwargs.get('comment', '')", 1),
        ("time", "state_change/getDateTime", 1),
    ):
        wf.variables.addVariable(name)
        var = wf.variables[name]
        var.setProperties(
            description=name, default_expr=expr, for_status=for_status, update_always=1
        )
    # who may see the ärende in each state (the permission map)
    everyone = ("Manager", "Registrator", "Revisor", "Stabschef", "Namndsekreterare")
    for state in STATES:
        sdef = wf.states[state]
        seeing = everyone if state in ("registrerat", "avslutat") else (*everyone, "Handlaggare")
        sdef.permission_roles = {VIEW: seeing, ACCESS: seeing}
    source = "registrerat"
    for name, role, target in MAIN_PATH:
        wf.transitions.addTransition(name)
        tdef = wf.transitions[name]
        tdef.new_state_id = target
        tdef.trigger_type = TRIGGER_AUTOMATIC if role is None else TRIGGER_USER_ACTION
        if role is not None:
            guard = Guard()
            guard.roles = (role,)
            tdef.guard = guard
        wf.states[source].transitions = (name,)
        source = target
    # an expression object per variable is built once; keep them from being re-parsed
    assert all(isinstance(v.default_expr, Expression) for v in wf.variables.values())

    def build(conn):
        import transaction

        root = conn.root()
        rot = _classes()[0]()
        rot.id = "rot"
        root["rot"] = rot
        rot._setObject("portal_workflow", WorkflowTool())
        tool = rot.portal_workflow
        tool._setObject(wf.getId(), wf)
        rot._setObject("HSN", Folder("HSN"))
        organ = rot.HSN
        organ.manage_setLocalRoles("stabschef", ["Stabschef"])
        organ.manage_setLocalRoles("sekreterare", ["Namndsekreterare"])
        transaction.commit()

    return build, _classes()[1]


def _users():
    from AccessControl.users import SimpleUser

    return {
        name: SimpleUser(name, "", ["Authenticated"], [])
        for name in ("registrator", "stabschef", "handlaggare", "sekreterare")
    }


def _register(conn, PeerArende, users, ids) -> None:
    import transaction
    from AccessControl.SecurityManagement import newSecurityManager

    organ = conn.root()["rot"].HSN
    wf = conn.root()["rot"].portal_workflow.arende_workflow
    newSecurityManager(None, users["registrator"])
    for key in ids:
        organ._setObject(key, PeerArende(key))
        ob = organ[key]
        ob.manage_setLocalRoles("handlaggare", ["Handlaggare"])  # as tilldela gives it
        wf.notifyCreated(ob)
    transaction.commit()


def _advance(conn, users, ids, times: list[float]) -> int:
    """Each ärende through the main path, one committed transaction per transition."""
    from AccessControl.SecurityManagement import newSecurityManager
    from ZODB.POSException import ConflictError

    done = 0
    tm = conn.transaction_manager
    for key in ids:
        for name, role, _target in MAIN_PATH:
            if role is None:
                continue  # taken by the workflow itself inside the step before
            user = users[ACTORS[role]]
            start = time.perf_counter()
            for _attempt in range(20):
                try:
                    tm.begin()
                    conn.sync()
                    newSecurityManager(None, user)
                    ob = conn.root()["rot"].HSN[key]
                    wf = conn.root()["rot"].portal_workflow.arende_workflow
                    wf.doActionFor(ob, name, comment=f"{name} i mätningen")
                    tm.commit()
                    break
                except ConflictError:
                    tm.abort()
            else:
                raise RuntimeError(f"{key}: {name} gav konflikt 20 gånger")
            times.append(time.perf_counter() - start)
            done += 1
    return done


def _check(conn, ids) -> bool:
    organ = conn.root()["rot"].HSN
    for key in ids:
        history = organ[key].workflow_history["arende_workflow"]
        if history[-1]["review_state"] != "avslutat" or len(history) != len(MAIN_PATH) + 1:
            return False
        if history[1]["actor"] != "stabschef":
            return False
    return True


def run(n: int, writers: int = 8) -> dict:
    import ZODB
    from ZODB.FileStorage import FileStorage

    build, PeerArende = _setup()
    users = _users()
    tmp = Path(tempfile.mkdtemp(prefix="arenden-peer-"))
    results: dict = {"arenden": n, "storage": "ZODB FileStorage"}
    try:
        db = ZODB.DB(FileStorage(str(tmp / "Data.fs")), pool_size=writers + 2)
        conn = db.open()
        build(conn)
        ids = [f"HSN-{k:05d}" for k in range(n)]
        _register(conn, PeerArende, users, ids)
        times: list[float] = []
        start = time.perf_counter()
        done = _advance(conn, users, ids, times)
        total = time.perf_counter() - start
        times.sort()
        results["one_process"] = {
            "transitions": done,
            "seconds": total,
            "transitions_per_s": done / total,
            "us_per_transition": 1e6 * total / done,
            "p95_us": 1e6 * times[int(0.95 * (len(times) - 1))],
            "all_finished": _check(conn, ids),
        }
        conn.close()

        per_writer = max(1, n // writers)
        chunks = [[f"W{w}-{k:05d}" for k in range(per_writer)] for w in range(writers)]
        setup = db.open()
        _register(setup, PeerArende, users, [key for chunk in chunks for key in chunk])
        setup.close()
        counts = [0] * writers
        errors: list[str] = []

        def writer(w: int) -> None:
            c = db.open()  # transaction.manager is per thread, so is this connection's
            try:
                counts[w] = _advance(c, users, chunks[w], [])
            except Exception as err:  # reported, not swallowed
                errors.append(f"{type(err).__name__}: {err}")
            finally:
                c.close()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        check = db.open()
        finished = _check(check, [key for chunk in chunks for key in chunk])
        check.close()
        results["writers"] = {
            "writers": writers,
            "transitions": sum(counts),
            "seconds": wall,
            "transitions_per_s": sum(counts) / wall,
            "all_finished": finished and not errors,
            "errors": errors,
        }
        db.close()
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return results


if __name__ == "__main__":
    if not available():
        sys.exit(3)
    args = json.loads(sys.argv[1])
    figures = run(args.get("n", 300), args.get("writers", 8))
    Path(sys.argv[2]).write_text(json.dumps(figures), encoding="utf-8")
