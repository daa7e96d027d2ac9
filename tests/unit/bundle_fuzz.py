"""A small fuzz generator: the seed bundle, mutated from a seed number, as a folder or a zip.

Every mutated bundle must be refused with problems naming a file, or applied;
never a traceback, and a refusal leaves the store as it was. Used by
tests/unit/test_bundle_fuzz.py (a few hundred seeds) and bench/bundle_robust.py
(more, with timings).
"""

from __future__ import annotations

import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.conftest import SEED

Files = dict[str, bytes]


def _pick(rng: random.Random, files: Files) -> str:
    return rng.choice(sorted(files))


def _lines(body: bytes) -> list[bytes]:
    return body.split(b"\n")


def _on_line(rng: random.Random, files: Files, change: Callable[[bytes], bytes]) -> Files:
    """Apply ``change`` to a random data line of a random file."""
    name = _pick(rng, files)
    lines = _lines(files[name])
    if len(lines) > 1:
        at = rng.randrange(1, len(lines))
        lines[at] = change(lines[at])
    return {**files, name: b"\n".join(lines)}


def _at_byte(rng: random.Random, files: Files, insert: bytes) -> Files:
    name = _pick(rng, files)
    body = files[name]
    at = rng.randrange(len(body) + 1)
    return {**files, name: body[:at] + insert + body[at:]}


def _replace_date(rng: random.Random, files: Files) -> Files:
    name = _pick(rng, files)
    bad = rng.choice([b"2025-02-30", b"0999", b"3000-01-01", b"2025-13", b"99999", b"2025-00-10", b"20250101"])
    return {**files, name: re.sub(rb"\b\d{4}(-\d{2}){0,2}\b", lambda m: bad if rng.random() < 0.5 else m.group(0), files[name], count=3)}


def _reencode(rng: random.Random, files: Files) -> Files:
    name = _pick(rng, files)
    text = files[name].decode("utf-8") + "ş"
    return {**files, name: text.encode(rng.choice(["utf-16", "latin-1", "cp1254"]), errors="replace")}


def _duplicate_column(rng: random.Random, files: Files) -> Files:
    name = _pick(rng, files)
    lines = _lines(files[name])
    first = lines[0].split(b",")[0]
    lines[0] = lines[0] + b"," + first
    return {**files, name: b"\n".join(line + b",x" if i and line else line for i, line in enumerate(lines))}


def _rename(rng: random.Random, files: Files) -> Files:
    name = _pick(rng, files)
    new = rng.choice([f"../{name}", f"a/../../{name}", f"/abs/{name}", name.upper(), f"x/{name}", name.replace(".csv", ".txt")])
    return {**{k: v for k, v in files.items() if k != name}, new: files[name]}


def _truncate(rng: random.Random, files: Files) -> Files:
    name = _pick(rng, files)
    return {**files, name: files[name][: rng.randrange(len(files[name]) + 1)]}


def _flip(rng: random.Random, files: Files) -> Files:
    name = _pick(rng, files)
    body = bytearray(files[name])
    if body:
        at = rng.randrange(len(body))
        body[at] = rng.randrange(256)
    return {**files, name: bytes(body)}


MUTATIONS: dict[str, Callable[[random.Random, Files], Files]] = {
    "stray quote at a line start": lambda rng, f: _on_line(rng, f, lambda line: b'"' + line),
    "stray quote mid-line": lambda rng, f: _on_line(rng, f, lambda line: line[: len(line) // 2] + b'"' + line[len(line) // 2:]),
    "BOM": lambda rng, f: _at_byte(rng, f, b"\xef\xbb\xbf"),
    "NUL byte": lambda rng, f: _at_byte(rng, f, b"\x00"),
    "semicolon delimiter": lambda rng, f: (lambda n: {**f, n: f[n].replace(b",", b";")})(_pick(rng, f)),
    "tab delimiter": lambda rng, f: (lambda n: {**f, n: f[n].replace(b",", b"\t")})(_pick(rng, f)),
    "impossible date": _replace_date,
    "negative id": lambda rng, f: _on_line(rng, f, lambda line: b"-" + line if line else line),
    "formula cell": lambda rng, f: _on_line(rng, f, lambda line: line.replace(b",", b",=1+", 1)),
    "duplicate key": lambda rng, f: _on_line(rng, f, lambda line: line + b"\n" + line if line else line),
    "duplicate column": _duplicate_column,
    "renamed or climbing member": _rename,
    "other encoding": _reencode,
    "truncated": _truncate,
    "byte flip": _flip,
    "dropped file": lambda rng, f: (lambda gone: {k: v for k, v in f.items() if k != gone} or f)(_pick(rng, f)),
    "CRLF line ends": lambda rng, f: {k: v.replace(b"\n", b"\r\n") for k, v in f.items()},
    "blank lines": lambda rng, f: _on_line(rng, f, lambda line: line + b"\n\n \n"),
    "empty file": lambda rng, f: {**f, _pick(rng, f): b""},
    "long cell": lambda rng, f: _on_line(rng, f, lambda line: line.replace(b",", b"," + b"y" * 300_000, 1)),
}


def mutated_bundle(seed: int, folder: Path) -> tuple[Path, list[str]]:
    """The seed bundle with one to three mutations chosen by ``seed``, written as a folder or a zip; and the mutations' names."""
    rng = random.Random(seed)
    files: Files = {p.name: p.read_bytes() for p in sorted(SEED.glob("*.csv"))}
    names = [rng.choice(sorted(MUTATIONS)) for _ in range(rng.randint(1, 3))]
    for name in names:
        files = MUTATIONS[name](rng, files)
    folder.mkdir(parents=True, exist_ok=True)
    climbing = any("/" in name for name in files)
    if climbing or rng.random() < 0.4:
        target = folder / f"fuzz{seed}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in files.items():
                archive.writestr(name, body)
        return target, names
    target = folder / f"fuzz{seed}"
    target.mkdir()
    for name, body in files.items():
        (target / name).write_bytes(body)
    return target, names
