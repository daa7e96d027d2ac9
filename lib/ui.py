"""The one lib module that imports streamlit: the shared connection, the sidebar filters, and display helpers.

Filters are kept in ``st.session_state`` (so they survive page switches, which
drop the query string) and mirrored into ``st.query_params`` (so a copied link
reopens the same view in a new session).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import inspect
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit import runtime

from lib import access, catalog, charts, errorlog, export, heap, store
from lib.brief import Brief, BriefItem
from lib.dates import format_partial_date, parse_partial_date, period_end
from lib.filters import DATA_PRESETS, LIST_KEYS, PRESETS, VIEW_KEYS, Filters, TimelineView, preset_kind, quarter_of
from lib.ingest import inbox
from lib.safety import plain
from lib.stances import continuity, stance
from lib.timeline import queries
from lib.vocab import ITEM_KINDS, ORIGINS

_FILTERS = "_filters"
_WIDGET = "flt_"


def _app_args() -> argparse.Namespace:
    """The app's own arguments, after `--` on the `streamlit run app.py` line: `--db PATH`, `--no-auth`."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    parser.add_argument("--no-auth", action="store_true")
    return parser.parse_known_args(sys.argv[1:])[0]


@functools.cache
def store_path() -> str:
    """The store the app serves: `streamlit run app.py -- --db PATH`, else $STANCEWATCH_DB, else the default.

    Resolved once per process, on the first call: a server's setting does not change while it runs, every page run
    and cached call asks (it parsed the command line each time), and so every thread — a page's, the warm-up's, a
    download's — keys its results on the same store. Tests that switch stores call ``store_path.cache_clear()``.
    """
    return str(store.db_path(_app_args().db))


heap.configure()  # before the sessions' frames: large ones mapped apart and returned when freed (lib/heap.py)

DUCKDB_MEMORY = os.environ.get("STANCEWATCH_DUCKDB_MEMORY", "500MB")
"""DuckDB's memory limit in the dashboard ($STANCEWATCH_DUCKDB_MEMORY): large queries spill to disk rather
than take the process past 1 GB resident at 10M events (bench/RESULTS.md, the dashboard at 10M)."""


@st.cache_resource(show_spinner=False)
def _shared_connection(path: str) -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per process, memory-capped; sessions take their own cursor from it.

    The process now holds the store, so it also applies the imports the CLI queues meanwhile (lib/ingest/inbox.py).
    """
    con = store.connect(path)
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", DUCKDB_MEMORY):
        raise store.StoreError(f"STANCEWATCH_DUCKDB_MEMORY={DUCKDB_MEMORY!r}: use a size like 500MB or 2GB")
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    inbox.start_worker(con, path)
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """This session's cursor on the shared connection (a cursor per session: connections are not thread-safe)."""
    path = store_path()
    key = f"_cursor::{path}"
    if key not in st.session_state:
        try:
            st.session_state[key] = store.cursor(_shared_connection(path))
        except store.StoreError as exc:
            st.error(str(exc))
            st.stop()
    keep_warm(path, st.session_state[key])
    return st.session_state[key]


WARM_ENV = "STANCEWATCH_WARM"
_page_runs = [0]  # page runs under way in this process (a list: changed in place under the guard)
_page_runs_guard = threading.Lock()


@contextmanager
def page_run() -> Iterator[None]:
    """Count a page run under way (app.py wraps every run in it), so that the warm-up starts its next computation
    only when no session is waiting for its page.

    Measured on the swamped host at 1M events: a warm-up running beside the first filter changes made them 1.9×
    the floor instead of 1.6× (it shares the cores and the GIL); at the lowest CPU priority it was worse (3.2×),
    since a page then waited on the cache lock of a computation the warm-up had started and could not finish.
    """
    with _page_runs_guard:
        _page_runs[0] += 1
    try:
        yield
    finally:
        with _page_runs_guard:
            _page_runs[0] -= 1
            idle = not _page_runs[0]
            _last_run_end[0] = time.monotonic()
        if idle:
            heap.freeze_once()  # after the first run: the imports and the process's structures out of the collector's walk
            heap.trim()  # the run's frames are freed: give their memory back before the next run takes more


