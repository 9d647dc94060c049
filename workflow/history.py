"""Verification of the workflow history's hash chains (the revisor's proof)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Q, Subquery

from . import hashing
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

    @property
    def intact(self) -> bool:
        return not self.broken


def _labels() -> dict[int, str]:
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def verify_rows(rows: Iterable[tuple], labels: dict[int, str]) -> VerificationReport:
    """Check rows (``FIELDS`` order, sorted by object and seq); first broken link per object."""
    entries = objects = 0
    broken: list[BrokenLink] = []
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
            reason = (
                f"löpnummer {seq} där {expected_seq} väntades (en post saknas eller har flyttats)"
            )
        elif stored_prev != prev_hash:
            reason = "länken till föregående post stämmer inte"
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
                reason = "innehållet har ändrats efter att posten skrevs"
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
    entry of its chain, so that a removed newest entry or a removed chain is reported too.
    """
    report = verify_rows(iter_rows(queryset), _labels())
    if queryset is None:
        report.broken.extend(_tail_mismatches())
    return report


def _tail_mismatches() -> list[BrokenLink]:
    from . import registry

    found = []
    models = {
        b.model for wf in registry.all_workflows() for b in registry.bindings_for_workflow(wf.id)
    }
    for model in sorted(models, key=lambda m: m._meta.label):
        ct = ContentType.objects.get_for_model(model)
        last = WorkflowHistory.objects.filter(content_type=ct, object_id=OuterRef("pk")).order_by(
            "-seq"
        )
        rows = (
            model._default_manager.annotate(
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
    return verify(WorkflowHistory.objects.for_object(obj))
