"""Benchmark: the source track record (status, independence, estimate, letters) for 10,000 sources and 1M claims.

Usage: python bench/sources.py [--sources 10000] [--claims 1000000] [--repeat 3] [--json]
Builds the store in SQL (documents, claims, statements as evidence, a third of
the claims with evidence from another outlet, a tenth from the same outlet),
then times `reliability.track_records` (the Sources page and `report sources`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store
from lib.sources import reliability


def build(con, sources: int, claims: int) -> None:
    """Synthetic outlets, one document per claim, and evidence statements in other outlets' documents."""
    with store.transaction(con, "bench", "generate"):
        con.execute("insert into topics values ('bench', 'Benchmark topic', null)")
        con.execute("insert into actors (actor_id, name, kind) values ('bench-actor', 'Synthetic actor', 'state')")
        con.execute("insert into sources (source_id, name, kind) select 'src' || i, 'Synthetic outlet ' || i, 'other' from range(?) t(i)", [sources])
        con.execute(
            """insert into documents (document_id, source_id, published_on)
               select 'doc' || i, 'src' || (hash(i) % ?), date '2015-01-01' + (i % 3650)::integer from range(?) t(i)""",
            [sources, claims],
        )
        con.execute(
            """insert into claims (claim_id, claimed_on, document_id, topic_id, text)
               select 'c' || i, date '2015-01-01' + (i % 3650)::integer, 'doc' || i, 'bench', 'claim ' || i from range(?) t(i)""",
            [claims],
        )
        con.execute(
            """insert into statements (statement_id, stated_on, actor_id, topic_id, document_id)
               select 's' || i, date '2015-01-10' + (i % 3650)::integer, 'bench-actor', 'bench', 'doc' || ((i * 7919) % ?)
               from range(?) t(i)""",
            [claims, claims // 2],
        )
        con.execute(
            """insert into evidence (claim_id, relation, evidence_type, evidence_id)
               select 'c' || i, case when hash(i) % 4 = 0 then 'contradicts' else 'corroborates' end, 'statement', 's' || (i // 2)
               from range(0, ?, 2) t(i)""",
            [claims],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        start = time.perf_counter()
        build(con, args.sources, args.claims)
        built = time.perf_counter() - start
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            records = reliability.track_records(con)
            times.append(time.perf_counter() - start)
        grades = records.derived_grade.value_counts().to_dict()
    figures = {"sources": args.sources, "claims": args.claims, "build_s": round(built, 2), "median_s": round(statistics.median(times), 3),
               "runs_s": [round(t, 3) for t in times], "grades": grades}
    print(json.dumps(figures) if args.json else
          f"{args.claims:,} claims, {args.sources:,} sources (built in {built:.1f} s): track record median {figures['median_s']} s "
          f"over {args.repeat} runs {figures['runs_s']}; derived grades {grades}")


if __name__ == "__main__":
    main()
