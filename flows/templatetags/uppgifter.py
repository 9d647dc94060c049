"""``{% arendets_uppgifter arende %}``: the ärende's open tasks on its page, and the tasks that
were cancelled because the ärende moved where they did not lead (with the reason). A template
tag, so that the ärende page (arenden) shows the flow's tasks without arenden importing flows."""

from django import template
from django.db.models import Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .. import synk
from ..processer import Uppgift

register = template.Library()


@register.inclusion_tag("flows/_arendets_uppgifter.html", takes_context=True)
def arendets_uppgifter(context, arende):
    request = context["request"]
    rader = (
        Task.objects.filter(process__arendeprocess__arende=arende)
        .filter(Q(status__in=synk.OPPEN) | Q(status=STATUS.CANCELED, data__has_key="avbruten"))
        .select_related("owner")
        .order_by("pk")
    )
    oppna, avbrutna = [], []
    for task in rader:
        if task.status == STATUS.CANCELED:
            if task.flow_task_type in ("HUMAN", "TIMER"):  # not the join, which only waited
                avbrutna.append(task)
            continue
        node = task.flow_task
        task.for_personer = isinstance(node, Uppgift)  # else a timer or a join: it waits
        task.far_ta = (
            task.for_personer and task.owner_id is None and node.far_utfora(request.user, arende)
        )
        task.ar_granska = node.name == "granska"
        oppna.append(task)
    return {
        "uppgifter": oppna,
        "avbrutna": avbrutna[::-1],
        "arende": arende,
        "request": request,
        "user": request.user,
        # the ärende's version as its page shows it, which the review's form carries
        "version": context.get("version"),
    }