WARM_QUIET = 2.0
"""Seconds without a page run before the warm-up starts a computation: an analyst changing filters leaves a second or
two between runs, and a computation started in such a gap shared the cores with the next runs (bench/RESULTS.md,
the filter-change outliers)."""
_last_run_end = [0.0]  # when the latest page run ended (time.monotonic)


def _wait_for_idle(poll: float = 0.05, quiet: float | None = None) -> None:
    """Return once no page run is under way in this process and none has ended for ``quiet`` seconds (``WARM_QUIET``)."""
    quiet = WARM_QUIET if quiet is None else quiet
    while _page_runs[0] or time.monotonic() - _last_run_end[0] < quiet:
        time.sleep(poll)


_warming: dict[str, int] = {}  # store path -> the data version warmed (or being warmed)
_warming_guard = threading.Lock()


def keep_warm(path: str, con: duckdb.DuckDBPyConnection) -> None:
    """Start computing the pages' default results (lib/warmup.py) in the background when the store's data is new to us.

    Runs once per data version: after the server's first session opens the store, and after every write.
    ``$STANCEWATCH_WARM=0`` turns it off. Errors are logged, never shown: a page computes what is missing itself.
    """
    if os.environ.get(WARM_ENV, "1") == "0":
        return
    version = data_version(con)
    with _warming_guard:
        if _warming.get(path) == version:
            return
        _warming[path] = version
    con = store.cursor(_shared_connection(path))  # the thread's own cursor (a cursor serves one thread), on the team store too

    def warm() -> None:
        from lib import warmup

        try:
            warmup.default_results(con, cached, stop=lambda: data_version(con) != version, pause=_wait_for_idle)
        except Exception as exc:  # the page computes what is missing; the log says why the warm-up stopped
            errorlog.record(exc, "dashboard: computing the default pages ahead", errorlog.log_path(path))
        finally:
            con.close()

    threading.Thread(target=warm, name=f"stancewatch-warm-{version}", daemon=True).start()


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's data version, the key every cached query adds to its own arguments."""
    return store.data_version(con)


@dataclass(frozen=True)
class _FigureSpec:
    """A cached figure as its plain spec: Streamlit keeps results pickled, and unpickling a plotly Figure validates it
    again, every run (0.8 s of the Stances page's 3.2 s warm open at 10M events, cProfile of the page run); the spec
    was validated when the figure was built, so the page's copy is made without (plotly's ``_validate=False``)."""

    spec: dict


CACHE_ENTRIES = 32
"""Results kept per cached function (least recently used dropped first): filter changes of many sessions evict
one function's older results, never another page's."""
_cached_calls: dict[Callable[..., object], Callable[..., object]] = {}


