"""From one article to proposals: the document and its source, statements, claims, evidence and events.

Only names the store knows become actors or claimants; a capitalised name
beside a speech verb that the store does not know is offered as an explicit
"new actor?" proposal and never matched silently. Every proposal carries the
span of the sentence it came from so the analyst can check it against the text.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from typing import Any

import duckdb

from lib.capture import duplicates, keys
from lib.capture import known as store_view
from lib.capture.events import dated_events
from lib.capture.known import Known
from lib.capture.names import Mention, Token, domain, fold, slug, tokens
from lib.capture.positions import NEGATION, asserted_position, relation
from lib.capture.proposals import (
    ActorProposal,
    ClaimProposal,
    DocumentProposal,
    EventProposal,
    EvidenceProposal,
    Proposals,
    SourceProposal,
    StatementProposal,
)
from lib.capture.speech import (
    ANONYMOUS,
    CONFIRM,
    DENY,
    REPORT_EN,
    REPORT_TR,
    SPEECH_EN,
    SPEECH_TR,
    SPOKESPERSON,
    Attribution,
    Sentence,
    inside,
    quotations,
    reported_clause,
    sentences,
    speaker,
)
from lib.capture.text import Article
from lib.capture.when import DateMention, find_dates
from lib.dates import storable
from lib.phrases import declares_continuity

_QUOTING = re.compile(r"\b(?:quoted|quoting|citing|cited)\b|\bas saying\b", re.IGNORECASE)
_QUOTING_TR = re.compile(r"(?:dayandırdığı|dayandırarak|aktardığı|kaynağın)", re.IGNORECASE)
_COMMON = frozenset(["the", "a", "an", "he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "its", "officials", "official", "sources", "source", "analysts", "experts", "spokesman", "spokeswoman", "spokesperson", "minister", "ministry", "government", "president", "but", "and", "however", "meanwhile", "also", "this", "that", "in", "on", "at", "when", "after", "before", "while", "reports", "report", "some", "many", "diplomats", "diplomat", "observers", "critics", "residents", "people", "one", "two", "both", "several", "authorities", "statement", "earlier", "later", "there", "here", "then", "yet", "still", "bu", "o", "şu", "ancak", "ayrıca", "bakan", "bakanlık", "yetkililer", "yetkili", "kaynaklar", "kaynak", "uzmanlar", "sözcü", "hükümet", "açıklamada", "öte", "yandan"])
_NAME = r"[A-ZÇĞİÖŞÜ][\w'’.-]*"
_NEW_BEFORE = re.compile(rf"((?:{_NAME}\s+){{0,3}}{_NAME}),?\s+(?:said|told|stated|announced|declared|added|stressed)\b")
_NEW_AFTER = re.compile(rf"(?:\bsaid|\baccording to)\s+((?:{_NAME}\s+){{0,3}}{_NAME})")
_NEW_TR = re.compile(rf"^((?:{_NAME}\s+){{0,3}}{_NAME}),\s")


def propose(con: duckdb.DuckDBPyConnection, article: Article, source_id: str | None = None,
            topic_id: str | None = None, published: dt.date | None = None) -> Proposals:
    """Proposals for one article against the store's actors, sources and topics (nothing is written)."""
    article = article.with_defaults(published=published)
    known = store_view.load(con)
    text, _language = article.text, article.language
    words = tokens(text)
    topic = topic_id or best_topic(known, words) or ""
    document, new_sources = _article_document(known, article, source_id)
    run = _Run(con, known, article, topic, document, words)
    run.new_sources += new_sources
    for sentence in sentences(text, run.quotes):
        if article.title and sentence.start == 0 and text.startswith(article.title):
            continue  # the headline repeats the body's statements
        run.sentence(sentence)
    run.merge_restatements()
    run.link_evidence()
    proposals = Proposals(text, topic, document, run.new_sources, run.new_actors, list(run.cited.values()),
                          run.statements, run.claims, run.evidence, run.events)
    duplicates.flag(con, proposals)
    keys.avoid_stored(con, run.keys, proposals)
    return proposals


