"""Verification of the workflow history's hash chains (the revisor's proof)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.module_loading import import_string

from . import fieldhistory, hashing, logs
from .models import WorkflowHistory

FIELDS = (
    "id",
    "content_type_id",
    "object_id",
    "seq",
    "workflow",
    "transition",
    "from_state",
    "to_state",
    "actor_id",
    "actor_name",
    "roles",
    "timestamp",
    "comment",
    "prev_hash",
    "hash",
    "key_id",
    "mac",
)


@dataclass(frozen=True)
class BrokenLink:
    model_label: str
    object_id: int
    seq: int
    entry_id: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.model_label} {self.object_id}: post {self.seq} (id {self.entry_id})"
        return f"{where}: {self.reason}"


@dataclass
class VerificationReport:
    entries: int
    objects: int
    broken: list[BrokenLink]
    #: the checkpoint the whole-history check compared with (workflow.checkpoint), if any
    checkpoint: object = None
    #: field-history rows checked (workflow.fieldhistory), by the whole-history check
    field_rows: int = 0
    #: rows of the signed logs checked (workflow.logs), by the whole-history check
    log_rows: int = 0
    #: rows that hold now with what their history does not have, or without a history, or
    #: gone without one (workflow.fieldhistory.compare_live), by the whole-history check: the
    #: history itself may be intact while the record people act on was changed beside it
    live: list = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.broken


_REASONS = {
    "seq": lambda seq, expected: (
        f"löpnummer {seq} där {expected} väntades (en post saknas eller har flyttats)"
    ),
    "link": lambda seq, expected: "länken till föregående post stämmer inte",
    "content": lambda seq, expected: "innehållet har ändrats efter att posten skrevs",
    "key": lambda seq, expected: (
        "posten är inte signerad med någon känd historiknyckel (skriven utanför systemet)"
    ),
    "mac": lambda seq, expected: (
        "signaturen stämmer inte: posten är skriven eller omräknad utan historiknyckeln"
    ),
}


def mac_problem(key_id: str, digest: str, mac: str, keys: dict[str, bytes]) -> str | None:
    """Which of the key's reasons an entry fails, if any."""
    key = keys.get(key_id)
    if key is None:
        return "key"
    if not hmac.compare_digest(hashing.entry_mac(key, key_id, digest), mac):
        return "mac"
    return None


def _labels() -> dict[int, str]:
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def verify_rows(rows: Iterable[tuple], labels: dict[int, str]) -> VerificationReport:
    """Check rows (``FIELDS`` order, sorted by object and seq); first broken link per object."""
    entries = objects = 0
    broken: list[BrokenLink] = []
    keys = hashing.keys()
    current = None
    expected_seq = 1
    prev_hash = ""
    failed = False
    for row in rows:
        (
            entry_id,
            ct_id,
            object_id,
            seq,
            workflow,
            transition,
            from_state,
            to_state,
            actor_id,
            actor_name,
            roles,
            timestamp,
            comment,
            stored_prev,
            stored_hash,
            key_id,
            mac,
        ) = row
        entries += 1
        key = (ct_id, object_id)
        if key != current:
            current, expected_seq, prev_hash, failed = key, 1, "", False
            objects += 1
        if failed:
            continue
        label = labels.get(ct_id, str(ct_id))
        reason = None
        if seq != expected_seq:
            reason = _REASONS["seq"](seq, expected_seq)
        elif stored_prev != prev_hash:
            reason = _REASONS["link"](seq, expected_seq)
        else:
            computed = hashing.entry_hash(
                model_label=label,
                object_id=object_id,
                seq=seq,
                workflow=workflow,
                transition=transition,
                from_state=from_state,
                to_state=to_state,
                actor_id=actor_id,
                actor_name=actor_name,
                roles=roles,
                timestamp=timestamp,
                comment=comment,
                prev_hash=prev_hash,
            )
            if computed != stored_hash:
                reason = _REASONS["content"](seq, expected_seq)
            else:
                problem = mac_problem(key_id, stored_hash, mac, keys)
                if problem:
                    reason = _REASONS[problem](seq, expected_seq)
        if reason:
            broken.append(BrokenLink(label, object_id, seq, entry_id, reason))
            failed = True
            continue
        expected_seq = seq + 1
        prev_hash = stored_hash
    return VerificationReport(entries=entries, objects=objects, broken=broken)