def cached(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Cache a query on (store file, data version, its primitive arguments); the connection is not part of the key.

    Each function has a cache of its own: st.cache_data keys a cache on the decorated function's module, qualified
    name and source, which are this same ``run`` for every wrapped query, so they used to share one cache of 64
    entries, and a dozen filter changes on the Timeline evicted every page's results (a later open of Sources or
    Stances computed them again). The wrapper is made once per function, not on every call.
    """
    if func in _cached_calls:
        return _cached_calls[func]  # type: ignore[return-value]
    shares_queries = "cache" in inspect.signature(func).parameters
    name = f"{func.__module__}.{func.__qualname__}"

    # The store path is in the key too: two stores (test copies, a switched --db) can be at the same data version.
    def run(_con: duckdb.DuckDBPyConnection, path: str, version: int, name: str, *args: object, **kwargs: object) -> pd.DataFrame:
        # a lib function that takes `cache` (lib/caching.py) runs the queries it shares with its page through this cache too
        result = func(_con, *args, **kwargs, cache=cached) if shares_queries else func(_con, *args, **kwargs)
        return _FigureSpec(result.to_plotly_json()) if isinstance(result, go.Figure) else result

    run.__qualname__ = f"cached[{name}]"  # its own cache (the name stays in the key as well)
    run = st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES, ttl=3600)(run)

    def call(con: duckdb.DuckDBPyConnection, *args: object, **kwargs: object) -> pd.DataFrame:
        result = run(con, store_path(), data_version(con), name, *args, **kwargs)
        return go.Figure(result.spec, _validate=False) if isinstance(result, _FigureSpec) else result

    _cached_calls[func] = call
    return call


@contextmanager
def reported_errors(doing: str) -> Iterator[None]:
    """Run a page (or one action of it) so that an unexpected error is a plain message naming the log file, not a traceback.

    The trace goes to the log (lib/errorlog.py); Streamlit's own stop and
    rerun signals are not errors (they are BaseExceptions) and pass through.
    A :class:`store.StoreError` is expected, not internal: a grade or an
    acknowledgement that waited past STANCEWATCH_WRITE_WAIT (``StoreBusy``)
    is shown as its own sentence, saying what held the store and to retry.
    """
    try:
        yield
    except access.AccessDenied as exc:  # a refusal, not a fault: the user's role, in words, and nothing logged
        st.error(plain(str(exc)), icon=":material/lock:")
    except store.StoreError as exc:  # the store busy past the wait, or held by another process: a sentence, not a fault
        st.error(plain(str(exc)), icon=":material/hourglass_top:")
    except Exception as exc:
        logged = errorlog.record(exc, f"dashboard: {doing}", errorlog.log_path(store_path()))
        st.error(plain(errorlog.one_line(exc, logged)), icon=":material/error:")


# -- who is using the app ---------------------------------------------------------
ROLES_ENV = "STANCEWATCH_ROLES"


def logins_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an [auth] section, i.e. users sign in with OpenID Connect (docs/DEPLOY.md)."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


@st.cache_resource(show_spinner=False)
def _role_map(path: str, modified: float) -> access.RoleMap:
    """The roles file, read again whenever it changes (``modified`` is part of the key), so edits apply without a restart."""
    return access.load_roles(path)


def current_user() -> access.User:
    """Who is using this session: the local user without logins, else the signed-in identity with the role the roles file gives."""
    if not logins_configured():
        return access.LOCAL_USER
    if not st.user.is_logged_in:
        return access.User("", "none")
    path = os.environ.get(ROLES_ENV, "")
    try:
        roles = _role_map(path, os.path.getmtime(path)) if path else access.NO_ROLES
    except (OSError, access.RolesFileError) as exc:
        st.error(plain(f"{ROLES_ENV}: {exc}"))
        st.stop()
    return roles.user(st.user.to_dict())


REFUSAL_SHOWN_SECONDS = 3.0
"""How long an exposed server without logins stays up to show why it refuses, before it stops."""


def gate() -> access.User:
    """Run before any page: refuse to serve beyond this machine without logins, sign the user in, say who they are.

    Without [auth] in secrets.toml the app is for local use: one user (admin), served on loopback only unless
    `-- --no-auth` accepts the risk. With [auth] a visitor signs in; one without a role sees nothing.
    """
    logins = logins_configured()
    problem = access.exposure_problem(st.get_option("server.address"), logins, _app_args().no_auth)
    if problem:
        st.error(problem, icon=":material/lock:")
        print(problem, file=sys.stderr)
        # refuse to go on serving (`streamlit run` exits), once this run's refusal has reached the browser: stopping
        # at once could close the connection before the message was sent
        threading.Timer(REFUSAL_SHOWN_SECONDS, runtime.Runtime.instance().stop).start()
        st.stop()
    if not logins:
        st.sidebar.caption(access.LOCAL_NOTICE)
        return access.LOCAL_USER
    if not st.user.is_logged_in:
        st.title("Stancewatch")
        st.write("Sign in to see the data.")
        st.button("Log in", key="auth_login", type="primary", on_click=st.login)
        st.stop()
    user = current_user()
    st.sidebar.caption(plain(f"Signed in as {user.id} ({user.role})"))
    st.sidebar.button("Log out", key="auth_logout", on_click=st.logout)
    if not user.can(access.READ):
        st.warning(plain(f"{user.id} has no access to Stancewatch. Ask the admin to add you to the roles file."))
        st.stop()
    return user


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
    _publish(filters)


def _publish(filters: Filters) -> None:
    """Write the filters into the URL, keeping the Timeline's own view keys (lanes, open item) that are there."""
    kept = {key: st.query_params.get_all(key) for key in VIEW_KEYS if key in st.query_params}
    st.query_params.from_dict({**filters.to_query_params(), **kept})


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


