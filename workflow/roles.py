"""Roles in context: the global roles a user has through Django groups, plus the local roles
given to the user or their groups on an object and on the containers above it (unless an
object blocks inheritance). Plone's ``getRolesInContext``.

A user's roles are cached on the user object (one request's lifetime); any change to local
roles or group membership in this process bumps a generation number that voids the cache.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .definitions import ANONYMOUS, AUTHENTICATED
from .models import GroupMembership, LocalRole, LocalRolesMixin, WorkflowMixin

_generation = 0


def _bump(*args, **kwargs):
    global _generation
    _generation += 1


def _bump_if_container_saved(sender, instance, **kwargs):
    # A container (an organ, a folder) may have blocked inheritance or moved; objects with a
    # workflow carry their own block flag and parent in the cache key instead, so their
    # frequent saves do not void everyone's cache.
    if isinstance(instance, LocalRolesMixin) and not isinstance(instance, WorkflowMixin):
        _bump()


post_save.connect(_bump, sender=LocalRole, dispatch_uid="workflow-localrole-save")
post_save.connect(_bump_if_container_saved, dispatch_uid="workflow-container-save")
post_delete.connect(_bump, sender=LocalRole, dispatch_uid="workflow-localrole-delete")
# deleting a group removes its memberships without an m2m_changed signal
post_delete.connect(_bump, sender=Group, dispatch_uid="workflow-group-delete")
m2m_changed.connect(
    _bump, sender=get_user_model().groups.through, dispatch_uid="workflow-groups-changed"
)


def _mirror_memberships(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Keep :class:`GroupMembership` as Django's user–group table is: a row saved for each
    membership given and deleted for each taken away, one by one, so that each has its signed
    field-history row (who, when). From either side (``user.groups``, ``group.user_set``)."""
    if action == "pre_clear":
        where = {"group": instance} if reverse else {"user": instance}
        for row in GroupMembership.objects.filter(**where):
            row.delete()
        return
    if action not in ("post_add", "post_remove"):
        return
    for pk in pk_set or ():
        user_id, group_id = (pk, instance.pk) if reverse else (instance.pk, pk)
        if action == "post_add":
            GroupMembership.objects.get_or_create(user_id=user_id, group_id=group_id)
        else:
            for row in GroupMembership.objects.filter(user_id=user_id, group_id=group_id):
                row.delete()


m2m_changed.connect(
    _mirror_memberships,
    sender=get_user_model().groups.through,
    dispatch_uid="workflow-groups-mirrored",
)


def _cache(user) -> dict:
    cache = getattr(user, "_workflow_roles_cache", None)
    if cache is None or cache["generation"] != _generation:
        cache = {"generation": _generation, "objects": {}}
        try:
            user._workflow_roles_cache = cache
        except AttributeError:  # pragma: no cover - exotic user objects
            pass
    return cache


def _groups(user) -> tuple[frozenset[int], frozenset[str]]:
    """(group ids, group names) of an active, authenticated user; one query, cached. Read
    from :class:`GroupMembership`, whose every row given or taken has a signed history, not
    from Django's user–group table, which it mirrors: a membership written into that table
    beside the system gives no role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset(), frozenset()
    cache = _cache(user)
    if "groups" not in cache:
        rows = list(
            GroupMembership.objects.filter(user_id=user.pk).values_list("group_id", "group__name")
        )
        cache["groups"] = (frozenset(r[0] for r in rows), frozenset(r[1] for r in rows))
    return cache["groups"]


def group_ids(user) -> frozenset[int]:
    """Ids of the groups an active, authenticated user belongs to (cached)."""
    return _groups(user)[0]


def global_roles(user) -> frozenset[str]:
    """Roles the user has everywhere: one per Django group (by name), plus the built-ins."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset({ANONYMOUS})
    return _groups(user)[1] | {ANONYMOUS, AUTHENTICATED}


def acquisition_chain(obj) -> list:
    """The object and the containers whose local roles apply to it, nearest first."""
    chain = []
    seen = set()
    current = obj
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        if getattr(current, "block_local_roles", False):
            break
        parent_getter = getattr(current, "get_local_roles_parent", None)
        current = parent_getter() if parent_getter else None
    return chain


