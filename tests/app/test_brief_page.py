"""The Brief page: charts kept across reruns, reordered, captioned, saved and reopened."""

from __future__ import annotations

from lib.brief import Brief, BriefItem
from tests.conftest import ROOT


def _with_brief(app, brief: Brief):
    at = app("brief")
    at.session_state["_brief"] = brief.to_json()
    at.run()
    return at


def test_empty_brief_says_how_to_add_charts(app) -> None:
    """With no chart yet the page explains where "Add to brief" is, and export buttons are disabled."""
    at = app("brief")
    assert "Add to brief" in at.info[0].value


def test_add_to_brief_from_the_stances_page(app) -> None:
    """Pressing "Add to brief" under the Stances chart puts that chart, with the page's filters, into the brief."""
    at = app("stances", topic="s400")
    next(b for b in at.button if b.label == "Add to brief").click().run()
    brief = Brief.from_json(at.session_state["_brief"])
    assert [i.chart for i in brief.items] == ["stances"]
    assert brief.items[0].params.get("topic") == ["s400"]
    at.switch_page(str(ROOT / "views" / "brief.py")).run()
    assert any("Figure 1. Stances over time" in m.value for m in at.markdown)


def test_reorder_caption_save_and_reopen(app) -> None:
    """Moving the second chart up, captioning it and saving gives a brief that reopens the same."""
    brief = Brief(title="S-400 note", judgements="Turkey keeps the systems", items=[
        BriefItem("stances", {"topic": ["s400"]}), BriefItem("stances", {"actor": ["TUR-MSB"]}, "second")])
    at = _with_brief(app, brief)
    at.button(key="brief_up_1").click().run()
    kept = Brief.from_json(at.session_state["_brief"])
    assert [i.caption for i in kept.items] == ["second", ""]
    at.text_input(key="brief_caption_1").input("Ministry alone").run()
    next(b for b in at.button if b.label == "Save this brief").click().run()
    assert "Saved as" in at.success[0].value
    at.session_state["_brief"] = Brief().to_json()
    at.run()
    next(b for b in at.button if b.label == "Open").click().run()
    reopened = Brief.from_json(at.session_state["_brief"])
    assert reopened.title == "S-400 note" and [i.caption for i in reopened.items] == ["second", "Ministry alone"]
