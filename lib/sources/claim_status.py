"""The Sources' SQL: what became of each claim (status from its evidence), credibility, track records, a claim's evidence.

lib/sources/reliability.py turns the counts into grades (docs/GRADING.md);
the Timeline and the brief read claim credibility and evidence from here too.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from lib.filters import Filters
from lib.sources import judgements

# the claims a page asks for, from judged claims ``s`` (claim_judgements' columns), values bound by _outcome_params
_OUTCOME_FILTER = """(? is null or s.claimed_on >= ?) and (? is null or s.claimed_on <= ?)
          and (len(?::varchar[]) = 0 or s.topic_id in (select unnest(?::varchar[])))
          and (len(?::varchar[]) = 0 or s.source_id in (select unnest(?::varchar[])))
          and (? is null or s.claim_id in (select claim_id from claims where text ilike ?))"""
_OUTCOME_COLUMNS = """s.claim_id, s.claimed_on, s.date_precision, s.document_id, s.source_id, s.topic_id, s.subject_actor_id, cl.text,
           s.corroborating, s.contradicting, s.independent_corroborating, s.independent_contradicting, s.first_outcome_on,
           s.status, s.credibility, s.first_report"""


def _outcome_params(filters: Filters | None) -> list[object]:
    filters = filters or Filters()
    text = f"%{filters.text}%" if filters.text else None
    return [filters.date_from, filters.date_from, filters.date_to, filters.date_to, list(filters.topics), list(filters.topics),
            list(filters.sources), list(filters.sources), text, text]


def claim_outcomes(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, newest: int | None = None) -> pd.DataFrame:
    """Every claim with its outcome, under the date, topic, source and text filters, in date order.

    ``newest`` keeps only that many of the latest claims, read from the judgements the store keeps current
    (lib/sources/judgements.py), so that a page listing claims does not carry a million rows to the browser. Without it
    every claim is judged anew from the evidence: the reference the kept judgements are tested against.

    Columns: claim_id, claimed_on, date_precision, document_id, source_id, topic_id, subject_actor_id, text,
    corroborating, contradicting (evidence rows), independent_corroborating, independent_contradicting (distinct
    independent outlets), first_outcome_on (when the first evidence was known at the latest), status, credibility
    (1-6; rules in docs/GRADING.md), first_report (no other outlet's claim on the same corroborating item came earlier).
    """
    if newest is None:
        return con.execute(f"""select {_OUTCOME_COLUMNS} from ({judgements.judgement_sql()}) s join claims cl using (claim_id)
                               where {_OUTCOME_FILTER} order by s.claimed_on, s.claim_id""", _outcome_params(filters)).df()
    return con.execute(
        f"""select {_OUTCOME_COLUMNS}
            from (select * from {judgements.TABLE} s where {_OUTCOME_FILTER} order by claimed_on desc, claim_id desc limit ?) s
            join claims cl using (claim_id)
            order by s.claimed_on, s.claim_id""",
        [*_outcome_params(filters), newest]).df()


def claim_credibility(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> dict[str, int]:
    """The credibility (1-6) of these claims, what other pages show beside a claim, by claim id."""
    if not claim_ids:
        return {}
    rows = con.execute(f"select claim_id, credibility from {judgements.TABLE} where claim_id in (select unnest(?::varchar[]))",
                       [claim_ids])
    return dict(rows.fetchall())


def source_track_records(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Per source, the outcome counts of its claims under the filters (every source, zero when it made none).

    No claim is judged here: without a filter on claims the store's sums per source are read (10,000 rows), under
    one the judgements it keeps current are summed (lib/sources/judgements.py).

    Columns: source_id, name, kind, country, analyst_grade, grade_note, claims, corroborated, contradicted,
    contested, open, median_days_to_outcome, first_reports_corroborated.
    """
    filters = filters or Filters()
    every_claim = not (filters.date_from or filters.date_to or filters.topics or filters.sources or filters.text)
    totals = judgements.TOTALS if every_claim else f"({judgements.totals_sql(f'where {_OUTCOME_FILTER}')})"
    return con.execute(
        f"""
        select s.source_id, s.name, s.kind, s.country, s.analyst_grade, s.grade_note,
               coalesce(o.claims, 0) as claims, coalesce(o.corroborated, 0) as corroborated,
               coalesce(o.contradicted, 0) as contradicted, coalesce(o.contested, 0) as contested, coalesce(o.open, 0) as open,
               o.median_days_to_outcome, coalesce(o.first_reports_corroborated, 0) as first_reports_corroborated
        from sources s left join {totals} o using (source_id)
        order by claims desc, s.name
        """,
        [] if every_claim else _outcome_params(filters),
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
        items as materialized (
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
        -- actors and witnessing documents read for these items alone: a hash table of 4.5M documents took 1.2 s of CPU
        left join (select actor_id, name from actors where actor_id in (select actor_id from items)) a on a.actor_id = i.actor_id
        left join (select document_id, source_id, url from documents where document_id in (select document_id from items)) wd
            on wd.document_id = i.document_id
        left join sources src on src.source_id = wd.source_id
        order by ev.claim_id, ev.relation, i.dated, ev.evidence_id
        """,
        [claim_ids],
    ).df()

#
#
