"""One vocabulary: the code, the templates and the ärende's process name only the states,
transitions and worklists the lifecycle definitions have, and ``manage.py workflow_check``
says so (CI runs it). A state added to the definition but forgotten by the process fails
instead of ending the process silently."""

from dataclasses import replace
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from flows import checks as process_checks
from flows.processer import ArendeFlow, plats
from workflow import registry
from workflow.definitions import State, Workflow
from workflow.references import known_constants, scan


def test_the_code_names_only_ids_the_definitions_have(settings):
    assert scan(settings.WORKFLOW_REFERENCE_ROOTS) == []
    # and the scan does read the code: with no ids and no members, every quoted id and every
    # constant (flows/namn.py) is unknown
    found = scan(
        settings.WORKFLOW_REFERENCE_ROOTS,
        {"övergång": set(), "tillstånd": set(), "arbetslista": set()},
        {enum: (kind, set()) for enum, (kind, _members) in known_constants().items()},
    )
    kinds = {r.kind for r in found}
    assert kinds == {"övergång", "tillstånd", "arbetslista"} and len(found) > 40


def test_a_misspelt_id_fails_the_check_with_file_and_line(settings, tmp_path, capsys):
    (tmp_path / "vy.py").write_text(
        "def steg(arende, user):\n"
        '    do_transition(arende, "markera_bered", user)\n'
        '    return arende.state == "under_beredning" or worklist(user, "mina_arende")\n',
        encoding="utf-8",
    )
    (tmp_path / "sida.html").write_text('{% if arende.state == "besluta" %}x{% endif %}\n')
    settings.WORKFLOW_REFERENCE_ROOTS = [tmp_path]
    with pytest.raises(CommandError, match="3 problem"):
        call_command("workflow_check")
    out = capsys.readouterr().out
    assert f"{tmp_path / 'vy.py'}:2: okänd övergång markera_bered" in out
    assert f"{tmp_path / 'vy.py'}:3: okänd arbetslista mina_arende" in out
    assert f"{tmp_path / 'sida.html'}:1: okänd tillstånd besluta" in out


def test_the_process_agrees_with_the_definition():
    assert process_checks.process_problems() == []
    call_command("workflow_check")


@pytest.fixture
def definition_with_a_new_state():
    real = registry.get_workflow("arende")
    granskas = State("granskas", "Granskas", permissions=real.states["beredd"].permissions)
    ateruppta = real.transitions["ateruppta_beredning"]
    changed = Workflow(
        id=real.id,
        title=real.title,
        states=[*real.state_list, granskas],
        transitions=[
            *real.transition_list,
            replace(
                ateruppta, id="granska", title="Granska", sources=("beredd",), target="granskas"
            ),
            replace(
                ateruppta, id="granskad", title="Granskad", sources=("granskas",), target="beredd"
            ),
        ],
        initial_state=real.initial_state,
        roles=real.roles,
        worklists=real.worklist_list,
    )
    registry.register(changed)
    yield
    registry.register(real)


def test_a_state_the_process_does_not_know_fails_the_check(definition_with_a_new_state, capsys):
    problems = process_checks.process_problems()
    assert any("status granskas saknar uppgifter i processen" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("workflow_check")
    with pytest.raises(LookupError, match="granskas"):
        plats(SimpleNamespace(state="granskas"))


def test_a_task_completed_by_an_unknown_transition_fails_the_check(monkeypatch):
    monkeypatch.setattr(ArendeFlow.bered, "avslutas_av", frozenset({"markera_klar"}))
    assert process_checks.process_problems() == [
        "uppgiften bered nämner övergången markera_klar, som livscykeln inte har"
    ]


def test_a_task_completed_where_it_is_never_open_fails_the_check(monkeypatch):
    # who is offered a task follows from the guards (tests/test_processer_fran_definitionen.py);
    # what can still be wrong is a step that cannot be taken where the task is open
    monkeypatch.setattr(ArendeFlow.anmal, "avslutas_av", frozenset({"besluta"}))
    assert process_checks.process_problems() == [
        "uppgiften anmal avslutas av besluta, som inte kan tas i någon status där uppgiften "
        "är öppen",
        "uppgiften anmal kan ingen roll slutföra: ingen får ta besluta där den är öppen",
    ]
