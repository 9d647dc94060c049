"""``manage.py benchmark``: the benchmark of issue 6 (see README, "Prestandamätning")."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tests.benchmark import report, runner

QUICK_TRANSITIONS = 30
QUICK_SCALE = 2000
QUICK_REPEAT = 10


class Command(BaseCommand):
    help = (
        "Mäter motorns kostnad mot biblioteken och mot rå SQL (SQLite-fil och PostgreSQL), "
        "samtidighet på PostgreSQL och läsningar på en syntetisk databas med upp till en "
        "miljon ärenden. Skriver en tabell och JSON. --quick: under en minut, bara SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Vardagsläget: små mängder, bara SQLite, under en minut.",
        )
        parser.add_argument(
            "--json",
            default=str(Path(settings.BASE_DIR) / "benchmark-output" / "benchmark.json"),
            help="Var resultatet skrivs som JSON (standard: benchmark-output/benchmark.json).",
        )
        parser.add_argument(
            "--transitions",
            type=int,
            help="Ärenden per variant i övergångsmätningen (standard 300; --quick 30).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            nargs="+",
            help="Storlekar (antal ärenden) för skalmätningen (standard 100000 1000000).",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            help="Upprepningar per läsmätning för p50/p95 (standard 50; --quick 10).",
        )
        parser.add_argument("--skip-scale", action="store_true", help="Hoppa över skalan.")
        parser.add_argument(
            "--skip-concurrency", action="store_true", help="Hoppa över samtidigheten."
        )
        parser.add_argument("--sqlite-only", action="store_true", help="Mät inte på PostgreSQL.")
        parser.add_argument(
            "--pg-url",
            default=runner.DEFAULT_PG_URL,
            help="PostgreSQL-server och namn på mätdatabasen, som skapas och tas bort "
            f"(standard {runner.DEFAULT_PG_URL}; skalan använder namn_<storlek>).",
        )
        parser.add_argument(
            "--keep-db",
            action="store_true",
            help="Behåll skaldatabaserna och återanvänd dem nästa gång (sparar inläsningen).",
        )
        parser.add_argument(
            "--webb",
            action="store_true",
            help="Bara webbnivån: gunicorn i produktionsläge, inloggade roller, 16 klienter.",
        )
        parser.add_argument("--skip-webb", action="store_true", help="Hoppa över webbnivån.")
        parser.add_argument(
            "--webb-requests",
            type=int,
            default=150,
            help="Läsningar per sida i webbnivåns blandning (standard 150; en övergång per tio).",
        )
        parser.add_argument(
            "--webb-clients", type=int, default=16, help="Samtidiga klienter (standard 16)."
        )
        parser.add_argument(
            "--webb-arenden",
            type=int,
            default=1000,
            help="Extra ärenden utöver demodatan i webbnivåns databas (standard 1000).",
        )

        parser.add_argument(
            "--peer-python",
            default="",
            help="Python med extrat peer (DCWorkflow, ZODB) för jämförelsen med DCWorkflow "
            "(standard: $BENCHMARK_PEER_PYTHON, annars den här; saknas extrat hoppas den över).",
        )

    def handle(self, *args, **options):
        quick = options["quick"]
        opts = runner.Options(
            quick=quick,
            transitions=options["transitions"] or (QUICK_TRANSITIONS if quick else 300),
            scales=options["scale"] or ([QUICK_SCALE] if quick else [100_000, 1_000_000]),
            repeat=options["repeat"] or (QUICK_REPEAT if quick else 50),
            skip_scale=options["skip_scale"],
            skip_concurrency=options["skip_concurrency"],
            sqlite_only=quick or options["sqlite_only"],
            pg_url=options["pg_url"],
            keep_db=options["keep_db"],
            verbose=options["verbosity"] >= 1,
            webb=options["webb"] or not (quick or options["skip_webb"]),
            webb_only=options["webb"],
            webb_per_page=options["webb_requests"],
            webb_clients=options["webb_clients"],
            webb_extra=options["webb_arenden"],
            peer_python=options["peer_python"],
        )
        results = runner.run(opts)
        results["targets"] = report.targets(results)
        results["growth"] = report.growth(results)
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
        self.stdout.write(report.render(results))
        self.stdout.write(f"\nJSON: {path}")