_VIEW = "_timeline_view"


def timeline_view() -> TimelineView:
    """The Timeline's lanes and open item: the session's, or the URL's when the session is new.

    Written back into the URL on every Timeline run, since a page switch empties it.
    """
    if _VIEW not in st.session_state:
        st.session_state[_VIEW] = TimelineView.from_query_params(_url_params())
    view = st.session_state[_VIEW]
    for key in VIEW_KEYS:
        if key not in view.to_query_params() and key in st.query_params:
            del st.query_params[key]
    for key, value in view.to_query_params().items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    return view


def set_timeline_view(view: TimelineView) -> None:
    """Make ``view`` the Timeline's and write it into the URL."""
    st.session_state[_VIEW] = view
    timeline_view()


def sidebar_filters(con: duckdb.DuckDBPyConnection) -> Filters:
    """Draw the shared filter sidebar and return the filters in force.

    A new session reads the URL; later runs keep the session's filters and
    write them back into the URL, which a page switch empties.
    """
    if _FILTERS not in st.session_state:
        parsed = Filters.from_query_params(_url_params())
        filters = _resolve(con, parsed.restricted_to(catalog.known_ids(con, parsed)))
        st.session_state[_FILTERS] = filters
        _sync_widgets(filters)
    filters = st.session_state[_FILTERS]
    for notice in filters.notices:
        st.sidebar.warning(plain(notice), icon=":material/warning:")
    in_url = {k: v for k, v in _url_params().items() if k not in VIEW_KEYS}
    if in_url != {k: (v if isinstance(v, list) else [v]) for k, v in filters.to_query_params().items()}:
        _publish(filters)

    options = cached(catalog.filter_options)(con)
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
        _date_widgets(con)
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


def _resolve(con: duckdb.DuckDBPyConnection, filters: Filters) -> Filters:
    """Make a data preset concrete: the store's full span, or the days since the latest shift of the chosen actors."""
    if filters.preset not in DATA_PRESETS:
        return filters
    summary = cached(catalog.store_summary)(con)
    shift = cached(queries.last_shift)(con, filters) if filters.preset == "shift" else None
    return filters.resolved(summary["first_day"], summary["last_day"], shift)


def _date_widgets(con: duckdb.DuckDBPyConnection) -> None:
    """The date preset, and under it the year, the quarter or the typed range it asks for.

    A typed range is two text boxes rather than Streamlit's date input: its spinbuttons send on blur only,
    while a text box applies on Enter too, and takes a year or a month ('2019', '2019-09') as well as a day.
    """
    state = st.session_state
    st.selectbox("Dates", list(PRESETS), format_func=PRESETS.get, key=_WIDGET + "preset", on_change=_on_preset)
    kind = state[_WIDGET + "preset"]
    summary = cached(catalog.store_summary)(con)
    last = summary["last_day"] or dt.date.today()
    first = summary["first_day"] or last
    if kind == "year":
        years = sorted({str(y) for y in range(first.year, last.year + 1)} | {state[_WIDGET + "year"]}, reverse=True)
        st.selectbox("Year", years, key=_WIDGET + "year", on_change=_from_widgets)
    elif kind == "quarter":
        quarters = sorted({quarter_of(d.date()) for d in pd.date_range(first, last, freq="QS")}
                          | {quarter_of(first), quarter_of(last), state[_WIDGET + "quarter"]}, reverse=True)
        st.selectbox("Quarter", quarters, key=_WIDGET + "quarter", on_change=_from_widgets)
    elif kind == "custom":
        left, right = st.columns(2)
        hint = "A day (2019-06-01), a month (2019-06) or a year (2019); press Enter to apply. Empty: open-ended."
        left.text_input("From", key=_WIDGET + "from", on_change=_from_widgets, placeholder="YYYY-MM-DD", help=hint, max_chars=10)
        right.text_input("To", key=_WIDGET + "to", on_change=_from_widgets, placeholder="YYYY-MM-DD", help=hint, max_chars=10)


