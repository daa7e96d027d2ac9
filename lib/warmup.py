"""What the pages show under no filter, computed ahead of the analyst: after the server's first session and every write.

The first open of a page used to pay for the store-wide results it shows (every
source's track record, the busiest actors' standings judged by the group rule,
the Stances view's cards): seconds at 10M events, each time the data changed.
``default_results`` computes them through the page cache (``lib/ui.cached``,
keyed on the store's data version), in the calls and with the arguments the
pages use, so a page opened later finds them there, and one opened meanwhile
waits for the computation under way instead of starting its own (Streamlit
holds a lock per cache key). The dashboard runs it in a background thread
(``ui.keep_warm``) whenever it sees a data version it has not warmed.

Each call below names the page that makes it; a page that changes its calls
must change them here too (tests/unit/test_warmup.py checks that each call hits
the cache the page fills).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import duckdb

from lib import catalog, changelog
from lib.caching import Cache
from lib.filters import Filters, TimelineView
from lib.sources import claim_status, reliability
from lib.stances import continuity, stance
from lib.timeline import timeline

SHIFT_ALERTS_SHOWN = 5
"""Shift alerts listed at the top of the Overview and Stances (lib/ui.shift_alerts)."""
OVERVIEW_NEWEST_CLAIMS = 200
"""The claims the Overview lists (views/overview.py NEWEST_CLAIMS)."""
SOURCES_NEWEST_CLAIMS = 1000
"""The claims of one source the Sources page lists (views/sources.py NEWEST_CLAIMS)."""


def default_calls(con: duckdb.DuckDBPyConnection, cache: Cache) -> Iterator[Callable[[], object]]:
    """Each computation the pages make under no filter, as a call through ``cache``; cheapest and most shared first.

    A generator: later calls read earlier results (the Stances view, the first source).
    """
    none = Filters()
    view = TimelineView()
    # the sidebar of every page
    yield lambda: cache(catalog.filter_options)(con)
    yield lambda: cache(catalog.store_summary)(con)
    yield lambda: cache(catalog.names)(con)
    # Timeline (the chart first: its rows are the table's)
    yield lambda: cache(timeline.build_chart)(con, none, view.lanes, lane_count=view.lane_count)
    yield lambda: cache(timeline.build_table)(con, none)
    # Overview and Stances: shift alerts; the Overview's lists and standings
    yield lambda: cache(continuity.unacknowledged_shifts)(con, SHIFT_ALERTS_SHOWN)
    yield lambda: cache(catalog.newest_items)(con, none)
    yield lambda: cache(changelog.recent_imports)(con)
    yield lambda: cache(changelog.edits_since_last_import)(con)
    yield lambda: cache(catalog.actor_scope)(con, none)
    yield lambda: cache(reliability.grade_labels)(con)
    yield lambda: cache(claim_status.claim_outcomes)(con, none, newest=OVERVIEW_NEWEST_CLAIMS)
    yield lambda: cache(stance.standings)(con, None, None, none.include_children)
    # Stances
    stance_view = cache(stance.resolve_view)(con, none)
    for topic in stance_view.topics:
        yield lambda topic=topic: cache(stance.position_labels)(con, topic)
    yield lambda: cache(stance.card_texts)(con, none)
    yield lambda: cache(stance.build_chart)(con, none)
    yield lambda: cache(stance.claims_table)(con, none)
    yield lambda: cache(stance.build_table)(con, none)
    # Sources: the table (its files; the page draws a page of it, and its chart, from the track records), the first
    # source's claims and their evidence
    yield lambda: cache(reliability.build_table)(con, none)
    records = cache(reliability.track_records)(con, Filters())
    if len(records):
        first = dataclasses.replace(none, sources=(records.source_id.iloc[0],))
        mine = cache(claim_status.claim_outcomes)(con, first, newest=SOURCES_NEWEST_CLAIMS)
        if len(mine):
            yield lambda: cache(claim_status.claim_evidence)(con, list(mine.claim_id))


def default_results(con: duckdb.DuckDBPyConnection, cache: Cache, stop: Callable[[], bool] = lambda: False,
                    pause: Callable[[], None] = lambda: None) -> int:
    """Compute every default result through ``cache``; stops early when ``stop()`` says the data moved on. Returns the calls made.

    ``pause()`` runs before each computation: the dashboard waits there until no session's page has run for a moment.
    """
    made = 0
    for call in default_calls(con, cache):
        pause()
        if stop():
            break
        call()
        made += 1
    return made
