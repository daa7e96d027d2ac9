-- Stancewatch store (store.SCHEMA_VERSION says which version; store.MIGRATIONS how older ones upgrade).
-- Keys are analyst-readable slugs so that re-imports update rather than duplicate.
-- Vocabularies are CHECK constraints; lib/vocab.py holds the same lists for
-- validation messages (a unit test keeps the two equal).
-- References between tables are checked by the importers, not declared as
-- FOREIGN KEYs: DuckDB 2.0 refuses, inside a transaction, to update a row that
-- another table references (even a non-key column), which would make every
-- corrected re-import fail.

create table if not exists meta (
    key   varchar primary key,
    value varchar not null
);

create table if not exists sources (
    source_id     varchar primary key,
    name          varchar not null,
    kind          varchar not null check (kind in ('official', 'state_media', 'independent_media', 'wire', 'think_tank', 'social', 'other')),
    country       varchar,
    url           varchar,
    analyst_grade varchar check (analyst_grade is null or regexp_full_match(analyst_grade, '[A-F][1-6]?')),
    grade_note    varchar
);

-- No primary key, like events: writers keep document_id unique (a bundle merges by it, a dataset import
-- adds only ids the store lacks). A GDELT day adds ~45,000 documents, fewer than a row group, so they
-- pass through the write-ahead log; with the key's index that log filled every second day and the
-- commit then checkpointed it (0.2-0.3 s of a ~1.4 s day).
create table if not exists documents (
    document_id        varchar not null,
    source_id          varchar not null,
    title              varchar,
    url                varchar,
    published_on       date,
    date_precision     varchar check (date_precision in ('day', 'month', 'year')),
    language           varchar,
    -- documents this one reports from: a source that only cites another is not
    -- an independent witness (docs/GRADING.md)
    cites_document_ids varchar[] not null default []
);

create table if not exists actors (
    actor_id        varchar primary key,
    name            varchar not null,
    kind            varchar not null check (kind in ('state', 'ministry', 'person', 'organisation', 'anonymous')),
    country         varchar,
    parent_actor_id varchar,
    aliases         varchar[] not null default []
);

create table if not exists topics (
    topic_id    varchar primary key,
    name        varchar not null,
    description varchar
);

create table if not exists positions (
    topic_id      varchar not null,
    position_code varchar not null,
    label         varchar not null,
    ordinal       integer not null,
    primary key (topic_id, position_code)
);

-- Readable labels for dataset codes (CAMEO, ACLED) and curated event types.
create table if not exists event_types (
    vocabulary varchar not null,
    code       varchar not null,
    label      varchar not null,
    primary key (vocabulary, code)
);

-- No primary key: writers keep event_id unique (a bundle merges by it, a dataset import adds only ids
-- the store lacks and refuses a file that repeats one). DuckDB builds and checkpoints the key's index
-- on every write: 0.2 s of a 1.4 s GDELT day, and no query here is faster for it (joins hash).
create table if not exists events (
    event_id       varchar not null,
    occurred_on    date not null,
    date_precision varchar not null default 'day' check (date_precision in ('day', 'month', 'year')),
    event_type     varchar not null,
    title          varchar not null,
    description    varchar,
    topic_id       varchar,
    location       varchar,
    origin         varchar not null default 'curated' check (origin in ('curated', 'gdelt', 'icews', 'acled', 'synthetic')),
    origin_ref     varchar,
    goldstein      double,
    fatalities     integer
);

create table if not exists event_actors (
    event_id varchar not null,
    actor_id varchar not null,
    role     varchar not null default 'participant' check (role in ('initiator', 'target', 'participant'))
    -- no primary key: writers keep pairs unique (an index here costs a third of a GDELT import's time
    -- and gigabytes at tens of millions of links)
);

-- derived, never imported or exported: event-actor links per actor and event date, so that the Timeline's
-- density by actor sums counts instead of joining every event in range to its actors (a month of 2M
-- GDELT events: 250 ms -> 2 ms; a year at 10M synthetic events: 640 -> 100 ms). event_actor_days has
-- one row per actor, date and precision after a rebuild; a dataset import appends its own counts, so a
-- key may repeat and readers sum. event_actor_months, the same by month, is what the events of
-- timeline_actor_months (the opening view, all dates) are recounted from. Both are rebuilt by store.transaction after writes of events or links;
-- a dataset import adds its new links itself.
create table if not exists event_actor_days (
    actor_id       varchar not null,
    occurred_on    date not null,
    date_precision varchar not null,
    links          bigint not null
);

