"""The ärende's process must agree with its lifecycle definition (Django's system checks, tag
"workflow"; ``manage.py workflow_check`` runs them). The definition says which tasks are open
in each state (``State.tasks``) and the guards say who may take each step; the process
(flows/processer.py) routes and offers its tasks by that. What can still disagree is checked
here, so that a state or transition added to, renamed in or removed from flows/arende.py
fails here instead of rerouting the process silently: every state says what is open in it,
every task named there is a node of the flow that the process can be routed to, every task
of the flow is open somewhere and completed by transitions that can be taken there, and
someone may take them."""

from __future__ import annotations

from django.core import checks

from workflow import registry


def process_problems() -> list[str]:
    from .arende import ID
    from .processer import SLUT, ArendeFlow, Uppgift, uppgiftens_roller

    wf = registry.get_workflow(ID)
    noder = {node.name: node for node in ArendeFlow.instance.nodes()}
    vagval = {node.name for node, _villkor in ArendeFlow.vagval._branches} - {SLUT}
    problems = []
    for state in wf.state_list:
        if state.tasks is None:
            problems.append(
                f"status {state.id} saknar uppgifter i processen: livscykeln säger inte vilka "
                "uppgifter som är öppna där (tasks, tom om inga)"
            )
            continue
        for grupp in state.tasks:
            for namn in sorted({*grupp.open, *grupp.besides, grupp.entered_at}):
                if namn not in noder:
                    problems.append(
                        f"status {state.id} nämner uppgiften {namn}, som processen inte har"
                    )
            if grupp.entry and grupp.entered_at in noder and grupp.entered_at not in vagval:
                problems.append(
                    f"status {state.id} öppnas med {grupp.entered_at}, dit processens vägval "
                    "inte leder"
                )
        ingangar = [grupp for grupp in state.tasks if grupp.entry]
        if state.tasks and not any(grupp.when is None for grupp in ingangar):
            problems.append(
                f"status {state.id} har ingen uppgift att öppna när inget villkor håller"
            )
    forsta = [grupp for grupp in wf.states[wf.initial_state].tasks or () if grupp.entry]
    ny = ArendeFlow.ny._next.name
    if forsta and forsta[0].entered_at != ny:
        problems.append(
            f"ett nytt ärende får uppgiften {ny}, men livscykeln öppnar "
            f"{forsta[0].entered_at} i status {wf.initial_state}"
        )

    for node in noder.values():
        if not isinstance(node, Uppgift):
            continue
        oppen = [state.id for state in wf.state_list if node.name in state.task_names()]
        if not oppen:
            problems.append(f"uppgiften {node.name} är inte öppen i någon status")
        okanda = sorted(t for t in node.avslutas_av if t not in wf.transitions)
        for transition_id in okanda:
            problems.append(
                f"uppgiften {node.name} nämner övergången {transition_id}, som livscykeln inte har"
            )
        if okanda or not oppen:
            continue
        for transition_id in sorted(node.avslutas_av):
            if not set(wf.transitions[transition_id].sources) & set(oppen):
                problems.append(
                    f"uppgiften {node.name} avslutas av {transition_id}, som inte kan tas i "
                    "någon status där uppgiften är öppen"
                )
        if not node.avslutas_av:
            problems.append(f"uppgiften {node.name} avslutas inte av någon övergång")
        elif not uppgiftens_roller(node.name, node.avslutas_av, wf):
            problems.append(
                f"uppgiften {node.name} kan ingen roll slutföra: ingen får ta "
                f"{', '.join(sorted(node.avslutas_av))} där den är öppen"
            )
    return problems


@checks.register("workflow")
def process_agrees_with_definition(app_configs, **kwargs):
    return [checks.Error(problem, id="flows.E001") for problem in process_problems()]
