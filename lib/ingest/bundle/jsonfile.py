"""A JSON bundle: one object of arrays, refused on a repeated key, deep nesting, long numbers, NaN or Infinity."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lib.ingest import limits
from lib.ingest.bundle.rows import table_rows
from lib.ingest.bundle.streams import Counted, Reading, Stop, open_regular
from lib.ingest.report import Problem


class _BadJson(ValueError):
    """A JSON value the bundle refuses: a repeated key, an oversized or non-finite number."""


def read_json(path: Path, reading: Reading) -> None:
    with open_regular(path, follow=True) as handle:
        data = Counted(handle, path.name, reading).readall()
    try:
        document = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_repeated_keys,
                              parse_int=_bounded_number(int), parse_float=_bounded_number(float), parse_constant=_no_constant)
    except RecursionError:
        raise Stop(Problem(path.name, 0, "", limits.JSON_DEPTH.refusal("the nesting"))) from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and _BadJson are ValueErrors
        raise Stop(Problem(path.name, 0, "", f"not a JSON bundle: {exc}")) from None
    if _depth(document) > limits.JSON_DEPTH.value:
        raise Stop(Problem(path.name, 0, "", limits.JSON_DEPTH.refusal("the nesting")))
    if not isinstance(document, dict):
        raise Stop(Problem(path.name, 0, "", "a JSON bundle is one object of arrays named after the tables"))
    for key, records in document.items():
        shown = f"{path.name}:{key}"
        spec = reading.table_for(f"{key}.csv", shown)
        if not spec:
            continue
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            reading.problems.append(Problem(shown, 0, "", "must be an array of objects"))
            continue
        if len(records) > limits.ROWS.value:
            raise Stop(Problem(shown, 0, "", limits.ROWS.refusal("the table")))
        header = list(dict.fromkeys(k for r in records for k in r))
        for number, record in enumerate(records, start=1):
            for column, value in record.items():
                if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
                    reading.problems.append(Problem(shown, number, column, "must be text, a number, true/false or a list of those"))
        table_rows(spec, shown, header, [(i, [r.get(h) for h in header]) for i, r in enumerate(records, start=1)], reading, header_row=1)


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        again = next(k for i, k in enumerate(keys) if k in keys[:i])
        raise _BadJson(f"key '{again[:60]}' is given twice in one object: one would silently win")
    return dict(pairs)


def _bounded_number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        digits = sum(ch.isdigit() for ch in text)
        if digits > limits.NUMBER_DIGITS.value:
            raise _BadJson(limits.NUMBER_DIGITS.refusal(f"a number of {digits:,} digits"))
        value = kind(text)
        if isinstance(value, float) and not math.isfinite(value):
            raise _BadJson(f"the number {text[:40]} is out of range")
        return value

    return parse


def _no_constant(text: str) -> Any:
    raise _BadJson(f"{text} is not a number a bundle can hold")


def _depth(value: Any) -> int:
    """How deeply containers nest (an object of arrays of objects of lists: 4), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            stack += [(child, level + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest
