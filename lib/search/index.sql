-- The indexed form of items, for lib/search/index.py. Each statement runs alone, in this order.
-- {only_<alias>} is empty for a full build, or a semi join keeping the items listed in search_changed.
-- $normal is lib/search's NORMAL expression (accents stripped, lower case, only letters and digits).
-- Tags: a statement marked [left] runs only when an indexed item left (search_gone has rows), [build] only in
-- a full build, [refresh] only in an incremental one, [chunks] once per range of new docids (the chunk
-- placeholder, `between first and last`; so that a build groups a bounded number of tokens at a time).
-- cuts and common: from index.LEVELS.
-- Only plain SQL that DuckLake runs too: no sequence, no ON CONFLICT (the team store has neither).

-- fresh: what the index should hold for the items in question. An event's language is that of its
-- documents (the first by name when they differ); a statement's its own, else its document's; a claim's
-- its document's; no language means English. Beside the words,
-- what a result row shows (date and its precision, title, text, link; a statement's title is its actor's id,
-- named at query time), so that the best hits and a date filter need no scan of the item tables.
create or replace temp table search_fresh as
select kind, item_id, lang, body, len(string_split(body, ' ')) as len, dated, date_precision, title, text, url,
       hash(lang, body, dated, date_precision, title, text, url) as digest
from (
    select kind, item_id, lang, $normal as body, dated, date_precision, title, text, url
    from (
        select 'event' as kind, e.event_id as item_id, coalesce(l.language, 'en') as lang,
               concat_ws(' ', e.title, e.description) as raw, e.occurred_on as dated, e.date_precision, e.title,
               e.description as text, null::varchar as url
        from events e {only_e}
        left join (select ed.event_id, min(doc.language) as language
                   from event_documents ed {only_ed} join documents doc using (document_id) group by ed.event_id) l
            using (event_id)
        union all
        select 'statement', s.statement_id, coalesce(s.language, doc.language, 'en'), s.quote, s.stated_on,
               s.date_precision, s.actor_id, s.quote, null
        from statements s {only_s} left join documents doc using (document_id)
        union all
        select 'claim', c.claim_id, coalesce(doc.language, 'en'), c.text, c.claimed_on, c.date_precision, null, c.text,
               null
        from claims c {only_c} left join documents doc using (document_id)
        union all
        select 'document', doc.document_id, coalesce(doc.language, 'en'), doc.title, doc.published_on, 'day',
               doc.title, null, doc.url
        from documents doc {only_d}
    )
);

-- Items without a word are not indexed. Not a WHERE above: DuckDB pushes that test into the item tables' scans and
-- so normalises every text twice (0.3 s of CPU in a 100,000-statement bundle)
delete from search_fresh where body = '';

-- old: the indexed rows of the items in question
create or replace temp table search_old as
select d.docid, d.kind, d.item_id, d.lang, d.len, d.digest from search_docs d {only_docs};

-- gone: indexed rows whose item was deleted or whose text or language changed
create or replace temp table search_gone as
select o.docid, o.lang, o.len from search_old o
anti join search_fresh f on f.kind = o.kind and f.item_id = o.item_id and f.digest = o.digest;

-- new: items to index under a new docid (new, or changed), numbered above the largest in use. Two writers
-- on the team store that draw the same numbers both bump meta.data_version: DuckLake refuses the second at
-- commit and store.retry_on_conflict runs it again on the first one's index.
create or replace temp table search_new as
select (select coalesce(max(docid), 0) from search_docs) + row_number() over () as docid, f.* from search_fresh f
anti join search_old o on f.kind = o.kind and f.item_id = o.item_id and f.digest = o.digest;

-- the change of each term's document frequency: minus what left, plus (below) what came
create or replace temp table search_term_change (lang varchar, term varchar, n bigint);

-- [left]
insert into search_term_change
select lang, term, -count(*) from search_postings where docid in (select docid from search_gone) group by all;

-- [left] deleting by docid scans every posting: only worth it when something left
delete from search_postings where docid in (select docid from search_gone);

-- [left]
delete from search_docs where docid in (select docid from search_gone);

-- [chunks] a million items at a time: at 10M items the insert whole took 106 s of CPU against 3.8 s at 1M
insert into search_docs
select docid, kind, item_id, lang, len, digest, dated, date_precision, title, text, url from search_new where docid {chunk};

