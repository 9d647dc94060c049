"""One measurement in its own process, on the database ``DATABASE_URL`` names.

``python -m tests.benchmark.worker PHASE ARGS_JSON OUT_PATH`` sets Django up with the
project's settings, migrates the (throwaway) database, runs the phase and writes its figures as
JSON to OUT_PATH. :mod:`tests.benchmark.runner` starts it; it is not meant to be run by hand.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    phase, raw_args, out_path = argv
    args = json.loads(raw_args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.benchmark.common import say

    if args.pop("migrate", True):
        say("migrerar mätdatabasen")
        call_command("migrate", verbosity=0, interactive=False)
    if phase == "transitions":
        from tests.benchmark.transitions import run
    elif phase == "concurrency":
        from tests.benchmark.concurrency import run
    elif phase == "scale":
        from tests.benchmark.scale import run
    else:
        raise SystemExit(f"okänd del: {phase}")
    result = run(**args)
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
