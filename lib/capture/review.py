"""The analyst's review: proposals as editable tables (names shown, ids kept), and the accepted rows as
the bundle that will be written — the preview is exactly what the commit imports.

Actors, sources, topics and positions appear as "Name · id" labels chosen
from lists, so an id is never typed; new keys are the readable slugs the
extractor made.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from lib.capture.known import Known
from lib.capture.proposals import Proposals

KINDS = ("statements", "claims", "evidence", "events")
"""The item kinds the analyst reviews, one table each, in this order."""

BUNDLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": ("source_id", "name", "kind", "url"),
    "actors": ("actor_id", "name", "kind"),
    "documents": ("document_id", "source_id", "title", "url", "published_on", "language", "cites"),
    "events": ("event_id", "occurred_on", "event_type", "title", "topic_id", "actor_ids", "document_ids"),
    "statements": ("statement_id", "stated_on", "actor_id", "topic_id", "position_code", "quote", "attribution",
                   "document_id", "language", "self_declared"),
    "claims": ("claim_id", "claimed_on", "document_id", "topic_id", "subject_actor_id", "text", "asserted_position"),
    "evidence": ("claim_id", "relation", "evidence_type", "evidence_id", "note"),
}
"""Columns written per bundle file (docs/IMPORT.md), in the order the files are applied."""

_SEP = " · "


def label(name: str, ident: str) -> str:
    """How a row of the store is shown in a selectbox: its name, then its id."""
    return f"{name}{_SEP}{ident}" if ident else ""


def ident(text: str | None) -> str:
    """The id back from a selectbox label (or '' for an empty choice)."""
    return (text or "").rsplit(_SEP, 1)[-1].strip() if text else ""


class Choices:
    """The selectbox options of one review: known rows plus what this article proposes to add."""

    def __init__(self, known: Known, proposals: Proposals) -> None:
        self.actors = [label(a.name, a.actor_id) for a in known.actors.values()]
        self.actors += [label(a.name + " (new)", a.actor_id) for a in proposals.new_actors]
        self.sources = [label(s.name, s.source_id) for s in known.sources.values()]
        self.sources += [label(s.name + " (new)", s.source_id) for s in proposals.new_sources]
        self.topics = [label(name, t) for t, (name, _) in known.topics.items()]
        self.positions = [label(f"{p.label} ({p.topic_id})", p.code) for p in known.positions]
        self._names = {ident(x): x for x in self.actors + self.sources + self.topics}
        self._positions = {ident(x): x for x in self.positions}

    def of(self, key: str) -> str:
        return self._names.get(key, "") if key else ""

    def position(self, code: str) -> str:
        return self._positions.get(code, "") if code else ""


def review_frames(proposals: Proposals, choices: Choices) -> dict[str, pd.DataFrame]:
    """One table per kind for st.data_editor: 'accept' first, ids as labels; a duplicate starts unaccepted."""
    text = proposals.text
    statements = pd.DataFrame([{
        "accept": not s.duplicate_of, "speaker": choices.of(s.actor_id), "stated_on": s.stated_on, "quote": s.quote,
        "position": choices.position(s.position_code), "attribution": s.attribution, "no_change": s.self_declared,
        "duplicate_of": s.duplicate_of, "why_position": s.position_reason, "topic": choices.of(s.topic_id),
        "statement_id": s.statement_id, "document_id": s.document_id, "excerpt": text[s.start:s.end],
    } for s in proposals.statements], columns=_STATEMENT_COLUMNS)
    claims = pd.DataFrame([{
        "accept": not c.duplicate_of, "claimant": choices.of(c.source_id), "claimed_on": c.claimed_on, "text": c.text,
        "subject": choices.of(c.subject_actor_id), "asserted_position": choices.position(c.asserted_position),
        "topic": choices.of(c.topic_id), "duplicate_of": c.duplicate_of, "claim_id": c.claim_id,
        "document_id": c.document_id,
        "excerpt": text[c.start:c.end],
    } for c in proposals.claims], columns=_CLAIM_COLUMNS)
    evidence = pd.DataFrame([{
        "accept": True, "claim_id": e.claim_id, "relation": e.relation, "statement_id": e.evidence_id, "note": e.note,
    } for e in proposals.evidence], columns=_EVIDENCE_COLUMNS)
    events = pd.DataFrame([{
        "accept": not e.duplicate_of, "occurred_on": e.occurred_on, "event_type": e.event_type, "title": e.title,
        "actors": "; ".join(choices.of(a) for a in e.actor_ids), "duplicate_of": e.duplicate_of,
        "event_id": e.event_id, "excerpt": text[e.start:e.end],
    } for e in proposals.events], columns=_EVENT_COLUMNS)
    return {"statements": statements, "claims": claims, "evidence": evidence, "events": events}


_STATEMENT_COLUMNS = ["accept", "speaker", "stated_on", "quote", "position", "attribution", "no_change", "duplicate_of",
                      "why_position", "topic", "statement_id", "document_id", "excerpt"]
_CLAIM_COLUMNS = ["accept", "claimant", "claimed_on", "text", "subject", "asserted_position", "topic", "duplicate_of",
                  "claim_id", "document_id", "excerpt"]
_EVIDENCE_COLUMNS = ["accept", "claim_id", "relation", "statement_id", "note"]
_EVENT_COLUMNS = ["accept", "occurred_on", "event_type", "title", "actors", "duplicate_of", "event_id", "excerpt"]


def spans(proposals: Proposals) -> pd.DataFrame:
    """Every proposal's span in the article, in text order: kind, start, end, what it proposes, and the words."""
    rows = [{"kind": kind, "start": item.start, "end": item.end, "proposes": _summary(kind, item),
             "text": proposals.text[item.start:item.end]}
            for kind in KINDS for item in getattr(proposals, kind)]
    frame = pd.DataFrame(rows, columns=["kind", "start", "end", "proposes", "text"])
    return frame.sort_values(["start", "kind"], kind="stable").reset_index(drop=True)