create table if not exists event_actor_months (
    actor_id varchar not null,
    month    date not null,
    links    bigint not null,
    primary key (actor_id, month)
);

-- derived, never imported or exported: the Timeline's opening view (density by actor and month, all dates) in one
-- row per actor and month: event-actor links (from event_actor_months), statements by their actor and claims by
-- their subject (null: claims without one). Summing it answers that view without grouping a million statements and
-- a million claims and unioning them with the links (0.46 -> 0.08 s CPU at 10M events). lib/derived.py recounts a
-- column when its table was written (events from event_actor_months); rows with three zeros are deleted.
create table if not exists timeline_actor_months (
    actor_id   varchar,
    month      date not null,
    events     bigint not null,
    statements bigint not null,
    claims     bigint not null
);

-- derived, never imported or exported: how many documents each source published and how many events each event type
-- has (no row for zero), so the filter sidebar of every first load lists the busiest sources and event types first
-- without grouping every document and every event (4.5M documents and 10M events: 0.37 s CPU at 10M events).
-- lib/derived.py recounts the sources and event types a write's rows name, now and in their audited former values.
create table if not exists source_document_counts (
    source_id varchar not null,
    documents bigint not null
);

create table if not exists event_type_counts (
    event_type varchar not null,
    events     bigint not null
);

create table if not exists event_documents (
    event_id    varchar not null,
    document_id varchar not null
    -- unique by construction, like event_actors
);

create table if not exists statements (
    statement_id   varchar primary key,
    stated_on      date not null,
    date_precision varchar not null default 'day' check (date_precision in ('day', 'month', 'year')),
    actor_id       varchar not null,
    topic_id       varchar not null,
    position_code  varchar,
    quote          varchar,
    attribution    varchar check (attribution in ('on_record', 'spokesperson', 'anonymous_source', 'media_paraphrase')),
    document_id    varchar,
    language       varchar,
    -- the quote itself says "no change in our position" (lib/phrases.py), set on write
    self_declared_continuity boolean not null default false,
    -- derived, never imported or exported: first / reaffirmed / shifted / unclear against the actor's own
    -- record (lib/stances/stance.py rules), refreshed in every transaction that writes statements (store.transaction)
    own_continuity varchar
);

create table if not exists claims (
    claim_id         varchar primary key,
    claimed_on       date not null,
    date_precision   varchar not null default 'day' check (date_precision in ('day', 'month', 'year')),
    document_id      varchar not null,
    topic_id         varchar,
    subject_actor_id varchar,
    text             varchar not null,
    -- for a reported shift: the position the claim says the subject actor moved to
    asserted_position_code varchar
);

create table if not exists evidence (
    claim_id      varchar not null,
    relation      varchar not null check (relation in ('corroborates', 'contradicts')),
    evidence_type varchar not null check (evidence_type in ('statement', 'event', 'document', 'claim')),
    evidence_id   varchar not null,
    noted_on      date,
    note          varchar,
    primary key (claim_id, evidence_type, evidence_id)
);

-- derived, never imported or exported: each claim's judgement by docs/GRADING.md (lib/sources/judgements.py), so that a
-- track record sums rows instead of judging every claim (10.5 s at 1M claims). Refreshed by store.transaction for
-- exactly the claims whose claims, evidence, documents, statements or events rows it wrote.
create table if not exists claim_judgements (
    claim_id                  varchar not null,
    claimed_on                date not null,
    date_precision            varchar not null,
    document_id               varchar not null,
    source_id                 varchar not null,
    topic_id                  varchar,
    subject_actor_id          varchar,
    corroborating             bigint not null,
    contradicting             bigint not null,
    independent_corroborating bigint not null,
    independent_contradicting bigint not null,
    first_outcome_on          date,
    status                    varchar not null,
    credibility               integer not null,
    first_report              boolean not null
);

-- derived likewise: each source's counts summed from claim_judgements (judgements.totals_sql), the unfiltered track
-- record of every source; summed anew for the outlets of the claims a write judged anew
create table if not exists source_judgement_totals (
    source_id                  varchar not null,
    claims                     bigint not null,
    corroborated               bigint not null,
    contradicted               bigint not null,
    contested                  bigint not null,
    open                       bigint not null,
    median_days_to_outcome     double,
    first_reports_corroborated bigint not null,
    -- the Admiralty letter these counts earn (lib/sources/reliability.py derived_letters, schema 14): the Timeline's
    -- grade column reads it instead of estimating every source's interval with scipy at page open
    derived_grade              varchar
);

