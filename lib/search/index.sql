-- The indexed form of items, for lib/search/index.py. Each statement runs alone, in this order.
-- {only_<alias>} is empty for a full build, or a semi join keeping the items listed in search_changed.
-- $normal is lib/search's NORMAL expression (accents stripped, lower case, only letters and digits).

-- fresh: what the index should hold for the items in question. An event's language is that of its
-- documents (the first by name when they differ); a statement's its own, else its document's; a claim's
-- its document's; no language means English. Items without a word are not indexed. Beside the words,
-- what a result row shows (date, title, text, link; a statement's title is its actor's id, named at query
-- time), so that the best hits need no scan of the item tables.
create or replace temp table search_fresh as
select kind, item_id, lang, body, len(string_split(body, ' ')) as len, dated, title, text, url,
       hash(lang, body, dated, title, text, url) as digest
from (
    select kind, item_id, lang, $normal as body, dated, title, text, url
    from (
        select 'event' as kind, e.event_id as item_id, coalesce(l.language, 'en') as lang,
               concat_ws(' ', e.title, e.description) as raw, e.occurred_on as dated, e.title, e.description as text,
               null::varchar as url
        from events e {only_e}
        left join (select ed.event_id, min(doc.language) as language
                   from event_documents ed {only_ed} join documents doc using (document_id) group by ed.event_id) l
            using (event_id)
        union all
        select 'statement', s.statement_id, coalesce(s.language, doc.language, 'en'), s.quote, s.stated_on, s.actor_id,
               s.quote, null
        from statements s {only_s} left join documents doc using (document_id)
        union all
        select 'claim', c.claim_id, coalesce(doc.language, 'en'), c.text, c.claimed_on, null, c.text, null
        from claims c {only_c} left join documents doc using (document_id)
        union all
        select 'document', doc.document_id, coalesce(doc.language, 'en'), doc.title, doc.published_on, doc.title, null,
               doc.url
        from documents doc {only_d}
    )
)
where body <> '';

-- old: the indexed rows of the items in question
create or replace temp table search_old as
select d.docid, d.kind, d.item_id, d.lang, d.len, d.digest from search_docs d {only_docs};

-- gone: indexed rows whose item was deleted or whose text or language changed
create or replace temp table search_gone as
select o.docid, o.lang, o.len from search_old o
anti join search_fresh f on f.kind = o.kind and f.item_id = o.item_id and f.digest = o.digest;

-- new: items to index under a new docid (new, or changed)
create or replace temp table search_new as
select nextval('search_docid_seq') as docid, f.* from search_fresh f
anti join search_old o on f.kind = o.kind and f.item_id = o.item_id and f.digest = o.digest;

delete from search_postings where docid in (select docid from search_gone);

delete from search_docs where docid in (select docid from search_gone);

insert into search_docs select docid, kind, item_id, lang, len, digest, dated, title, text, url from search_new;

-- a term per English stem or Turkish word, its count and positions (0-based) in the item
insert into search_postings
select lang, term, docid, count(*)::integer as tf, any_value(len) as len, list(pos order by pos) as pos
from (
    select lang, docid, len, case when lang = 'tr' then word else stem(word, 'english') end as term, pos
    from (select lang, docid, len, unnest(string_split(body, ' ')) as word,
                 generate_subscripts(string_split(body, ' '), 1) - 1 as pos
          from search_new)
)
group by lang, term, docid
order by lang, term, docid;

-- BM25's N and average length, per language, moved by what left and what came
insert into search_stats
select lang, sum(docs), sum(tokens) from (
    select lang, count(*) as docs, sum(len) as tokens from search_new group by lang
    union all
    select lang, -count(*), -sum(len) from search_gone group by lang
) group by lang
on conflict (lang) do update set docs = docs + excluded.docs, tokens = tokens + excluded.tokens;

drop table search_fresh;

drop table search_old;

drop table search_gone;

drop table search_new
