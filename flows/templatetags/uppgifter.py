"""``{% arendets_uppgifter arende %}``: the ärende's open tasks on its page. A template tag,
so that the ärende page (arenden) shows the flow's tasks without arenden importing flows."""

from django import template

from .. import uppgifter

register = template.Library()


@register.inclusion_tag("flows/_arendets_uppgifter.html", takes_context=True)
def arendets_uppgifter(context, arende):
    request = context["request"]
    oppna = list(uppgifter.uppgifter(arende).select_related("owner"))
    for task in oppna:
        task.far_ta = task.owner_id is None and task.flow_task.far_utfora(request.user, arende)
        task.ar_granska = task.flow_task.name == "granska"
    return {"uppgifter": oppna, "arende": arende, "request": request, "user": request.user}
