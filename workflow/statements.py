"""The few statements every transition runs, built once per model and database and then
executed directly: the row lock (with the newest link of the object's history chain) and
the append of a history entry.

A transition is a handful of small statements, and building each through the ORM's query
compiler costs more than running it. What the ORM would do besides is done here as well:
values go through the fields' ``get_db_prep_save`` and come back through the backend's and
the fields' converters, and the instance is made by ``Model.from_db``.
"""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

from . import roles
from .models import WorkflowHistory

_cache: dict[tuple, object] = {}


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
        lock = connection.ops.for_update_sql() if connection.features.has_select_for_update else ""
        self.sql = f"SELECT {', '.join(columns)} FROM {qn(meta.db_table)} t WHERE {pk} = %s {lock}"
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, column, found))
        self.names = [f.attname for f in self.fields]


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


def insert_entry(entry: WorkflowHistory) -> WorkflowHistory:
    """INSERT a new history entry and give it its id. The model's ``save`` does the same
    (it only ever inserts), but sends no signals here: nothing listens to this table; the
    engine's own ``before_transition``/``after_transition`` are the signals to use."""
    using = router.db_for_write(WorkflowHistory)
    connection = connections[using]
    key = ("insert", using)
    prepared = _cache.get(key)
    if prepared is None:
        qn = _qn(connection)
        meta = WorkflowHistory._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        returning = connection.features.can_return_columns_from_insert
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
        prepared = _cache[key] = (sql, fields, returning)
    sql, fields, returning = prepared
    params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            entry.pk = cursor.fetchone()[0]
        else:
            entry.pk = connection.ops.last_insert_id(
                cursor, WorkflowHistory._meta.db_table, WorkflowHistory._meta.pk.column
            )
    entry._state.adding = False
    entry._state.db = using
    return entry
