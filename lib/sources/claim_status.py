"""The Sources' SQL: what became of each claim (status from its evidence), credibility, track records, a claim's evidence.

lib/sources/reliability.py turns the counts into grades (docs/GRADING.md);
the Timeline and the brief read claim credibility and evidence from here too.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from lib.filters import Filters


def _evidence_witness(some_claims: bool = False) -> str:
    """The CTEs from claims and evidence to each claim's status and credibility (claim_status).

    ``some_claims``: only the claims in the statement's first parameter (a list of ids), so that a page
    showing a few thousand claims does not judge a million.
    """
    only = "where c.claim_id in (select unnest(?::varchar[]))" if some_claims else ""
    their_evidence = "where e.claim_id in (select claim_id from claim_source)" if some_claims else ""
    return _EVIDENCE_WITNESS.format(only=only, their_evidence=their_evidence)


_EVIDENCE_WITNESS = """
    -- each evidence row with the document(s) that witness it, their source, and the date it became known
    with claim_source as materialized (
        -- every claim with its outlet, read once and shared by the independence test, the counts and first reports;
        -- no texts: at 1M claims they would not fit the dashboard's memory cap (outcomes joins them at the end)
        select c.claim_id, c.claimed_on, c.date_precision, c.document_id, d.source_id, c.topic_id
        from claims c join documents d using (document_id) {only}
    ),
    witness as (
        select e.claim_id, e.relation, e.evidence_type, e.evidence_id, e.noted_on,
               coalesce(st.document_id, cl.document_id, doc.document_id, ed.document_id) as document_id,
               coalesce(st.stated_on, cl.claimed_on, doc.published_on, ev.occurred_on) as item_on,
               coalesce(st.date_precision, cl.date_precision, doc.date_precision, ev.date_precision, 'day') as item_precision
        from evidence e
        -- the key is null for other types: a plain equi-join (DuckDB 1.5.5 plans "type = x and id = y" 100x slower)
        left join statements st on st.statement_id = case when e.evidence_type = 'statement' then e.evidence_id end
        left join claims cl on cl.claim_id = case when e.evidence_type = 'claim' then e.evidence_id end
        left join documents doc on doc.document_id = case when e.evidence_type = 'document' then e.evidence_id end
        left join events ev on ev.event_id = case when e.evidence_type = 'event' then e.evidence_id end
        left join event_documents ed on ed.event_id = case when e.evidence_type = 'event' then e.evidence_id end
        {their_evidence}
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
        left join documents wd on wd.document_id = w.document_id
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
               coalesce(p.corroborating, 0) as corroborating, coalesce(p.contradicting, 0) as contradicting,
               coalesce(p.independent_corroborating, 0) as independent_corroborating,
               coalesce(p.independent_contradicting, 0) as independent_contradicting, p.first_outcome_on
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
                    else 6 end as credibility
        from claim_outcome
    )
"""


# the claims a page asks for: ``s`` has claimed_on, topic_id and source_id, ``cl`` is the claims row (_outcome_params)
_OUTCOME_FILTER = """(? is null or s.claimed_on >= ?) and (? is null or s.claimed_on <= ?)
          and (len(?::varchar[]) = 0 or s.topic_id in (select unnest(?::varchar[])))
          and (len(?::varchar[]) = 0 or s.source_id in (select unnest(?::varchar[])))
          and (? is null or cl.text ilike ?)"""

_FIRST_REPORTS = f""",
    shared_items as (
        -- only an item corroborating two or more claims can make one claim later than another: pair those alone
        select evidence_type, evidence_id, claim_id
        from evidence
        where relation = 'corroborates'
        qualify count(*) over (partition by evidence_type, evidence_id) > 1
    ),
    shared as (
        -- a corroborated claim was first when no other outlet's claim resting on the same evidence item came earlier
        select a.claim_id, bool_and(a_c.claimed_on <= b_c.claimed_on or a_c.source_id = b_c.source_id) as first_report
        from shared_items a join shared_items b using (evidence_type, evidence_id)
        join claim_source a_c on a_c.claim_id = a.claim_id join claim_source b_c on b_c.claim_id = b.claim_id
        group by a.claim_id
    ),
    outcomes as (
        select s.claim_id, s.claimed_on, s.date_precision, s.document_id, s.source_id, s.topic_id, cl.subject_actor_id, cl.text,
               s.* exclude (claim_id, claimed_on, date_precision, document_id, source_id, topic_id),
               s.status = 'corroborated' and coalesce(sh.first_report, true) as first_report
        from claim_status s join claims cl using (claim_id) left join shared sh using (claim_id)
        where {_OUTCOME_FILTER}
    )