-- BM25's N and token count per language, moved by what left and what came; ref_len, the average length the
-- postings' impacts are computed with, is set when a language first comes (a build starts from none) and kept
-- after, so that every impact of a language is on one scale. A language left without items is dropped.
create or replace temp table search_stats_next as
select lang, sum(docs) as docs, sum(tokens) as tokens, coalesce(max(ref_len), sum(tokens) / sum(docs)) as ref_len
from (
    select lang, docs, tokens, ref_len from search_stats
    union all
    select lang, count(*), sum(len), null from search_new group by lang
    union all
    select lang, -count(*), -sum(len), null from search_gone group by lang
)
group by lang having sum(docs) > 0;

delete from search_stats;

insert into search_stats select * from search_stats_next;

-- the new postings, gathered chunk by chunk
create or replace temp table search_postings_new as
select * from search_postings where false;

-- [chunks] a term per English stem or Turkish word (each distinct word stemmed once), its count and positions
-- (0-based) in the item, and its impact: BM25's term-frequency part (k = 1.2, b = 0.75, as lib/search/match.sql).
-- A text is tokenised once (its length with it: a function of the text): the texts placeholder is each new item's
-- text under its docid, or, when the chunk's texts repeat (a dataset's titles, "CAMEO 042: Turkey → Russia"; a
-- bundle's quotes), each distinct text under its first docid, whose postings the shared placeholder then gives to
-- every item holding it (index.py).
insert into search_postings_new
with texts as (
    {texts}
), tokens as (
    select lang, unit, len, unnest(string_split(body, ' ')) as word,
           generate_subscripts(string_split(body, ' '), 1) - 1 as pos
    from texts
), terms as (
    select lang, word, case when lang = 'tr' then word else stem(word, 'english') end as term
    from (select distinct lang, word from tokens)
), postings as (
    select t.lang, w.term, t.unit, count(*)::integer as tf, any_value(t.len) as len, list(t.pos order by t.pos) as pos
    from tokens t join terms w using (lang, word)
    group by t.lang, w.term, t.unit
)
select p.lang, p.term, {docid} as docid, p.tf, p.len,
       (p.tf * (1.2 + 1) / (p.tf + 1.2 * (1 - 0.75 + 0.75 * p.len / st.ref_len)))::real as impact, p.pos
from postings p {shared}
join search_stats st using (lang);

-- the new postings in one run of term order, whatever the chunks: a build of 10M events written chunk by chunk
-- left every term in 17 runs, and a query for a rare word scanned 17 row groups (2.2M rows, ~60 ms of CPU)
insert into search_postings select * from search_postings_new order by lang, term, impact desc, docid;

insert into search_term_change select lang, term, count(*) from search_postings_new group by all;

drop table search_postings_new;

-- [refresh] the changed terms' new frequencies, stored or new, in one scan of search_terms (10M terms at 10M events:
-- a join and an anti join scanned it twice, 0.6 s of CPU each); a term without postings left is dropped. The stored
-- rows are deleted by their row ids (a join on the terms scanned them a third time) and inserted anew (DuckLake's
-- MERGE takes one action only)
create or replace temp table search_terms_next as
select c.lang, c.term, coalesce(t.df, 0) + c.n as df, t.cuts, t.rowid as stored_row
from (select lang, term, sum(n) as n from search_term_change group by all) c left join search_terms t using (lang, term);

-- [refresh]
delete from search_terms where rowid in (select stored_row from search_terms_next where stored_row is not null);

-- [refresh]
insert into search_terms select lang, term, df, cuts from search_terms_next where df > 0;

-- [refresh]
drop table search_terms_next;

-- [build] every term in term order, with its cuts when it is common: the impacts of its LEVELS-th best postings
-- (index.py; from the count of its postings per impact, a few dozen values a term)
insert into search_terms
select t.lang, t.term, t.df, c.cuts
from (select lang, term, sum(n) as df from search_term_change group by all) t
left join (
    select lang, term, [{cuts}] as cuts
    from (select lang, term, impact, sum(n) over (partition by lang, term order by impact desc) as above
          from (select p.lang, p.term, p.impact, count(*) as n
                from search_postings p
                semi join (select lang, term from search_term_change group by all having sum(n) >= {common}) c
                    using (lang, term)
                group by all))
    group by all
) c using (lang, term)
order by t.lang, t.term;

drop table search_fresh;

drop table search_old;

drop table search_gone;

drop table search_new;

drop table search_term_change;

drop table search_stats_next
