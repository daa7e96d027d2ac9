"""Controlled vocabularies, the same lists as the CHECK constraints in schema.sql.

Validation uses them to name the allowed values in its messages; a unit test
keeps them equal to the schema.
"""

SOURCE_KINDS = ("official", "state_media", "independent_media", "wire", "think_tank", "social", "other")
ACTOR_KINDS = ("state", "ministry", "person", "organisation", "anonymous")
DATE_PRECISIONS = ("day", "month", "year")
ATTRIBUTIONS = ("on_record", "spokesperson", "anonymous_source", "media_paraphrase")
EVIDENCE_RELATIONS = ("corroborates", "contradicts")
EVIDENCE_TYPES = ("statement", "event", "document", "claim")
EVENT_ROLES = ("initiator", "target", "participant")
ORIGINS = ("curated", "gdelt", "icews", "acled", "synthetic")
ITEM_KINDS = ("event", "statement", "claim")
CONTINUITY_LABELS = ("first", "reaffirmed", "shifted", "unclear")
CLAIM_STATUSES = ("corroborated", "contradicted", "contested", "open")
