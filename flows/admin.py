"""The processes and their tasks are read in the admin, never written there.

viewflow's own admin lets a superuser change a process's data and a task's routing (its
owner, the permission that routes it, its status) and delete either: a process is moved only
by the steps the engine takes (flows.synk), which check who may and record it in the
ärende's history, and a task row is the record of who did a step. Read only here, as the
history and the roles on governed objects are (workflow.admin)."""

from django.contrib import admin
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from workflow.admin import ReadOnly


class ProcessAdmin(ReadOnly, viewflow_admin.ProcessAdmin):
    pass


class TaskAdmin(ReadOnly, viewflow_admin.TaskAdmin):
    pass


for model, model_admin in ((Process, ProcessAdmin), (Task, TaskAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