def best_topic(known: Known, words: list[Token]) -> str | None:
    """The topic whose name, description and position labels share the most words with the article."""
    counts = Counter(t.word for t in words)
    scores = {t: sum(n for word, n in counts.items() if _same_word(word, known.topic_words(t))) for t in known.topics}
    best = max(scores.items(), key=lambda item: (item[1], item[0] == min(scores)), default=(None, 0))
    return best[0] if best[1] > 0 else None


def _same_word(word: str, wanted: set[str]) -> bool:
    """The word or an inflection of it (S-400s, sistemleri): a suffix of up to four letters."""
    return word in wanted or any(word.startswith(w) and len(word) - len(w) <= 4 for w in wanted if len(w) >= 4)


def _article_document(known: Known, article: Article, source_id: str | None) -> tuple[DocumentProposal, list[SourceProposal]]:
    """The article's document; its source is the one given, else matched by outlet name or web domain, else new."""
    new: list[SourceProposal] = []
    source = source_id or known.source_for(article.site_name, article.url)
    if not source:
        name = article.site_name or domain(article.url) or "Unknown outlet"
        source = slug(name, 30)
        new.append(SourceProposal(source, name, "other", article.url and f"https://{domain(article.url)}/"))
    published = article.published.isoformat() if article.published else ""
    title = article.title or article.text[:80].split("\n")[0]
    ident = f"{source}-{published or 'undated'}-{slug(title, 30)}"
    return DocumentProposal(ident, source, title, article.url, published, article.language), new


