"""Admin for configuration only. Workflow state is never edited here, and simple-history's
revert can never move it: the revert view refuses to save for workflow-governed models."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from . import registry
from .models import LocalRole, WorkflowHistory


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's views to read the field history, without its revert."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        # an id the primary key cannot hold is no object (simple-history would hand it to
        # the database as it is and fail); a deleted object's history stays readable
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            # A revert rebuilds an old instance and saves it whole, state included; the state
            # only changes through the workflow engine.
            raise PermissionDenied(_("Återställning från historiken är avstängd."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class WorkflowModelAdmin(ReadOnlyHistoryAdmin):
    """Base admin for models with a workflow state: the state is shown, never edited."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if "state" in fields else (*fields, "state")


def _styrs_av_arbetsflode(content_type) -> bool:
    model = content_type.model_class() if content_type is not None else None
    return model is not None and registry.is_governed(model)


class LocalRoleForm(forms.ModelForm):
    class Meta:
        model = LocalRole
        fields = (
            "content_type",
            "object_id",
            "role",
            "user",
            "group",
            "granted_at",
            "valid_from",
            "valid_until",
            "granted_by",
        )

    def clean(self):
        data = super().clean()
        if _styrs_av_arbetsflode(data.get("content_type")):
            raise ValidationError(
                _(
                    "En roll på ett objekt med arbetsflöde ges av det steg som ger den (till "
                    "exempel Tilldela), aldrig här: då står den i objektets historik."
                )
            )
        return data


@admin.register(LocalRole)
class LocalRoleAdmin(ReadOnlyHistoryAdmin):
    """Local roles on what no workflow governs (an organ's Stabschef or Nämndsekreterare) are
    given, changed and ended here. A role on a workflow-governed object is given by the step
    or the service that gives it, which checks who may and records it in the object's
    history: here it is only read, as one added, changed or removed here would bypass both."""

    form = LocalRoleForm
    list_display = (
        "role",
        "user",
        "group",
        "content_type",
        "object_id",
        "granted_at",
        "valid_from",
        "valid_until",
    )
    list_filter = ("role", "content_type", "valid_from", "valid_until")
    search_fields = ("role", "user__username", "group__name")
    raw_id_fields = ("user", "group", "granted_by")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            obj is not None and _styrs_av_arbetsflode(obj.content_type)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            obj is not None and _styrs_av_arbetsflode(obj.content_type)
        )

    def save_model(self, request, obj, form, change):
        if not change and obj.granted_by_id is None:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnly:
    """An admin that shows and never adds, changes or deletes: what is changed through the
    services (their checks and locks), or never (the history, the records of gallring)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkflowHistory)
class WorkflowHistoryAdmin(ReadOnly, admin.ModelAdmin):
    """The history, read only: who took which step when. Not its comments, neither shown nor
    searched: a comment may hold what the object's workflow keeps from some readers (a
    secret ärende's words), and the admin asks nobody; the application's own pages show
    them to who may read them."""

    exclude = ("comment",)
    list_display = (
        "timestamp",
        "content_type",
        "object_id",
        "seq",
        "transition",
        "from_state",
        "to_state",
        "actor_name",
    )
    list_filter = ("workflow", "transition", "content_type")
    search_fields = ("actor_name", "object_id")
    date_hierarchy = "timestamp"


class KontoAdmin(admin.site._registry[get_user_model()].__class__):
    """Accounts are deactivated, never deleted (:func:`workflow.fieldhistory._no_user_deleted`):
    no delete here either. A user's rights come from their roles (groups, whose memberships
    have signed history, and local roles), never from permissions given to the account one
    by one, which nothing records: the admin offers none."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        return [
            (namn, {**falt, "fields": [f for f in falt["fields"] if f != "user_permissions"]})
            for namn, falt in super().get_fieldsets(request, obj)
        ]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), KontoAdmin)


class RollAdmin(ReadOnly, admin.site._registry[Group].__class__):
    """A group is a role (:func:`workflow.roles.global_roles` reads it by name), with the
    permissions the roles' definitions give it. Renaming one would hand its members another
    role, and giving it a permission would open pages to them, with no record of either; a
    deleted one would take its members' memberships with it. Shown here, never changed:
    memberships are given on the account, where each is recorded."""


admin.site.unregister(Group)
admin.site.register(Group, RollAdmin)
