"""Benchmark: chart export through the process's one kaleido browser, and a six-chart brief to PDF.

Usage: python bench/export.py [--repeat R] [--json]
Imports the seed case into a temporary store, then times: the first PNG (which
starts Chromium), R more PNGs of the same 1200 px, scale 2 chart (median and
max), one SVG and one PDF, and the brief of six charts (the stances chart
under six filter sets) printed to PDF. Targets (issue 6): a PNG after the
first < 0.5 s, the first < 5 s, the six-chart brief PDF < 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import brief, export, figures, store
from lib.filters import Filters
from lib.ingest.bundle import import_bundle

SEED = Path(__file__).resolve().parent.parent / "data" / "seed"
BRIEF_FILTERS = (
    {}, {"topic": "s400"}, {"topic": "s400", "actor": "TUR"}, {"actor": "TUR-MSB"},
    {"from": "2019-01-01", "to": "2025-09-30"}, {"topic": "s400", "children": "0", "actor": "TUR"},
)


def _timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def run(repeat: int) -> dict[str, object]:
    """Measure every figure once on a fresh seed store; returns seconds by measurement."""
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        import_bundle(con, SEED, who="bench")
        fig = figures.build_chart("stances", con, Filters(topics=("s400",)))
        first, _ = _timed(lambda: export.figure_bytes(fig, "png"))
        pngs = [_timed(lambda: export.figure_bytes(fig, "png"))[0] for _ in range(repeat)]
        svg, _ = _timed(lambda: export.figure_bytes(fig, "svg"))
        pdf, _ = _timed(lambda: export.figure_bytes(fig, "pdf"))
        six = brief.Brief(title="Bench brief", judgements="One\nTwo",
                          items=[brief.BriefItem("stances", params, f"caption {i}") for i, params in enumerate(BRIEF_FILTERS)])
        brief_html, page = _timed(lambda: brief.render_html(con, six))
        brief_pdf, data = _timed(lambda: brief.render_pdf(page))
        con.close()
    return {
        "first_png_s": round(first, 3), "png_median_s": round(statistics.median(pngs), 3), "png_max_s": round(max(pngs), 3),
        "pngs": repeat, "svg_s": round(svg, 3), "pdf_s": round(pdf, 3),
        "brief_6_charts_html_s": round(brief_html, 3), "brief_6_charts_print_pdf_s": round(brief_pdf, 3),
        "brief_6_charts_total_pdf_s": round(brief_html + brief_pdf, 3), "brief_pdf_bytes": len(data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures_ = run(args.repeat)
    if args.json:
        print(json.dumps(figures_, indent=2))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}")
    for key, value in figures_.items():
        print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
