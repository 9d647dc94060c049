"""The few statements every transition runs, built once per model and database and then
executed directly: the row lock (with the newest link of the object's history chain), and
the transition's writes: the UPDATE of the object, its field-history record
(simple-history) and the workflow history entry.

A transition is a handful of small statements, and building each through the ORM's query
compiler costs more than running it. What the ORM would do besides is done here as well:
values go through the fields' ``pre_save`` and ``get_db_prep_save`` and come back through
the backend's and the fields' converters, the instance is made by ``Model.from_db``, the
model's ``pre_save``/``post_save`` and simple-history's ``pre_create_historical_record``/
``post_create_historical_record`` signals are sent as a save would send them. On PostgreSQL
(with Django's default client-side binding) the three writes go to the server as one
round trip.

A signed field history (workflow.fieldhistory) links each row to the object's previous
row: the lock reads that row's MAC with the object, and the INSERT of the new row returns
the MAC of the row before it as the database has it then, after the lock (a lock that
waited for another transaction's commit has read the rest of its statement as it was
before that commit): when the two differ, the row is signed again over the right link.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import Model
from django.db.models import signals as model_signals
from simple_history.models import HistoricalChanges
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from . import roles
from .fieldhistory import SignedHistory, object_id_name, tail
from .models import WorkflowError, WorkflowHistory

_cache: dict[tuple, object] = {}
#: where the lock leaves the MAC of the object's newest field-history row (signed history)
TAIL = "_field_history_tail"
#: no switch on the object (see write_transition)
_UNSET = object()


def _qn(connection):
    return connection.ops.quote_name


class _Lock:
    """``SELECT <fields>, <last seq>, <last hash>[, <roles>, <groups>] FROM <table>
    WHERE pk = %s FOR UPDATE``."""

    def __init__(self, model, connection, with_roles: bool, with_groups: bool):
        qn = _qn(connection)
        meta = model._meta
        self.fields = list(meta.concrete_fields)
        history = WorkflowHistory._meta.db_table
        pk = f"t.{qn(meta.pk.column)}"
        last = (
            f"FROM {qn(history)} h WHERE h.{qn('content_type_id')} = %s "
            f"AND h.{qn('object_id')} = {pk} ORDER BY h.{qn('seq')} DESC LIMIT 1"
        )
        columns = [f"t.{qn(f.column)}" for f in self.fields]
        columns += [f"(SELECT h.{qn('seq')} {last})", f"(SELECT h.{qn('hash')} {last})"]
        inline = roles.inline_roles_sql(model, connection) if with_roles else None
        self.with_roles = inline is not None
        self.with_groups = self.with_roles and with_groups
        if self.with_roles:
            columns.append(inline[0])
            if self.with_groups:
                columns.append(inline[1])
        historical = _historical_model(model)
        self.signed = historical is not None and issubclass(historical, SignedHistory)
        if self.signed:  # the newest field-history row's MAC, last
            columns.append(f"({_tail_sql(historical, connection, pk)})")
        lock = connection.ops.for_update_sql() if connection.features.has_select_for_update else ""
        self.sql = f"SELECT {', '.join(columns)} FROM {qn(meta.db_table)} t WHERE {pk} = %s {lock}"
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, column, found))
        self.names = [f.attname for f in self.fields]


def _tail_sql(historical, connection, object_id: str, before: str = "") -> str:
    """``SELECT`` of the MAC of the newest field-history row of the object ``object_id``
    (an SQL expression) [with a history id below ``before``]."""
    qn = _qn(connection)
    meta = historical._meta
    column = qn(meta.get_field(object_id_name(historical)).column)
    below = f" AND f.{qn('history_id')} < {before}" if before else ""
    return (
        f"SELECT f.{qn('history_mac')} FROM {qn(meta.db_table)} f "
        f"WHERE f.{column} = {object_id}{below} ORDER BY f.{qn('history_id')} DESC LIMIT 1"
    )


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def lock(model, pk, user=None):
    """The object's row, locked until the transaction ends, and ``(seq, hash)`` of the newest
    entry of its history chain (``(0, "")`` when it has none): one statement. Given the
    acting ``user``, the same statement reads the user's roles on the object (and groups),
    and puts them in the user's cache, so that the guard needs no statement of its own."""
    using = router.db_for_write(model)
    connection = connections[using]
    with_roles = roles.wants_roles(user)
    with_groups = with_roles and not roles.groups_cached(user)
    key = ("lock", model._meta.label, using, with_roles, with_groups)
    statement = _cache.get(key)
    if statement is None:
        statement = _cache[key] = _Lock(model, connection, with_roles, with_groups)
    ct = ContentType.objects.db_manager(using).get_for_model(model)
    params = [ct.pk, ct.pk]
    if statement.with_roles:
        params += roles.inline_roles_params(model, user)
        if statement.with_groups:
            params.append(user.pk)
    params.append(pk)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk} finns inte")
    count = len(statement.fields)
    values = list(row[:count])
    for index, column, converters in statement.converters:
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    obj = model.from_db(using, statement.names, values)
    last_seq, last_hash = row[count : count + 2]
    if statement.with_roles:
        groups = _json(row[count + 3]) or [] if statement.with_groups else None
        roles.remember(user, obj, _json(row[count + 2]) or [], groups)
    if statement.signed:
        obj.__dict__[TAIL] = row[-1] or ""
    return obj, (last_seq, last_hash) if last_seq is not None else (0, "")


