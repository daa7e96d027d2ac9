"""Capture: turn one news article into proposed rows (document, statements, claims, evidence, events).

The analyst pastes, uploads or names an article by URL (`text`), the extractor
proposes rows each tied to the character span it came from (`proposals`), the
analyst accepts or edits them on the Capture page, and the accepted rows are
written as a bundle through `lib.ingest.bundle.import_bundle` (`commit`), so a
captured row passes the same validation and audit as any imported one.
"""
