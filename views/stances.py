"""Stances: positions over time per actor on a topic, reaffirmations, shifts, and reported shifts against the record."""

from dataclasses import replace

import streamlit as st

from lib import catalog, export, ui
from lib.edits import records
from lib.safety import plain
from lib.stances import stance

CARDS_PER_ROW = 3  # cards side by side at most; more wrap to the next row, so six actors stay legible

con = ui.connection()
filters = ui.page_filters()
view = ui.cached(stance.resolve_view)(con, filters)

st.title("Stances")
ui.shift_alerts(con)

options = ui.cached(catalog.filter_options)(con)
topic_names = dict(zip(options["topics"].topic_id, options["topics"].name, strict=True))
actor_names = dict(zip(options["actors"].actor_id, options["actors"].name, strict=True))
if not view.topics:
    st.info("No statements in the store yet: import a bundle on the Data page.")
    st.stop()


def _pick() -> None:
    """Page pickers write into the shared filters, so exports and other pages see the same choice.

    A topic switch keeps only the chosen actors that speak on the new topics.
    """
    state = st.session_state
    topics = tuple(state[topic_key]) or view.topics
    actors = tuple(state[actors_key])
    if actors == view.actors and not filters.actors:
        actors = ()  # still the defaults: keep following the most active actors of whichever topic
    elif topics != view.topics:
        actors = stance.topic_actors(con, actors, topics, state[inherit_key])
    ui.set_filters(replace(filters, topics=topics, actors=actors, include_children=state[inherit_key], notices=()))


topic_key = f"stance_topics::{','.join(view.topics)}"
actors_key = f"stance_actors::{','.join(view.actors)}::{','.join(view.topics)}"
inherit_key = f"stance_inherit::{view.inherit}"
left, middle, right = st.columns([3, 4, 2], vertical_alignment="bottom")
topic_ids = list(dict.fromkeys([*view.topics, *topic_names]))
left.multiselect("Topics (one chart panel each)", topic_ids, default=list(view.topics), key=topic_key,
                 format_func=lambda t: topic_names.get(t, t), on_change=_pick, max_selections=4)
middle.multiselect(
    "Actors", list(dict.fromkeys([*view.actors, *actor_names])), default=list(view.actors), key=actors_key,
    format_func=lambda a: actor_names.get(a, a), on_change=_pick, placeholder="the most active",
)
right.toggle("Fold in sub-actors", value=view.inherit, key=inherit_key, on_change=_pick,
             help="A parent's line also holds its ministries' and unnamed sources' statements; the table keeps who said what.")

cards = ui.cached(stance.card_texts)(con, filters)
for topic in view.topics:
    topic_cards = [entry for entry in cards if entry["topic_id"] == topic]
    if len(view.topics) > 1:
        st.text(topic_names.get(topic, topic))
    for first_card in range(0, len(topic_cards), CARDS_PER_ROW):
        row = topic_cards[first_card:first_card + CARDS_PER_ROW]
        for column, entry in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            text = entry["text"]
            key = f"stance_card_{entry['actor_id']}" + (f"_{topic}" if len(view.topics) > 1 else "")
            with column.container(border=True, key=key):
                st.text(entry["name"])
                st.text(text["summary"])
                st.caption("Current position")
                st.text(text["current"])
                first, second = st.columns(2)
                first.caption("Held since")
                first.text(text["held_since"])
                second.caption("Reaffirmations", help=text["reaffirmations_help"])
                second.text(text["reaffirmations"])
                first.caption("Last statement")
                first.text(text["last_statement"])
                second.caption("Days since last shift", help=text["since_shift_help"])
                second.text(text["since_shift"])
                if text["voices"]:
                    st.caption("Voices off the line")
                    st.text("\n".join(text["voices"]))
                st.caption("Last reported shift")
                st.text(text["reported_shift"])
                if text["reported_shift_when"]:
                    st.caption(plain(text["reported_shift_when"]))  # names the source: caption text is markdown
if not cards:
    st.info("None of the chosen actors has a statement on these topics.")

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
if "Statement" in statements and not statements.empty:
    # drawn only while open (on_change="rerun"): its pickers list thousands of statements and documents
    editor = st.expander("Edit a statement (its position, quote, date…): audited, with its history and revert",
                         key="stance_edit_open", on_change="rerun")
    with editor:
        if editor.open:
            readable = ui.cached(records.choices)(con, "statements")
            picked = st.selectbox("Statement", list(statements.Statement), key="stance_edit_pick", format_func=lambda k: readable.get(k, k))
            ui.record_editor(con, "statements", picked, "stance_edit")
