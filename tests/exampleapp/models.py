"""A publication workflow on documents in folders: small, but it uses every engine feature."""

from django.db import models
from simple_history.models import HistoricalRecords

from workflow.context import history_user
from workflow.fieldhistory import SignedHistory
from workflow.models import LocalRolesMixin, WorkflowMixin


class Folder(LocalRolesMixin):
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    local_roles_parent = "parent"

    def __str__(self):
        return self.name


class Document(WorkflowMixin):
    title = models.CharField(max_length=200)
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, default="vanlig")
    reviewed = models.BooleanField(default=False)
    history = HistoricalRecords(get_user=history_user, bases=[SignedHistory])

    local_roles_parent = "folder"

    class Meta:
        permissions = [("publish_document", "Får publicera dokument")]

    def __str__(self):
        return self.title
