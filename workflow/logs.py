"""Signed logs: tables whose rows are only ever added, such as who read what (the domain's
log of reads of secret content), kept so that a row taken out or changed shows.

A log keeps one chain per owner (the row of ``log_chain``, the reader, say): each row carries
the id of a history key and an HMAC-SHA256 under that key (workflow.hashing) over its content
and the MAC of the owner's previous row. Without the key nobody can change a row, add one or
take one out of the middle of a chain so that it still verifies. A checkpoint
(workflow.checkpoint) records, up to the highest id, each chain's length and newest MAC, so
rows taken off the end of a chain, or a whole chain, before it show too. Rows added after the
newest checkpoint are covered by their signatures and links alone (as the field history is).

A chain per owner, not one for the table: a row is linked under a lock of its owner only, so
two people reading at once never wait for each other. A model opts in by inheriting
:class:`SignedLog` and naming ``log_chain``; its rows are written with :func:`append` (or
``save``, which calls it). A row written any other way (``bulk_create``, SQL) carries no
signature and is reported.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db import connections, models, router, transaction
from django.utils.translation import gettext_lazy

from . import hashing
from .fieldhistory import Signer

LOG_FIELDS = ("log_key_id", "log_prev_mac", "log_mac")


class SignedLog(models.Model):
    """The base of a signed log; ``log_chain`` names the foreign key that owns the chains."""

    log_chain: str = ""

    log_key_id = models.CharField(
        gettext_lazy("nyckel"), max_length=32, blank=True, default="", editable=False
    )
    log_prev_mac = models.CharField(
        gettext_lazy("föregående rads signatur"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
    )
    log_mac = models.CharField(
        gettext_lazy("signatur"), max_length=64, blank=True, default="", editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """A new row is appended to its owner's chain; a row is never changed."""
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__}: en loggrad ändras aldrig")
        append(type(self), [self], using=kwargs.get("using"))


def log_models() -> list:
    """Every signed log, by label."""
    found = [
        m
        for m in global_apps.get_models()
        if issubclass(m, SignedLog) and not m._meta.abstract and not m._meta.proxy
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


_signers: dict = {}


def _signer(model) -> Signer:
    signer = _signers.get(model)
    if signer is None:
        signer = _signers[model] = Signer(model, unsigned=(model._meta.pk.attname, *LOG_FIELDS))
    return signer


def _tails(model, chain: str, owners, using: str) -> dict:
    """{owner: the MAC of its chain's newest row} for the owners that have rows."""
    rows = model._base_manager.using(using)
    newest = (
        rows.filter(**{f"{chain}__in": owners})
        .values(chain)
        .annotate(newest=models.Max(model._meta.pk.attname))
        .values("newest")
    )
    return dict(rows.filter(pk__in=newest).values_list(chain, "log_mac"))


def append(model, rows: Iterable, using: str | None = None) -> list:
    """Add ``rows`` (unsaved instances of the log ``model``) at the end of their owners'
    chains, signed, in one INSERT: the owners' rows are locked first, in order, so that two
    writers of one owner's chain link in turn (on SQLite the write lock does it)."""
    rows = list(rows)
    if not rows:
        return rows
    using = using or router.db_for_write(model)
    chain = model._meta.get_field(model.log_chain)
    owners = sorted({getattr(row, chain.attname) for row in rows})
    signer = _signer(model)
    with transaction.atomic(using=using):
        owner_rows = chain.related_model._base_manager.using(using)
        # FOR NO KEY UPDATE: two appenders of one chain wait for each other, but a row that
        # only points at the owner (a role given to the reader, an entry naming them) does not
        # wait for the log (FOR UPDATE would conflict with its KEY SHARE)
        list(
            owner_rows.select_for_update(no_key=True)
            .filter(pk__in=owners)
            .order_by("pk")
            .values("pk")
        )
        tails = _tails(model, chain.attname, owners, using)
        key_id, key = hashing.current_key()
        for row in rows:
            owner = getattr(row, chain.attname)
            prev = tails.get(owner, "")
            row.log_key_id, row.log_prev_mac = key_id, prev
            row.log_mac = signer.mac(key, key_id, [getattr(row, n) for n in signer.attnames], prev)
            tails[owner] = row.log_mac
        return model._base_manager.using(using).bulk_create(rows)


def sign_rows(model, chain: str, using: str) -> int:
    """Sign every row of a log as it stands, owner by owner in the order of id, each linked
    to the one before it; returns the rows signed. For the migration that makes a table a
    signed log (``model`` may be the migration's model; ``chain`` is the attname of its
    owner): what is signed here is vouched for from now on."""
    pk = model._meta.pk.attname
    signer = Signer(model, unsigned=(pk, *LOG_FIELDS))
    at_owner = signer.attnames.index(chain)
    key_id, key = hashing.current_key()
    rows = model._base_manager.using(using).order_by(chain, pk)
    prev: dict = {}
    updates = []
    for row_id, *values in rows.values_list(pk, *signer.attnames).iterator(chunk_size=5000):
        owner = values[at_owner]
        before = prev.get(owner, "")
        prev[owner] = signer.mac(key, key_id, values, before)
        updates.append((key_id, before, prev[owner], row_id))
    connection = connections[using]
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(name)} = %s" for name in LOG_FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {qn(pk)} = %s", updates
        )
    return len(updates)


