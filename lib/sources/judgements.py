"""Each claim's judgement (status, credibility, outlets, first report), kept current at write time.

Judging every claim from the evidence is the slow half of the Sources page, the
Timeline's grade column and every "Nefes (F)" label: 10.5 s of bare SQL at 1M
claims, paid by the first page a session opened after any write. So the store
keeps the judgement of every claim in ``claim_judgements`` (schema 9), and
each source's sums of them in ``source_judgement_totals``; :func:`refresh`,
called by ``store.transaction`` before it commits, judges anew exactly the
claims whose inputs the transaction wrote (``written_keys``) and the claims
whose first report they decide, and sums anew the outlets of those claims.
Readers (lib/sources/claim_status.py: track records, newest claims, credibility) read the
sums, aggregate the judgements under a filter, or look them up.

A claim's judgement reads its own row and its document's outlet; its evidence
rows; each evidence item (a statement, claim, document or event) with the
document(s) that witness it (a statement's, a claim's, the document itself, an
event's linked documents: their outlet, date and citations); and, for the first
report, the date and outlet of every other claim corroborated by one of its
items. The rules are docs/GRADING.md's; :func:`judgement_sql` is the one SQL
that applies them, to every claim (an upgrade, a write without row keys, the
reference the kept table is tested against) or to the claims in
``judgement_scope``.
"""

from __future__ import annotations

import duckdb

TABLE = "claim_judgements"
"""The derived table, also the name ``store.Audit.keeps_current`` takes (for it and TOTALS)."""
TOTALS = "source_judgement_totals"
"""Each source's counts summed from its claims' judgements (the unfiltered track record: 10,000 rows, not 1M)."""
INPUTS = frozenset({"claims", "evidence", "documents", "statements", "events", "event_documents"})
"""The tables a judgement reads: a write of any other table leaves every judgement as it was."""
ITEM_KIND = {"statements": "statement", "claims": "claim", "documents": "document", "events": "event", "event_documents": "event"}
"""The evidence type a written row's key names (an event link's key is its event's, store.KEYED_BY_EVENT)."""

