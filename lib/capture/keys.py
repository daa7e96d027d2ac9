"""Readable keys for proposed rows ('stmt-tur-msb-2025-09-04-the-s-400-air'), unique in the proposal set and
never one the store already uses, so a capture adds rows and never overwrites one by accident."""

from __future__ import annotations

import duckdb

from lib.capture import known as store_view
from lib.capture.names import slug
from lib.capture.proposals import Proposals


class Keys:
    """The keys handed out for one article."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def new(self, prefix: str, who: str, when: str, words: str) -> str:
        """prefix-who-when-words, each part a slug; a suffix (-2, -3 …) when the set already has it."""
        return self.unique("-".join(p for p in (prefix, slug(who, 30), when, slug(words, 24) if words else "") if p))

    def unique(self, base: str) -> str:
        ident, n = base, 1
        while ident in self._used:
            n += 1
            ident = f"{base}-{n}"
        self._used.add(ident)
        return ident


def avoid_stored(con: duckdb.DuckDBPyConnection, keys: Keys, proposals: Proposals) -> None:
    """Rename the new keys the store already uses (one query per table), references included."""
    owned = {
        "statements": [s.statement_id for s in proposals.statements],
        "claims": [c.claim_id for c in proposals.claims],
        "events": [e.event_id for e in proposals.events],
        "documents": [d.document_id for d in proposals.cited_documents if not d.stored],
        "actors": [a.actor_id for a in proposals.new_actors],
        "sources": [s.source_id for s in proposals.new_sources],
    }
    renamed: dict[str, str] = {}
    for table, candidates in owned.items():
        for old in store_view.existing_keys(con, table, candidates):
            fresh = keys.unique(old)
            while store_view.existing_keys(con, table, [fresh]):
                fresh = keys.unique(old)
            renamed[old] = fresh
    if renamed:
        _rename(proposals, renamed)


def _rename(p: Proposals, renamed: dict[str, str]) -> None:
    def new(key_: str) -> str:
        return renamed.get(key_, key_)

    for s in p.statements:
        s.statement_id, s.actor_id, s.document_id = new(s.statement_id), new(s.actor_id), new(s.document_id)
    for c in p.claims:
        c.claim_id, c.document_id = new(c.claim_id), new(c.document_id)
    for e in p.evidence:
        e.claim_id, e.evidence_id = new(e.claim_id), new(e.evidence_id)
    for e in p.events:
        e.event_id = new(e.event_id)
    for d in p.cited_documents:
        d.document_id, d.source_id = new(d.document_id), new(d.source_id)
    for a in p.new_actors:
        a.actor_id = new(a.actor_id)
    for s in p.new_sources:
        s.source_id = new(s.source_id)
    p.document.source_id = new(p.document.source_id)
    p.document.cites = [new(c) for c in p.document.cites]