def heads(model, up_to: int | None = None) -> dict[str, list]:
    """{owner: [rows, the newest row's MAC]} of a log's chains, up to id ``up_to``; what a
    checkpoint records."""
    pk = model._meta.pk.attname
    rows = model._base_manager.all()
    if up_to is not None:
        rows = rows.filter(pk__lte=up_to)
    found: dict[str, list] = {}
    for owner, mac in (
        rows.order_by(model.log_chain, pk)
        .values_list(model._meta.get_field(model.log_chain).attname, "log_mac")
        .iterator(chunk_size=5000)
    ):
        entry = found.setdefault(str(owner), [0, ""])
        entry[0] += 1
        entry[1] = mac
    return found


def snapshot() -> dict[str, dict]:
    """What a checkpoint records of the logs: each log's highest id and its chains' heads."""
    found = {}
    for model in log_models():
        last = model._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        found[model._meta.label_lower] = {"upp_till": last, "kedjor": heads(model, last)}
    return found


_KEY = "loggraden är inte signerad med någon känd historiknyckel (skriven utanför systemet)"
_MAC = (
    "loggradens signatur stämmer inte: raden är ändrad efter att den skrevs, "
    "eller skriven utan historiknyckeln"
)
_LINK = (
    "länken till föregående loggrad stämmer inte (en rad före den är borttagen eller har flyttats)"
)


def _verify_model(model, recorded: dict | None, name: str) -> tuple[int, list[tuple]]:
    label = model._meta.label_lower
    signer = _signer(model)
    chain = model._meta.get_field(model.log_chain).attname
    pk = model._meta.pk.attname
    at_owner = signer.attnames.index(chain)
    keys = hashing.keys()
    found: list[tuple] = []
    up_to = int(recorded["upp_till"]) if recorded is not None else None
    now: dict[str, list] = {}
    count = 0
    expected: dict = {}
    rows = model._base_manager.order_by(chain, pk).values_list(pk, *LOG_FIELDS, *signer.attnames)
    for row_id, key_id, prev, mac, *values in rows.iterator(chunk_size=5000):
        count += 1
        owner = values[at_owner]
        key = keys.get(key_id)
        if key is None:
            reason = _KEY
        elif not hmac.compare_digest(signer.mac(key, key_id, values, prev), mac or ""):
            reason = _MAC
        elif prev != expected.get(owner, ""):
            reason = _LINK
        else:
            reason = None
        if reason:
            found.append((label, owner, 0, row_id, reason))
        expected[owner] = mac
        if up_to is not None and row_id <= up_to:
            entry = now.setdefault(str(owner), [0, ""])
            entry[0] += 1
            entry[1] = mac
    if recorded is not None:
        then = recorded["kedjor"]
        for owner in sorted(set(then) | set(now), key=lambda k: (len(k), k)):
            before, after = then.get(owner), now.get(owner)
            if before == after:
                continue
            if after is None:
                reason = f"loggens {before[0]} rader saknas sedan kontrollpunkten"
            elif before is None:
                reason = f"{after[0]} loggrader har tillkommit före kontrollpunkten"
            elif before[0] != after[0]:
                reason = f"loggen hade {before[0]} rader i kontrollpunkten, nu {after[0]}"
            else:
                reason = "loggens senaste rad före kontrollpunkten är utbytt"
            found.append((label, int(owner), 0, 0, f"{reason} ({name})"))
    return count, found


def verify(checkpoint=None) -> tuple[int, list[tuple]]:
    """Every signed log, each read once: each row's key, MAC and link to its owner's
    previous row, and, given the newest ``checkpoint`` (its signature found good), each
    chain up to the checkpoint's id against its length and head there. Returns the rows
    read and the findings as (label, owner, 0, row id, reason)."""
    if checkpoint is not None and checkpoint.problem:
        checkpoint = None
    recorded = checkpoint.logs if checkpoint is not None else {}
    models_by_label = {m._meta.label_lower: m for m in log_models()}
    found: list[tuple] = []
    for label in sorted(set(recorded) - set(models_by_label)):
        found.append((label, 0, 0, 0, "loggens tabell finns inte längre"))
    count = 0
    for label, model in models_by_label.items():
        name = checkpoint.name if checkpoint is not None else ""
        read, problems = _verify_model(model, recorded.get(label), name)
        count += read
        found += problems
    return count, found
