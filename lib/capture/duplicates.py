"""What the store already holds of an article's proposals: a statement repeated (same speaker, overlapping
date, same words), a claim a stored report already carries, an event already recorded. Flagged, never
dropped: the analyst decides. One query per kind per article."""

from __future__ import annotations

import duckdb

from lib.capture import known as store_view
from lib.capture.proposals import Proposals
from lib.dates import period_end, storable


def flag(con: duckdb.DuckDBPyConnection, proposals: Proposals) -> None:
    """Fill ``duplicate_of`` on the statements, claims and events the store already holds."""
    _statements(con, proposals)
    _claims(con, proposals)
    _events(con, proposals)


def _statements(con: duckdb.DuckDBPyConnection, proposals: Proposals) -> None:
    # a date the store cannot hold (a future publication date) has no stored duplicate; the import refuses it in words
    dated = [(s, p) for s in proposals.statements if s.stated_on and (p := storable(s.stated_on))]
    if not dated:
        return
    first = min(p.first_day for _, p in dated)
    last = max(period_end(p.first_day, p.precision) for _, p in dated)
    stored = store_view.stored_statements(con, sorted({s.actor_id for s, _ in dated}), first, last)
    for statement, parsed in dated:
        wanted = store_view.quote_key(statement.quote)
        end = period_end(parsed.first_day, parsed.precision)
        for statement_id, actor_id, day, last_day, quote in stored:
            have = store_view.quote_key(quote)
            if (actor_id == statement.actor_id and day <= end and last_day >= parsed.first_day
                    and wanted and have and (wanted in have or have in wanted)):
                statement.duplicate_of = statement_id
                break


def _claims(con: duckdb.DuckDBPyConnection, proposals: Proposals) -> None:
    stored = store_view.stored_claims(con, [d.document_id for d in proposals.cited_documents if d.stored])
    for claim in proposals.claims:
        parsed = storable(claim.claimed_on) if claim.claimed_on else None
        if parsed is None:
            continue
        claim.duplicate_of = next((c for c, doc, day, precision in stored if doc == claim.document_id
                                   and (day, precision) == (parsed.first_day, parsed.precision)), "")


def _events(con: duckdb.DuckDBPyConnection, proposals: Proposals) -> None:
    wanted = {}
    for event in proposals.events:
        if parsed := storable(event.occurred_on):
            wanted[event.event_id] = (event.event_type, parsed.first_day, parsed.precision)
    stored = store_view.stored_events(con, list(wanted.values()))
    for event in proposals.events:
        event.duplicate_of = stored.get(wanted.get(event.event_id), "")
