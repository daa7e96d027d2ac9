"""Benchmark: the continuity phrase detector's accuracy on the labelled corpus, and its speed in bulk.

Accuracy: precision, recall and F1 per language and per split of
tests/data/continuity_corpus.csv (hand-written sentences, label 1 = declares
continuity; splits dev, holdout, and fresh / fresh2 written after the rules),
with every misclassified sentence. Speed: ``phrases.flags`` over
100,000 quotes, best of ``--repeat`` runs, in two mixes:

* ``corpus`` — the corpus sentences over and over: every quote is about a position,
  most contain a keyword, so nearly all reach the full rules (the worst case);
* ``wire`` — 5 % corpus sentences among statements that use no continuity
  keyword (what a real import mostly holds).

The schema-6 detector's figures (lib/phrases_v6.py) are printed for comparison.

    python bench/phrases.py [--split dev] [--quotes 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import phrases
from lib.phrases_v6 import declared_v6

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "continuity_corpus.csv"
PLAIN = (
    "The minister met his Azerbaijani counterpart in Baku to discuss energy cooperation.",
    "Bakan, NATO zirvesinin marjında Finlandiya Dışişleri Bakanı ile görüştü.",
    "The delegation will travel to Moscow next week for talks on the grain corridor.",
    "Cumhurbaşkanı, kabine toplantısının ardından açıklama yaptı.",
    "Officials said the S-400 batteries were tested at a range near Sinop on Thursday.",
)


def read_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    """The corpus rows as dictionaries (id, lang, label, kind, split, text)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def scores(rows: list[dict[str, str]]) -> dict[str, float]:
    """Precision, recall and F1 of the detector on rows, with the counts they come from."""
    predicted = phrases.flags([r["text"] for r in rows])
    tp = sum(p and r["label"] == "1" for p, r in zip(predicted, rows, strict=True))
    fp = sum(p and r["label"] == "0" for p, r in zip(predicted, rows, strict=True))
    fn = sum(not p and r["label"] == "1" for p, r in zip(predicted, rows, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(rows), "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def errors(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows the detector gets wrong."""
    return [r for r, p in zip(rows, phrases.flags([r["text"] for r in rows]), strict=True) if p != (r["label"] == "1")]


def throughput(texts: list[str], repeat: int) -> tuple[float, float, int]:
    """Best wall-clock and best CPU seconds of ``flags`` over texts, and how many it flagged.

    CPU time is the steadier figure on a host shared with other work.
    """
    wall, cpu, flagged = float("inf"), float("inf"), 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        flagged = sum(phrases.flags(texts))
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return wall, cpu, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="all",
                        help="which corpus split to score, or all (a new split is for a final, honest figure)")
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = read_corpus()
    splits = list(dict.fromkeys(r["split"] for r in rows)) if args.split == "all" else [args.split]
    print(f"python {platform.python_version()}, corpus {len(rows)} sentences")
    print("split    lang    n   tp  fp  fn  precision  recall  F1")
    for split in splits:
        for lang in ("en", "tr"):
            s = scores([r for r in rows if r["split"] == split and r["lang"] == lang])
            print(f"{split:8} {lang:4} {s['n']:4} {s['tp']:4} {s['fp']:3} {s['fn']:3}  "
                  f"{s['precision']:9.3f}  {s['recall']:6.3f}  {s['f1']:.3f}")
    for lang in ("en", "tr"):
        sample = [r for r in rows if r["lang"] == lang]
        said = [declared_v6(r["text"]) for r in sample]
        tp = sum(p and r["label"] == "1" for p, r in zip(said, sample, strict=True))
        print(f"schema 6 detector, all splits, {lang}: precision {tp / max(1, sum(said)):.3f}, "
              f"recall {tp / sum(r['label'] == '1' for r in sample):.3f}")
    for split in splits:
        for r in errors([r for r in rows if r["split"] == split]):
            found = phrases.explain(r["text"])
            said = f"matched {found.rule}: {found.words!r}" if found else "missed"
            print(f"  error {r['id']} ({split}, label {r['label']}, {r['kind']}) {said}: {r['text']}")
    rng = random.Random(42)
    texts = [r["text"] for r in rows]
    # Every quote distinct (a numbered sentence follows), so flags()' memo of repeated quotes does not flatter the figure.
    mixes = {
        "corpus": [f"{texts[i % len(texts)]} [{i}]" for i in range(args.quotes)],
        "wire": [f"{rng.choice(texts) if rng.random() < 0.05 else rng.choice(PLAIN)} [{i}]" for i in range(args.quotes)],
    }
    for name, quotes in mixes.items():
        wall, cpu, flagged = throughput(quotes, args.repeat)
        print(f"flags on {len(quotes):,} {name} quotes: {wall:.3f} s wall, {cpu:.3f} s CPU "
              f"({len(quotes) / wall:,.0f} quotes/s), {flagged:,} flagged")


if __name__ == "__main__":
    main()
