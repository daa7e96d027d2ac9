-- The docids of items whose words match every query word, with their BM25 score over the postings of their language.
-- {postings} is one scan per query term (lib/search/query.py resolves each word to the terms it matches: its
-- English stem in English items; in Turkish items the word itself, any term starting with its prefix, any term
-- with its English stem), each on constants so that it reads only the row groups holding its term (and, when
-- the query stops early, the best impacts of it). Each yields (i, docid, s, pos): the word's bit, the item,
-- the term's BM25 part in the item, its positions. BM25 as the fts extension's match_bm25 computes it
-- (k = 1.2, b = 0.75), summed over the matched terms. Every word is a bit of $sw_mask: an item must have
-- them all. {phrases} is `true` or tests that a phrase's words sit at consecutive positions ({positions}
-- gathers each word's positions).
select h.docid, h.score
from (
    select p.docid, sum(p.s) as score{positions}
    from ({postings}) p
    group by p.docid
    having bit_or(1::bigint << p.i) = $sw_mask
) h
where {phrases}
