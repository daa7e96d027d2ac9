"""Data text shown through markdown renders as itself; only http(s) addresses become links."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lib.safety import WORD_JOINER, http_links, http_url, plain

HOSTILE = [
    "![x](http://127.0.0.1:9/img.png)", "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>", "**bold** _it_",
    ":red[alarm] :material/warning:", "$x^2$", "# heading\n- list", "http://autolink.example www.example.org", "&lt;b&gt;",
]


def _rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


@given(st.text(max_size=60))
def test_plain_text_renders_as_one_paragraph_of_itself(text: str) -> None:
    """Whatever the text, CommonMark renders the escaped form as at most one paragraph with no tag but <p>."""
    html = _rendered(plain(text))
    assert set(re.findall(r"</?(\w+)", html)) <= {"p"}


def test_hostile_names_render_no_image_link_or_html() -> None:
    """Markdown images, links, raw HTML, directives and autolinks in a name come out as text."""
    for text in HOSTILE:
        html = _rendered(plain(text))
        assert "<img" not in html and "<a " not in html and "<h1" not in html and "<li" not in html, (text, html)
    assert _rendered(plain("![x](http://h/i.png)")).replace(WORD_JOINER, "").strip() == "<p>![x](http://h/i.png)</p>"


def test_only_http_addresses_are_links() -> None:
    """http(s) addresses pass; javascript:, data:, look-alikes with control characters, and non-text are blanked."""
    assert http_url("https://www.aa.com.tr/en/x?a=1") == "https://www.aa.com.tr/en/x?a=1"
    for bad in ["javascript:alert(1)", " javascript:alert(1)", "JAVASCRIPT:x", "java\tscript:x", "data:text/html,x",
                "file:///etc/passwd", "http://a b", "//host/x", "", None, 3]:
        assert http_url(bad) is None, bad
    frame = http_links(pd.DataFrame({"url": ["http://ok.example", "javascript:alert(1)"], "n": [1, 2]}), "url")
    assert frame.url[0] == "http://ok.example" and pd.isna(frame.url[1])


def test_autolink_starts_are_broken_invisibly() -> None:
    """Streamlit links bare 'http://', 'www.' and 'a@b.c' even when escaped: plain() puts a word joiner inside each,
    and the text still reads the same once the joiners and escapes are taken out."""
    text = "see http://127.0.0.1:9/img.png, WWW.example.org or spy@example.org"
    escaped = plain(text)
    assert "://" not in escaped.replace("\\", "") and "www." not in escaped.lower().replace("\\", "") and "y@" not in escaped.replace("\\", "")
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == text
