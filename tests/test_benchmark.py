"""The benchmark's everyday mode produces every figure (not how fast: timings do not belong
in the test suite). It measures in processes of its own, on SQLite files of its own."""

import json

import pytest
from django.core.management import call_command

from tests.benchmark.scale import MEASUREMENTS
from tests.benchmark.transitions import VARIANTS

# measures in processes and on SQLite files of its own: once, in the SQLite run
pytestmark = pytest.mark.sqlite


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


def test_web_tier_produces_every_figure(tmp_path):
    """The web tier in a tiny bounded mode: gunicorn in production mode, every role logged in
    over HTTP (with its one-time code where production requires one), every page answered,
    no errors, and the transitions done through the form really done in the database."""
    from tests.benchmark.webb import PAGES, ROLES

    out = tmp_path / "webb.json"
    call_command(
        "benchmark", "--webb", "--sqlite-only", "--webb-requests", "3", "--webb-clients", "3",
        "--webb-arenden", "20", "--json", str(out), verbosity=0,
    )  # fmt: skip
    results = json.loads(out.read_text(encoding="utf-8"))
    web = results["webb"]["sqlite"]
    assert web["roles_logged_in"] == list(ROLES)
    assert set(web["pages"]) == set(PAGES)
    for key, page in web["pages"].items():
        assert page["requests"] >= 2, key
        assert page["errors"] == 0, (key, page["error_examples"])
        assert set(page["statuses"]) <= {200, 302} and page["statuses"], key
        for figure in ("per_s", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "queries"):
            assert _positive(page[figure]), (key, figure)
        if key != "overgang":  # the one-client pass reads only
            assert _positive(page["p50_ms_one_client"]), key
    assert web["pages"]["overgang"]["statuses"] == [302]
    total = web["total"]
    assert total["errors"] == 0
    assert total["transitions"] == total["transitions_done"] == 2
    assert total["requests"] == sum(p["requests"] for p in web["pages"].values())
    judged = [t for t in results["targets"] if t["target"].startswith("webb")]
    assert len(judged) == len(PAGES) + 1
