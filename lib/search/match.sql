-- The docids of items whose words match every query word, with their BM25 score over the postings of their language.
-- $sw_i, $sw_lang, $sw_term: the query's terms (lib/search/query.py resolves each word to the terms it
-- matches: its English stem in English items; in Turkish items the word itself, any term starting with its
-- prefix, any term with its English stem). {terms} is `p.term in (...)` on bound parameters, so that each
-- scan reads only the row groups holding those terms (postings are in term order). Every word is a bit of
-- $sw_mask: an item must have them all. {phrases} is `true` or tests that a phrase's words sit at
-- consecutive positions ({positions} gathers each word's positions).
-- BM25 as the fts extension's match_bm25 computes it (k = 1.2, b = 0.75), summed over the matched terms.
select h.docid, h.score
from (
    select p.docid,
           sum(ln((st.docs - f.df + 0.5) / (f.df + 0.5) + 1) * p.tf * (1.2 + 1)
               / (p.tf + 1.2 * (1 - 0.75 + 0.75 * p.len / (st.tokens / st.docs)))) as score{positions}
    from (select q.i, p.lang, p.term, p.docid, p.tf, p.len{pos}
          from search_postings p
          join (select unnest($sw_i::integer[]) as i, unnest($sw_lang::varchar[]) as lang,
                       unnest($sw_term::varchar[]) as term) q using (lang, term)
          where {terms}) p
    join (select lang, term, count(*) as df from search_postings p where {terms} group by all) f using (lang, term)
    join search_stats st using (lang)
    group by p.docid
    having bit_or(1::bigint << p.i) = $sw_mask
) h
where {phrases}
