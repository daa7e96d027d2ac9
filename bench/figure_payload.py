"""Benchmark: what each page's chart costs the browser to draw, measured on the figure itself.

A later page open is mostly Chromium drawing the chart's SVG (bench/RESULTS.md, "where a later page open goes"):
plotly draws one SVG node per marker, and Streamlit sends the figure's JSON. For each chart of ``lib.figures``
under the pages' default filters (and any ``--params`` given) this prints the plotly JSON's size, the traces,
the points drawn, the SVG elements of kaleido's rendering (what the browser draws too), and with ``--png DIR``
writes the PNG export and its grey-scale copy (how it prints in black and white) to look at.

    python bench/figure_payload.py --store COPY.duckdb [--png DIR] [--params 'topic=s400&actor=TUR']
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import export, figures, store
from lib.filters import Filters


def measure(con, name: str, params: dict[str, list[str]], png: Path | None) -> dict[str, object]:
    """One chart's payload and drawing size; the PNGs under ``png`` when given."""
    filters = Filters.from_query_params(params)
    started = time.process_time()
    fig = figures.build_chart(name, con, filters, **figures.chart_options(name, params))
    build_cpu = time.process_time() - started
    points = sum(len(t.x) if getattr(t, "x", None) is not None else 0 for t in fig.data)
    cells = sum(len(t.z) * len(t.z[0]) for t in fig.data if getattr(t, "z", None) is not None and len(t.z))
    svg = export.figure_bytes(fig, "svg", marking="").decode("utf-8")
    row = {"chart": name, "params": "&".join(f"{k}={v}" for k, vs in params.items() for v in vs),
           "json_kb": round(len(fig.to_json()) / 1000, 1), "traces": len(fig.data), "points": points, "cells": cells,
           "svg_elements": len(re.findall(r"<(?!/)", svg)), "svg_kb": round(len(svg) / 1000, 1),
           "build_cpu_s": round(build_cpu, 3)}
    if png:
        from PIL import Image

        png.mkdir(parents=True, exist_ok=True)
        stem = png / f"{name}{'_' + re.sub(r'[^a-z0-9]+', '-', row['params']) if params else ''}"
        stem.with_suffix(".png").write_bytes(export.figure_bytes(fig, "png", marking=""))
        Image.open(stem.with_suffix(".png")).convert("L").save(f"{stem}_grey.png")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="the store, opened read-only")
    parser.add_argument("--charts", default=",".join(figures.CHARTS), help="which charts, comma-separated")
    parser.add_argument("--params", action="append", default=[""], help="URL parameters of another view to measure")
    parser.add_argument("--png", type=Path, help="write each chart's PNG and grey-scale PNG here")
    args = parser.parse_args()
    con = store.connect(args.store, read_only=True)
    for query in args.params:
        for name in args.charts.split(","):
            print(json.dumps(measure(con, name, parse_qs(query), args.png)), flush=True)


if __name__ == "__main__":
    main()
