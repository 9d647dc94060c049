"""``user.has_perm(perm, obj)`` answered by the workflow: the permission map of the state the
object is in, against the user's roles in context (global and local)."""

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