def _on_preset() -> None:
    """The date preset changed: a custom range starts from the dates in view, else from the data's span."""
    state = st.session_state
    if state[_WIDGET + "preset"] == "custom":
        shown = state[_FILTERS]
        summary = cached(catalog.store_summary)(connection())
        start, end = shown.date_from or summary["first_day"], shown.date_to or summary["last_day"]
        state[_WIDGET + "from"] = start.isoformat() if start else ""
        state[_WIDGET + "to"] = end.isoformat() if end else ""
    _from_widgets()


def _sync_widgets(filters: Filters) -> None:
    """Put the filter values into the widgets' session state (widgets are drawn without defaults)."""
    state = st.session_state
    kind = preset_kind(filters.preset)
    state[_WIDGET + "preset"] = kind
    around = filters.date_to or filters.date_from or dt.date.today()
    state[_WIDGET + "year"] = filters.preset if kind == "year" else str(around.year)
    state[_WIDGET + "quarter"] = filters.preset if kind == "quarter" else quarter_of(around)
    state[_WIDGET + "from"] = filters.date_from.isoformat() if filters.date_from else ""
    state[_WIDGET + "to"] = filters.date_to.isoformat() if filters.date_to else ""
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
        # a typed year or month stands for its first day in From and its last day in To
        for key, edge in (("from", lambda d: d.first_day), ("to", lambda d: period_end(*d))):
            typed = str(state.get(_WIDGET + key) or "").strip()
            if typed:
                try:
                    params[key] = edge(parse_partial_date(typed)).isoformat()
                except ValueError:
                    params[key] = typed  # Filters drops it with a notice naming the value
    else:
        params["range"] = state[_WIDGET + preset] if preset in ("year", "quarter") else preset
    params["q"] = state.get(_WIDGET + "text", "")
    params["children"] = "1" if state.get(_WIDGET + "children", True) else "0"
    filters = Filters.from_query_params(params)  # type: ignore[arg-type]
    if preset == "custom" and filters.preset == "all":
        filters = Filters.from_query_params({**params, "range": "custom"})  # type: ignore[arg-type]
    filters = _resolve(connection(), filters)
    if preset == "custom" and not filters.notices:
        _sync_widgets(filters)  # show a typed '2019' as the day it stands for
    state[_FILTERS] = filters
    _publish(filters)


# -- display ----------------------------------------------------------------------
def show_chart(fig: go.Figure, name: str, key: str, brief_chart: str | None = None,
               brief_view: dict[str, str] | None = None, exported: Callable[[], go.Figure] | None = None,
               **kwargs: object) -> object:
    """Show a chart with its exports (PNG/SVG/PDF/HTML under a meaningful file name) and, if named, "Add to brief".

    ``brief_view``: URL parameters of how the page draws the chart (the Timeline's lanes), kept with
    the filters when the chart is added to the brief, so the brief draws it alike.

    ``exported``: when the page draws a part of the result (Sources: one page of the list), builds the whole
    figure for the files, on the click (``built_later``), so that no run draws or keeps it.

    ``name`` is the file name without extension (``export.file_name``); the
    toolbar's own image button uses the same name and print size.
    """
    height = int(fig.layout.height or 480)
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": name, "width": export.DEFAULT_WIDTH, "height": height,
                                 "scale": export.DEFAULT_SCALE},
    }
    # the page follows the browser's light or dark theme; the exports below always print the light figure
    shown = charts.for_dark_page(fig) if st.context.theme.type == "dark" else fig
    event = st.plotly_chart(shown, config=config, key=key, width="stretch", theme=None, **kwargs)
    columns = st.columns([1, 1, 1, 1, 2, 2])
    static_ok = export.chromium_path() is not None
    for column, fmt in zip(columns, export.CHART_FORMATS, strict=False):
        column.download_button(
            fmt.upper(), data=lambda f=fmt: export.figure_bytes(exported() if exported else fig, f), file_name=f"{name}.{fmt}",
            mime=export.MIME[fmt],
            key=f"{key}_{fmt}", disabled=fmt != "html" and not static_ok, on_click="ignore", width="stretch",
            help=None if fmt == "html" or static_ok else export.CHROMIUM_MISSING,
        )
    if not static_ok:
        st.caption(export.CHROMIUM_MISSING)
    if brief_chart and columns[4].button("Add to brief", key=f"{key}_brief", width="content", icon=":material/add:"):
        brief = current_brief()
        brief.items.append(BriefItem(brief_chart, {**page_filters().to_query_params(), **(brief_view or {})}))
        keep_brief(brief)
        st.toast(f"Added to the brief ({len(brief.items)} chart(s)).")
    return event


