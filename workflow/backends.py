"""``user.has_perm(perm, obj)`` answered by the workflow: the permission map of the state the
object is in, against the user's roles in context (global and local)."""

from django.contrib.auth.models import PermissionsMixin, _user_has_perm

from . import registry
from .engine import has_permission, permissions_in_state


class WorkflowBackend:
    """An authentication backend that authenticates nobody and answers object permissions."""

    def authenticate(self, request, **credentials):
        return None

    def _governs(self, user_obj, obj) -> bool:
        # Anonymous and inactive users hold only the Anonymous role (see workflow.roles).
        return obj is not None and registry.is_governed(type(obj))

    def has_perm(self, user_obj, perm, obj=None):
        if not self._governs(user_obj, obj):
            return False
        return has_permission(user_obj, perm, obj)

    def get_all_permissions(self, user_obj, obj=None):
        if not self._governs(user_obj, obj):
            return set()
        return permissions_in_state(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return False


_django_has_perm = PermissionsMixin.has_perm


def _has_perm(user, perm, obj=None):
    """Django lets an active superuser pass every check. On an object a workflow governs, the
    answer is the workflow's alone: the superuser configures the system and is not above the
    workflow (it reads no secret ärende and changes no justerat protokoll by that flag)."""
    if obj is not None and registry.is_governed(type(obj)):
        return _user_has_perm(user, perm, obj)
    return _django_has_perm(user, perm, obj)


def install_superuser_rule() -> None:
    """Make ``user.has_perm(perm, obj)`` ask only the backends for governed objects (called
    once from the app's ``ready``)."""
    PermissionsMixin.has_perm = _has_perm
