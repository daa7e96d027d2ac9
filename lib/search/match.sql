-- Items whose words match every query word, ranked by BM25 over one fts index per language.
-- {ix} is 'en' or 'tr' (from lib/search's allow-list); {phrases} is `true` or `contains(...)` tests
-- on bound parameters. A query word matches an English row's term when their English stems are
-- equal, a Turkish row's term when they are equal or the term starts with the word's prefix
-- (Turkish adds suffixes: "iade" finds "iadesi") or their English stems are equal (an English
-- text from a Turkish outlet). BM25 as the fts extension's match_bm25 computes
-- it (k = 1.2, b = 0.75), summed over the matched terms.
select sd.kind, sd.item_id, h.score
from (
    select f.docid,
           sum(ln((st.num_docs - f.df + 0.5) / (f.df + 0.5) + 1) * f.tf * (1.2 + 1)
               / (f.tf + 1.2 * (1 - 0.75 + 0.75 * dc.len / st.avgdl))) as score
    from (
        select t.docid, qt.i, qt.df, count(*) as tf
        from (
            select q.i, d.termid, d.df
            from (select unnest($sw_words::varchar[]) as word, unnest($sw_prefixes::varchar[]) as prefix,
                         generate_subscripts($sw_words::varchar[], 1) as i) q
            join fts_main_search_{ix}.dict d on {term_rule}
        ) qt
        join fts_main_search_{ix}.terms t on t.termid = qt.termid
        group by t.docid, qt.i, qt.termid, qt.df
    ) f
    join fts_main_search_{ix}.docs dc on dc.docid = f.docid
    cross join fts_main_search_{ix}.stats st
    group by f.docid
    having count(distinct f.i) = len($sw_words::varchar[])
) h
join fts_main_search_{ix}.docs dc on dc.docid = h.docid
join search_{ix} sd on sd.key = dc.name
where {phrases}
