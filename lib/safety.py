"""Text and links from the data, made safe to show: no name, quote or URL in the store is ever markup or a live script.

Streamlit renders markdown in captions, alerts, metric values, labels and
tooltips; an actor named ``![x](http://host/img.png)`` would make every
analyst's browser fetch that address. Data text shown there goes through
`plain`; a table's link column shows only http(s) addresses (`http_links`).
"""

from __future__ import annotations

import re
import string

import pandas as pd

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_HTTP = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` as markdown that shows exactly these characters: every ASCII punctuation mark backslash-escaped
    (CommonMark renders an escaped mark as itself, so links, images, emphasis, HTML, ``:red[..]`` directives, ``$``
    maths and autolinks cannot form) and line breaks as spaces (no headings, lists or quotes)."""
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(text)))


def http_url(value: object) -> str | None:
    """The value when it is an http(s) address with no spaces or control characters, else None (``javascript:``,
    ``data:``, ``file:`` and look-alikes such as ``java\\tscript:`` never become links)."""
    return value if isinstance(value, str) and _HTTP.fullmatch(value) else None


def http_links(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """A copy of ``frame`` whose ``column`` keeps only http(s) addresses: for tables shown with a LinkColumn."""
    return frame.assign(**{column: [http_url(v) for v in frame[column]]}) if column in frame.columns else frame