def _is_top(model) -> bool:
    """Nothing can be above objects of ``model`` (no container to inherit local roles from)."""
    getter = getattr(model, "get_local_roles_parent", None)
    if getter is None:
        return True
    return getter is LocalRolesMixin.get_local_roles_parent and not model.local_roles_parent


def places(obj) -> list[tuple[int, int]]:
    """``(content type id, pk)`` of the object and of the containers whose local roles apply
    to it, nearest first: :func:`acquisition_chain` as keys. A container with nothing above it
    is not loaded, since the id the object holds is all that is needed of it."""
    found: list[tuple[int, int]] = []
    current = obj
    while current is not None:
        model = type(current)
        if current.pk is not None:
            key = (ContentType.objects.get_for_model(model).pk, current.pk)
            if key in found:
                break
            found.append(key)
        if getattr(current, "block_local_roles", False):
            break
        getter = getattr(model, "get_local_roles_parent", None)
        if getter is None:
            break
        parent_field = current.local_roles_parent
        if getter is LocalRolesMixin.get_local_roles_parent and parent_field:
            field = model._meta.get_field(parent_field)
            if _is_top(field.related_model):
                parent_id = getattr(current, field.attname)
                if parent_id is not None:
                    ct = ContentType.objects.get_for_model(field.related_model)
                    if (ct.pk, parent_id) not in found:
                        found.append((ct.pk, parent_id))
                break
        current = current.get_local_roles_parent()
    return found


_role_statements: dict[tuple, str] = {}


def _membership_sql(qn) -> tuple[str, str, str]:
    """(table, user column, group column) of the memberships roles are read from: the
    recorded :class:`GroupMembership` (:func:`_groups`), not Django's user–group table."""
    membership = GroupMembership._meta
    return (
        qn(membership.db_table),
        qn(membership.get_field("user").column),
        qn(membership.get_field("group").column),
    )


def _role_statement(connection, n_places: int, with_groups: bool) -> str:
    """SQL for the local roles of a user (directly or through a group) on ``n_places`` places,
    preceded, when ``with_groups``, by the user's groups (:class:`GroupMembership`): one round
    trip for both."""
    key = (connection.alias, n_places, with_groups)
    sql = _role_statements.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        through, member_user, member_group = _membership_sql(qn)
        lr = LocalRole._meta
        since = qn(lr.get_field("valid_from").column)
        until = qn(lr.get_field("valid_until").column)
        place = "({} = %s AND {} = %s)".format(
            qn(lr.get_field("content_type").column), qn(lr.get_field("object_id").column)
        )
        sql = (
            f"SELECT 'l', NULL, {qn(lr.get_field('role').column)} FROM {qn(lr.db_table)} "
            f"WHERE ({' OR '.join([place] * n_places)}) "
            f"AND ({qn(lr.get_field('user').column)} = %s "
            f"OR {qn(lr.get_field('group').column)} IN "
            f"(SELECT {member_group} FROM {through} WHERE {member_user} = %s)) "
            f"AND ({since} IS NULL OR {since} <= %s) AND ({until} IS NULL OR {until} >= %s)"
        )
        if with_groups:
            group = Group._meta
            sql = (
                f"SELECT 'g', g.{qn(group.pk.column)}, g.{qn(group.get_field('name').column)} "
                f"FROM {qn(group.db_table)} g INNER JOIN {through} m "
                f"ON m.{member_group} = g.{qn(group.pk.column)} WHERE m.{member_user} = %s "
                f"UNION ALL {sql}"
            )
        _role_statements[key] = sql
    return sql