def iter_rows(queryset=None, chunk_size: int = 5000) -> Iterator[tuple]:
    qs = WorkflowHistory.objects.all() if queryset is None else queryset
    return (
        qs.order_by("content_type_id", "object_id", "seq")
        .values_list(*FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def verify(queryset=None) -> VerificationReport:
    """Recompute every chain (or those in ``queryset``) and report the first break of each.

    Over the whole history it also compares each governed object's state with the last
    entry of its chain, so that a removed newest entry or a removed chain is reported too,
    checks every field-history row's signature and link (workflow.fieldhistory) and every
    signed log row's (workflow.logs), and compares the database with the newest signed
    checkpoint outside it (workflow.checkpoint).
    On PostgreSQL the whole history is checked inside the database (:func:`verify_in_database`);
    everywhere else, and for a part of the history, row by row here (:func:`verify_rows`).
    """
    connection = connections[router.db_for_read(WorkflowHistory)]
    if queryset is None and connection.vendor == "postgresql":
        report = verify_in_database(connection)
    else:
        report = verify_rows(iter_rows(queryset), _labels())
    if queryset is None:
        report.broken.extend(_tail_mismatches())
        report.broken.extend(_checkpoint_findings(report))
    return report


def _checkpoint_findings(report: VerificationReport) -> list[BrokenLink]:
    """What disagrees with the newest checkpoint outside the database (workflow.checkpoint),
    and the field history's broken rows (each table read once, for both)."""
    from . import checkpoint

    newest = checkpoint.latest()
    report.checkpoint = newest
    found = []
    if newest is not None:
        found = [
            BrokenLink(f.model_label, f.object_id, f.seq, f.entry_id, f.reason)
            for f in checkpoint.compare(newest)
        ]
    report.field_rows, rows = fieldhistory.verify(newest, checkpoint.MARGIN)
    report.log_rows, log_rows = logs.verify(newest)
    report.live = [
        BrokenLink(*row)
        for model in fieldhistory.field_history_models()
        for row in fieldhistory.compare_live(model)
    ]
    # the project's own comparisons of what is acted on with what its history records
    # (WORKFLOW_LIVE_CHECKS: dotted paths of functions giving rows as compare_live does),
    # for what the engine cannot know of: a many-to-many mirrored into a signed field, say
    for path in getattr(settings, "WORKFLOW_LIVE_CHECKS", ()):
        report.live.extend(BrokenLink(*row) for row in import_string(path)())
    return found + [BrokenLink(*row) for row in rows + log_rows]


# The canonical content of an entry (workflow.hashing.entry_hash) written in PostgreSQL's SQL,
# the same JSON text byte for byte: to_json and jsonb's text escape strings as Python's
# json.dumps does with ensure_ascii=False (\" \\ \b \f \n \r \t, other control characters as
# \u00xx). The roles are written from the stored array, whose text separates elements by
# '", "' (a quote inside a string is always escaped, so that sequence is never inside one);
# this is the canonical form only when the roles are strings in code point order, which
# _EXACT checks. A row that fails the check is not judged here but handed to verify_rows.
_CANONICAL_SQL = """
'[' || to_json(c.app_label || '.' || c.model)::text
|| ',' || h.object_id || ',' || h.seq
|| ',' || to_json(h.workflow)::text || ',' || to_json(h.transition)::text
|| ',' || to_json(h.from_state)::text || ',' || to_json(h.to_state)::text
|| ',' || coalesce(h.actor_id::text, 'null') || ',' || to_json(h.actor_name)::text
|| ',' || replace(h.roles::text, '", "', '","')
|| ',"' || to_char(h.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'
|| ',' || to_json(h.comment)::text || ',' || to_json(h.prev_hash)::text || ']'
"""
_MAX_ROLES = 8
_EXACT = (
    f"jsonb_array_length(h.roles) <= {_MAX_ROLES} "
    "AND NOT jsonb_path_exists(h.roles, '$[*] ? (@.type() != \"string\")') AND "
    + " AND ".join(
        f'coalesce((h.roles ->> {i}) COLLATE "C" <= (h.roles ->> {i + 1}) COLLATE "C", true)'
        for i in range(_MAX_ROLES - 1)
    )
)

_VERIFY_SQL = f"""
WITH checked AS (
    SELECT h.content_type_id, h.object_id, h.seq, h.prev_hash, h.hash,
           row_number() OVER chain AS position,
           coalesce(lag(h.hash) OVER chain, '') AS expected_prev,
           ({_EXACT}) AS exact,
           encode(sha256(convert_to({_CANONICAL_SQL}, 'UTF8')), 'hex') AS computed
    FROM {{history}} h JOIN {{content_types}} c ON c.id = h.content_type_id
    WINDOW chain AS (PARTITION BY h.content_type_id, h.object_id ORDER BY h.seq)
)
SELECT count(*), count(*) FILTER (WHERE position = 1),
       json_agg(DISTINCT json_build_array(content_type_id, object_id)::text)
           FILTER (WHERE seq <> position OR prev_hash <> expected_prev OR NOT exact
                   OR computed <> hash)
FROM checked
"""


def verify_in_database(connection) -> VerificationReport:
    """:func:`verify_rows` over the whole history, with PostgreSQL doing the work: the same
    rules (unbroken sequence, each link equal to the previous hash, each hash equal to the
    SHA-256 of the canonical content) checked in one pass inside the database. Chains it
    cannot pass are handed to :func:`verify_rows`, which names their first broken link; so
    the report is the one :func:`verify_rows` would give, several times faster."""
    qn = connection.ops.quote_name
    sql = _VERIFY_SQL.replace("{history}", qn(WorkflowHistory._meta.db_table)).replace(
        "{content_types}", qn(ContentType._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        entries, objects, suspects = cursor.fetchone()
    if isinstance(suspects, str):
        suspects = json.loads(suspects)
    by_type: dict[int, set[int]] = {}
    for key in suspects or []:
        ct_id, object_id = json.loads(key)
        by_type.setdefault(ct_id, set()).add(object_id)
    # the signatures, which the database cannot check without the key: here, in one pass
    keys = hashing.keys()
    signed = WorkflowHistory.objects.order_by().values_list(
        "content_type_id", "object_id", "key_id", "hash", "mac"
    )
    for ct_id, object_id, key_id, digest, mac in signed.iterator(chunk_size=5000):
        if mac_problem(key_id, digest, mac, keys):
            by_type.setdefault(ct_id, set()).add(object_id)
    labels = _labels()
    broken: list[BrokenLink] = []
    for ct_id, found in sorted(by_type.items()):
        object_ids = sorted(found)
        for start in range(0, len(object_ids), 1000):
            chains = WorkflowHistory.objects.filter(
                content_type_id=ct_id, object_id__in=object_ids[start : start + 1000]
            )
            broken += verify_rows(iter_rows(chains), labels).broken
    return VerificationReport(entries=entries, objects=objects, broken=broken)


def _tail_mismatches(obj=None) -> list[BrokenLink]:
    """Objects whose state is not where their chain ends (its newest entries removed, or all
    of it); of every governed object, or of ``obj`` alone."""
    from . import registry

    found = []
    models = {
        b.model for wf in registry.all_workflows() for b in registry.bindings_for_workflow(wf.id)
    }
    if obj is not None:
        models = {m for m in models if isinstance(obj, m)}
    for model in sorted(models, key=lambda m: m._meta.label):
        ct = ContentType.objects.get_for_model(model)
        last = WorkflowHistory.objects.filter(content_type=ct, object_id=OuterRef("pk")).order_by(
            "-seq"
        )
        objects = model._default_manager.all()
        if obj is not None:
            objects = objects.filter(pk=obj.pk)
        rows = (
            objects.annotate(
                last_state=Subquery(last.values("to_state")[:1]),
                last_seq=Subquery(last.values("seq")[:1]),
            )
            .filter(Q(last_state__isnull=True) | ~Q(state=F("last_state")))
            .values_list("pk", "state", "last_state", "last_seq")
        )
        for pk, state, last_state, last_seq in rows.iterator():
            reason = (
                "objektet saknar historik"
                if last_state is None
                else f"status är {state} men historiken slutar i {last_state} "
                "(senaste poster saknas)"
            )
            found.append(BrokenLink(f"{ct.app_label}.{ct.model}", pk, last_seq or 0, 0, reason))
    return found


def verify_object(obj) -> VerificationReport:
    """One object's chain, that it ends where the object is, and that it still holds the head
    the newest checkpoint recorded for it (what the timeline shows)."""
    from . import checkpoint

    report = verify(WorkflowHistory.objects.for_object(obj))
    report.broken.extend(_tail_mismatches(obj))
    newest = checkpoint.latest()
    if newest is not None:
        ct = ContentType.objects.get_for_model(obj)
        label = f"{ct.app_label}.{ct.model}"
        report.checkpoint = newest
        report.broken.extend(
            BrokenLink(f.model_label, f.object_id, f.seq, f.entry_id, f.reason)
            for f in checkpoint.compare_object(newest, label, obj.pk)
        )
    return report
