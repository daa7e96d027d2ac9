"""Names, labels and URLs from the data never render as markup or live links on any page (tests/browser checks the
browser's side): every markdown-rendering element is rendered with a CommonMark parser and must hold no image, link or tag."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from markdown_it import MarkdownIt

from tests.app.test_all_pages import PAGES

IMAGE = "![x](http://127.0.0.1:9/img.png)"
HOSTILE_NAME = f"{IMAGE} <img src=http://127.0.0.1:9/tag.png> [link](javascript:alert(1)) **bold**"
SCRIPT_URL = "javascript:alert(document.cookie)"


def make_hostile(store_file: Path) -> None:
    """Give the seed store's actors, sources and position labels markdown and HTML names, and its documents a
    javascript: URL (directly in SQL: the importers would refuse some of it, and an older store may hold it)."""
    con = duckdb.connect(str(store_file))
    con.execute("update actors set name = ? || ' ' || name", [HOSTILE_NAME])
    con.execute("update sources set name = ? || ' ' || name", [HOSTILE_NAME])
    con.execute("update positions set label = ? || ' ' || label", [HOSTILE_NAME])
    con.execute("update documents set url = ?", [SCRIPT_URL])
    con.close()


_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered_markup(at) -> list[str]:
    """Every image, link or HTML tag the page's markdown would render, with the text it came from."""
    texts = [e.value for kind in ("markdown", "caption", "warning", "error", "info", "success", "title", "header", "subheader")
             for e in getattr(at, kind)]
    texts += [str(part) for m in at.metric for part in (m.label, m.value, m.proto.help) if part]
    found = []
    for text in texts:
        html = _MARKDOWN.render(str(text))
        found += [f"{tag} in {text!r}" for tag in re.findall(r"<(img|a|b|strong|script|h\d|li)\b", html)
                  if not (tag == "strong" and "**" in text and "127.0.0.1" not in text)]
    return found


def links(at) -> list[str]:
    """Every value of a column named url or link in the page's tables."""
    return [str(v) for frame in at.dataframe for column in frame.value.columns if column in ("url", "link")
            for v in frame.value[column] if isinstance(v, str)]


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_render_as_text_on_every_page(app, seeded_path: Path, page: str) -> None:
    """With markdown and HTML in every actor, source and position name (and an actor filter, so names reach captions),
    no page renders an image, link or tag from them, and no table offers a javascript: link."""
    make_hostile(seeded_path)
    at = app(page, actor="TUR-MSB")
    assert not at.exception
    assert rendered_markup(at) == []
    assert not [u for u in links(at) if not u.startswith(("http://", "https://"))]
    if page == "overview":  # the caption that rendered the image: the name is there, as text
        caption = next(c.value for c in at.caption if "filters (" in c.value)
        assert "127" in caption and _MARKDOWN.render(caption).count("127.0.0.1:9/img.png") == 1


def test_timeline_documents_and_sources_evidence_blank_script_links(app, seeded_path: Path) -> None:
    """The opened item's documents (Timeline) and a source's evidence (Sources) show no javascript: URL as a link."""
    make_hostile(seeded_path)
    at = app("timeline", open="claim:claim-nefes-buyback")  # the opened item lives in the link
    assert not at.exception
    documents = [f.value for f in at.dataframe if {"url", "document_id"} <= set(f.value.columns)]
    assert documents and all(not isinstance(u, str) for frame in documents for u in frame.url)
    at = app("sources")
    evidence = [f.value for f in at.dataframe if "url" in f.value.columns]
    assert all(not isinstance(u, str) or u.startswith("http") for frame in evidence for u in frame.url)