def last_link(ct_id: int, object_id: int) -> tuple[int, str]:
    """(seq, hash) of the newest entry in an object's chain, ``(0, "")`` when there is none."""
    connection = connections[router.db_for_write(WorkflowHistory)]
    key = ("last", connection.alias)
    sql = _cache.get(key)
    if sql is None:
        qn = _qn(connection)
        sql = _cache[key] = (
            f"SELECT {qn('seq')}, {qn('hash')} FROM {qn(WorkflowHistory._meta.db_table)} "
            f"WHERE {qn('content_type_id')} = %s AND {qn('object_id')} = %s "
            f"ORDER BY {qn('seq')} DESC LIMIT 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ct_id, object_id])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, "")


def _insert(model, connection, with_tail: bool = False) -> tuple[str, list, bool]:
    """``INSERT INTO <model> (...) VALUES (...) [RETURNING <pk>]``, the columns the database
    does not fill itself, and whether the new id comes back with it; ``with_tail``: for a
    signed field history, the MAC of the object's row before the new one comes back too."""
    key = ("insert", model._meta.label, connection.alias, with_tail)
    prepared = _cache.get(key)
    if prepared is None:
        qn = _qn(connection)
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not getattr(f, "db_returning", False)]
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        returning = connection.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
            if with_tail:
                table = qn(meta.db_table)
                object_id = f"{table}.{qn(meta.get_field(object_id_name(model)).column)}"
                before = f"{table}.{qn('history_id')}"
                sql += f", ({_tail_sql(model, connection, object_id, before)})"
        prepared = _cache[key] = (sql, fields, returning)
    return prepared


def _values(obj, fields, connection) -> list:
    return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]


def _run_insert(cursor, obj, connection, returning: bool) -> tuple | None:
    """Give ``obj`` the id its INSERT (just executed on ``cursor``) made, and mark it saved;
    returns what the INSERT returned."""
    meta = obj._meta
    row = None
    if returning:
        row = cursor.fetchone()
        obj.pk = row[0]
    else:
        obj.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    obj._state.adding = False
    obj._state.db = connection.alias
    return row


def insert_entry(entry: WorkflowHistory) -> WorkflowHistory:
    """INSERT a new history entry and give it its id. The model's ``save`` does the same
    (it only ever inserts), but sends no signals here: nothing listens to this table; the
    engine's own ``before_transition``/``after_transition`` are the signals to use."""
    connection = connections[router.db_for_write(WorkflowHistory)]
    sql, fields, returning = _insert(WorkflowHistory, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(entry, fields, connection))
        _run_insert(cursor, entry, connection, returning)
    return entry


# -- the transition's writes ------------------------------------------------------------------


def _historical_model(model):
    """The model's simple-history model when this module can write its records (no history
    of many-to-many fields, no ``history_relation``), else None."""
    key = ("historical", model._meta.label)
    if key not in _cache:
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        historical = getattr(model, manager).model if manager else None
        if historical is not None and (
            historical._history_m2m_fields
            or hasattr(historical, "history_relation")
            # a history model with bases of its own may save differently (simple-history's
            # ``bases=``): it is saved by simple-history itself; a signed one is signed here
            or not set(historical.__bases__) <= {HistoricalChanges, Model, SignedHistory}
        ):
            historical = None
        _cache[key] = historical
    return _cache[key]


def can_write(obj) -> bool:
    """Can :func:`write_transition` write ``obj``'s transition (its field history is plain
    simple-history, or it has none)? Else the engine saves it through the ORM."""
    meta = obj._meta
    manager = getattr(meta, "simple_history_manager_attribute", None)
    return manager is None or _historical_model(type(obj)) is not None


def _batches(connection) -> bool:
    """Can one ``execute`` carry several statements with parameters (psycopg 3's client-side
    binding, Django's default on PostgreSQL)?"""
    key = ("batches", connection.alias)
    if key not in _cache:
        batches = connection.vendor == "postgresql"
        if batches:
            from django.db.backends.postgresql.psycopg_any import is_psycopg3

            options = connection.settings_dict.get("OPTIONS", {})
            batches = is_psycopg3 and not options.get("server_side_binding")
        _cache[key] = batches
    return _cache[key]


def _field_history(obj, when):
    """The simple-history record of ``obj`` as it is now, unsaved, as simple-history's own
    ``post_save`` would build it (the engine has set ``_history_user`` and
    ``_change_reason``); None when the model keeps no field history."""
    historical = _historical_model(type(obj))
    if (
        historical is None
        or hasattr(obj, "skip_history_when_saving")  # simple-history's own switches
        or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    ):
        return None
    return historical(
        history_date=getattr(obj, "_history_date", when),
        history_type="~",
        history_user=getattr(obj, "_history_user", None),
        history_change_reason=getattr(obj, "_change_reason", None),
        **{f.attname: getattr(obj, f.attname) for f in historical.tracked_fields},
    )


