"""The one lib module that imports streamlit: the shared connection, the sidebar filters, and display helpers.

Filters are kept in ``st.session_state`` (so they survive page switches, which
drop the query string) and mirrored into ``st.query_params`` (so a copied link
reopens the same view in a new session).
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import os
import re
import sys
from collections.abc import Callable

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import export, queries, stance, store
from lib.brief import Brief, BriefItem
from lib.dates import format_partial_date
from lib.filters import LIST_KEYS, PRESETS, Filters
from lib.vocab import ITEM_KINDS, ORIGINS

_FILTERS = "_filters"
_WIDGET = "flt_"


def store_path() -> str:
    """The store the app serves: `streamlit run app.py -- --db PATH`, else $STANCEWATCH_DB, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return str(store.db_path(known.db))


DUCKDB_MEMORY = os.environ.get("STANCEWATCH_DUCKDB_MEMORY", "500MB")
"""DuckDB's memory limit in the dashboard ($STANCEWATCH_DUCKDB_MEMORY): large queries spill to disk rather
than take the process past 1 GB resident at 10M events (bench/RESULTS.md, the dashboard at 10M)."""


@st.cache_resource(show_spinner=False)
def _shared_connection(path: str) -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per process, memory-capped; sessions take their own cursor from it."""
    con = store.connect(path)
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", DUCKDB_MEMORY):
        raise store.StoreError(f"STANCEWATCH_DUCKDB_MEMORY={DUCKDB_MEMORY!r}: use a size like 500MB or 2GB")
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """This session's cursor on the shared connection (a cursor per session: connections are not thread-safe)."""
    path = store_path()
    key = f"_cursor::{path}"
    if key not in st.session_state:
        try:
            st.session_state[key] = _shared_connection(path).cursor()
        except store.StoreError as exc:
            st.error(str(exc))
            st.stop()
    return st.session_state[key]


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's data version, the key every cached query adds to its own arguments."""
    return store.data_version(con)


