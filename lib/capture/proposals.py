"""What the extractor proposes for one article: rows in the bundle's own columns, each with the character
span of the article it came from, plus what the analyst needs to judge it (a reason, a duplicate flag).

The same objects feed the Capture page's tables, the CLI's JSON and the commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SourceProposal:
    """A source the article (or a report it cites) comes from that the store does not hold yet."""

    source_id: str
    name: str
    kind: str = "other"
    url: str = ""


@dataclass
class ActorProposal:
    """A 'new actor?' proposal: a capitalised name next to a speech verb that the store does not know."""

    actor_id: str
    name: str
    kind: str
    start: int
    end: int


@dataclass
class DocumentProposal:
    """The article itself, or a report it cites ('reported by X on DATE')."""

    document_id: str
    source_id: str
    title: str
    url: str = ""
    published_on: str = ""
    language: str = ""
    cites: list[str] = field(default_factory=list)
    stored: bool = False  # already in the store: cited, not written again


@dataclass
class StatementProposal:
    """A speaker's words on the topic: the quote (or the reported clause), when, how attributed, and the
    position proposed (only for a self-declared "no change": the one on record)."""

    statement_id: str
    start: int
    end: int
    actor_id: str
    quote: str
    stated_on: str
    topic_id: str
    document_id: str
    language: str
    attribution: str
    self_declared: bool
    position_code: str = ""
    position_reason: str = ""
    duplicate_of: str = ""


@dataclass
class ClaimProposal:
    """What another outlet reported that this article repeats; the claimant is that outlet's source."""

    claim_id: str
    start: int
    end: int
    source_id: str
    document_id: str
    claimed_on: str
    topic_id: str
    subject_actor_id: str
    text: str
    asserted_position: str = ""
    duplicate_of: str = ""


@dataclass
class EvidenceProposal:
    """A statement of this article that confirms or denies one of its claims."""

    claim_id: str
    relation: str
    evidence_type: str
    evidence_id: str
    start: int
    end: int
    note: str


@dataclass
class EventProposal:
    """A dated background event ('signed in December 2017'), at the precision the text gives."""

    event_id: str
    start: int
    end: int
    occurred_on: str
    event_type: str
    title: str
    topic_id: str
    actor_ids: list[str]
    document_id: str
    duplicate_of: str = ""


@dataclass
class Proposals:
    """Everything proposed for one article; ``text`` is what every span indexes."""

    text: str
    topic_id: str
    document: DocumentProposal
    new_sources: list[SourceProposal] = field(default_factory=list)
    new_actors: list[ActorProposal] = field(default_factory=list)
    cited_documents: list[DocumentProposal] = field(default_factory=list)
    statements: list[StatementProposal] = field(default_factory=list)
    claims: list[ClaimProposal] = field(default_factory=list)
    evidence: list[EvidenceProposal] = field(default_factory=list)
    events: list[EventProposal] = field(default_factory=list)

    def as_json(self, with_text: bool = False) -> dict[str, Any]:
        """The JSON shape of `python -m lib.cli extract` (docs/CLI.md): spans are offsets into the text."""
        out = asdict(self)
        if not with_text:
            out.pop("text")
        for kind in ("statements", "claims", "evidence", "events", "new_actors"):
            for row, item in zip(out[kind], getattr(self, kind), strict=True):
                row["excerpt"] = self.text[item.start:item.end]
        return out
