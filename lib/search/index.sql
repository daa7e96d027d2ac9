-- The searchable text of every event, statement, claim and document, normalised (accents stripped,
-- lower case, anything but letters and digits a space) and split by language: Turkish rows go to
-- search_tr, every other language to search_en. $normal is replaced by lib/search's NORMAL expression.
create or replace table search_docs as
    select 'e:' || e.event_id as key, 'event' as kind, e.event_id as item_id,
           coalesce(d.language, 'en') as lang,
           concat_ws(' ', e.title, e.description) as raw
    from events e
    left join (select ed.event_id, min(doc.language) as language
               from event_documents ed join documents doc using (document_id) group by ed.event_id) d using (event_id)
    union all
    select 's:' || s.statement_id, 'statement', s.statement_id, coalesce(s.language, doc.language, 'en'), s.quote
    from statements s left join documents doc using (document_id) where s.quote is not null
    union all
    select 'c:' || c.claim_id, 'claim', c.claim_id, coalesce(doc.language, 'en'), c.text
    from claims c left join documents doc using (document_id)
    union all
    select 'd:' || doc.document_id, 'document', doc.document_id, coalesce(doc.language, 'en'), doc.title
    from documents doc where doc.title is not null;
create or replace table search_en as
    select key, kind, item_id, $normal as body from search_docs where lang <> 'tr';
create or replace table search_tr as
    select key, kind, item_id, $normal as body from search_docs where lang = 'tr';
drop table search_docs;
pragma create_fts_index('search_en', 'key', 'body', stemmer = 'english', stopwords = 'none', ignore = '\s+',
                        strip_accents = 0, lower = 0, overwrite = 1);
pragma create_fts_index('search_tr', 'key', 'body', stemmer = 'none', stopwords = 'none', ignore = '\s+',
                        strip_accents = 0, lower = 0, overwrite = 1);
-- terms in term order: a query's few terms then sit in a few row groups that DuckDB reads, skipping the rest
-- (one term's postings at 1M events: 375 -> 80 ms; the sort costs 18 s of the rebuild)
create or replace table fts_main_search_en.terms as select * from fts_main_search_en.terms order by termid;
create or replace table fts_main_search_tr.terms as select * from fts_main_search_tr.terms order by termid;
