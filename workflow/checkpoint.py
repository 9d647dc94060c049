"""Signed checkpoints of the history, kept outside the database.

The keyed chains (workflow.hashing for the workflow history, workflow.fieldhistory for
django-simple-history's tables) stop anyone without the key from writing a row that
verifies; they cannot show that rows were taken away from the end of a chain, or that a
whole chain went (with its object). A checkpoint can: a file, in a directory outside the
database (``WORKFLOW_CHECKPOINT_DIR``), signed with the history key, that records

- for every object with a workflow history, the number of its entries and its newest hash
  (the chain's head), and
- for every model with a field history, the highest history id, and for every object the
  number of its field-history rows up to that id and a SHA-256 over their contents, and
- for every signed log (workflow.logs), the highest id, and for every chain its length up to
  that id and its newest MAC.

``manage.py workflow_checkpoint`` writes one (at least daily, from cron); the domain asks for
one after each justering of a protokoll (:func:`after_commit`). A checkpoint is written only
over a history that verifies, so a tampering is never blessed by the next checkpoint.
``workflow.history.verify`` compares the database with the newest checkpoint: the chains
here (:func:`compare`), the field history in the same pass that checks its rows' MACs
(workflow.fieldhistory.verify).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from . import hashing, logs
from .fieldhistory import digest_columns, digest_text, field_history_models
from .models import WorkflowError, WorkflowHistory

logger = logging.getLogger(__name__)

FORMAT = 1
PREFIX = "kontrollpunkt-"
#: a field-history row written after a checkpoint but dated more than this before it was
#: not written by a transaction that was under way when the checkpoint was taken
MARGIN = datetime.timedelta(hours=1)


class CheckpointError(WorkflowError):
    pass


@dataclass
class Checkpoint:
    name: str
    created: datetime.datetime
    reason: str
    key_id: str
    chains: dict[str, list]
    field_history: dict[str, dict]
    problem: str = ""  # why the file cannot be trusted, if it cannot
    logs: dict[str, dict] = field(default_factory=dict)


@dataclass
class Finding:
    model_label: str
    object_id: int
    seq: int
    reason: str
    entry_id: int = 0


def directory() -> Path | None:
    """Where checkpoints are kept; ``None`` when they are switched off (the test settings)."""
    value = getattr(settings, "WORKFLOW_CHECKPOINT_DIR", None)
    return Path(value) if value else None


def _labels() -> dict[int, str]:
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def _field_rows(model, up_to: int) -> Iterator[tuple[int, list]]:
    """(object id, the digested values) of a historical model's rows up to history id
    ``up_to``, by object and history id."""
    id_name = model.instance_type._meta.pk.attname
    names = digest_columns(model)
    position = names.index(id_name)
    rows = (
        model.objects.filter(history_id__lte=up_to)
        .order_by(id_name, "history_id")
        .values_list(*names)
    )
    for row in rows.iterator(chunk_size=5000):
        yield row[position], row


def field_digests(model, up_to: int) -> dict[str, list]:
    """{object id: [rows, SHA-256 over the rows' canonical texts]} up to ``up_to``."""
    counts: dict[str, int] = {}
    digests: dict[str, object] = {}
    for object_id, row in _field_rows(model, up_to):
        key = str(object_id)
        if key not in digests:
            counts[key], digests[key] = 0, hashlib.sha256()
        counts[key] += 1
        digests[key].update(digest_text(row))
    return {key: [counts[key], digests[key].hexdigest()] for key in digests}


def snapshot() -> tuple[dict[str, list], dict[str, dict]]:
    """What a checkpoint records: the chains' heads and the field history's digests."""
    labels = _labels()
    chains: dict[str, list] = {}
    rows = (
        WorkflowHistory.objects.order_by("content_type_id", "object_id", "seq")
        .values_list("content_type_id", "object_id", "seq", "hash")
        .iterator(chunk_size=5000)
    )
    for ct_id, object_id, seq, digest in rows:
        chains[f"{labels.get(ct_id, ct_id)}:{object_id}"] = [seq, digest]
    fields: dict[str, dict] = {}
    for model in field_history_models():
        last = model.objects.order_by("-history_id").values_list("history_id", flat=True).first()
        fields[model._meta.label_lower] = {
            "upp_till": last or 0,
            "objekt": field_digests(model, last or 0),
            # what the digests cover: a column a migration adds later is not in them
            "kolumner": digest_columns(model),
        }
    return chains, fields


def _body(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def write(reason: str = "") -> Path:
    """Write a signed checkpoint of the whole history; refused when the history does not
    verify (the report's first lines say why)."""
    from .history import verify

    folder = directory()
    if folder is None:
        raise CheckpointError("Ingen katalog för kontrollpunkter är inställd.")
    report = verify()
    if not report.intact:
        raise CheckpointError(
            f"Historiken är bruten ({len(report.broken)} fel), ingen kontrollpunkt skrivs. "
            f"Först: {report.broken[0]}"
        )
    created = timezone.now()
    chains, fields = snapshot()
    key_id, key = hashing.current_key()
    content = {
        "format": FORMAT,
        "skapad": hashing.canonical_time(created),
        "anledning": reason,
        "nyckel": key_id,
        "kedjor": chains,
        "falthistorik": fields,
        "loggar": logs.snapshot(),
    }
    content["signatur"] = hashing.sign(key, _body(content))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = hashing.canonical_time(created).replace(":", "").replace("-", "")
    path = folder / f"{PREFIX}{stamp}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(_body(content))
    os.replace(temporary, path)
    return path


def after_commit(reason: str) -> None:
    """Ask for a checkpoint once the current transaction has committed (what the domain calls
    at a justering). A failure is logged, never raised: the justering has happened."""

    def run():
        if directory() is None:
            return
        try:
            write(reason)
        except Exception:  # noqa: BLE001 - logged for the administrator, the step stands
            logger.exception("Kontrollpunkten efter %s kunde inte skrivas", reason)

    transaction.on_commit(run)


def latest() -> Checkpoint | None:
    """The newest checkpoint in the directory, its signature checked (``problem``)."""
    folder = directory()
    if folder is None or not folder.is_dir():
        return None
    names = sorted(p.name for p in folder.glob(f"{PREFIX}*.json"))
    if not names:
        return None
    path = folder / names[-1]
    try:
        stat = path.stat()
    except OSError:
        return _read(folder, names[-1])
    key = (str(path), stat.st_mtime_ns, stat.st_size, tuple(sorted(hashing.keys().items())))
    if _cache.get("key") != key:
        _cache.update(key=key, value=_read(folder, names[-1]))
    return _cache["value"]


#: the newest checkpoint as last read (a timeline page reads it on every request)
_cache: dict = {}


def _read(folder: Path, name: str) -> Checkpoint:
    try:
        content = json.loads((folder / name).read_bytes())
        signature = content.pop("signatur")
        checkpoint = Checkpoint(
            name=name,
            created=datetime.datetime.fromisoformat(content["skapad"]),
            reason=content.get("anledning", ""),
            key_id=content["nyckel"],
            chains=content["kedjor"],
            field_history=content["falthistorik"],
            logs=content.get("loggar", {}),  # a checkpoint from before the signed logs
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Checkpoint(name, timezone.now(), "", "", {}, {}, "går inte att läsa")
    key = hashing.keys().get(checkpoint.key_id)
    if key is None:
        checkpoint.problem = f"är signerad med en okänd nyckel ({checkpoint.key_id})"
    elif not hmac.compare_digest(hashing.sign(key, _body(content)), str(signature)):
        checkpoint.problem = "har en signatur som inte stämmer (filen är ändrad)"
    return checkpoint


def compare(checkpoint: Checkpoint) -> list[Finding]:
    """The chains of the workflow history that no longer agree with ``checkpoint`` (the
    field history is compared by workflow.fieldhistory.verify, as it reads the tables)."""
    if checkpoint.problem:
        return [
            Finding(
                "kontrollpunkt", 0, 0, f"kontrollpunkten {checkpoint.name} {checkpoint.problem}"
            )
        ]
    return _compare_chains(checkpoint)


def compare_object(checkpoint: Checkpoint, model_label: str, object_id: int) -> list[Finding]:
    """One object's chain against ``checkpoint``: its recorded head must still be there."""
    if checkpoint.problem:
        return compare(checkpoint)
    head = checkpoint.chains.get(f"{model_label}:{object_id}")
    if head is None:
        return []
    app_label, _, model = model_label.partition(".")
    seq, digest = head
    found = (
        WorkflowHistory.objects.filter(
            content_type=ContentType.objects.get_by_natural_key(app_label, model),
            object_id=object_id,
            seq=seq,
        )
        .values_list("hash", flat=True)
        .first()
    )
    if found == digest:
        return []
    what = "saknas" if found is None else "är inte den som kontrollpunkten förseglade"
    return [
        Finding(
            model_label,
            object_id,
            seq,
            f"post {seq}, kedjans senaste i kontrollpunkten {checkpoint.name}, {what}",
        )
    ]


def _split(key: str) -> tuple[str, int]:
    label, _, object_id = key.rpartition(":")
    return label, int(object_id)


def _compare_chains(checkpoint: Checkpoint) -> list[Finding]:
    labels = _labels()
    heads = checkpoint.chains
    seen: dict[str, str] = {}
    # every entry once, in no order: only the one at each recorded head's position counts
    rows = WorkflowHistory.objects.values_list("content_type_id", "object_id", "seq", "hash")
    for ct_id, object_id, seq, digest in rows.order_by().iterator():
        key = f"{labels.get(ct_id, ct_id)}:{object_id}"
        head = heads.get(key)
        if head is not None and seq == head[0]:
            seen[key] = digest
    findings = []
    for key, (seq, digest) in heads.items():
        label, object_id = _split(key)
        if key not in seen:
            findings.append(
                Finding(
                    label,
                    object_id,
                    seq,
                    f"post {seq}, kedjans senaste i kontrollpunkten {checkpoint.name}, saknas "
                    "(poster eller hela kedjan borttagna eller omnumrerade)",
                )
            )
        elif seen[key] != digest:
            findings.append(
                Finding(
                    label,
                    object_id,
                    seq,
                    f"post {seq} är inte den som kontrollpunkten {checkpoint.name} förseglade "
                    "(kedjan är omskriven)",
                )
            )
    return findings