def _fetch_roles(user, where: list[tuple[int, int]], with_groups: bool):
    """(group rows, local role names) of ``user`` on the places ``where``."""
    connection = connections[router.db_for_read(LocalRole)]
    params = [user.pk] if with_groups else []
    for ct_id, object_id in where:
        params += [ct_id, object_id]
    today = timezone.localdate()
    params += [user.pk, user.pk, today, today]
    with connection.cursor() as cursor:
        cursor.execute(_role_statement(connection, len(where), with_groups), params)
        rows = cursor.fetchall()
    groups = [(gid, name) for kind, gid, name in rows if kind == "g"]
    return groups, frozenset(name for kind, _gid, name in rows if kind == "l")


def local_roles(user, obj) -> frozenset[str]:
    """Roles given to ``user`` (directly or through a group) on ``obj`` or what contains it."""
    if user is None or not user.is_authenticated or not user.is_active or obj.pk is None:
        return frozenset()
    return _fetch_roles(user, places(obj), with_groups=False)[1]


def _key(obj) -> tuple:
    # what the object inherits from is part of the key: blocking inheritance or moving the
    # object to another container must not be answered from the cache
    parent_field = getattr(obj, "local_roles_parent", None)
    parent_id = getattr(obj, f"{parent_field}_id", None) if parent_field else None
    return (type(obj)._meta.label, obj.pk, getattr(obj, "block_local_roles", False), parent_id)


def roles_in_context(user, obj) -> frozenset[str]:
    """Global plus local roles of ``user`` on ``obj``; cached per user and object.

    When neither is cached yet, the user's groups and the local roles come in one statement.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return global_roles(user)
    cache = _cache(user)
    key = _key(obj)
    roles = cache["objects"].get(key)
    if roles is None:
        if obj.pk is None:
            local = frozenset()
        else:
            with_groups = "groups" not in cache
            groups, local = _fetch_roles(user, places(obj), with_groups)
            if with_groups:
                cache["groups"] = (
                    frozenset(gid for gid, _name in groups),
                    frozenset(name for _gid, name in groups),
                )
        roles = global_roles(user) | local
        cache["objects"][key] = roles
    return roles


# -- the roles read together with the object (the engine's row lock) ---------------------------


def wants_roles(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def inline_roles_sql(model, connection, alias: str = "t") -> tuple[str, str] | None:
    """Two scalar subqueries to add to a SELECT over ``model`` (as ``alias``): the local roles
    the user holds on the row or on its container (a JSON array; four parameters: content
    type of the model, of the container, user id twice), and the user's groups (a JSON
    array of [id, name]; one parameter: user id). None when the containment goes deeper
    than one container, or is computed by the model, or on a database where a round trip
    costs little (SQLite): then :func:`roles_in_context` asks."""
    if connection.vendor != "postgresql":
        return None
    getter = getattr(model, "get_local_roles_parent", None)
    if getter is not None and getter is not LocalRolesMixin.get_local_roles_parent:
        return None
    parent_field = getattr(model, "local_roles_parent", None)
    if parent_field and not _is_top(model._meta.get_field(parent_field).related_model):
        return None
    qn = connection.ops.quote_name
    through, member_user, member_group = _membership_sql(qn)
    lr = LocalRole._meta
    ct, object_id = qn(lr.get_field("content_type").column), qn(lr.get_field("object_id").column)
    here = f"(lr.{ct} = %s AND lr.{object_id} = {alias}.{qn(model._meta.pk.column)})"
    if parent_field:
        parent = qn(model._meta.get_field(parent_field).column)
        above = (
            f"(lr.{ct} = %s AND lr.{object_id} = {alias}.{parent} "
            f"AND NOT {alias}.{qn('block_local_roles')})"
        )
    else:
        above = f"(lr.{ct} = %s AND FALSE)"
    since = f"lr.{qn(lr.get_field('valid_from').column)}"
    until = f"lr.{qn(lr.get_field('valid_until').column)}"
    local = (
        f"(SELECT json_agg(lr.{qn(lr.get_field('role').column)}) FROM {qn(lr.db_table)} lr "
        f"WHERE ({here} OR {above}) AND (lr.{qn(lr.get_field('user').column)} = %s "
        f"OR lr.{qn(lr.get_field('group').column)} IN "
        f"(SELECT {member_group} FROM {through} WHERE {member_user} = %s)) "
        f"AND ({since} IS NULL OR {since} <= %s) AND ({until} IS NULL OR {until} >= %s))"
    )
    group = Group._meta
    groups = (
        f"(SELECT json_agg(json_build_array(g.{qn(group.pk.column)}, "
        f"g.{qn(group.get_field('name').column)})) FROM {qn(group.db_table)} g "
        f"INNER JOIN {through} m ON m.{member_group} = g.{qn(group.pk.column)} "
        f"WHERE m.{member_user} = %s)"
    )
    return local, groups


def inline_roles_params(model, user) -> list:
    parent_field = getattr(model, "local_roles_parent", None)
    parent = model._meta.get_field(parent_field).related_model if parent_field else model
    return [
        ContentType.objects.get_for_model(model).pk,
        ContentType.objects.get_for_model(parent).pk,
        user.pk,
        user.pk,
        timezone.localdate(),
        timezone.localdate(),
    ]


def remember(user, obj, local, groups=None) -> None:
    """Put what :func:`inline_roles_sql` read into the user's cache of roles."""
    cache = _cache(user)
    if groups is not None:
        cache["groups"] = (
            frozenset(gid for gid, _name in groups),
            frozenset(name for _gid, name in groups),
        )
    cache["objects"][_key(obj)] = global_roles(user) | frozenset(local)