def cached(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Cache a query on (store file, data version, its primitive arguments); the connection is not part of the key."""

    # st.cache_data keys on the decorated function's source, which is this same `run` for every
    # wrapped query: the wrapped function's name must be part of the key or queries share results.
    @st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
    # The store path is in the key too: two stores (test copies, a switched --db) can be at the same data version.
    def run(_con: duckdb.DuckDBPyConnection, path: str, version: int, name: str, *args: object, **kwargs: object) -> pd.DataFrame:
        # a lib function that takes `cache` (lib/caching.py) runs the queries it shares with its page through this cache too
        return func(_con, *args, **kwargs, cache=cached) if shares_queries else func(_con, *args, **kwargs)

    shares_queries = "cache" in inspect.signature(func).parameters

    def call(con: duckdb.DuckDBPyConnection, *args: object, **kwargs: object) -> pd.DataFrame:
        return run(con, store_path(), data_version(con), f"{func.__module__}.{func.__qualname__}", *args, **kwargs)

    return call


# -- filters --------------------------------------------------------------------
def page_filters() -> Filters:
    """The filters in force this run: set by the sidebar, or read from the URL when a page runs alone."""
    if _FILTERS not in st.session_state:
        st.session_state[_FILTERS] = Filters.from_query_params(_url_params())
    return st.session_state[_FILTERS]


def set_filters(filters: Filters) -> None:
    """Make ``filters`` current for every page and write them into the URL."""
    st.session_state[_FILTERS] = filters
    _sync_widgets(filters)
    st.query_params.from_dict(filters.to_query_params())


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def sidebar_filters(con: duckdb.DuckDBPyConnection) -> Filters:
    """Draw the shared filter sidebar and return the filters in force.

    A new session reads the URL; later runs keep the session's filters and
    write them back into the URL, which a page switch empties.
    """
    if _FILTERS not in st.session_state:
        parsed = Filters.from_query_params(_url_params())
        filters = parsed.restricted_to(queries.known_ids(con, parsed))
        st.session_state[_FILTERS] = filters
        _sync_widgets(filters)
    filters = st.session_state[_FILTERS]
    for notice in filters.notices:
        st.sidebar.warning(notice, icon=":material/warning:")
    if _url_params() != {k: (v if isinstance(v, list) else [v]) for k, v in filters.to_query_params().items()}:
        st.query_params.from_dict(filters.to_query_params())

    options = cached(queries.filter_options)(con)
    labels = {
        "actors": dict(zip(options["actors"].actor_id, options["actors"].name, strict=True)),
        "topics": dict(zip(options["topics"].topic_id, options["topics"].name, strict=True)),
        "sources": dict(zip(options["sources"].source_id, options["sources"].name, strict=True)),
        "event_types": dict(zip(options["event_types"].code, options["event_types"].label, strict=True)),
        "kinds": {k: f"{k}s" for k in ITEM_KINDS},
        "origins": {o: o for o in ORIGINS},
    }
    with st.sidebar:
        st.subheader("Filters")
        st.selectbox("Dates", list(PRESETS), format_func=PRESETS.get, key=_WIDGET + "preset", on_change=_from_widgets)
        if st.session_state[_WIDGET + "preset"] == "custom":
            st.date_input(
                "Custom range", key=_WIDGET + "range", min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31),
                format="YYYY-MM-DD", on_change=_from_widgets,
            )
        for name in ("actors", "topics", "sources", "kinds", "event_types", "origins"):
            choices = labels[name]
            chosen = st.session_state.get(_WIDGET + name, [])
            keys = list(dict.fromkeys([*chosen, *choices]))
            st.multiselect(
                _LABELS[name], keys, key=_WIDGET + name, format_func=lambda k, c=choices: c.get(k, k),
                on_change=_from_widgets, placeholder="all",
            )
        st.checkbox("Include sub-actors (ministries of a state)", key=_WIDGET + "children", on_change=_from_widgets)
        st.text_input("Search titles, quotes and claims", key=_WIDGET + "text", on_change=_from_widgets, max_chars=200,
                      help='Every word, in any form; "words in quotes" side by side. Literal text when the search '
                           "index cannot be used. The Search page ranks the matches.")
        # a callback: widget values may only be reset before the widgets are drawn again
        st.button("Clear filters", width="stretch", on_click=set_filters, args=(Filters(),))
    return st.session_state[_FILTERS]


_LABELS = {
    "actors": "Actors", "topics": "Topics", "sources": "Sources", "kinds": "Item kinds",
    "event_types": "Event types", "origins": "Origins",
}


def _sync_widgets(filters: Filters) -> None:
    """Put the filter values into the widgets' session state (widgets are drawn without defaults)."""
    state = st.session_state
    state[_WIDGET + "preset"] = filters.preset
    state[_WIDGET + "range"] = (filters.date_from or dt.date(2000, 1, 1), filters.date_to or dt.date.today())
    for name in LIST_KEYS.values():
        state[_WIDGET + name] = list(getattr(filters, name))
    state[_WIDGET + "children"] = filters.include_children
    state[_WIDGET + "text"] = filters.text


def _from_widgets() -> None:
    """Widget callback: rebuild the filters from every widget and publish them."""
    state = st.session_state
    preset = state[_WIDGET + "preset"]
    params: dict[str, object] = {key: state.get(_WIDGET + name, []) for key, name in LIST_KEYS.items()}
    if preset == "custom":
        chosen = tuple(state.get(_WIDGET + "range") or ())
        if len(chosen) == 2:
            params["from"], params["to"] = chosen[0].isoformat(), chosen[1].isoformat()
        elif len(chosen) == 1:
            params["from"] = chosen[0].isoformat()
    else:
        params["range"] = preset
    params["q"] = state.get(_WIDGET + "text", "")
    params["children"] = "1" if state.get(_WIDGET + "children", True) else "0"
    filters = Filters.from_query_params(params)  # type: ignore[arg-type]
    if preset == "custom" and filters.preset == "all":
        filters = Filters.from_query_params({**params, "range": "custom"})  # type: ignore[arg-type]
    state[_FILTERS] = filters
    st.query_params.from_dict(filters.to_query_params())


# -- display ----------------------------------------------------------------------
def show_chart(fig: go.Figure, name: str, key: str, brief_chart: str | None = None, **kwargs: object) -> object:
    """Show a chart with its exports (PNG/SVG/PDF/HTML under a meaningful file name) and, if named, "Add to brief".

    ``name`` is the file name without extension (``export.file_name``); the
    toolbar's own image button uses the same name and print size.
    """
    height = int(fig.layout.height or 480)
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": name, "width": export.DEFAULT_WIDTH, "height": height,
                                 "scale": export.DEFAULT_SCALE},
    }
    event = st.plotly_chart(fig, config=config, key=key, width="stretch", theme=None, **kwargs)
    columns = st.columns([1, 1, 1, 1, 2, 2])
    static_ok = export.chromium_path() is not None
    for column, fmt in zip(columns, export.CHART_FORMATS, strict=False):
        column.download_button(
            fmt.upper(), data=lambda f=fmt: export.figure_bytes(fig, f), file_name=f"{name}.{fmt}", mime=export.MIME[fmt],
            key=f"{key}_{fmt}", disabled=fmt != "html" and not static_ok, on_click="ignore", width="stretch",
            help=None if fmt == "html" or static_ok else f"Needs Chromium on the server: {export.INSTALL_HINT}",
        )
    if brief_chart and columns[4].button("Add to brief", key=f"{key}_brief", width="content", icon=":material/add:"):
        brief = current_brief()
        brief.items.append(BriefItem(brief_chart, page_filters().to_query_params()))
        keep_brief(brief)
        st.toast(f"Added to the brief ({len(brief.items)} chart(s)).")
    return event


