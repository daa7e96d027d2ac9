"""A fuzz corpus of event-dataset files, generated at test time from a seed: mutations of the real GDELT, ICEWS, ACLED
and mentions samples (encodings, BOMs, NUL bytes, wrong delimiters, impossible dates, negative values, huge fields,
truncated or hostile archives). Each file is either applied or refused with problems naming the file and line (and
column when one is to blame); never an exception of another kind; on refusal the store is exactly as it was.

$STANCEWATCH_FUZZ_SEED picks another corpus; $STANCEWATCH_FUZZ_REPORT names a JSON file for the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from lib import store
from lib.ingest import datasets
from lib.ingest.report import ImportRefused
from tests.conftest import REALDATA, ROOT
from tests.unit.test_dataset_limits import peak_rss_mb, reset_peak_rss

SEED = int(os.environ.get("STANCEWATCH_FUZZ_SEED", "20261201"))
ROWS = 200  # lines kept of each sample: enough for every layout, small enough for a corpus in seconds
SAMPLES = {  # name: (format, file, delimiter)
    "gdelt": ("gdelt", REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV", b"\t"),
    "gdelt1": ("gdelt", REALDATA / "gdelt" / "reed9999_gdelt1_sample_events.tsv", b"\t"),
    "icews": ("icews", REALDATA / "icews" / "events.2018.sample.tab", b"\t"),
    "acled": ("acled", ROOT / "tests" / "data" / "acled_current.csv", b","),
    "acled_legacy": ("acled", ROOT / "tests" / "data" / "acled_legacy.csv", b","),
    "mentions": ("mentions", REALDATA / "gdelt" / "gdeltPyR_mentionssamp.csv", b","),
}
DATE_FIELD = {"gdelt": 1, "gdelt1": 1, "icews": 1, "acled": 1, "acled_legacy": 1, "mentions": 2}
NUMBER_FIELD = {"gdelt": 30, "gdelt1": 30, "icews": 7, "acled": -3, "acled_legacy": -1, "mentions": 11}

Mutation = Callable[[bytes, bytes, random.Random], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _on_random_line(change: Callable[[bytes], bytes]) -> Mutation:
    def mutate(data: bytes, delimiter: bytes, rng: random.Random) -> bytes:
        lines = _lines(data)
        at = rng.randrange(1, max(2, len(lines) - 1))
        lines[at] = change(lines[at])
        return b"\n".join(lines)
    return mutate


def _field(index_of: dict[str, int], value: bytes) -> Callable[[str], Mutation]:
    def for_sample(sample: str) -> Mutation:
        def mutate(data: bytes, delimiter: bytes, rng: random.Random) -> bytes:
            lines = _lines(data)
            at = rng.randrange(1, max(2, len(lines) - 1))
            fields = lines[at].split(delimiter)
            if len(fields) > abs(index_of[sample]):
                fields[index_of[sample]] = value
            lines[at] = delimiter.join(fields)
            return b"\n".join(lines)
        return mutate
    return for_sample


def _flip_bytes(data: bytes, delimiter: bytes, rng: random.Random) -> bytes:
    raw = bytearray(data)
    for _ in range(8):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


def _truncate(data: bytes, delimiter: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _nul(data: bytes, delimiter: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + b"\x00" * rng.randrange(1, 5) + data[at:]


MUTATIONS: dict[str, Callable[[str], Mutation]] = {
    "as is": lambda s: lambda d, sep, rng: d,
    "utf-8 BOM": lambda s: lambda d, sep, rng: b"\xef\xbb\xbf" + d,
    "utf-16": lambda s: lambda d, sep, rng: d.decode("utf-8").encode("utf-16"),
    "latin-1": lambda s: lambda d, sep, rng: d.decode("utf-8").encode("latin-1", errors="replace") + "\nÖzgür".encode("latin-1"),
    "CRLF": lambda s: lambda d, sep, rng: d.replace(b"\n", b"\r\n"),
    "NUL bytes": lambda s: _nul,
    "flipped bytes": lambda s: _flip_bytes,
    "truncated": lambda s: _truncate,
    "wrong delimiter": lambda s: lambda d, sep, rng: d.replace(sep, b";" if sep == b"," else b","),
    "empty lines": lambda s: _on_random_line(lambda line: line + b"\n\n"),
    "a field too many": lambda s: lambda d, sep, rng: _on_random_line(lambda line: line + sep + b"extra")(d, sep, rng),
    "a field too few": lambda s: lambda d, sep, rng: _on_random_line(lambda line: line.rsplit(sep, 1)[0])(d, sep, rng),
    "year 1": lambda s: _field(DATE_FIELD, b"0001-01-01" if s not in ("gdelt", "gdelt1") else b"00010101")(s),
    "year 9999": lambda s: _field(DATE_FIELD, b"99991231" if s in ("gdelt", "gdelt1") else b"9999-12-31")(s),
    "impossible date": lambda s: _field(DATE_FIELD, b"2017-02-30")(s),
    "negative number": lambda s: _field(NUMBER_FIELD, b"-5")(s),
    "infinite number": lambda s: _field(NUMBER_FIELD, b"1e400")(s),
    "word for number": lambda s: _field(NUMBER_FIELD, b"very")(s),
    "2 MB field": lambda s: _field(NUMBER_FIELD, b"9" * 2_000_000)(s),
    "300 KB field": lambda s: _field(NUMBER_FIELD, b"x" * 300_000)(s),
    "5,000 fields": lambda s: lambda d, sep, rng: _on_random_line(lambda line: line + sep * 5000)(d, sep, rng),
    "markup in names": lambda s: lambda d, sep, rng: d.replace(b"Turkey", b"![x](http://127.0.0.1:9/i.png)", 3),
    "header only": lambda s: lambda d, sep, rng: _lines(d)[0] + b"\n",
}
PACKINGS = ("plain", "gz", "zip", "truncated gz", "truncated zip", "zip with ../ name", "zip of two files")


def _pack(data: bytes, name: str, packing: str, rng: random.Random) -> tuple[str, bytes]:
    """The file name and bytes of ``data`` packed as ``packing``."""
    if packing == "plain":
        return name, data
    if packing.endswith("gz"):
        packed = gzip.compress(data, mtime=0)
        return name + ".gz", packed[: rng.randrange(10, len(packed))] if packing.startswith("truncated") else packed
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        members = [("../../" + name if "../" in packing else name, data)] + [("readme.txt", b"hello")] * (packing == "zip of two files")
        for member, content in members:  # dated, so that a seed always gives the same bytes
            archive.writestr(zipfile.ZipInfo(member, date_time=(2017, 7, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    packed = buffer.getvalue()
    return name + ".zip", packed[: rng.randrange(10, len(packed))] if packing.startswith("truncated") else packed


def corpus(seed: int) -> list[tuple[str, str, str, bytes]]:
    """(case name, format, file name, bytes) for every sample × mutation, each packed one random way, from ``seed``."""
    rng = random.Random(seed)
    cases = []
    for sample, (fmt, path, delimiter) in SAMPLES.items():
        data = b"\n".join(path.read_bytes().split(b"\n")[:ROWS]) + b"\n"
        for mutation, make in MUTATIONS.items():
            packing = "plain" if mutation in ("2 MB field", "300 KB field") else rng.choice(PACKINGS)
            name, packed = _pack(make(sample)(data, delimiter, rng), path.name, packing, rng)
            cases.append((f"{sample} / {mutation} / {packing}", fmt, name, packed))
    return cases


def _fingerprint(con) -> dict[str, tuple[int, int]]:
    """Rows and an order-free checksum of every data table, and the audit lines of data writes."""
    prints = {t: tuple(con.execute(f"select count(*), coalesce(bit_xor(hash(t)), 0) from {t} t").fetchall()[0]) for t in store.TABLES}
    prints["audit_log"] = tuple(con.execute("select count(*), 0 from audit_log where action not like 'log%'").fetchall()[0])
    return prints


GDELT_EVENTS = SAMPLES["gdelt"][1]


def _run(con, fmt: str, path: Path) -> object:
    if fmt == "mentions":  # a mentions file goes with the events export it belongs to
        return datasets.IMPORTERS["gdelt"](con, GDELT_EVENTS, who="fuzz", mentions=path)
    return datasets.IMPORTERS[fmt](con, path, who="fuzz")


def test_every_mutated_file_is_applied_or_refused_in_words(con, tmp_path: Path) -> None:
    """Every case of the seeded corpus is applied, or refused with problems that name the file (and a line for row
    problems), with the store unchanged; no other exception; the corpus runs well within the suite's 2 minutes."""
    figures = {"seed": SEED, "cases": 0, "applied": 0, "refused": 0, "slowest": ("", 0.0), "largest_peak_growth_mb": ("", 0.0)}
    failures = []
    started = time.perf_counter()
    for case, fmt, name, data in corpus(SEED):
        path = tmp_path / case.replace(" / ", "__").replace(" ", "_").replace(",", "").replace("../", "") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        before = _fingerprint(con)
        rss_before = reset_peak_rss()
        began = time.perf_counter()
        try:
            _run(con, fmt, path)
            figures["applied"] += 1
        except ImportRefused as refused:
            figures["refused"] += 1
            bad = [p for p in refused.problems if p.file not in (name, GDELT_EVENTS.name) or not p.reason or p.row < 0]
            if bad or not refused.problems:
                failures.append(f"{case}: problems without file or reason: {bad or 'none'}")
            if _fingerprint(con) != before:
                failures.append(f"{case}: refused but the store changed")
        except Exception as exc:  # the defect this test exists to find
            failures.append(f"{case}: {type(exc).__name__}: {str(exc)[:300]}")
        seconds, peak = time.perf_counter() - began, peak_rss_mb() - rss_before
        figures["cases"] += 1
        if seconds > figures["slowest"][1]:
            figures["slowest"] = (case, round(seconds, 2))
        if peak > figures["largest_peak_growth_mb"][1]:
            figures["largest_peak_growth_mb"] = (case, round(peak))
    figures["total_seconds"] = round(time.perf_counter() - started, 1)
    if os.environ.get("STANCEWATCH_FUZZ_REPORT"):
        Path(os.environ["STANCEWATCH_FUZZ_REPORT"]).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    assert failures == [], "\n".join(failures)
    assert figures["cases"] == len(SAMPLES) * len(MUTATIONS) and figures["applied"] and figures["refused"]
    assert figures["slowest"][1] < 20 and figures["largest_peak_growth_mb"][1] < 512


@pytest.mark.parametrize("seed", [1, 2])
def test_the_corpus_is_the_same_for_the_same_seed(seed: int) -> None:
    """A seed always gives the same files, so a failure can be replayed with $STANCEWATCH_FUZZ_SEED."""
    assert corpus(seed) == corpus(seed)