def show_table(df: pd.DataFrame, name: str, key: str, exported: pd.DataFrame | None = None, **kwargs: object) -> object:
    """Show a table with CSV and XLSX downloads of exactly the rows shown (formula cells neutralised).

    ``exported``: the whole result, when the page draws a part of it (Sources: one page of the list); the files hold it.
    """
    shown = st.dataframe(df, key=key, width="stretch", hide_index=True, **kwargs)
    df = df if exported is None else exported
    con = connection()
    described, as_of = page_filters().describe(cached(catalog.names)(con)), catalog.data_as_of(con)
    left, right, _ = st.columns([1, 1, 6])
    for column, fmt in ((left, "csv"), (right, "xlsx")):
        column.download_button(
            fmt.upper(), data=lambda f=fmt: export.table_bytes(df, f, name, described, as_of), file_name=f"{name}.{fmt}",
            mime=export.MIME[fmt], key=f"{key}_{fmt}", on_click="ignore", width="stretch",
        )
    return shown


def built_later(build: Callable[[duckdb.DuckDBPyConnection], go.Figure]) -> Callable[[], go.Figure]:
    """``build`` as a call without arguments on a cursor of its own, for a download made on the click (``show_chart``'s
    ``exported``): Streamlit runs it outside the page run, in another thread, where the session's cursor may be in use."""
    path = store_path()

    def run() -> go.Figure:
        con = store.cursor(_shared_connection(path))
        try:
            return build(con)
        finally:
            con.close()

    return run


# -- brief ------------------------------------------------------------------------------
_BRIEF = "_brief"


def current_brief() -> Brief:
    """The brief being assembled in this session (kept as JSON so reruns and page switches keep it)."""
    return Brief.from_json(st.session_state[_BRIEF]) if _BRIEF in st.session_state else Brief()


def keep_brief(brief: Brief) -> None:
    """Store the session's brief."""
    st.session_state[_BRIEF] = brief.to_json()


# -- shift alerts -----------------------------------------------------------------
_open_shifts = cached(continuity.unacknowledged_shifts)  # on every page: once per data version


def count_metric(column: object, label: str, count: int) -> None:
    """A headline count that fits its column: millions shortened ("10.0 M"; "10,000,…" was cut off), the exact figure on hover."""
    value = f"{count / 1_000_000:.1f} M" if count >= 1_000_000 else f"{count:,}"
    column.metric(label, value, help=f"{count:,} {label.lower()}")


