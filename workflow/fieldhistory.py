"""Signed field history: every row django-simple-history writes for a model that opts in
carries the id of a history key and an HMAC-SHA256 under that key (workflow.hashing) over
the row's content and the previous row's MAC for the same object. The rows of one object
are so a chain, as the workflow history is: without the key nobody can edit a row, add one
or take one out of the middle so that it still verifies.

A model opts in where it declares its field history::

    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

The MAC covers every column of the row (the tracked fields, the object's id,
``history_date``, ``history_type``, ``history_user``, ``history_change_reason``) except
``history_id``, which the database gives out on INSERT, and the three signature columns.
Values are put in a canonical form (:func:`canonical`), so a row read back from SQLite or
PostgreSQL gives the MAC it was signed with; a value equal to its column's default is left
out, so a tracked field added later with a default (or nullable) leaves the rows written
before it as they verify. Renaming or removing a tracked field, or changing its default,
changes what the old rows' MACs cover: such a migration signs the table again after
``verify_history`` has passed (:func:`sign_rows`).

A row is signed when it is created: by the engine as it writes a transition
(workflow.statements, with the previous MAC read under the object's row lock), and by
:meth:`SignedHistory.save` for every row simple-history saves (its ``post_save`` and
``post_delete``). The object's row is locked by then (the UPDATE, INSERT or DELETE that the
row records), so two writers of one object read each other's MAC in turn.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from itertools import combinations

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connections, models, router, transaction
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalChanges
from simple_history.signals import pre_create_historical_record

from . import hashing
from .context import current_reason

SIGNATURE_FIELDS = ("history_key_id", "history_prev_mac", "history_mac")


class SignedHistory(models.Model):
    """The base of a signed historical model (simple-history's ``bases=[SignedHistory]``)."""

    history_key_id = models.CharField(
        gettext_lazy("nyckel"), max_length=32, blank=True, default="", editable=False
    )
    history_prev_mac = models.CharField(
        gettext_lazy("föregående rads signatur"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
    )
    history_mac = models.CharField(
        gettext_lazy("signatur"), max_length=64, blank=True, default="", editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """A new row is signed, linked to the object's newest row, whatever it was given."""
        if not self._state.adding:
            return super().save(*args, **kwargs)
        model = type(self)
        if not self.history_change_reason:
            self.history_change_reason = current_reason()
        using = kwargs.get("using") or router.db_for_write(model, instance=self)
        fresh = self.__dict__.pop(_FRESH, False)
        object_id = getattr(self, object_id_name(model))
        if connections[using].in_atomic_block:  # the object's row is locked by its write
            self.sign("" if fresh else tail(model, object_id, using))
            return super().save(*args, **kwargs)
        with transaction.atomic(using=using):  # autocommit: lock the object for the link
            if self.history_type != "-":
                base = model.instance_type._base_manager.using(using)
                list(base.select_for_update().filter(pk=object_id).values_list("pk"))
            self.sign("" if fresh else tail(model, object_id, using))
            return super().save(*args, **kwargs)

    def sign(self, prev_mac: str) -> None:
        """Sign the row as it stands, linked to ``prev_mac`` (the object's previous row's MAC,
        ``""`` for its first), with the current key."""
        signer = signer_for(type(self))
        self.history_key_id, key = hashing.current_key()
        self.history_prev_mac = prev_mac
        self.history_mac = signer.mac(
            key, self.history_key_id, [getattr(self, name) for name in signer.attnames], prev_mac
        )


def object_id_name(model) -> str:
    """The column of a historical model that holds the object's id."""
    return model.instance_type._meta.pk.attname


def tail(model, object_id, using=None) -> str:
    """The MAC of the newest row of an object's field history, ``""`` when it has none."""
    rows = model._default_manager.using(using or router.db_for_read(model))
    newest = (
        rows.filter(**{object_id_name(model): object_id})
        .order_by("-history_id")
        .values_list("history_mac", flat=True)
        .first()
    )
    return newest or ""


# -- an object whose id the database has just given has no field history yet ------------------

#: set on an object before it is saved: True when the database is to give its id
_FRESH_OBJECT = "_field_history_fresh_object"
#: set on its creation row: no earlier row of the object can exist (no need to read one)
_FRESH = "_field_history_fresh"


@receiver(pre_save, dispatch_uid="workflow.fieldhistory.fresh_object")
def _note_fresh_object(sender, instance, raw=False, **kwargs):
    if getattr(sender._meta, "simple_history_manager_attribute", None):
        instance.__dict__[_FRESH_OBJECT] = instance.pk is None


@receiver(pre_delete, dispatch_uid="workflow.fieldhistory.no_user_deleted")
def _no_user_deleted(sender, instance, **kwargs):
    """An account is deactivated, never deleted: the field history names who made each
    change (``history_user``, SET NULL), and that name is signed. Deleting the account would
    rewrite every row it made, so that each reads as tampered with and who did it is lost,
    and no checkpoint could be written after (it refuses a broken history)."""
    if sender is get_user_model():
        raise PermissionDenied(
            _(
                "Ett användarkonto tas inte bort, eftersom historiken namnger den som gjorde "
                "varje ändring. Inaktivera kontot i stället (Aktiv)."
            )
        )


#: set on an object: the field-history row written for it last (:func:`amend_record`)
_RECORD = "_field_history_record"


@receiver(pre_create_historical_record, dispatch_uid="workflow.fieldhistory.fresh_row")
def _note_fresh_row(sender, instance, history_instance, **kwargs):
    fresh = instance.__dict__.pop(_FRESH_OBJECT, False)
    if isinstance(history_instance, SignedHistory):
        history_instance.__dict__[_FRESH] = fresh and history_instance.history_type == "+"
        instance.__dict__[_RECORD] = history_instance


def amend_record(obj, **values) -> None:
    """Set ``values`` on the field-history row just written for ``obj`` (in this transaction,
    by its save: still the object's newest row) and sign it again where it stands in the
    chain; one UPDATE. For what is given last, after the row was written (an ärende's
    number, at the end of its registration)."""
    record = obj.__dict__[_RECORD]
    for name, value in values.items():
        setattr(record, name, value)
    record.sign(record.history_prev_mac)
    type(record)._default_manager.filter(pk=record.pk).update(
        **values, history_key_id=record.history_key_id, history_mac=record.history_mac
    )


# -- the canonical form of a row -----------------------------------------------------------------

_NO_DEFAULT = object()  # a default computed anew each time (now, uuid4): nothing is left out


def _converter(field) -> Callable:
    """value -> JSON value: the same for what the instance held when the row was written and
    for what the database gives back (SQLite or PostgreSQL)."""
    target = field
    while target.is_relation:
        target = target.target_field
    kind = target.get_internal_type()
    if kind == "JSONField":
        return lambda value: json.loads(json.dumps(value, cls=target.encoder))
    if kind == "BinaryField":
        return lambda value: bytes(value).hex()
    if kind == "DateTimeField":

        def plain(value):
            value = target.to_python(value)
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            return hashing.canonical_time(value)

    elif kind == "DecimalField":
        places = target.decimal_places

        def plain(value):
            value = target.to_python(value)
            if places is not None:
                value = value.quantize(Decimal(f"1e-{places}"))
            return format(value, "f")

    elif kind == "DurationField":

        def plain(value):
            return target.to_python(value) // datetime.timedelta(microseconds=1)

    else:

        def plain(value):  # a date or a time as its ISO text (what str() gives), a UUID too
            value = target.to_python(value)
            return value if isinstance(value, str | int | float | bool) else str(value)

    return plain


def canonical(field, value):
    """The JSON value a field's ``value`` is signed as (None for NULL)."""
    return None if value is None else _converter(field)(value)


class Signer:
    """How the rows of one historical model are put in canonical form and signed (or of
    another signed table, ``unsigned`` naming its columns the MAC does not cover)."""

    def __init__(self, model, unsigned=("history_id", *SIGNATURE_FIELDS)):
        self.label = model._meta.label_lower
        fields = [f for f in model._meta.concrete_fields if f.attname not in unsigned]
        self.attnames = [f.attname for f in fields]
        self.columns = []  # (name, to JSON, the default's JSON form)
        for field in fields:
            convert = _converter(field)
            self.columns.append((field.attname, convert, self._default(field, convert)))

    @staticmethod
    def _default(field, convert):
        if field.has_default():
            value = field.default
            if callable(value):
                if value not in (dict, list):
                    return _NO_DEFAULT
                value = value()
        else:
            value = field.get_default()  # "" for text, else None
        return None if value is None else convert(value)

    def values(self, row: Sequence) -> dict:
        """The row's values (in ``attnames`` order) as signed: defaults left out."""
        found = {}
        for (name, convert, default), value in zip(self.columns, row, strict=True):
            plain = None if value is None else convert(value)
            if plain != default:
                found[name] = plain
        return found

    def mac(self, key: bytes, key_id: str, row: Sequence, prev_mac: str) -> str:
        return hashing.field_row_mac(key, key_id, self.label, self.values(row), prev_mac)


_signers: dict = {}


def signer_for(model) -> Signer:
    signer = _signers.get(model)
    if signer is None:
        signer = _signers[model] = Signer(model)
    return signer


# -- verification: every field-history table read once ------------------------------------------


def field_history_models() -> list:
    """Every historical model of django-simple-history, by label."""
    found = [
        m
        for m in global_apps.get_models()
        if issubclass(m, HistoricalChanges) and getattr(m, "instance_type", None)
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def digest_columns(model) -> list[str]:
    """The columns a checkpoint's digest of the field history covers (workflow.checkpoint):
    every column but the signature, as before the rows were signed."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in SIGNATURE_FIELDS]


def digest_text(values: Sequence) -> bytes:
    """One row's line in a checkpoint's SHA-256 over an object's field history."""
    return json.dumps(list(values), default=str, ensure_ascii=False).encode("utf-8") + b"\n"


_KEY = "fälthistorikraden är inte signerad med någon känd historiknyckel (skriven utanför systemet)"
_MAC = (
    "fälthistorikradens signatur stämmer inte: raden är ändrad efter att den skrevs, "
    "eller skriven utan historiknyckeln"
)
_FIRST = "fälthistorikraden pekar på en tidigare rad som saknas (rader före den är borttagna)"
_LINK = (
    "länken till föregående fälthistorikrad stämmer inte "
    "(en rad före den är borttagen eller har flyttats)"
)


class _Table:
    """One historical model read in one pass: the MAC and link of each row, and what a
    checkpoint recorded of the table (``recorded``: ``upp_till`` and ``objekt``)."""

    def __init__(self, model, checkpoint=None, margin=None, where=None):
        self.model = model
        self.where = where or {}
        self.label = model._meta.label_lower
        self.names = [f.attname for f in model._meta.concrete_fields]
        self.id_name = object_id_name(model)
        position = self.names.index
        self.at_id, self.at_row, self.at_date = (
            position(self.id_name),
            position("history_id"),
            position("history_date"),
        )
        self.digested_now = [position(n) for n in digest_columns(model)]
        self.signer = signer_for(model) if issubclass(model, SignedHistory) else None
        if self.signer is not None:
            self.signed = [position(n) for n in self.signer.attnames]
            self.at_key, self.at_prev, self.at_mac = (position(n) for n in SIGNATURE_FIELDS)
        self.checkpoint = checkpoint
        self.recorded = checkpoint.field_history.get(self.label) if checkpoint else None
        self.variants = [self.digested_now]
        self.gone: list[str] = []
        if self.recorded is not None:
            self.up_to = int(self.recorded["upp_till"])
            self.limit = checkpoint.created - margin
            self.variants = self._digested_then(position)

    def _digested_then(self, position) -> list[list[int]]:
        """The positions of the columns each object's rows were digested over when the
        checkpoint was written: those it names (a column a migration added since is not
        among them, and a row that held before still holds); a column it names that is gone
        is reported (:attr:`gone`). A checkpoint from before it named them was digested over
        the columns there were then: the columns now, or those without the columns that may
        have been added since (each equal to its default in every row it covers, as is a
        column that was there and never set): the columns now without any of those."""
        names = self.recorded.get("kolumner")
        if names is not None:
            self.gone = [n for n in names if n not in self.names]
            return [[position(n) for n in names if n in self.names]]
        now = digest_columns(self.model)
        added = _default_everywhere(self.model, self.up_to)
        left = _left_out_then(self.model, self.recorded, self.up_to, now, added) if added else ()
        variants = [self.digested_now]
        if left:
            variants.append([position(n) for n in now if n not in left])
        return variants

    def rows(self) -> Iterator[tuple]:
        return (
            self.model._default_manager.filter(**self.where)
            .order_by(self.id_name, "history_id")
            .values_list(*self.names)
            .iterator(chunk_size=5000)
        )

    def verify(self) -> tuple[int, list[tuple]]:
        """(rows read, findings as (label, object id, row's place, history id, reason))."""
        keys = hashing.keys()
        found: list[tuple] = []
        late: list[tuple] = []
        counts: dict[str, int] = {}
        digests: dict[str, object] = {}
        count = place = 0
        current = object()
        expected_prev = ""
        for row in self.rows():
            count += 1
            object_id = row[self.at_id]
            if object_id != current:
                current, place, expected_prev = object_id, 0, ""
            place += 1
            if self.signer is not None:
                reason = self._problem(row, expected_prev, keys)
                if reason:
                    found.append((self.label, object_id, place, row[self.at_row], reason))
                expected_prev = row[self.at_mac]
            if self.recorded is None:
                continue
            if row[self.at_row] <= self.up_to:
                key = str(object_id)
                if key not in digests:
                    counts[key], digests[key] = 0, [hashlib.sha256() for _ in self.variants]
                counts[key] += 1
                for digest, digested in zip(digests[key], self.variants, strict=True):
                    digest.update(digest_text([row[i] for i in digested]))
            elif row[self.at_date] < self.limit:
                late.append((object_id, row[self.at_row]))
        if self.recorded is not None:
            now = {key: [counts[key], [d.hexdigest() for d in digests[key]]] for key in digests}
            found += self._against_checkpoint(now, late)
        return count, found

    def _problem(self, row, expected_prev: str, keys: dict[str, bytes]) -> str | None:
        key_id, prev, mac = row[self.at_key], row[self.at_prev], row[self.at_mac]
        key = keys.get(key_id)
        if key is None:
            return _KEY
        computed = self.signer.mac(key, key_id, [row[i] for i in self.signed], prev)
        if not hmac.compare_digest(computed, mac or ""):
            return _MAC
        if prev != expected_prev:
            return _FIRST if expected_prev == "" else _LINK
        return None

    def _against_checkpoint(self, now: dict, late: list) -> list[tuple]:
        name = self.checkpoint.name
        then = self.recorded["objekt"]
        found = [
            (
                self.label,
                0,
                0,
                0,
                f"kolumnen {column} som kontrollpunkten {name} täcker finns inte längre",
            )
            for column in self.gone
        ]
        for object_id in sorted(set(then) | set(now), key=lambda k: (len(k), k)):
            before, after = then.get(object_id), now.get(object_id)
            if before is not None and after is not None:
                if before[0] == after[0] and before[1] in after[1]:
                    continue
            if after is None:
                reason = f"fälthistoriken ({before[0]} rader) saknas sedan kontrollpunkten"
            elif before is None:
                reason = f"{after[0]} fälthistorikrader har tillkommit före kontrollpunkten"
            elif before[0] != after[0]:
                reason = f"fälthistoriken hade {before[0]} rader i kontrollpunkten, nu {after[0]}"
            else:
                reason = "fälthistoriken har ändrats sedan kontrollpunkten"
            # every model with a field history has an integer key
            found.append((self.label, int(object_id), 0, 0, f"{reason} ({name})"))
        for object_id, history_id in sorted(late, key=lambda pair: pair[1]):
            found.append(
                (
                    self.label,
                    object_id,
                    0,
                    history_id,
                    f"fälthistorikrad {history_id} är skriven efter kontrollpunkten {name} men "
                    "daterad före den (tillagd i efterhand)",
                )
            )
        return found


#: objects of a table tried to learn which columns a checkpoint that did not name them covered
_SAMPLES = 20


def _left_out_then(model, recorded: dict, up_to: int, now: list[str], added: list[str]):
    """Which of the columns ``added`` (each at its default in every row up to ``up_to``) a
    checkpoint that did not name its columns left out, as it was written before they were
    added: the combination whose digest of an object's rows is the one it recorded (the
    same for every object of the table), tried on a few objects; () when none is found
    (those objects changed since: each is reported)."""
    id_name = object_id_name(model)
    for object_id in list(recorded["objekt"])[:_SAMPLES]:
        count, digest = recorded["objekt"][object_id]
        rows = list(
            model._default_manager.filter(**{id_name: object_id}, history_id__lte=up_to)
            .order_by("history_id")
            .values(*now)
        )
        if len(rows) != count:
            continue
        for k in range(1, len(added) + 1):
            for left in combinations(added, k):
                names = [n for n in now if n not in left]
                found = hashlib.sha256()
                for row in rows:
                    found.update(digest_text([row[n] for n in names]))
                if found.hexdigest() == digest:
                    return left
    return ()


def _default_everywhere(model, up_to: int) -> list[str]:
    """The tracked columns of the historical ``model`` with a fixed default that every row
    up to history id ``up_to`` holds: what a migration may have added after a checkpoint
    that did not name its columns (the rows written before it got the default). One query
    for each column with a default."""
    live = {f.attname for f in model.instance_type._meta.concrete_fields}
    rows = model._default_manager.filter(history_id__lte=up_to)
    found = []
    for f in model._meta.concrete_fields:
        if f.attname not in live or f.primary_key or f.attname == object_id_name(model):
            continue
        if f.get_internal_type() in ("JSONField", "BinaryField"):
            continue
        if f.has_default() and callable(f.default):
            continue
        default = f.get_default()
        other = (
            rows.filter(**{f"{f.attname}__isnull": False})
            if default is None
            else rows.exclude(**{f.attname: default})
        )
        if not other.exists():
            found.append(f.attname)
    return found


_DIFFERS = (
    "raden som gäller nu har {falt} som historiken inte har (ändrad utan att historiken skrevs)"
)
_DELETED = "historiken säger att raden är borttagen, men den finns"
_GONE = "raden är borta utan att historiken säger att den togs bort"
_UNRECORDED = "raden finns utan historik (tillagd utan att historiken skrevs)"


def compare_live(model) -> list[tuple]:
    """Each row of the tracked model of the historical ``model`` as it is now against its
    newest history row, on the fields the history keeps: findings as :func:`verify` gives
    them for a row changed, added or removed in the database without its history, which the
    history's own signatures cannot show (they vouch for the history, not for the rows people
    act on), and for a row with no history at all (written beside the system: a row from
    before its model had a history got one from the migration that gave it, see
    :func:`record_unrecorded`). Two queries: the rows, and each object's newest history
    row."""
    tracked = model.instance_type
    id_name = object_id_name(model)
    # the tracked model's own fields (the history's are the ``history_`` ones besides them)
    live_names = {f.attname for f in tracked._meta.concrete_fields}
    fields = [
        f for f in model._meta.concrete_fields if f.attname in live_names and f.attname != id_name
    ]
    names = [f.attname for f in fields]
    newest = model._default_manager.filter(
        history_id__in=model._default_manager.values(id_name)
        .annotate(newest=models.Max("history_id"))
        .values("newest")
    ).values_list(id_name, "history_id", "history_type", *names)
    history = {row[0]: row[1:] for row in newest}
    label = model._meta.label_lower
    found = []
    seen = set()
    for row in tracked._base_manager.values_list(tracked._meta.pk.attname, *names).iterator(
        chunk_size=5000
    ):
        object_id, values = row[0], row[1:]
        seen.add(object_id)
        kept = history.get(object_id)
        if kept is None:
            found.append((label, object_id, 0, 0, _UNRECORDED))
            continue
        history_id, history_type, *then = kept
        if history_type == "-":
            found.append((label, object_id, 0, history_id, _DELETED))
            continue
        differ = [
            f.verbose_name
            for f, now, was in zip(fields, values, then, strict=True)
            if canonical(f, now) != canonical(f, was)
        ]
        if differ:
            found.append(
                (label, object_id, 0, history_id, _DIFFERS.format(falt=", ".join(map(str, differ))))
            )
    for object_id, (history_id, history_type, *_rest) in history.items():
        if object_id not in seen and history_type != "-":
            found.append((label, object_id, 0, history_id, _GONE))
    return sorted(found, key=lambda f: (f[1], f[3]))


def verify_rows_of(model, **where) -> tuple[int, list[tuple]]:
    """The signature and link of each row of the historical ``model`` that ``where`` selects,
    without a checkpoint: (rows read, findings as :func:`verify` gives them). ``where`` must
    select whole chains: a value all rows of an object share, such as the object it belongs
    to (one ärende's handlingar)."""
    return _Table(model, where=where).verify()


def verify(checkpoint=None, margin: datetime.timedelta | None = None) -> tuple[int, list[tuple]]:
    """Every field-history table, each read once: each signed row's key, MAC and link to the
    object's previous row, and, given the newest ``checkpoint`` (workflow.checkpoint, its
    signature found good), each object's rows up to the checkpoint against its digest there,
    and rows written after it but dated more than ``margin`` before it. Returns the rows
    read and the findings, as (label, object id, row's place, history id, reason)."""
    if checkpoint is not None and checkpoint.problem:
        checkpoint = None
    models = {m._meta.label_lower: m for m in field_history_models()}
    found: list[tuple] = []
    if checkpoint is not None:
        for label in sorted(set(checkpoint.field_history) - set(models)):
            found.append((label, 0, 0, 0, "fälthistorikens tabell finns inte längre"))
    rows = 0
    for model in models.values():
        read, problems = _Table(model, checkpoint, margin).verify()
        rows += read
        found += problems
    return rows, found


# -- rows written before they were signed --------------------------------------------------------


def sign_rows(model, id_name: str, using: str, batch: int = 5000) -> int:
    """Sign every row of a historical model as it stands, object by object in the order of
    ``history_id``, each linked to the one before it; returns the rows signed. For a
    migration (``model`` may be the migration's historical model): what is signed here is
    vouched for from now on, so run ``verify_history`` first."""
    signer = Signer(model)
    key_id, key = hashing.current_key()
    names = [id_name, "history_id", *signer.attnames]
    table = model._default_manager.using(using).order_by(id_name, "history_id")
    connection = connections[using]
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {qn('history_key_id')} = %s, "
        f"{qn('history_prev_mac')} = %s, {qn('history_mac')} = %s WHERE {qn('history_id')} = %s"
    )
    signed = 0
    last_object, last_row, prev = None, None, ""
    while True:
        part = table
        if last_row is not None:  # by keyset: each part is read before it is written
            part = table.filter(
                models.Q(**{f"{id_name}__gt": last_object})
                | models.Q(**{id_name: last_object, "history_id__gt": last_row})
            )
        rows = list(part.values_list(*names)[:batch])
        if not rows:
            return signed
        updates = []
        for object_id, history_id, *values in rows:
            if object_id != last_object:
                prev = ""
            mac = signer.mac(key, key_id, values, prev)
            updates.append((key_id, prev, mac, history_id))
            last_object, last_row, prev = object_id, history_id, mac
        with connection.cursor() as cursor:
            cursor.executemany(sql, updates)
        signed += len(rows)


def record_unrecorded(model, using: str, reason: str) -> int:
    """A signed first row in the historical ``model`` for each row of its tracked model that
    has none, as the row stands, dated now, by nobody, with ``reason``; returns how many.
    For the migration that gives a model its history, or that records rows an earlier
    migration wrote without one; ``model`` may be a migration's historical model, whose
    tracked model is then found in the migration's apps (:func:`_tracked_in`)."""
    tracked = getattr(model, "instance_type", None) or _tracked_in(model)
    id_name = tracked._meta.pk.attname
    live_names = {f.attname for f in tracked._meta.concrete_fields}
    names = [f.attname for f in model._meta.concrete_fields if f.attname in live_names]
    signer = Signer(model)
    key_id, key = hashing.current_key()
    now = timezone.now()
    history = model._default_manager.using(using)
    rows = []
    unrecorded = tracked._base_manager.using(using).exclude(pk__in=history.values(id_name))
    for values in unrecorded.order_by("pk").values(*names).iterator(chunk_size=5000):
        row = model(
            **values,
            history_date=now,
            history_type="+",
            history_change_reason=reason,
            history_user_id=None,
            history_key_id=key_id,
        )
        row.history_mac = signer.mac(key, key_id, [getattr(row, n) for n in signer.attnames], "")
        rows.append(row)
    history.bulk_create(rows, batch_size=1000)
    return len(rows)


def _tracked_in(model):
    """The tracked model of a migration's historical ``model`` (same app, name without
    ``Historical``)."""
    return model._meta.apps.get_model(
        model._meta.app_label, model._meta.object_name.removeprefix("Historical")
    )


def sign_existing(apps, schema_editor, app_label: str) -> None:
    """The data step of the migration that adds the signature to an app's historical models:
    their rows, written before, are signed as they stand (see :func:`sign_rows`)."""
    using = schema_editor.connection.alias
    for model in apps.get_app_config(app_label).get_models():
        names = {f.attname for f in model._meta.concrete_fields}
        if "history_id" not in names or not set(SIGNATURE_FIELDS) <= names:
            continue
        sign_rows(model, _tracked_in(model)._meta.pk.attname, using)
