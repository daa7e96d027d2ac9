"""The bundle format: its tables, their key columns and columns, in the order files are applied (docs/IMPORT.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from lib.vocab import ACTOR_KINDS, ATTRIBUTIONS, EVIDENCE_RELATIONS, EVIDENCE_TYPES, SOURCE_KINDS

RawRow = tuple[int, dict[str, str]]  # (row number in the file, column -> text)
RawRows = list[RawRow] | pa.Table
"""A table's raw rows: (row, cells) pairs, or, from a CSV read column-wise, an Arrow table of ``_line`` and text columns."""


@dataclass(frozen=True)
class Column:
    """One bundle column: how to read it and where it lands in the store."""

    name: str
    required: bool = False
    kind: str = "text"  # text | int | date | list | bool | grade | roles
    vocab: tuple[str, ...] = ()
    ref: str = ""  # table whose key this refers to
    store_name: str = ""

    @property
    def target(self) -> str:
        return self.store_name or self.name


@dataclass(frozen=True)
class TableSpec:
    """One bundle file: its table, key columns and columns, in the order files are applied."""

    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    precision_column: str = ""  # where a partial date's precision goes

    @property
    def free_text(self) -> frozenset[str]:
        """Columns of prose (names, titles, quotes, notes, aliases): the only ones where a line break can be meant.

        Anywhere else (ids, references, vocabularies, dates, numbers, lists) a line break means a stray
        double quote opened a quoted cell that swallowed the following lines.
        """
        return frozenset(c.name for c in self.columns
                         if c.kind in ("text", "list") and not c.ref and not c.vocab and c.name not in self.key)


C = Column
SPECS: tuple[TableSpec, ...] = (
    TableSpec("sources", ("source_id",), (
        C("source_id", True), C("name", True), C("kind", True, vocab=SOURCE_KINDS), C("country"), C("url"),
        C("analyst_grade", kind="grade"), C("grade_note"))),
    TableSpec("documents", ("document_id",), (
        C("document_id", True), C("source_id", True, ref="sources"), C("title"), C("url"),
        C("published_on", kind="date"), C("language"),
        C("cites", kind="list", ref="documents", store_name="cites_document_ids")), precision_column="date_precision"),
    TableSpec("actors", ("actor_id",), (
        C("actor_id", True), C("name", True), C("kind", True, vocab=ACTOR_KINDS), C("country"),
        C("parent_actor_id", ref="actors"), C("aliases", kind="list"))),
    TableSpec("topics", ("topic_id",), (C("topic_id", True), C("name", True), C("description"))),
    TableSpec("positions", ("topic_id", "position_code"), (
        C("topic_id", True, ref="topics"), C("position_code", True), C("label", True), C("ordinal", True, kind="int"))),
    TableSpec("event_types", ("vocabulary", "code"), (C("vocabulary", True), C("code", True), C("label", True))),
    TableSpec("events", ("event_id",), (
        C("event_id", True), C("occurred_on", True, kind="date"), C("event_type", True), C("title", True),
        C("description"), C("topic_id", ref="topics"), C("actor_ids", kind="roles", ref="actors"),
        C("document_ids", kind="list", ref="documents"), C("location")), precision_column="date_precision"),
    TableSpec("statements", ("statement_id",), (
        C("statement_id", True), C("stated_on", True, kind="date"), C("actor_id", True, ref="actors"),
        C("topic_id", True, ref="topics"), C("position_code", ref="positions"), C("quote"),
        C("attribution", vocab=ATTRIBUTIONS), C("document_id", ref="documents"), C("language"),
        C("self_declared", kind="bool", store_name="self_declared_continuity")), precision_column="date_precision"),
    TableSpec("claims", ("claim_id",), (
        C("claim_id", True), C("claimed_on", True, kind="date"), C("document_id", True, ref="documents"),
        C("topic_id", ref="topics"), C("subject_actor_id", ref="actors"), C("text", True),
        C("asserted_position", ref="positions", store_name="asserted_position_code")), precision_column="date_precision"),
    TableSpec("evidence", ("claim_id", "evidence_type", "evidence_id"), (
        C("claim_id", True, ref="claims"), C("relation", True, vocab=EVIDENCE_RELATIONS),
        C("evidence_type", True, vocab=EVIDENCE_TYPES), C("evidence_id", True), C("noted_on", kind="date"), C("note"))),
)
SPEC_BY_TABLE = {spec.table: spec for spec in SPECS}
KEY_COLUMN = {"sources": "source_id", "documents": "document_id", "actors": "actor_id", "topics": "topic_id",
              "events": "event_id", "statements": "statement_id", "claims": "claim_id"}
EVIDENCE_TABLE = {"statement": "statements", "event": "events", "document": "documents", "claim": "claims"}
