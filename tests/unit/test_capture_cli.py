"""`python -m lib.cli extract`: the proposals as JSON (docs/CLI.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib import cli

ARTICLE = (
    "Nefes reported on September 3 that Russia had approached Ankara about taking back the S-400 systems.\n"
    '"The S-400 air defense systems are in our inventory, and there is no change in our position," '
    "Turkish defence ministry sources said on Thursday.\n"
)


def test_extract_prints_the_documented_json(seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON carries the document, statements, claims and evidence with spans into the text."""
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    code = cli.main(["--db", str(seeded_path), "extract", str(article), "--published", "2025-09-05",
                     "--source", "nat", "--json", "--text"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"text", "topic_id", "document", "new_sources", "new_actors", "cited_documents",
                        "statements", "claims", "evidence", "events"}
    [statement] = out["statements"]
    assert (statement["actor_id"], statement["stated_on"], statement["self_declared"]) == ("TUR-MSB", "2025-09-04", True)
    assert out["text"][statement["start"]:statement["end"]] == statement["excerpt"]
    assert [(c["source_id"], c["claimed_on"]) for c in out["claims"]] == [("nefes", "2025-09-03")]
    assert [e["relation"] for e in out["evidence"]] == ["contradicts"]


def test_extract_bad_input_is_one_line(seeded_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file or an unfetchable URL exits 2 with a one-line reason."""
    assert cli.main(["--db", str(seeded_path), "extract", "no-such-file.txt", "--json"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["--db", str(seeded_path), "extract", "http://127.0.0.1:9/x", "--json"]) == 2
    assert "could not be fetched" in capsys.readouterr().err