"""


def _outcome_params(filters: Filters | None) -> list[object]:
    filters = filters or Filters()
    text = f"%{filters.text}%" if filters.text else None
    return [filters.date_from, filters.date_from, filters.date_to, filters.date_to, list(filters.topics), list(filters.topics),
            list(filters.sources), list(filters.sources), text, text]


def claim_outcomes(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, newest: int | None = None) -> pd.DataFrame:
    """Every claim with its outcome, under the date, topic, source and text filters, in date order.

    ``newest`` keeps only that many of the latest claims, so that a page listing
    claims does not carry a million rows to the browser.

    Columns: claim_id, claimed_on, date_precision, document_id, source_id, topic_id, subject_actor_id, text,
    corroborating, contradicting (evidence rows), independent_corroborating, independent_contradicting (distinct
    independent outlets), first_outcome_on (when the first evidence was known at the latest), status, credibility
    (1-6; rules in docs/GRADING.md), first_report (no other outlet's claim on the same corroborating item came earlier).
    """
    if newest is None:
        return con.execute(_evidence_witness() + _FIRST_REPORTS + "select * from outcomes order by claimed_on, claim_id",
                           _outcome_params(filters)).df()
    # judge only the newest claims and those sharing a corroborating item with them (whether a claim was the first
    # report depends on those): at 1M claims, judging all of them to show 200 took 1.4 s
    chosen = [r[0] for r in con.execute(
        f"""select s.claim_id
            from (select c.claim_id, c.claimed_on, c.topic_id, d.source_id from claims c join documents d using (document_id)) s
            join claims cl using (claim_id)
            where {_OUTCOME_FILTER}
            order by s.claimed_on desc, s.claim_id desc limit ?""",
        [*_outcome_params(filters), newest]).fetchall()]
    partners = [r[0] for r in con.execute(
        """select distinct b.claim_id
           from evidence a join evidence b using (evidence_type, evidence_id)
           where a.claim_id in (select unnest(?::varchar[])) and a.relation = 'corroborates' and b.relation = 'corroborates'""",
        [chosen]).fetchall()]
    return con.execute(
        _evidence_witness(some_claims=True) + _FIRST_REPORTS
        + "select * from outcomes where claim_id in (select unnest(?::varchar[])) order by claimed_on, claim_id",
        [sorted(set(chosen) | set(partners)), *_outcome_params(filters), chosen]).df()


def claim_credibility(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> dict[str, int]:
    """The credibility (1-6) of these claims, what other pages show beside a claim, by claim id."""
    if not claim_ids:
        return {}
    rows = con.execute(_evidence_witness(some_claims=True) + "select claim_id, credibility from claim_status", [claim_ids])
    return dict(rows.fetchall())


def source_track_records(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Per source, the outcome counts of its claims under the filters (every source, zero when it made none).

    Columns: source_id, name, kind, country, analyst_grade, grade_note, claims, corroborated, contradicted,
    contested, open, median_days_to_outcome, first_reports_corroborated.
    """
    return con.execute(
        _evidence_witness() + _FIRST_REPORTS
        + """
        select s.source_id, s.name, s.kind, s.country, s.analyst_grade, s.grade_note,
               count(o.claim_id) as claims,
               count(*) filter (where o.status = 'corroborated') as corroborated,
               count(*) filter (where o.status = 'contradicted') as contradicted,
               count(*) filter (where o.status = 'contested') as contested,
               count(*) filter (where o.status = 'open') as open,
               median(greatest(0, date_diff('day', o.claimed_on, o.first_outcome_on))) filter (where o.status <> 'open') as median_days_to_outcome,
               count(*) filter (where o.first_report) as first_reports_corroborated
        from sources s left join outcomes o using (source_id)
        group by all
        order by claims desc, s.name
        """,
        _outcome_params(filters),
    ).df()


def claim_evidence(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> pd.DataFrame:
    """The evidence chain of some claims, for the Sources drill-down and the Timeline's detail panel.

    Columns: claim_id, relation, evidence_type, evidence_id, what (quote, claim text or title), dated,
    date_precision, who (the speaking actor, else the witnessing outlet), source (the witnessing outlet),
    url, noted_on, note. Each table is read only for the items these claims cite: joining whole tables
    ran out of the dashboard's memory at 10M events.
    """
    return con.execute(
        """
        with ev as (select * from evidence where claim_id in (select unnest(?::varchar[]))),
        items as (
            select 'statement' as evidence_type, statement_id as evidence_id, quote as what, stated_on as dated,
                   date_precision, document_id, actor_id
            from statements where statement_id in (select evidence_id from ev where evidence_type = 'statement')
            union all
            select 'claim', claim_id, text, claimed_on, date_precision, document_id, null
            from claims where claim_id in (select evidence_id from ev where evidence_type = 'claim')
            union all
            select 'document', document_id, title, published_on, date_precision, document_id, null
            from documents where document_id in (select evidence_id from ev where evidence_type = 'document')
            union all
            select 'event', e.event_id, e.title, e.occurred_on, e.date_precision,
                   (select min(document_id) from event_documents x where x.event_id = e.event_id), null
            from events e where e.event_id in (select evidence_id from ev where evidence_type = 'event')
        )
        select ev.claim_id, ev.relation, ev.evidence_type, ev.evidence_id, i.what, i.dated,
               coalesce(i.date_precision, 'day') as date_precision, coalesce(a.name, src.name) as who,
               src.name as source, wd.url, ev.noted_on, ev.note
        from ev
        left join items i using (evidence_type, evidence_id)
        left join actors a on a.actor_id = i.actor_id
        left join documents wd on wd.document_id = i.document_id
        left join sources src on src.source_id = wd.source_id
        order by ev.claim_id, ev.relation, i.dated, ev.evidence_id
        """,
        [claim_ids],
    ).df()