class _Run:
    """The state of one extraction: the matches over the whole text and the proposals made so far."""

    def __init__(self, con: duckdb.DuckDBPyConnection, known: Known, article: Article, topic: str,
                 document: DocumentProposal, words: list[Token]) -> None:
        self.con, self.known, self.article, self.topic, self.document = con, known, article, topic, document
        self.text, self.language = article.text, article.language
        self.all_quotes = quotations(self.text)
        self.quotes = self.all_quotes  # narrowed to the sentence's own quotations while it is read
        self.actor_mentions = _with_anaphora(self.text, known, known.actor_names.find(words))
        self.source_mentions = [m for m in known.source_names.find(words) if m.ident != document.source_id]
        self.dates = find_dates(self.text, 0, len(self.text), article.published, self.language)
        self._sorted = [(items, [_start(i) for i in items])
                        for items in (self.actor_mentions, self.source_mentions, self.dates, self.all_quotes)]
        self.new_sources: list[SourceProposal] = []
        self.new_actors: list[ActorProposal] = []
        self.cited: dict[str, DocumentProposal] = {}
        self.statements: list[StatementProposal] = []
        self.claims: list[ClaimProposal] = []
        self.evidence: list[EvidenceProposal] = []
        self.events: list[EventProposal] = []
        self.keys = keys.Keys()
        self._polarity: dict[str, str] = {}  # claim id -> 'denies' | 'asserts'; statement id -> 'answers'
        self._stance: dict[str, str] = {}  # statement id -> 'denies' | 'confirms'
        self._sentence_of: dict[str, int] = {}
        self._reads: dict[str, str] = {}  # statement id -> the position its words name
        self._quoted: set[str] = set()  # statements with a direct quotation
        self._on_record: dict[str, tuple[str, str] | None] = {}
        self._last_date: dict[str, str] = {}  # actor id -> the date last written beside it as the subject

    # -- per sentence -----------------------------------------------------------------
    def sentence(self, s: Sentence) -> None:
        actors, sources, dates, self.quotes = (
            _within(items, starts, s) for items, starts in self._sorted)
        subject = next((m for m in actors if not inside((m.start, m.end), self.quotes)), None)
        if subject and dates:
            self._last_date[subject.ident] = min(dates, key=lambda d: abs(d.start - subject.end)).value
        claim = self._claim(s, sources, actors, dates) if sources else None
        if claim:
            quoted = self._quoted_actor(s, actors)
            if quoted:
                self._statement(s, Attribution(quoted, claim.start, claim.start), dates, claim.document_id)
        else:
            verbs = SPEECH_TR if self.language == "tr" else SPEECH_EN
            attribution = speaker(self.text, s, actors, self.quotes, self.language, verbs)
            if attribution:
                self._statement(s, attribution, dates, self.document.document_id)
            elif self._has(verbs, s):
                self._new_actor(s, dates)
        self._events(s, actors, dates)

    def _has(self, pattern: re.Pattern[str], s: Sentence) -> bool:
        return any(not inside((m.start(), m.end()), self.quotes) for m in pattern.finditer(self.text, s.start, s.end))

    def _claim(self, s: Sentence, sources: list[Mention], actors: list[Mention],
               dates: list[DateMention]) -> ClaimProposal | None:
        verbs = REPORT_TR if self.language == "tr" else REPORT_EN
        attribution = speaker(self.text, s, sources, self.quotes, self.language, verbs)
        if attribution is None:
            return None
        source_id = attribution.speaker.ident
        when = _nearest(dates, attribution) or self._published_month()
        document = self._cited_document(source_id, when)
        start, end = reported_clause(self.text, s, attribution)
        claim_text = self.text[start:end].strip() or self.text[s.start:s.end]
        subject = next((m.ident for m in actors if m.start >= start and m.end <= end), "")
        if not subject and actors:
            subject = actors[0].ident
        claim = ClaimProposal(self.keys.new("claim", source_id, when, claim_text), s.start, s.end, source_id,
                              document.document_id, when, self.topic, subject, claim_text,
                              asserted_position(self.known, self.topic, claim_text))
        self.claims.append(claim)
        self._polarity[claim.claim_id] = "denies" if NEGATION.search(claim_text) else "asserts"
        self._sentence_of[claim.claim_id] = s.start
        return claim

    def _quoted_actor(self, s: Sentence, actors: list[Mention]) -> Mention | None:
        """In a report's sentence, the actor the outlet quotes ('RIA Novosti quoted a Turkish source as saying')."""
        pattern = _QUOTING_TR if self.language == "tr" else _QUOTING
        for match in pattern.finditer(self.text, s.start, s.end):
            for m in actors:
                gap = self.text[match.end():m.start] if m.start >= match.end() else self.text[m.end:match.start()]
                if len(re.findall(r"\w+", gap)) <= (4 if self.language != "tr" else 2) and not inside((m.start, m.end), self.quotes):
                    return m
        return None

    def _statement(self, s: Sentence, attribution: Attribution, dates: list[DateMention], document_id: str) -> None:
        actor_id = attribution.speaker.ident
        quoted = [(a, b) for a, b in self.quotes if s.start <= a and b <= s.end]
        if quoted:
            quote = " ".join(self.text[a:b].strip(" ,") for a, b in quoted)
        else:
            start, end = reported_clause(self.text, s, attribution)
            quote = self.text[start:end].strip()
        if not quote:
            return
        when = (_nearest(dates, attribution, outside=quoted) or self._last_date.get(actor_id)
                or self._published_month())
        self._last_date[actor_id] = when
        around = self.text[max(s.start, attribution.speaker.start - 40):attribution.speaker.end + 40]
        if ANONYMOUS.search(around):
            how = "anonymous_source"
        elif SPOKESPERSON.search(around):
            how = "spokesperson"
        elif quoted:
            how = "on_record"
        else:
            how = "media_paraphrase"
        self_declared = declares_continuity(quote)
        position, reason = "", ""
        if self_declared and self.topic:
            if actor_id not in self._on_record:
                self._on_record[actor_id] = store_view.position_on_record(
                    self.con, self.known.parent_line(actor_id), self.topic)
            on_record = self._on_record[actor_id]
            if on_record:
                position, reason = on_record[0], f"says 'no change': the position on record ({on_record[1]})"
        statement = StatementProposal(
            self.keys.new("stmt", actor_id, when, quote), s.start, s.end, actor_id, quote, when, self.topic,
            document_id, self.language, how, self_declared, position, reason,
        )
        self.statements.append(statement)
        if quoted:
            self._quoted.add(statement.statement_id)
        sentence_text = self.text[s.start:s.end]
        denies, confirms = DENY.search(sentence_text), CONFIRM.search(sentence_text)
        # "dismissed reports that Moscow wanted them back": the words after a denial are what is denied
        reading = position if self_declared else "" if denies or confirms else asserted_position(self.known, self.topic, quote)
        if reading:
            self._reads[statement.statement_id] = reading
        if denies or confirms:
            self._polarity[statement.statement_id] = "answers"  # a reply to reports: never merged away
        if denies:
            self._stance[statement.statement_id] = "denies"
        elif confirms:
            self._stance[statement.statement_id] = "confirms"
        elif self_declared:
            self._stance[statement.statement_id] = "no change"
        self._sentence_of[statement.statement_id] = s.start

    def _new_actor(self, s: Sentence, dates: list[DateMention]) -> None:
        """A capitalised name by a speech verb that no known name matches: offered as 'new actor?', never guessed."""
        patterns = (_NEW_TR,) if self.language == "tr" else (_NEW_BEFORE, _NEW_AFTER)
        for pattern in patterns:
            match = pattern.search(self.text, s.start, s.end)
            if not match or inside((match.start(1), match.end(1)), self.quotes):
                continue
            name_words = match.group(1).split()
            while name_words and fold(name_words[0]) in _COMMON:
                name_words.pop(0)
            if not name_words or all(fold(w) in _COMMON for w in name_words):
                continue
            if len(name_words) == 1 and match.start(1) == s.start and name_words[0].lower() in _COMMON:
                continue
            name = " ".join(name_words).strip(" ,.'’")
            begin = self.text.index(name, match.start(1))
            actor_id = self.keys.new("", "new", "", name)
            kind = "ministry" if re.search(r"ministry|bakanlığı", name, re.IGNORECASE) else "person"
            self.new_actors.append(ActorProposal(actor_id, name, kind, begin, begin + len(name)))
            self._statement(s, Attribution(Mention(actor_id, begin, begin + len(name)), match.start(), match.end()),
                            dates, self.document.document_id)
            return

    def _events(self, s: Sentence, actors: list[Mention], dates: list[DateMention]) -> None:
        """Background events: a dated clause ('signed in December 2017') with an event word, at month or year."""
        ids = list(dict.fromkeys(m.ident for m in actors))
        for found in dated_events(self.text, s.start, s.end, dates, self.quotes):
            self.events.append(EventProposal(
                self.keys.new(found.event_type, found.date.value, "", ""), s.start, s.end, found.date.value,
                found.event_type, found.title, self.topic, ids, self.document.document_id))

    # -- evidence ---------------------------------------------------------------------
    def merge_restatements(self) -> None:
        """A lede that paraphrases what the body quotes is one statement: keep the quoted one (a reply to a
        report is merged only into a quoted reply of the same kind).

        News copy says it twice ("the ministry reiterated that …", then the
        quotation); two proposals for one statement would count twice.
        """
        dropped = set()
        for paraphrase in self.statements:
            if paraphrase.statement_id in self._quoted:
                continue
            answers = self._polarity.get(paraphrase.statement_id) == "answers"
            for quoted in self.statements:
                if answers and self._stance.get(quoted.statement_id) != self._stance.get(paraphrase.statement_id):
                    continue  # "… rejected the report" beside a quoted "no change": two statements
                if (quoted.statement_id in self._quoted and quoted.actor_id == paraphrase.actor_id
                        and quoted.document_id == paraphrase.document_id
                        and (quoted.stated_on.startswith(paraphrase.stated_on) or paraphrase.stated_on.startswith(quoted.stated_on))):
                    dropped.add(paraphrase.statement_id)
                    if len(paraphrase.stated_on) > len(quoted.stated_on):
                        quoted.stated_on = paraphrase.stated_on
                    break
        self.statements = [s for s in self.statements if s.statement_id not in dropped]

    def link_evidence(self) -> None:
        """Statements that answer the article's reports: a denial contradicts a report of change and backs a
        denial; a confirmation backs it; where both name a position, agreement decides.

        Only claims of other sentences and documents are linked: a report that
        quotes a denial is not evidence about itself.
        """
        linked: set[tuple[str, str]] = set()  # (claim, speaker): one link per speaker, its explicit reply first
        ordered = sorted(self.statements, key=lambda st: self._polarity.get(st.statement_id) != "answers")
        for statement in ordered:
            polarity = self._stance.get(statement.statement_id)
            reading = self._reads.get(statement.statement_id, "")
            for claim in self.claims:
                if (self._sentence_of[claim.claim_id] == self._sentence_of[statement.statement_id]
                        or statement.document_id == claim.document_id):
                    continue
                bearing = relation(polarity, reading, self._polarity[claim.claim_id], claim.asserted_position)
                if bearing and (claim.claim_id, statement.actor_id) not in linked:
                    linked.add((claim.claim_id, statement.actor_id))
                    self.evidence.append(EvidenceProposal(
                        claim.claim_id, bearing, "statement", statement.statement_id, statement.start, statement.end,
                        self.text[statement.start:statement.end][:300]))

    # -- helpers ----------------------------------------------------------------------
    def _published_month(self) -> str:
        """A statement or report with no date of its own: the publication month, no more precise."""
        published = self.article.published
        return f"{published.year:04d}-{published.month:02d}" if published else ""

    def _cited_document(self, source_id: str, when: str) -> DocumentProposal:
        """One 'reported by X on DATE' document per outlet and date, cited by the article's document.

        A report the store already holds (same outlet, same dated period) is
        cited as it is rather than written again.
        """
        key_ = f"{source_id}-{when or 'undated'}"
        if key_ not in self.cited:
            source = self.known.sources[source_id]
            host = self.known.sources.get(self.document.source_id)
            by = host.name if host else self.document.source_id
            stored = None
            if when and (parsed := storable(when)):
                stored = store_view.stored_document(self.con, source_id, parsed.first_day, parsed.precision)
            ident = stored or self.keys.unique(key_)
            self.cited[key_] = DocumentProposal(ident, source_id, f"Report by {source.name} (as cited by {by})",
                                                published_on=when, stored=stored is not None)
            self.document.cites.append(ident)
        return self.cited[key_]

