"""The scan of the code for ids no definition has, as ``manage.py workflow_check`` reports it:
the ids of every registered workflow count as known, migrations and other files are skipped
without ending the scan, and each finding names file, line and the reference as written
(mutation run of 2026-12-06, workflow.references)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from workflow import references
from workflow.references import UnknownReference, scan

INGA_KONSTANTER: dict = {}


def test_workflow_check_reports_a_misspelt_constant_and_skips_migrations_and_other_files(
    settings, tmp_path, capsys
):
    # "a.txt" sorts before the source files: it is skipped, and the scan goes on
    (tmp_path / "a.txt").write_text('do_transition(arende, "finns_inte", user)\n')
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_initial.py").write_text(
        'do_transition(arende, "gammalt_steg", user)\n', encoding="utf-8"
    )
    vy = tmp_path / "vy.py"
    vy.write_text(
        "# ärendets översikt: åäö\n"
        # the first workflow registered (arende) names these, the last (sammantrade) does not
        'do_transition(arende, "anmal", user)\n'
        'lista = worklist(user, "alla_arenden")\n'
        "steg = ArendeSteg.FINNS_INTE\n",
        encoding="utf-8",
    )
    settings.WORKFLOW_REFERENCE_ROOTS = [tmp_path]
    with pytest.raises(CommandError, match="^1 problem hittades i arbetsflödena.$"):
        call_command("workflow_check")
    out = capsys.readouterr().out
    assert "FEL i koden:\n" in out
    problems = [line for line in out.splitlines() if line.startswith("  - ")]
    assert problems == [f"  - {vy}:4: okänd övergång ArendeSteg.FINNS_INTE"]
    [found] = scan([tmp_path])
    assert found == UnknownReference(str(vy), 4, "övergång", "ArendeSteg.FINNS_INTE")


def test_scan_uses_the_ids_it_is_given(tmp_path):
    (tmp_path / "vy.py").write_text(
        'do_transition(arende, "anmal", user)\nworklist(user, "egen_lista")\n',
        encoding="utf-8",
    )
    known = {"övergång": {"annat"}, "tillstånd": set(), "arbetslista": {"egen_lista"}}
    found = scan([tmp_path], known, INGA_KONSTANTER)
    assert [str(r) for r in found] == [f"{tmp_path / 'vy.py'}:1: okänd övergång anmal"]


KOR_SCAN = """
import json, sys
from workflow.references import scan
kinds = ("\\u00f6verg\\u00e5ng", "tillst\\u00e5nd", "arbetslista")
found = scan([sys.argv[1]], {kind: set() for kind in kinds}, {})
print(json.dumps([str(r) for r in found]))
"""


def test_scan_reads_the_source_as_utf8_whatever_the_locale(tmp_path):
    vy = tmp_path / "vy.py"
    vy.write_text('# översikt\nif arende.state == "beslutat":  # åäö\n', encoding="utf-8")
    expected = [f"{vy}:2: okänd tillstånd beslutat"]
    assert [
        str(r)
        for r in scan([tmp_path], {"övergång": set(), "tillstånd": set(), "arbetslista": set()}, {})
    ] == expected
    # the same scan in a process whose locale is plain ASCII (no UTF-8 mode, no coercion)
    project = Path(references.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONUTF8": "0",
        "PYTHONPATH": str(project),
        "PYTHONIOENCODING": "utf-8",
    }
    result = subprocess.run(
        [sys.executable, "-X", "utf8=0", "-c", KOR_SCAN, str(tmp_path)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