def shift_alerts(con: duckdb.DuckDBPyConnection, shown: int = 5) -> None:
    """Say at the top of a page which statements shift an actor's position, until the analyst acknowledges them.

    Acknowledging is an audited write (lib.stances.stance.acknowledge_shifts); it covers the shifts listed, so
    older ones come up next.
    """
    total, newest = _open_shifts(con, shown)
    if not total:
        return
    names = cached(catalog.names)(con)
    with st.container(border=True, key="shift_alerts"):
        more = f" (newest {len(newest)} listed)" if total > len(newest) else ""
        st.warning(f"{total:,} statement{'s' if total != 1 else ''} shift an actor's position{more}.", icon=":material/shuffle:")
        for row in newest.itertuples(index=False):
            labels = cached(stance.position_labels)(con, row.topic_id)
            before = " / ".join(labels.get(c, c) for c in row.previous_positions)
            st.text(
                f"{format_partial_date(row.stated_on.date(), row.date_precision)} · {names.get(row.actor_id, row.actor_id)}"
                f" on {names.get(row.topic_id, row.topic_id)}: {before} → {labels.get(row.position_code, row.position_code)}"
                + (f" · “{row.quote[:160]}”" if isinstance(row.quote, str) and row.quote else "")
            )
        user = current_user()
        if user.can(access.WRITE) and st.button("Acknowledge these", key="shift_alerts_ack", icon=":material/done_all:"):
            with reported_errors("acknowledging shifts"):
                stance.acknowledge_shifts(con, list(newest.statement_id), who=user)
                st.rerun()


# -- editing with history (lib/edits) -------------------------------------------------------
def guarded_action(label: str, run: Callable[[bool], str], key: str, anyway: str = "", done: str = "") -> None:
    """A button whose write may be refused with reasons (EditRefused): they are listed, and ticking ``anyway`` (when given) runs it confirmed.

    ``run(confirmed)`` returns the success message, shown after the rerun (or kept under ``done`` for whoever shows it,
    when the write removes this button: a delete). Two steps by design: a delete that others cite, or a revert
    over later changes, happens only after the analyst has seen what it touches.
    """
    from lib.edits import EditRefused

    refused, done = f"{key}_refused", done or f"{key}_done"
    force = False
    if reasons := st.session_state.get(refused):
        st.warning("Refused: " + plain(f"{len(reasons)} item(s) stand in the way"), icon=":material/block:")
        st.dataframe(pd.DataFrame({"reason": reasons}), hide_index=True, width="stretch", key=f"{key}_reasons")
        force = bool(anyway) and st.checkbox(anyway, key=f"{key}_force")
    if st.button(label, key=key, type="primary" if force else "secondary"):
        with reported_errors(label.lower()):  # a fault of the program stays on screen as one line; a refusal reruns to list it
            try:
                st.session_state[done] = run(force)
                st.session_state.pop(refused, None)
            except EditRefused as exc:
                st.session_state[refused] = exc.reasons
            except store.StoreError as exc:
                st.session_state[refused] = [str(exc)]
            st.rerun()
    if message := st.session_state.pop(done, None):
        st.success(plain(message))


_DELETED = "_edit_deleted"


def _field(con: duckdb.DuckDBPyConnection, table: str, column: object, current: object, form: dict, prefix: str, locked: bool) -> object:
    """One widget for one bundle column: every reference is picked by name, never typed as an id."""
    from lib.edits import records
    from lib.ingest.bundle import EVIDENCE_TABLE

    name, key = column.name, f"{prefix}_{column.name}"
    label = f"{name}{' *' if column.required else ''}"
    if column.ref == "positions":
        options = records.position_choices(con, form.get("topic_id"))
        choices = ["", *options]
        return st.selectbox(label, choices, index=choices.index(current) if current in choices else 0, key=f"{key}_{form.get('topic_id')}",
                            format_func=lambda c: options.get(c, "none"), disabled=locked)
    ref = EVIDENCE_TABLE.get(form.get("evidence_type") or "") if name == "evidence_id" else column.ref
    if ref and column.kind in ("list", "roles"):
        options = cached(records.choices)(con, ref)
        if column.kind == "roles":  # keep each actor's role; a newly picked actor takes part as participant
            roles = dict(item.rpartition(":")[::2] if ":" in item else (item, "participant") for item in current or [])
            picked = st.multiselect(label, list(options), default=[a for a in roles if a in options], key=key,
                                    format_func=lambda a: options.get(a, a), disabled=locked)
            return [f"{a}:{roles.get(a, 'participant')}" for a in picked]
        return st.multiselect(label, list(options), default=[d for d in current or [] if d in options], key=key,
                              format_func=lambda d: options.get(d, d), disabled=locked)
    if ref:
        options = cached(records.choices)(con, ref)
        choices = ([] if column.required and current else [""]) + list(options)
        return st.selectbox(label, choices, index=choices.index(current) if current in choices else 0,
                            key=f"{key}_{ref}", format_func=lambda c: options.get(c, c) or "none", disabled=locked)
    if column.vocab:
        choices = ([] if column.required else [""]) + list(column.vocab)
        return st.selectbox(label, choices, index=choices.index(current) if current in choices else 0, key=key,
                            format_func=lambda c: c or "none", disabled=locked)
    if column.kind == "bool":
        choices = [None, True, False]
        return st.selectbox(label, choices, index=choices.index(current), key=key, disabled=locked,
                            format_func=lambda c: {None: "from the quote's wording", True: "yes", False: "no"}[c])
    if column.kind == "int":
        return st.number_input(label, value=int(current or 0), step=1, key=key, disabled=locked)
    if column.kind == "list":
        return st.text_input(label, "; ".join(current or []), key=key, disabled=locked, help="separated by ;")
    help_text = "YYYY, YYYY-MM or YYYY-MM-DD" if column.kind == "date" else None
    if name in ("quote", "text", "description", "note", "grade_note"):
        return st.text_area(label, current or "", key=key, disabled=locked, height=80)
    return st.text_input(label, current or "", key=key, disabled=locked, help=help_text)