def groups_cached(user) -> bool:
    return "groups" in _cache(user)


def forget(user) -> None:
    """Drop the cached roles of ``user`` (after a change made in another process)."""
    if hasattr(user, "_workflow_roles_cache"):
        del user._workflow_roles_cache


def grant(
    obj, role: str, *, user=None, group=None, granted_by=None, valid_from=None, valid_until=None
) -> LocalRole:
    """Give ``role`` on ``obj`` to ``user`` or ``group`` (idempotent), for good or from
    ``valid_from`` up to and including ``valid_until``; given again, the role holds for the
    new period only."""
    [local] = grant_periods(
        obj, role, [(valid_from, valid_until)], user=user, group=group, granted_by=granted_by
    )
    return local


def grant_periods(obj, role: str, periods, *, user=None, group=None, granted_by=None):
    """Give ``role`` on ``obj`` to ``user`` or ``group`` for exactly ``periods`` (pairs of
    first and last day, either None for open): a period the principal held that is not among
    them goes, one that is kept keeps its row and history. No periods takes the role away.
    Returns the rows, in the order of ``periods``."""
    if len({since for since, _until in periods}) != len(periods):
        raise ValueError("two periods start on the same day")
    ct = ContentType.objects.get_for_model(obj)
    mine = {
        "content_type": ct,
        "object_id": obj.pk,
        "role": role,
        "user": user,
        "group": group,
    }
    held = {local.valid_from: local for local in LocalRole.objects.filter(**mine)}
    wanted = dict(periods)
    for since, local in held.items():
        if since not in wanted:
            local.delete()  # one by one, so simple-history records each removal
    rows = []
    for since, until in periods:
        local = held.get(since)
        if local is None:
            local, _created = LocalRole.objects.get_or_create(
                **mine,
                valid_from=since,
                defaults={"granted_by": granted_by, "valid_until": until},
            )
        if local.valid_until != until:
            local.valid_until = until
            local.save(update_fields=["valid_until"])
        rows.append(local)
    return rows


def revoke(obj, role: str, *, user=None, group=None) -> int:
    """Take ``role`` on ``obj`` away from ``user`` or ``group``; returns how many went."""
    ct = ContentType.objects.get_for_model(obj)
    removed = 0
    for local in LocalRole.objects.filter(
        content_type=ct, object_id=obj.pk, role=role, user=user, group=group
    ):
        local.delete()  # one by one, so simple-history records each removal
        removed += 1
    return removed


def local_roles_on(obj) -> list[LocalRole]:
    """Every local role given directly on ``obj`` (Plone's sharing tab)."""
    ct = ContentType.objects.get_for_model(obj)
    return list(
        LocalRole.objects.filter(content_type=ct, object_id=obj.pk).select_related("user", "group")
    )
