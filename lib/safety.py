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
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029\x0b\x0c]+")
_AUTOLINK_STARTS = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
"""Invisible, and breaks the 'http://', 'www.' and 'name@host' that Streamlit's renderer links even when escaped."""
_HTTP = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def plain(text: object) -> str:
    """``text`` as markdown that shows these characters: every ASCII punctuation mark backslash-escaped (CommonMark
    renders an escaped mark as itself, so links, images, emphasis, HTML, ``:red[..]`` directives and ``$`` maths cannot
    form), a WORD_JOINER inside every autolink start (the browser test found Streamlit linking ``http\\://`` after
    unescaping), and line breaks and tabs as spaces, leading ones dropped (no headings, lists, quotes or code blocks)."""
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK_STARTS.sub(WORD_JOINER, _LINE_BREAKS.sub(" ", str(text)).lstrip()))


def http_url(value: object) -> str | None:
    """The value when it is an http(s) address with no spaces or control characters, else None (``javascript:``,
    ``data:``, ``file:`` and look-alikes such as ``java\\tscript:`` never become links)."""
    return value if isinstance(value, str) and _HTTP.fullmatch(value) else None


def http_links(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """A copy of ``frame`` whose ``column`` keeps only http(s) addresses: for tables shown with a LinkColumn."""
    return frame.assign(**{column: [http_url(v) for v in frame[column]]}) if column in frame.columns else frame