_SQL = """
    with scope_evidence as materialized (
        select * from evidence {their_evidence}
    ),
    -- each evidence row with the document(s) that witness it, their source, and the date it became known
    claim_source as materialized (
        -- every claim with its outlet, read once and shared by the independence test, the counts and first reports;
        -- no texts: at 1M claims they would not fit the dashboard's memory cap
        select c.claim_id, c.claimed_on, c.date_precision, c.document_id, d.source_id, c.topic_id, c.subject_actor_id
        from claims c join documents d using (document_id) {only}
    ),
    witness as materialized (
        -- each item table read for the items in question alone: a hash table of every event costs seconds at 10M
        select e.claim_id, e.relation, e.evidence_type, e.evidence_id, e.noted_on,
               coalesce(st.document_id, cl.document_id, doc.document_id, ed.document_id) as document_id,
               coalesce(st.stated_on, cl.claimed_on, doc.published_on, ev.occurred_on) as item_on,
               coalesce(st.date_precision, cl.date_precision, doc.date_precision, ev.date_precision, 'day') as item_precision
        from scope_evidence e
        -- the key is null for other types: a plain equi-join (DuckDB 1.5.5 plans "type = x and id = y" 100x slower)
        left join (select statement_id, document_id, stated_on, date_precision from statements
                   where statement_id in (select evidence_id from scope_evidence where evidence_type = 'statement')) st
            on st.statement_id = case when e.evidence_type = 'statement' then e.evidence_id end
        left join (select claim_id, document_id, claimed_on, date_precision from claims
                   where claim_id in (select evidence_id from scope_evidence where evidence_type = 'claim')) cl
            on cl.claim_id = case when e.evidence_type = 'claim' then e.evidence_id end
        left join (select document_id, published_on, date_precision from documents
                   where document_id in (select evidence_id from scope_evidence where evidence_type = 'document')) doc
            on doc.document_id = case when e.evidence_type = 'document' then e.evidence_id end
        left join (select event_id, occurred_on, date_precision from events
                   where event_id in (select evidence_id from scope_evidence where evidence_type = 'event')) ev
            on ev.event_id = case when e.evidence_type = 'event' then e.evidence_id end
        left join (select event_id, document_id from event_documents
                   where event_id in (select evidence_id from scope_evidence where evidence_type = 'event')) ed
            on ed.event_id = case when e.evidence_type = 'event' then e.evidence_id end
    ),
    judged as (
        -- a month- or year-precision item was known by the end of its period at the latest
        select w.claim_id, w.relation, wd.source_id as witness_source,
               coalesce(w.noted_on, case w.item_precision when 'month' then last_day(w.item_on)
                                                         when 'year' then make_date(year(w.item_on), 12, 31)
                                                         else w.item_on end) as known_on,
               -- independent: another outlet, and not a mere relay (a document or claim citing the claim's own report)
               wd.source_id is distinct from c.source_id
                 and not (w.evidence_type in ('document', 'claim') and list_contains(wd.cites_document_ids, c.document_id))
                 as independent
        from witness w
        join claim_source c using (claim_id)
        left join (select document_id, source_id, cites_document_ids from documents
                   where document_id in (select document_id from witness)) wd on wd.document_id = w.document_id
    ),
    per_witness as (
        -- one row per claim, relation and witnessing outlet: counting these rows counts distinct outlets
        select claim_id, relation, witness_source, independent and witness_source is not null as independent,
               count(*) as rows, min(known_on) as known_on
        from judged group by all
    ),
    per_claim as (
        select claim_id,
               sum(rows) filter (where relation = 'corroborates') as corroborating,
               sum(rows) filter (where relation = 'contradicts') as contradicting,
               count(*) filter (where relation = 'corroborates' and independent) as independent_corroborating,
               count(*) filter (where relation = 'contradicts' and independent) as independent_contradicting,
               min(known_on) as first_outcome_on
        from per_witness group by claim_id
    ),
    claim_outcome as (
        select c.*,
               coalesce(p.corroborating, 0)::bigint as corroborating, coalesce(p.contradicting, 0)::bigint as contradicting,
               coalesce(p.independent_corroborating, 0)::bigint as independent_corroborating,
               coalesce(p.independent_contradicting, 0)::bigint as independent_contradicting, p.first_outcome_on
        from claim_source c left join per_claim p using (claim_id)
    ),
    claim_status as (
        select *,
               case when corroborating > 0 and contradicting > 0 then 'contested'
                    when corroborating > 0 then 'corroborated'
                    when contradicting > 0 then 'contradicted'
                    else 'open' end as status,
               case when independent_corroborating >= 2 and independent_contradicting = 0 then 1
                    when independent_corroborating = 1 and independent_contradicting = 0 then 2
                    when independent_corroborating > independent_contradicting and independent_contradicting > 0 then 3
                    when independent_contradicting > 0 and independent_corroborating > 0 then 4
                    when independent_contradicting > 0 then 5
                    else 6 end::integer as credibility
        from claim_outcome
    ),
    shared_items as (
        -- only an item corroborating two or more claims can make one claim later than another: pair those alone
        select e.evidence_type, e.evidence_id, e.claim_id
        from evidence e {their_items}
        where e.relation = 'corroborates'
        qualify count(*) over (partition by e.evidence_type, e.evidence_id) > 1
    ),
    shared as (
        -- a corroborated claim was first when no other outlet's claim resting on the same evidence item came earlier
        select a.claim_id, bool_and(a_c.claimed_on <= b_c.claimed_on or a_c.source_id = b_c.source_id) as first_report
        from shared_items a join shared_items b using (evidence_type, evidence_id)
        join claim_source a_c on a_c.claim_id = a.claim_id join claim_source b_c on b_c.claim_id = b.claim_id
        group by a.claim_id
    )
    select s.claim_id, s.claimed_on, s.date_precision, s.document_id, s.source_id, s.topic_id, s.subject_actor_id,
           s.corroborating, s.contradicting, s.independent_corroborating, s.independent_contradicting, s.first_outcome_on,
           s.status, s.credibility, s.status = 'corroborated' and coalesce(sh.first_report, true) as first_report
    from claim_status s left join shared sh using (claim_id)
"""
_SCOPED = {
    "their_evidence": "where claim_id in (select claim_id from judgement_scope)",
    "only": """where c.claim_id in (select claim_id from judgement_scope)
                 and d.document_id in (select document_id from claims where claim_id in (select claim_id from judgement_scope))""",
    # every claim on the scope's corroborating items, in or out of it: whether an item is shared counts them all
    "their_items": """semi join (select distinct evidence_type, evidence_id from scope_evidence where relation = 'corroborates') i
                      using (evidence_type, evidence_id)""",
}


def judgement_sql(scoped: bool = False) -> str:
    """A select of the judgement of every claim, or of those listed in the temp table ``judgement_scope(claim_id)``.

    Columns (those of ``claim_judgements``): claim_id, claimed_on, date_precision, document_id, source_id, topic_id,
    subject_actor_id, corroborating, contradicting (evidence rows), independent_corroborating,
    independent_contradicting (distinct independent outlets), first_outcome_on (when the first evidence was known
    at the latest), status, credibility (1-6), first_report (no other outlet's claim on the same corroborating item
    came earlier). A scoped claim's first report is right only when the scope holds its partners
    (:func:`_add_partners`).
    """
    return _SQL.format_map(_SCOPED if scoped else dict.fromkeys(_SCOPED, ""))


