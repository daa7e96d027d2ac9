"""Bundle import and export: the analyst's own curated data, as CSVs, one JSON file or one XLSX.

A bundle is read whole, every row is validated (types, partial dates,
vocabularies, references within the bundle and to the store, duplicate keys,
formula-like cells), and only a bundle without problems is applied, in one
transaction that upserts by key and audits each changed row. Rows that are
already in the store unchanged are neither rewritten nor audited, so
re-importing a bundle is a no-op. The format is documented in docs/IMPORT.md.

Modules, each named after what it owns: ``spec`` (the tables and columns),
``cells`` (the formula escape and lists), ``read`` (a folder or zip of CSVs,
a JSON or an XLSX into raw rows, strictly and within ``lib/ingest/limits.py``:
``streams`` bounds the bytes, ``csvfile`` (``csvcolumns`` for a clean CSV, column-wise), ``jsonfile`` and ``xlsxfile`` parse,
``rows`` checks headers and keeps cells as text), ``validate``
(rows into typed, checked rows: ``typed`` checks a table's cells column-wise
in one DuckDB query, the Python checks word the problems of the rows it is not
sure of, duplicate keys and references are set operations), ``apply`` (the
audited upsert from the staged Arrow tables with its ``imports`` row, in one
transaction) and ``export``.
"""

from lib.ingest.bundle.apply import check_bundle, import_bundle
from lib.ingest.bundle.cells import LIST_SEPARATOR
from lib.ingest.bundle.export import export_bundle
from lib.ingest.bundle.read import BundleRead, read_bundle
from lib.ingest.bundle.spec import EVIDENCE_TABLE, KEY_COLUMN, SPEC_BY_TABLE, SPECS, Column, RawRow, TableSpec
from lib.ingest.bundle.validate import Staged, validate

__all__ = [
    "EVIDENCE_TABLE", "KEY_COLUMN", "LIST_SEPARATOR", "SPECS", "SPEC_BY_TABLE", "BundleRead", "Column", "RawRow", "Staged",
    "TableSpec", "check_bundle", "export_bundle", "import_bundle", "read_bundle", "validate",
]
