"""``{% arendets_uppgifter arende %}``: the ärende's open tasks on its page. A template tag,
so that the ärende page (arenden) shows the flow's tasks without arenden importing flows."""

from django import template

from .. import uppgifter
from ..processer import Uppgift

register = template.Library()


@register.inclusion_tag("flows/_arendets_uppgifter.html", takes_context=True)
def arendets_uppgifter(context, arende):
    request = context["request"]
    oppna = list(uppgifter.uppgifter(arende).select_related("owner"))
    for task in oppna:
        node = task.flow_task
        task.for_personer = isinstance(node, Uppgift)  # else a timer or a join: it waits
        task.far_ta = (
            task.for_personer and task.owner_id is None and node.far_utfora(request.user, arende)
        )
        task.ar_granska = node.name == "granska"
    return {"uppgifter": oppna, "arende": arende, "request": request, "user": request.user}
