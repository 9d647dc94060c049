"""The ärende's process must agree with its lifecycle definition (Django's system checks, tag
"workflow"; ``manage.py workflow_check`` runs them). What the process is told by hand — which
transitions complete each task, who is offered it, what a state's open tasks may be — is
checked against the definition, so that a state or transition added to, renamed in or removed
from flows/arende.py fails here instead of rerouting the process silently."""

from __future__ import annotations

from django.core import checks

from workflow import registry


def _who_may(wf, transition) -> set[str]:
    """The roles that pass ``transition``'s guard: its roles, or the roles that hold its
    permissions in the states it leaves from."""
    if transition.guard.roles:
        return set(transition.guard.roles)
    return {
        role
        for source in transition.sources
        for perm in transition.guard.permissions
        for role in wf.states[source].roles_for(perm)
    }


def process_problems() -> list[str]:
    from .arende import ID
    from .processer import (
        BEREDNING,
        EFTER_EXPEDIERING,
        OPPNA_I_STATUS,
        UTAN_UPPGIFT,
        ArendeFlow,
        Uppgift,
    )

    wf = registry.get_workflow(ID)
    problems = []
    for name in sorted(BEREDNING | EFTER_EXPEDIERING | set(OPPNA_I_STATUS) | UTAN_UPPGIFT):
        if name not in wf.states:
            problems.append(f"processen nämner status {name}, som livscykeln inte har")
    for state in wf.states:
        if state not in OPPNA_I_STATUS and state not in UTAN_UPPGIFT:
            problems.append(
                f"status {state} saknar uppgifter i processen (OPPNA_I_STATUS) och står inte "
                "bland dem som inte har några (UTAN_UPPGIFT)"
            )
    for node in ArendeFlow.instance.nodes():
        if not isinstance(node, Uppgift):
            continue
        for transition_id in sorted(node.avslutas_av | node.under):
            if transition_id not in wf.transitions:
                problems.append(
                    f"uppgiften {node.name} nämner övergången {transition_id}, "
                    "som livscykeln inte har"
                )
        if node.avslutas_av and node.avslutas_av <= set(wf.transitions):
            may = set().union(*(_who_may(wf, wf.transitions[t]) for t in node.avslutas_av))
            extra = set(node.roller) - may
            if extra:
                problems.append(
                    f"uppgiften {node.name} erbjuds {', '.join(sorted(extra))}, som ingen av "
                    f"övergångarna {', '.join(sorted(node.avslutas_av))} tillåter"
                )
    return problems


@checks.register("workflow")
def process_agrees_with_definition(app_configs, **kwargs):
    return [checks.Error(problem, id="flows.E001") for problem in process_problems()]