_ANAPHORA = re.compile(r"\b(?:[Tt]he (?:(?:[Ff]oreign|[Dd]efen[cs]e) )?[Mm]inistry|[Mm]inistry spokes(?:man|woman|person)|"
                       r"[Tt]he minister|[Bb]akanlık|He|She)\b")
_PRONOUN_REACH = 400
"""Characters back that 'He said' may reach for the person it stands for (about two sentences)."""


def _with_anaphora(text: str, known: Known, mentions: list[Mention]) -> list[Mention]:
    """'the ministry' / 'the minister' / 'He' as the ministry (or person) named last before it."""
    extra = []
    for match in _ANAPHORA.finditer(text):
        if any(m.start <= match.start() < m.end for m in mentions):
            continue
        phrase = match.group(0).lower()
        pronoun = phrase in ("he", "she")
        wanted = "person" if pronoun or ("minister" in phrase and "ministry" not in phrase) else "ministry"
        reach = match.start() - _PRONOUN_REACH if pronoun else 0
        before = [m for m in mentions if reach <= m.start and m.end <= match.start()
                  and known.actors[m.ident].kind == wanted]
        if before:
            extra.append(Mention(before[-1].ident, match.start(), match.end()))
    return sorted(mentions + extra, key=lambda m: m.start)


def _within(items: list, starts: list[int], s: Sentence) -> list:
    """The items (mentions, dates or (start, end) spans, sorted by start) that lie inside the sentence."""
    found = items[bisect.bisect_left(starts, s.start):bisect.bisect_left(starts, s.end)]
    return [item for item in found if _end(item) <= s.end]


def _start(item: Any) -> int:
    return item[0] if isinstance(item, tuple) else item.start


def _end(item: Any) -> int:
    return item[1] if isinstance(item, tuple) else item.end


def _nearest(dates: list[DateMention], attribution: Attribution,
             outside: list[tuple[int, int]] | None = None) -> str:
    """The date written closest to the attribution's verb (a quotation's own dates excluded)."""
    candidates = [d for d in dates if not (outside and inside((d.start, d.end), outside))]
    if not candidates:
        return ""
    anchor = attribution.verb_start
    return min(candidates, key=lambda d: min(abs(d.start - anchor), abs(d.end - anchor))).value