def _summary(kind: str, item: Any) -> str:
    if kind == "statements":
        return f"{item.actor_id} on {item.stated_on or '?'}"
    if kind == "claims":
        return f"{item.source_id} on {item.claimed_on or '?'}"
    if kind == "evidence":
        return f"{item.relation} {item.claim_id}"
    return f"{item.event_type} {item.occurred_on}"


def bundle_tables(proposals: Proposals, frames: dict[str, pd.DataFrame],
                  document: dict[str, str] | None = None) -> dict[str, list[dict[str, str]]]:
    """The accepted rows as bundle tables (docs/IMPORT.md): what the preview shows and the commit writes.

    Evidence whose claim or statement was not accepted is left out, and so
    are documents, sources and actors that no accepted row needs.
    """
    doc = {**asdict(proposals.document), **(document or {})}
    statements = [_statement_row(r, doc) for r in _accepted(frames["statements"])]
    claims = [_claim_row(r) for r in _accepted(frames["claims"])]
    statement_ids = {r["statement_id"] for r in statements}
    claim_ids = {r["claim_id"] for r in claims}
    evidence = [{"claim_id": r["claim_id"], "relation": r["relation"], "evidence_type": "statement",
                 "evidence_id": r["statement_id"], "note": r["note"]}
                for r in _accepted(frames["evidence"])
                if r["claim_id"] in claim_ids and r["statement_id"] in statement_ids]
    events = [{"event_id": r["event_id"], "occurred_on": r["occurred_on"], "event_type": r["event_type"],
               "title": r["title"], "topic_id": proposals.topic_id,
               "actor_ids": ";".join(filter(None, (ident(a) for a in str(r["actors"] or "").split("; ")))),
               "document_ids": doc["document_id"]} for r in _accepted(frames["events"])]

    used_docs = {r["document_id"] for r in statements + claims} | ({doc["document_id"]} if events else set())
    cited = [d for d in proposals.cited_documents if d.document_id in used_docs or d.document_id in doc["cites"]]
    cited_ids = {d.document_id for d in cited if d.stored or d.document_id in used_docs}
    documents = []
    if used_docs:
        documents.append({**{c: doc.get(c, "") for c in BUNDLE_COLUMNS["documents"]},
                          "cites": ";".join(c for c in doc["cites"] if c in cited_ids)})
    documents += [{"document_id": d.document_id, "source_id": d.source_id, "title": d.title, "url": d.url,
                   "published_on": d.published_on, "language": d.language, "cites": ""}
                  for d in cited if not d.stored and d.document_id in used_docs]

    source_ids = {d["source_id"] for d in documents}
    sources = [{"source_id": s.source_id, "name": s.name, "kind": s.kind, "url": s.url}
               for s in proposals.new_sources if s.source_id in source_ids]
    actor_ids = {r["actor_id"] for r in statements} | {r["subject_actor_id"] for r in claims}
    actors = [{"actor_id": a.actor_id, "name": a.name, "kind": a.kind}
              for a in proposals.new_actors if a.actor_id in actor_ids]
    tables = {"sources": sources, "actors": actors, "documents": documents, "events": events,
              "statements": statements, "claims": claims, "evidence": evidence}
    return {t: [{c: _text(row.get(c)) for c in BUNDLE_COLUMNS[t]} for row in rows] for t, rows in tables.items() if rows}


def _accepted(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [row for row in frame.to_dict("records") if bool(row.get("accept"))]


def _statement_row(r: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    return {"statement_id": r["statement_id"], "stated_on": r["stated_on"], "actor_id": ident(r["speaker"]),
            "topic_id": ident(r["topic"]), "position_code": ident(r["position"]), "quote": r["quote"],
            "attribution": r["attribution"], "document_id": r["document_id"] or doc["document_id"],
            "language": doc.get("language", ""), "self_declared": "true" if r["no_change"] else "false"}


def _claim_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"claim_id": r["claim_id"], "claimed_on": r["claimed_on"], "document_id": r["document_id"],
            "topic_id": ident(r["topic"]), "subject_actor_id": ident(r["subject"]), "text": r["text"],
            "asserted_position": ident(r["asserted_position"])}


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def preview_frames(tables: dict[str, list[dict[str, str]]]) -> dict[str, pd.DataFrame]:
    """The bundle as one table per file, for the page's preview."""
    return {t: pd.DataFrame(rows, columns=list(BUNDLE_COLUMNS[t])) for t, rows in tables.items()}
