"""Small tools shared by the measurements: percentiles, query counting, progress output."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: list[float]) -> dict:
    """p50, p95, mean and max in milliseconds of a list of durations in seconds."""
    return {
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "mean_ms": sum(seconds) / len(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
        "samples": len(seconds),
    }


class QueryCounter:
    """Counts the SQL statements sent on the default connection. Transaction control is left
    out (SQLite's ``BEGIN IMMEDIATE`` goes through ``execute``, PostgreSQL's BEGIN does not)
    so that the figures compare across databases."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not sql.startswith("BEGIN"):
            self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting_queries():
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def say(message: str) -> None:
    """Progress for the person waiting (stderr, so that JSON on stdout stays clean)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