def totals_sql(where: str = "") -> str:
    """Each source's track-record counts summed from the judged claims ``s`` that ``where`` keeps (a WHERE clause).

    Columns (those of ``source_judgement_totals``): source_id, claims, corroborated, contradicted, contested, open,
    median_days_to_outcome (judged, contested or contradicted claims: days from the claim to its first outcome),
    first_reports_corroborated. Sources without claims have no row.
    """
    return f"""
        select source_id, count(*) as claims,
               count(*) filter (where status = 'corroborated') as corroborated,
               count(*) filter (where status = 'contradicted') as contradicted,
               count(*) filter (where status = 'contested') as contested,
               count(*) filter (where status = 'open') as open,
               median(greatest(0, date_diff('day', claimed_on, first_outcome_on))) filter (where status <> 'open')
                   as median_days_to_outcome,
               count(*) filter (where first_report) as first_reports_corroborated
        from {TABLE} s {where} group by source_id"""


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Judge every claim anew, inside the caller's transaction (the upgrade to schema 9, a write without row keys)."""
    con.execute(f"delete from {TABLE}")
    con.execute(f"insert into {TABLE} {judgement_sql()}")
    sum_totals(con, "")


def sum_totals(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """Sum the judged claims anew into ``source_judgement_totals`` for the sources ``where`` keeps (all with '').

    Their ``derived_grade`` is left null: lib/derived.py letters the rows without one before the write commits.
    """
    con.execute(f"delete from {TOTALS} {where}")
    con.execute(f"insert into {TOTALS} by name {totals_sql(where)}")


def refresh(con: duckdb.DuckDBPyConnection, touched: set[str], unkeyed: set[str]) -> None:
    """Judge anew the claims whose inputs this transaction wrote, before it commits (called by ``store.transaction``).

    ``touched`` are the tables written, ``unkeyed`` those written without row keys (then every claim is judged anew).
    """
    if not touched & INPUTS:
        return
    if unkeyed & INPUTS:
        rebuild(con)
        return
    con.execute(f"create or replace temp table judgement_redo as {_touched_sql(touched)}")
    _add_partners(con, "judgement_redo")  # their first reports read the touched claims' dates and outlets
    con.execute("create or replace temp table judgement_scope as select claim_id from judgement_redo")
    _add_partners(con, "judgement_scope")  # and those of their partners
    outlets = f"select distinct source_id from {TABLE} where claim_id in (select claim_id from judgement_redo)"
    con.execute(f"create or replace temp table judgement_sources as {outlets}")  # the outlets of the claims before
    con.execute(f"delete from {TABLE} where claim_id in (select claim_id from judgement_redo)")
    con.execute(f"insert into {TABLE} select * from ({judgement_sql(scoped=True)}) "
                "where claim_id in (select claim_id from judgement_redo)")
    con.execute(f"insert into judgement_sources {outlets}")  # and after
    sum_totals(con, "where source_id in (select source_id from judgement_sources)")
    con.execute("drop table judgement_redo; drop table judgement_scope; drop table judgement_sources")


def _touched_sql(touched: set[str]) -> str:
    """The claims a judgement input written in this transaction bears on, from ``written_keys``.

    A written claim, and the claim of a written evidence row (its key is claim/type/item; the row may be gone);
    the claims with evidence on a written item: a statement, claim, document or event (or its links) written,
    the item of a written evidence row (the claims sharing it lose or gain a rival first report); and when
    documents were written, the claims they publish and the items they witness (their outlet, date or citations
    may have changed).
    """
    kinds = " ".join(f"when '{table}' then '{kind}'" for table, kind in ITEM_KIND.items())
    tables = ", ".join(f"'{t}'" for t in sorted(INPUTS))
    documents = """
        union all select 'statement', statement_id from statements semi join written_documents using (document_id)
        union all select 'claim', claim_id from claims semi join written_documents using (document_id)
        union all select 'event', event_id from event_documents semi join written_documents using (document_id)"""
    published = "union select claim_id from claims semi join written_documents using (document_id)"
    return f"""
        with written as (select table_name, row_key from written_keys where table_name in ({tables})),
        written_documents as (select row_key as document_id from written where table_name = 'documents'),
        evidence_keys as (
            -- claim ids are the analyst's slugs; an item id may be a URL holding '/<type>/': split at the first
            select k.claim_id, k.evidence_type, k.evidence_id from (
                select regexp_extract(row_key, '^(.*?)/(statement|event|document|claim)/(.*)$',
                                      ['claim_id', 'evidence_type', 'evidence_id']) as k
                from written where table_name = 'evidence')),
        items as (
            select case table_name {kinds} end as evidence_type, row_key as evidence_id from written where table_name <> 'evidence'
            union all select evidence_type, evidence_id from evidence_keys
            {documents if "documents" in touched else ""}
        )
        select row_key as claim_id from written where table_name = 'claims'
        union select claim_id from evidence_keys
        union select e.claim_id from evidence e semi join items i on i.evidence_type = e.evidence_type and i.evidence_id = e.evidence_id
        {published if "documents" in touched else ""}
    """


def _add_partners(con: duckdb.DuckDBPyConnection, claims: str) -> None:
    """Add to the temp table ``claims`` every claim corroborated by an item that corroborates one of them."""
    con.execute(f"""insert into {claims}
                    select distinct b.claim_id
                    from evidence a join evidence b on b.evidence_type = a.evidence_type and b.evidence_id = a.evidence_id
                    where a.claim_id in (select claim_id from {claims}) and a.relation = 'corroborates' and b.relation = 'corroborates'
                      and b.claim_id not in (select claim_id from {claims})""")
