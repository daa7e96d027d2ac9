"""Full-text search (issue 15): BM25-ranked, stemmed English and Turkish, phrases, under the shared filters.

``index`` keeps the postings current at every write; ``query`` parses what the
analyst typed, ranks and filters, and marks the matching words. The Timeline's
text filter uses :func:`matches_sql` when the index can be used, ILIKE otherwise.
"""

from lib.search.index import rebuild, usable
from lib.search.query import marked, matches_sql, parse, results_table, search

__all__ = ["marked", "matches_sql", "parse", "rebuild", "results_table", "search", "usable"]