def show_table(df: pd.DataFrame, name: str, key: str, **kwargs: object) -> object:
    """Show a table with CSV and XLSX downloads of exactly the rows shown (formula cells neutralised)."""
    shown = st.dataframe(df, key=key, width="stretch", hide_index=True, **kwargs)
    con = connection()
    described, as_of = page_filters().describe(queries.names(con)), queries.data_as_of(con)
    left, right, _ = st.columns([1, 1, 6])
    for column, fmt in ((left, "csv"), (right, "xlsx")):
        column.download_button(
            fmt.upper(), data=lambda f=fmt: export.table_bytes(df, f, name, described, as_of), file_name=f"{name}.{fmt}",
            mime=export.MIME[fmt], key=f"{key}_{fmt}", on_click="ignore", width="stretch",
        )
    return shown


# -- brief ------------------------------------------------------------------------------
_BRIEF = "_brief"


def current_brief() -> Brief:
    """The brief being assembled in this session (kept as JSON so reruns and page switches keep it)."""
    return Brief.from_json(st.session_state[_BRIEF]) if _BRIEF in st.session_state else Brief()


def keep_brief(brief: Brief) -> None:
    """Store the session's brief."""
    st.session_state[_BRIEF] = brief.to_json()


# -- shift alerts -----------------------------------------------------------------
_open_shifts = cached(queries.unacknowledged_shifts)  # on every page: once per data version


def count_metric(column: object, label: str, count: int) -> None:
    """A headline count that fits its column: millions shortened ("10.0 M"; "10,000,…" was cut off), the exact figure on hover."""
    value = f"{count / 1_000_000:.1f} M" if count >= 1_000_000 else f"{count:,}"
    column.metric(label, value, help=f"{count:,} {label.lower()}")


def shift_alerts(con: duckdb.DuckDBPyConnection, shown: int = 5) -> None:
    """Say at the top of a page which statements shift an actor's position, until the analyst acknowledges them.

    Acknowledging is an audited write (lib.stance.acknowledge_shifts); it covers the shifts listed, so
    older ones come up next.
    """
    total, newest = _open_shifts(con, shown)
    if not total:
        return
    names = queries.names(con)
    with st.container(border=True, key="shift_alerts"):
        more = f" (newest {len(newest)} listed)" if total > len(newest) else ""
        st.warning(f"{total:,} statement{'s' if total != 1 else ''} shift an actor's position{more}.", icon=":material/shuffle:")
        for row in newest.itertuples(index=False):
            labels = stance.position_labels(con, row.topic_id)
            before = " / ".join(labels.get(c, c) for c in row.previous_positions)
            st.text(
                f"{format_partial_date(row.stated_on.date(), row.date_precision)} · {names.get(row.actor_id, row.actor_id)}"
                f" on {names.get(row.topic_id, row.topic_id)}: {before} → {labels.get(row.position_code, row.position_code)}"
                + (f" · “{row.quote[:160]}”" if isinstance(row.quote, str) and row.quote else "")
            )
        if st.button("Acknowledge these", key="shift_alerts_ack", icon=":material/done_all:"):
            stance.acknowledge_shifts(con, list(newest.statement_id))
            st.rerun()
