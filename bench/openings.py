"""Openings: import throughput and search latency over 50,000 openings.

`python -m bench openings [--rows 50000] [--queries 300] [--import-rows 3000] [--seed 46]`
builds a temporary SQLite database (migrated like production), then measures:

- import of new rows (rows/s), each with its own description, so that every row is lemmatised;
- re-import of the same rows, unchanged (rows/s): what a daily full sync mostly is;
- search latency (p50/p95/p99, in process, no HTTP) over `--rows` openings generated with a
  fixed seed from the sample generator: keywords, commune + radius, kind and contract filters.

Writes reports/parts/openings.json and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from api.core.db import make_engine
from api.db_migrate import upgrade
from api.openings.imports import import_file
from api.openings.models import Kind
from api.openings.service import SearchQuery, count_openings, search_openings
from api.territory.service import get_territory
from bench.report import write_part
from bench.visitors import percentile_ms
from scripts.generate_sample_openings import generate_jobs, read_communes

REFERENCE_DATE = date(2026, 11, 25)
WORDS = (
    "infirmière",
    "serveur",
    "aide soignante",
    "maçon",
    "comptable",
    "soudeuse",
    "conducteur",
    "cuisine",
    "mécanicien automobile",
    "agent entretien",
    "boulanger",
)
TOWNS = ("Cahors", "Figeac", "Gourdon", "Souillac", "Gramat", "Saint-Céré", "Prayssac")


def _write_offers(path: Path, offers: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"resultats": offers}, ensure_ascii=False), encoding="utf-8")
    return path


def _queries(rng: random.Random, count: int) -> list[SearchQuery]:
    queries = []
    for _ in range(count):
        near = rng.random() < 0.5
        queries.append(
            SearchQuery(
                text=rng.choice(WORDS) if rng.random() < 0.8 else None,
                kinds=(Kind.JOB,) if rng.random() < 0.3 else (),
                commune=rng.choice(TOWNS) if near or rng.random() < 0.2 else None,
                radius_km=rng.choice((10.0, 20.0, 30.0)) if near else None,
                contract=rng.choice(("CDI", "CDD")) if rng.random() < 0.2 else None,
                page=rng.choice((1, 1, 1, 2, 3)),
                per_page=10,
            )
        )
    return queries


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench openings")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--import-rows", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=46)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    communes = read_communes()
    territory = get_territory()
    with tempfile.TemporaryDirectory(prefix="bench-openings-") as folder:
        url = f"sqlite:///{Path(folder) / 'openings.db'}"
        upgrade(url)
        engine = make_engine(url)
        sessions = sessionmaker(bind=engine, expire_on_commit=False)

        fresh = generate_jobs(rng, communes, args.import_rows, REFERENCE_DATE)
        for number, offer in enumerate(fresh):
            offer["id"] = f"NEW{number:07d}"
            offer["description"] += f" Référence interne {number} ({rng.random():.6f})."
        fresh_file = _write_offers(Path(folder) / "fresh.json", fresh)
        started = time.perf_counter()
        report = import_file(sessions, territory, "france-travail", fresh_file)
        new_s = time.perf_counter() - started
        assert report.created == args.import_rows, report.render()
        started = time.perf_counter()
        report = import_file(sessions, territory, "france-travail", fresh_file, full=True)
        unchanged_s = time.perf_counter() - started
        assert report.unchanged == args.import_rows, report.render()

        # The bulk of the search corpus: templated texts, so lemmatisation is mostly cached.
        bulk = generate_jobs(rng, communes, args.rows - args.import_rows, REFERENCE_DATE)
        for offer in bulk:
            offer["description"] = offer["description"].split(" Poste ")[0]
        bulk_file = _write_offers(Path(folder) / "bulk.json", bulk)
        started = time.perf_counter()
        import_file(sessions, territory, "exemple", bulk_file, is_sample=True)
        fill_s = time.perf_counter() - started
        with sessions() as session:
            total_rows = count_openings(session)

        latencies: list[float] = []
        totals: list[int] = []
        with sessions() as session:
            search_openings(session, territory, SearchQuery(text="infirmier"))
            for query in _queries(rng, args.queries):
                started = time.perf_counter()
                result = search_openings(session, territory, query)
                latencies.append(time.perf_counter() - started)
                totals.append(result.total)
        engine.dispose()

    data = {
        "rows": total_rows,
        "import_new_rows": args.import_rows,
        "import_new_rows_per_s": round(args.import_rows / new_s, 1),
        "reimport_unchanged_rows_per_s": round(args.import_rows / unchanged_s, 1),
        "fill_templated_rows_per_s": round((args.rows - args.import_rows) / fill_s, 1),
        "search_queries": len(latencies),
        "search_p50_ms": percentile_ms(latencies, 50),
        "search_p95_ms": percentile_ms(latencies, 95),
        "search_p99_ms": percentile_ms(latencies, 99),
        "search_mean_results": round(sum(totals) / len(totals), 1) if totals else 0,
    }
    path = write_part("openings", data)
    print(
        f"openings: {data['rows']} rows in SQLite\n"
        f"  import, new rows:       {data['import_new_rows_per_s']} rows/s "
        f"({args.import_rows} rows, each lemmatised)\n"
        f"  re-import, unchanged:   {data['reimport_unchanged_rows_per_s']} rows/s\n"
        f"  import, templated rows: {data['fill_templated_rows_per_s']} rows/s\n"
        f"  search ({data['search_queries']} queries): p50 {data['search_p50_ms']} ms, "
        f"p95 {data['search_p95_ms']} ms, p99 {data['search_p99_ms']} ms "
        f"(mean {data['search_mean_results']} matches)\n"
        f"  written to {path}"
    )
    return 0