-- derived likewise: each series' standing (stance.standing_rows, kept by lib/derived.py), what the Overview's "where each actor stands"
-- lists, judged by the group rule for every series in both modes (inherit: the actor with its descendants; not: the
-- actor alone), so that the Overview reads 50 rows instead of judging 236k statements (4.5 s at 10M events).
-- Refreshed by store.transaction for exactly the series whose statements or actor tree it wrote.
create table if not exists series_standings (
    series_actor_id          varchar not null,
    topic_id                 varchar not null,
    inherit                  boolean not null,
    statements               bigint not null,
    current_positions        varchar[] not null,
    held_since               date,
    held_since_precision     varchar,
    shifts                   integer not null,
    divergent                integer not null,
    reaffirmations           integer not null,
    last_statement_on        date not null,
    last_statement_precision varchar not null
);

-- each statement's label on its series' line, in both modes (derived: lib/derived.py keeps it with series_standings,
-- judged in the same pass); what the Stances page lists and its cards count, read instead of judged at page open
create table if not exists series_labels (
    series_actor_id    varchar not null,
    topic_id           varchar not null,
    inherit            boolean not null,
    statement_id       varchar not null,
    continuity         varchar not null,
    previous_positions varchar[] not null
);

create sequence if not exists audit_seq;
create table if not exists audit_log (
    audit_id   bigint primary key default nextval('audit_seq'),
    logged_at  timestamp not null default current_timestamp,
    who        varchar not null,
    action     varchar not null,
    table_name varchar not null,
    row_key    varchar,
    before     json,
    after      json
);

create sequence if not exists import_seq;
create table if not exists imports (
    import_id bigint primary key default nextval('import_seq'),
    imported_at timestamp not null default current_timestamp,
    who       varchar not null,
    format    varchar not null,
    file_name varchar not null,
    sha256    varchar not null,
    rows      json,
    status    varchar not null check (status in ('applied', 'unchanged', 'refused')),
    message   varchar
);

-- Alerts the analyst has acknowledged (a shift shown at the top until then).
create table if not exists acknowledgements (
    statement_id    varchar primary key,
    acknowledged_at timestamp not null default current_timestamp,
    who             varchar not null
);

create table if not exists briefs (
    brief_id   varchar primary key,
    title      varchar not null,
    saved_at   timestamp not null default current_timestamp,
    who        varchar not null,
    content    json not null
);

-- The full-text index (lib/search/index.py), kept current by every write for exactly the rows it wrote.
-- search_docs: one row per indexed item (its language, token count, what a result shows, a digest of all
-- that); docid is new whenever any of it changes, so a changed item is a delete plus an insert. docids are
-- one above the largest in use (no sequence: the team store has none).
create table if not exists search_docs (
    docid   bigint not null,
    kind    varchar not null,
    item_id varchar not null,
    lang    varchar not null,
    len     integer not null,
    digest  ubigint not null,
    -- what a result shows: date, title (a statement's actor id), text, link; date_precision lets a date
    -- filter test an item's period here, without the item tables
    dated          date,
    date_precision varchar,
    title          varchar,
    text           varchar,
    url            varchar
);
-- search_postings: one row per (term, item), in (lang, term, impact descending) order so that a term's rows
-- sit in few row groups and its best come first; len repeats the item's token count so that BM25 needs no
-- join; impact is BM25's term-frequency part under search_stats.ref_len (the bound that lets a query stop
-- early); pos are the term's token positions (phrases). English terms are English stems; Turkish terms are
-- the words themselves (matched by prefix).
create table if not exists search_postings (
    lang   varchar not null,
    term   varchar not null,
    docid  bigint not null,
    tf     integer not null,
    len    integer not null,
    impact real not null,
    pos    integer[] not null
);
-- per term: its document frequency (BM25's idf) and, for common terms, the impacts its 1,000th, 10,000th and
-- 100,000th best postings had at the last build (hints: a query checks the bound they give before trusting it)
create table if not exists search_terms (
    lang varchar not null,
    term varchar not null,
    df   bigint not null,
    cuts real[]
);
-- per language: items and tokens indexed (BM25's N and average length), and the average length the
-- postings' impacts were computed with (set by a build, kept by later writes)
create table if not exists search_stats (
    lang    varchar not null,
    docs    bigint not null,
    tokens  bigint not null,
    ref_len double not null
);