def record_editor(con: duckdb.DuckDBPyConnection, table: str, key: str | None, prefix: str) -> None:
    """Add (``key`` None) or edit one record, delete it (two steps when cited), and show its history with a revert per change."""
    from lib.edits import delete, records, revert
    from lib.edits.rows import KEYS, split_key

    if message := st.session_state.pop(_DELETED, None):  # the deleted record's editor is gone: say it here
        st.success(plain(message))
    parts = split_key(table, key) if key else None
    current = records.values(con, table, parts) if parts else {}
    if current is None:
        st.info(f"{table} '{key}' is no longer in the store.")
        return
    slot = f"{prefix}_{table}_{key or 'new'}"
    form: dict[str, object] = {}
    spec_key = KEYS[table]
    for column in records.columns(table):
        form[column.name] = _field(con, table, column, current.get(column.name), form, slot, locked=bool(key) and column.name in spec_key)

    def save(_: bool) -> str:
        counts = records.save(con, table, form, current_user(), new=key is None)
        changed = sum(c.get("inserted", 0) + c.get("updated", 0) + c.get("deleted", 0) for c in counts.values())
        return f"Saved {table} {'/'.join(str(form[k]) for k in spec_key)}." if changed else "No change: the stored values are the same."

    guarded_action("Add" if key is None else "Save", save, f"{slot}_save")
    if key is None:
        return

    def remove(cascade: bool) -> str:
        gone = delete.delete(con, table, parts, current_user(), cascade=cascade)
        return f"Deleted {table} {key}" + (f" and {len(gone)} item(s) citing it." if gone else ".")

    guarded_action("Delete", remove, f"{slot}_delete", "Also delete every item listed (each can be restored from the audit log)", done=_DELETED)
    st.caption("History of this record, newest first")
    changes = records.history(con, table, parts)
    if not changes:
        st.text("No audited change yet.")
        return
    st.dataframe(pd.DataFrame(changes), hide_index=True, width="stretch", key=f"{slot}_history")
    # keyed by the newest change, so that a new change (this page's own edit) becomes the default pick
    audit_id = st.selectbox("Change to revert", [c["audit_id"] for c in changes], key=f"{slot}_revert_pick_{changes[0]['audit_id']}",
                            format_func=lambda a: next(f"#{a} {c['action']} by {c['who']}" for c in changes if c["audit_id"] == a))
    guarded_action("Revert this change", lambda ok: f"Reverted change #{audit_id}: {revert.revert_write(con, audit_id, current_user(), confirmed=ok)}"
                   " row(s) restored.", f"{slot}_revert_{audit_id}", "Revert anyway, overwriting the later changes listed",
                   done=f"{slot}_reverted")  # the revert is the newest change: the pick, and this button, move on to it
