"""Stances: positions over time per actor on a topic, reaffirmations, shifts, and reported shifts against the record."""

from dataclasses import replace

import streamlit as st

from lib import export, queries, stance, ui
from lib.safety import plain

con = ui.connection()
filters = ui.page_filters()
view = stance.resolve_view(con, filters)

st.title("Stances")
ui.shift_alerts(con)

options = queries.filter_options(con)
topic_names = dict(zip(options["topics"].topic_id, options["topics"].name, strict=True))
actor_names = dict(zip(options["actors"].actor_id, options["actors"].name, strict=True))
if not view.topic_id:
    st.info("No statements in the store yet: import a bundle on the Data page.")
    st.stop()


def _pick() -> None:
    """Page pickers write into the shared filters, so exports and other pages see the same choice."""
    state = st.session_state
    actors = tuple(state[actors_key])
    if actors == view.actors and not filters.actors:
        actors = ()  # still the defaults: keep following the most active actors of whichever topic
    ui.set_filters(replace(filters, topics=(state[topic_key],), actors=actors, include_children=state[inherit_key], notices=()))


topic_key = f"stance_topic::{view.topic_id}"
actors_key = f"stance_actors::{','.join(view.actors)}::{view.topic_id}"
inherit_key = f"stance_inherit::{view.inherit}"
left, middle, right = st.columns([2, 4, 2], vertical_alignment="bottom")
topic_ids = list(dict.fromkeys([view.topic_id, *topic_names]))
left.selectbox("Topic", topic_ids, key=topic_key, format_func=lambda t: topic_names.get(t, t), on_change=_pick)
middle.multiselect(
    "Actors", list(dict.fromkeys([*view.actors, *actor_names])), default=list(view.actors), key=actors_key,
    format_func=lambda a: actor_names.get(a, a), on_change=_pick, placeholder="the most active",
)
right.toggle("Fold in sub-actors", value=view.inherit, key=inherit_key, on_change=_pick,
             help="A parent's line also holds its ministries' and unnamed sources' statements; the table keeps who said what.")

cards = ui.cached(stance.actor_cards)(con, filters)
labels = stance.position_labels(con, view.topic_id)
names = queries.names(con)
if cards:
    for column, entry in zip(st.columns(len(cards)), cards, strict=True):
        text = stance.card_text(entry, labels, names)
        with column.container(border=True, key=f"stance_card_{entry['actor_id']}"):
            st.text(names.get(entry["actor_id"], entry["actor_id"]))
            st.metric("Current position", plain(text["current"]))  # metric values are markdown; labels are data
            first, second = st.columns(2)
            first.metric("Held since", text["held_since"])
            second.metric("Reaffirmations", text["reaffirmations"], help=text["reaffirmations_help"])
            first.metric("Last statement", text["last_statement"])
            second.metric("Days since last shift", text["since_shift"], help=text["since_shift_help"])
            st.caption("Last reported shift")
            st.text(text["reported_shift"])
            if text["reported_shift_when"]:
                st.caption(plain(text["reported_shift_when"]))  # names the source
else:
    st.info("None of the chosen actors has a statement on this topic.")

ui.show_chart(ui.cached(stance.build_chart)(con, filters), name=export.file_stem("stances", filters), key="stance_chart",
              brief_chart="stances")

st.subheader("Reported shifts against the record")
claims = ui.cached(stance.claims_table)(con, filters)
if claims.empty:
    st.caption("No claims about these actors' stance on this topic.")
else:
    if note := stance.shown_note(claims, "claims"):
        st.caption(note)
    ui.show_table(claims, name=export.file_stem("stance_claims", filters), key="stance_claims")

st.subheader("Statements")
statements = ui.cached(stance.build_table)(con, filters)
if note := stance.shown_note(statements, "statements"):
    st.caption(note)
ui.show_table(statements, name=export.file_stem("stances", filters), key="stance_table")
