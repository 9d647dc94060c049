"""The DCWorkflow peer of the benchmark (issue 18): without the optional ``peer`` extra the
benchmark still runs, says in its output that DCWorkflow was skipped, and exits normally; with
figures, the table shows engine/DCWorkflow and the targets are judged from them."""

import io
import json
import sys

import pytest
from django.core.management import call_command

from tests.benchmark import report, runner

# measures in processes and on SQLite files of its own: once, in the SQLite run
pytestmark = pytest.mark.sqlite


def _extra_installed(python: str) -> bool:
    import subprocess

    probe = [python, "-c", "import Products.CMFCore, Products.DCWorkflow, ZODB"]
    return subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.skipif(_extra_installed(sys.executable), reason="the peer extra is installed here")
def test_without_the_extra_the_benchmark_notes_the_skip_and_succeeds(tmp_path, monkeypatch):
    monkeypatch.delenv("BENCHMARK_PEER_PYTHON", raising=False)
    out, path = io.StringIO(), tmp_path / "benchmark.json"
    call_command(
        "benchmark",
        "--quick",
        "--skip-scale",
        "--transitions",
        "1",
        "--json",
        str(path),
        stdout=out,
        verbosity=0,
    )  # raises (exit status not 0) if anything fails
    text = out.getvalue()
    assert "Obs: DCWorkflow mättes inte" in text
    assert "DCWorkflow skipped: the peer extra is not installed" in text
    assert "motorn/DCWorkflow" not in text
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["peer"] is None
    assert results["transitions"]["sqlite"]["all_finished"]
    assert runner.PEER_MISSING in results["notes"]


def _figures(engine_sqlite: float, engine_eight: float) -> dict:
    variant = {"transitions_per_s": 0, "us_per_transition": 1, "p95_us": 1}
    return {
        "transitions": {
            "sqlite": {
                "variants": {
                    "engine": {**variant, "transitions_per_s": engine_sqlite},
                    "engine_with_process": {**variant, "transitions_per_s": 50.0},
                }
            }
        },
        "concurrency": {
            "distinct_engine": {"processes": 8, "transitions_per_s": engine_eight},
            "distinct": {"processes": 8, "transitions_per_s": 10.0},
        },
        "peer": {
            "storage": "ZODB FileStorage",
            "one_process": {
                "transitions_per_s": 400.0,
                "us_per_transition": 2500,
                "p95_us": 4000,
                "all_finished": True,
            },
            "writers": {"writers": 8, "transitions_per_s": 500.0, "all_finished": True},
        },
    }


def test_ratios_and_targets_against_dcworkflow():
    met = report.peer_ratios(_figures(engine_sqlite=200.0, engine_eight=600.0))
    assert [(what[:6], round(ratio, 2)) for what, ratio, _ in met] == [
        ("SQLite", 0.5),
        ("8 skri", 1.2),
    ]
    lines = report._peer_lines(_figures(engine_sqlite=200.0, engine_eight=600.0))
    assert any("motorn/DCWorkflow 0.50" in line for line in lines)
    assert any("motorn/DCWorkflow 1.20" in line for line in lines)


@pytest.mark.parametrize(
    ("sqlite", "eight", "judged"),
    [(200.0, 600.0, [True, True]), (199.0, 500.0, [False, False])],
)
def test_targets_are_half_on_sqlite_and_ahead_with_eight_writers(sqlite, eight, judged):
    assert [met for *_, met in report.peer_targets(_figures(sqlite, eight))] == judged
