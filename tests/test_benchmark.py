"""The benchmark's everyday mode produces every figure (not how fast: timings do not belong
in the test suite). It measures in processes of its own, on SQLite files of its own."""

import json

from django.core.management import call_command

from flows.benchmark.scale import MEASUREMENTS
from flows.benchmark.transitions import VARIANTS


def _positive(value) -> bool:
    return isinstance(value, int | float) and value > 0


def test_quick_mode_produces_all_figures(tmp_path):
    out = tmp_path / "benchmark.json"
    call_command("benchmark", "--quick", "--json", str(out), verbosity=0)
    results = json.loads(out.read_text(encoding="utf-8"))

    sqlite = results["transitions"]["sqlite"]
    for variant in VARIANTS:
        figures = sqlite["variants"][variant]
        for key in ("transitions_per_s", "us_per_transition", "p95_us", "queries_per_transition"):
            assert _positive(figures[key]), (variant, key)
        assert figures["transitions"] == sqlite["arenden_per_variant"] * 8
    for key in (
        "ratio_engine_bare",
        "ratio_engine_floor",
        "ratio_engine_without_hooks_bare",
        "ratio_engine_with_process_bare",
    ):
        assert _positive(sqlite[key]), key
    assert sqlite["chains_intact"] and sqlite["all_finished"]
    assert set(sqlite["engine_queries_by_transition"]) == {
        "tilldela",
        "paborja_beredning",
        "markera_beredd",
        "anmal",
        "besluta",
        "expediera",  # with the bevakning it sets off (an automatic step)
        "avsluta",
    }

    [scale] = results["scale"].values()
    assert _positive(scale["load"]["load_s"])
    assert scale["load"]["entries"] >= 10 * scale["load"]["arenden"]
    for m in MEASUREMENTS:
        figures = scale["measurements"][m.key]
        assert figures["level"] in ("sida", "fråga"), m.key
        for key in ("p50_ms", "p95_ms", "queries"):
            assert _positive(figures[key]), (m.key, key)
    verified = scale["verify"]
    assert verified["broken"] == 0
    assert verified["entries"] == scale["load"]["entries"]
    assert _positive(verified["entries_per_s"])

    assert results["targets"]
    assert all({"target", "value", "limit", "met"} <= set(t) for t in results["targets"])