def _history_signal(signal, obj, record, **extra) -> None:
    signal.send(
        sender=type(record),
        instance=obj,
        history_instance=record,
        history_date=record.history_date,
        history_user=record.history_user,
        history_change_reason=record.history_change_reason,
        using=None,
        **extra,
    )


def _relink(record, returned: tuple | None, connection) -> None:
    """Sign ``record`` (just inserted) again if the row before it is not the one it was
    linked to (see the module's docstring)."""
    if returned is None or (returned[1] or "") == record.history_prev_mac:
        return
    record.sign(returned[1] or "")
    qn = _qn(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(record._meta.db_table)} SET {qn('history_key_id')} = %s, "
            f"{qn('history_prev_mac')} = %s, {qn('history_mac')} = %s "
            f"WHERE {qn('history_id')} = %s",
            [record.history_key_id, record.history_prev_mac, record.history_mac, record.pk],
        )


def write_transition(obj, fields: list[str], from_state: str, entry: WorkflowHistory) -> None:
    """Write a transition of the locked ``obj``: UPDATE of ``fields`` (the state first), its
    field-history record and the workflow history ``entry``, as one round trip where the
    database allows. Sends ``pre_save``/``post_save`` (with ``update_fields``) and
    simple-history's record signals as a save would (``pre_create_historical_record`` goes
    before the batch, so before the UPDATE too); gives ``entry`` (and the record) ids. All
    three rows go to the object's database, in its transaction."""
    model = type(obj)
    meta = obj._meta
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    update_fields = frozenset(fields)
    model_signals.pre_save.send(
        sender=model, instance=obj, raw=False, using=using, update_fields=update_fields
    )
    columns = [meta.get_field(name) for name in fields]
    qn = _qn(connection)
    key = ("update", meta.label, using, tuple(fields))
    update_sql = _cache.get(key)
    if update_sql is None:
        assignments = ", ".join(f"{qn(f.column)} = %s" for f in columns)
        update_sql = _cache[key] = (
            f"UPDATE {qn(meta.db_table)} SET {assignments} "
            f"WHERE {qn(meta.pk.column)} = %s AND {qn(meta.get_field('state').column)} = %s"
        )
    update_params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in columns]
    update_params += [meta.pk.get_db_prep_value(obj.pk, connection), from_state]
    inserts = []  # (the new row's instance, INSERT, its parameters, RETURNING its id or not)
    record = _field_history(obj, entry.timestamp)
    signed = isinstance(record, SignedHistory)
    if record is not None:
        _history_signal(pre_create_historical_record, obj, record)
        if signed:
            prev = obj.__dict__.get(TAIL)
            record.sign(prev if prev is not None else tail(type(record), obj.pk, using))
        sql, record_fields, returning = _insert(type(record), connection, with_tail=signed)
        inserts.append((record, sql, _values(record, record_fields, connection), returning))
    sql, entry_fields, returning = _insert(WorkflowHistory, connection)
    inserts.append((entry, sql, _values(entry, entry_fields, connection), returning))

    with connection.cursor() as cursor:
        if _batches(connection):  # one round trip; the results are read one by one
            cursor.execute(
                ";\n".join([update_sql, *(sql for _i, sql, _p, _r in inserts)]),
                [*update_params, *(p for _i, _s, params, _r in inserts for p in params)],
            )
            updated = cursor.rowcount
            returned = []
            for inserted, _sql, _params, returning in inserts:
                cursor.cursor.nextset()
                returned.append(_run_insert(cursor, inserted, connection, returning))
        else:
            cursor.execute(update_sql, update_params)
            updated = cursor.rowcount
            returned = []
            for inserted, sql, params, returning in inserts:
                cursor.execute(sql, params)
                returned.append(_run_insert(cursor, inserted, connection, returning))
    if updated != 1:  # the row is locked by the engine: it cannot have moved or gone
        raise WorkflowError(f"{meta.object_name} {obj.pk}: statusbytet skrevs inte")
    if signed:
        _relink(record, returned[0], connection)
        obj.__dict__[TAIL] = record.history_mac
    obj._state.adding = False
    obj._state.db = using
    if record is not None:
        _history_signal(post_create_historical_record, obj, record)
    # simple-history's own post_save must not write the record a second time; a switch a
    # hook set itself is left as the hook set it
    switch = obj.__dict__.get("skip_history_when_saving", _UNSET)
    obj.skip_history_when_saving = True
    try:
        model_signals.post_save.send(
            sender=model,
            instance=obj,
            created=False,
            update_fields=update_fields,
            raw=False,
            using=using,
        )
    finally:
        if switch is _UNSET:
            del obj.skip_history_when_saving
        else:
            obj.skip_history_when_saving = switch
