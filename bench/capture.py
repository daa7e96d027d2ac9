"""Benchmark and quality report of the article capture (issue 12).

Usage: python bench/capture.py [--split dev|holdout|all] [--repeat R] [--json]

Quality: precision and recall per item kind (statements, claims, evidence,
events) and per language on the labelled articles in tests/data/capture,
against the seed store plus tests/data/capture/store.
Timing: proposals for a 2,000-word article (labelled articles concatenated)
and for a 50-page PDF built at run time with fpdf2 (text extraction included);
median of R runs after one warm-up (the first call loads dateparser's
languages, about 0.5 s, once per process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store
from lib.capture import extract, scoring, text
from lib.ingest.bundle import import_bundle

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "data" / "capture" / "articles"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _store(folder: Path):
    con = store.connect(folder / "capture.duckdb")
    import_bundle(con, ROOT / "data" / "seed", who="bench")
    import_bundle(con, ROOT / "tests" / "data" / "capture" / "store", who="bench")
    return con


def _long_article(words: int) -> str:
    """Labelled articles (headlines dropped) joined until the text has at least ``words`` words."""
    bodies = [c.text.split("\n", 1)[1] for c in scoring.load_cases(ARTICLES) if c.expected["language"] == "en"]
    out: list[str] = []
    while sum(len(b.split()) for b in out) < words:
        out.append(bodies[len(out) % len(bodies)])
    return "\n".join(out)


def _pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_font("dejavu", size=10)
    bodies = [c.text for c in scoring.load_cases(ARTICLES)]
    for page in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 5, "\n".join(bodies[(page * 3 + i) % len(bodies)] for i in range(3)))
    return bytes(pdf.output())


def _median(func, repeat: int) -> float:
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="all")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = _store(Path(tmp))
        cases = scoring.load_cases(ARTICLES, None if args.split == "all" else args.split)
        scores = scoring.score(con, cases)
        long_text = _long_article(2000)
        pdf = _pdf(50)
        published = dt.date(2025, 9, 5)
        article_s = _median(lambda: extract.propose(con, text.from_paste(long_text), source_id="nat", published=published),
                            args.repeat)
        pdf_s = _median(lambda: extract.propose(con, text.from_file("bench.pdf", pdf), source_id="nat", published=published),
                        max(1, args.repeat // 2))
        pdf_pages = len(__import__("pypdf").PdfReader(__import__("io").BytesIO(pdf)).pages)
        con.close()
    report = {
        "split": args.split, "articles": len(cases),
        "quality": {f"{kind}/{lang}": {"precision": round(t.precision, 3), "recall": round(t.recall, 3),
                                        "right": t.right, "proposed": t.proposed, "expected": t.expected}
                    for (kind, lang), t in sorted(scores.tallies.items())},
        "timing": {"article_words": len(long_text.split()), "article_s": round(article_s, 3),
                   "pdf_pages": pdf_pages, "pdf_s": round(pdf_s, 3)},
        "misses": scores.misses,
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"{len(cases)} labelled articles ({args.split})")
    print(f"{'kind':<11} {'lang':<4} {'precision':>9} {'recall':>7}  right/proposed/expected")
    for key, q in report["quality"].items():
        kind, lang = key.split("/")
        print(f"{kind:<11} {lang:<4} {q['precision']:>9.2f} {q['recall']:>7.2f}  {q['right']}/{q['proposed']}/{q['expected']}")
    t = report["timing"]
    print(f"proposals for a {t['article_words']}-word article: {t['article_s']:.3f} s (target < 1 s)")
    print(f"proposals for a {t['pdf_pages']}-page PDF (extraction included): {t['pdf_s']:.3f} s (target < 5 s)")
    for miss in scores.misses:
        print(f"  {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
