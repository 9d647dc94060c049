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
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from .definitions import ANONYMOUS, AUTHENTICATED
from .models import LocalRole, LocalRolesMixin, WorkflowMixin

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
    """(group ids, group names) of an active, authenticated user; one query, cached."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset(), frozenset()
    cache = _cache(user)
    if "groups" not in cache:
        rows = list(user.groups.values_list("id", "name"))
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


def local_roles(user, obj) -> frozenset[str]:
    """Roles given to ``user`` (directly or through a group) on ``obj`` or what contains it."""
    if user is None or not user.is_authenticated or not user.is_active or obj.pk is None:
        return frozenset()
    group_ids, _names = _groups(user)
    places = Q()
    for item in acquisition_chain(obj):
        if item.pk is None:
            continue
        ct = ContentType.objects.get_for_model(item)
        places |= Q(content_type_id=ct.pk, object_id=item.pk)
    who = Q(user_id=user.pk)
    if group_ids:
        who |= Q(group_id__in=group_ids)
    return frozenset(LocalRole.objects.filter(places, who).values_list("role", flat=True))


def roles_in_context(user, obj) -> frozenset[str]:
    """Global plus local roles of ``user`` on ``obj``; cached per user and object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return global_roles(user)
    cache = _cache(user)["objects"]
    # what the object inherits from is part of the key: blocking inheritance or moving the
    # object to another container must not be answered from the cache
    parent_field = getattr(obj, "local_roles_parent", None)
    parent_id = getattr(obj, f"{parent_field}_id", None) if parent_field else None
    key = (type(obj)._meta.label, obj.pk, getattr(obj, "block_local_roles", False), parent_id)
    roles = cache.get(key)
    if roles is None:
        roles = global_roles(user) | local_roles(user, obj)
        cache[key] = roles
    return roles


def forget(user) -> None:
    """Drop the cached roles of ``user`` (after a change made in another process)."""
    if hasattr(user, "_workflow_roles_cache"):
        del user._workflow_roles_cache


def grant(obj, role: str, *, user=None, group=None, granted_by=None) -> LocalRole:
    """Give ``role`` on ``obj`` to ``user`` or ``group`` (idempotent)."""
    ct = ContentType.objects.get_for_model(obj)
    local, _created = LocalRole.objects.get_or_create(
        content_type=ct,
        object_id=obj.pk,
        role=role,
        user=user,
        group=group,
        defaults={"granted_by": granted_by},
    )
    return local


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
