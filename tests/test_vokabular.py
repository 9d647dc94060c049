"""One vocabulary (issue 12, item 4): the states, transitions and worklists of each lifecycle
definition are named constants (``flows/namn.py``), the definition is built from them, and
``manage.py workflow_check`` fails when the constants and the definition disagree, or when the
code, a template or the benchmark names an id or a constant that no definition has."""

from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from flows.namn import (
    ArendeArbetslista,
    ArendeStatus,
    ArendeSteg,
    BegaranStatus,
    SammantradeStatus,
    SammantradeSteg,
)
from workflow import registry, vocabulary
from workflow.definitions import State, Workflow
from workflow.references import scan

BENCHMARK = Path(django_settings.BASE_DIR) / "tests" / "benchmark"


@pytest.mark.parametrize("workflow_id", ["arende", "sammantrade", "begaran"])
def test_every_constant_is_an_id_of_its_definition_and_every_id_has_one(workflow_id):
    wf = registry.get_workflow(workflow_id)
    names = registry.vocabulary_for(workflow_id)
    assert names is not None
    assert vocabulary.problems(wf, names) == []
    assert {str(m) for m in names.states} == set(wf.states)
    assert {str(m) for m in names.transitions} == set(wf.transitions)
    assert {str(m) for m in names.worklists} == set(wf.worklists)


def test_a_constant_is_the_id_itself():
    # what the database, the URLs and the templates hold keeps working
    assert ArendeStatus.UNDER_BEREDNING == "under_beredning"
    assert f"{ArendeSteg.BESLUTA}" == "besluta"
    assert SammantradeStatus.ANSLAGET in ("justerat", "anslaget")
    # and the definition built from the constants keeps plain strings (export, hash chain)
    wf = registry.get_workflow("arende")
    besluta = wf.transitions["besluta"]
    assert type(besluta.id) is str and type(besluta.target) is str
    assert all(type(s) is str for s in besluta.sources)
    assert type(wf.initial_state) is str
    assert all(type(s) is str for s in wf.worklists[ArendeArbetslista.MINA_ARENDEN].states)


@pytest.fixture
def arende_with_a_new_state():
    real = registry.get_workflow("arende")
    ateruppta = real.transitions[ArendeSteg.ATERUPPTA_BEREDNING]
    changed = Workflow(
        id=real.id,
        title=real.title,
        states=[*real.state_list, State("granskas", "Granskas")],
        transitions=[
            *real.transition_list,
            replace(ateruppta, id="granska", sources=("beredd",), target="granskas"),
            replace(ateruppta, id="granskad", sources=("granskas",), target="beredd"),
        ],
        initial_state=real.initial_state,
        roles=real.roles,
        worklists=real.worklist_list,
    )
    registry.register(changed)  # the constants stay as they were
    yield
    registry.register(real)


def test_a_definition_changed_without_its_constants_fails_the_check(
    arende_with_a_new_state, capsys
):
    with pytest.raises(CommandError):
        call_command("workflow_check")
    out = capsys.readouterr().out
    assert "FEL arende:" in out
    assert "tillståndet granskas saknar konstant i ArendeStatus" in out
    assert "övergången granska saknar konstant i ArendeSteg" in out
    assert "övergången granskad saknar konstant i ArendeSteg" in out


def test_a_constant_the_definition_does_not_have_fails():
    from enum import StrEnum

    Utokad = StrEnum("ArendeStatus", {m.name: m.value for m in ArendeStatus} | {"GRANSKAS": "x"})
    Kortad = StrEnum("BegaranStatus", {m.name: m.value for m in list(BegaranStatus)[1:]})
    arende = registry.get_workflow("arende")
    names = registry.vocabulary_for("arende")
    assert vocabulary.problems(arende, replace(names, states=Utokad)) == [
        "ArendeStatus.GRANSKAS nämner tillståndet x, som arbetsflödet inte har"
    ]
    begaran = registry.get_workflow("begaran")
    names = registry.vocabulary_for("begaran")
    assert vocabulary.problems(begaran, replace(names, states=Kortad)) == [
        "tillståndet inkommen saknar konstant i BegaranStatus"
    ]


def test_a_misspelt_constant_fails_the_check_with_file_and_line(settings, tmp_path, capsys):
    (tmp_path / "steg.py").write_text(
        "from flows.namn import ArendeSteg, SammantradeStatus\n"
        "def steg(arende, user):\n"
        "    do_transition(arende, ArendeSteg.BESLUTTA, user)\n"
        "    return arende.state == SammantradeStatus.KALLAT or ArendeSteg.BESLUTA\n",
        encoding="utf-8",
    )
    settings.WORKFLOW_REFERENCE_ROOTS = [tmp_path]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("workflow_check")
    out = capsys.readouterr().out
    assert f"{tmp_path / 'steg.py'}:3: okänd övergång ArendeSteg.BESLUTTA" in out


@pytest.fixture
def wrong_ids_in_the_benchmark_and_a_template():
    # temporary files where the real code lives: the configured roots must reach them
    written = [
        BENCHMARK / "_fel_id_tillfalligt.py",
        Path(django_settings.BASE_DIR) / "arenden" / "templates" / "_fel_id_tillfalligt.html",
    ]
    written[0].write_text(
        'def steg(arende, user):\n    do_transition(arende, "beslutta", user)\n'
        "    return SammantradeSteg.JUSTERA_MED_ANSLAG\n",
        encoding="utf-8",
    )
    written[1].write_text('{% if s.state == "anslagen" %}x{% endif %}\n', encoding="utf-8")
    yield written
    for path in written:
        path.unlink()


def test_the_check_reads_the_benchmark_and_the_templates(
    wrong_ids_in_the_benchmark_and_a_template, capsys
):
    benchmark, template = wrong_ids_in_the_benchmark_and_a_template
    with pytest.raises(CommandError, match="3 problem"):
        call_command("workflow_check")
    out = capsys.readouterr().out
    assert f"{benchmark}:2: okänd övergång beslutta" in out
    assert f"{benchmark}:3: okänd övergång SammantradeSteg.JUSTERA_MED_ANSLAG" in out
    assert f"{template}:1: okänd tillstånd anslagen" in out
    assert SammantradeSteg.JUSTERA  # the real one exists


def test_the_code_template_and_benchmark_roots_name_only_known_ids_and_constants():
    assert scan(django_settings.WORKFLOW_REFERENCE_ROOTS) == []
