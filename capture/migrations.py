"""The schema, as numbered migrations applied whenever the database is opened.

Every table Harvest keeps is declared here (capture owns the database file); synthesis and the
web app read and write their own tables through their own modules.
Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("harvest")


@migrations()
def m001_capture(db: Database) -> None:
    """Events, their tables, notes, the moderation log and organiser accounts."""
    db.execute(
        """
        CREATE TABLE event (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            date TEXT,
            venue TEXT,
            description TEXT,
            questions TEXT NOT NULL DEFAULT '[]',
            chatham_house INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('draft', 'open', 'closed', 'published')),
            approve_by_default INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE event_table (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            question TEXT,
            host TEXT,
            token TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            UNIQUE (event_id, name)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE note (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            table_id INTEGER REFERENCES event_table(id) ON DELETE SET NULL,
            ref TEXT NOT NULL,
            text TEXT NOT NULL,
            original_text TEXT,
            author TEXT,
            role TEXT CHECK (role IS NULL OR role IN ('scribe', 'attendee', 'speaker', 'organiser')),
            attribution TEXT,
            source TEXT,
            content_hash TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'hidden')),
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            UNIQUE (event_id, ref)
        )
        """
    )
    db.execute("CREATE INDEX note_event_status ON note(event_id, status)")
    db.execute("CREATE INDEX note_event_hash ON note(event_id, content_hash)")
    db.execute(
        """
        CREATE TABLE moderation_log (
            id INTEGER PRIMARY KEY,
            note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
            actor TEXT,
            action TEXT NOT NULL,
            detail TEXT,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE user (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
        """
    )


@migrations()
def m002_synthesis(db: Database) -> None:
    """Synthesis runs with their segments, themes, entities, and the embedding cache."""
    db.execute(
        """
        CREATE TABLE synthesis_run (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
            progress REAL NOT NULL DEFAULT 0,
            stage TEXT,
            settings TEXT NOT NULL DEFAULT '{}',
            models TEXT NOT NULL DEFAULT '{}',
            timings TEXT NOT NULL DEFAULT '{}',
            error TEXT,
            result TEXT,
            started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            finished_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX synthesis_run_event ON synthesis_run(event_id, status)")
    db.execute(
        """
        CREATE TABLE theme (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES synthesis_run(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            label TEXT NOT NULL,
            keywords TEXT NOT NULL DEFAULT '[]',
            summary TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0,
            seeded INTEGER NOT NULL DEFAULT 0,
            edited INTEGER NOT NULL DEFAULT 0,
            quotes TEXT NOT NULL DEFAULT '[]',
            tables TEXT NOT NULL DEFAULT '[]',
            UNIQUE (run_id, key)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE segment (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES synthesis_run(id) ON DELETE CASCADE,
            note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            theme_id INTEGER REFERENCES theme(id) ON DELETE SET NULL
        )
        """
    )
    db.execute("CREATE INDEX segment_run ON segment(run_id, theme_id)")
    db.execute(
        """
        CREATE TABLE entity (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES synthesis_run(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 1
        )
        """
    )
    db.execute(
        """
        CREATE TABLE embedding (
            model TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (model, text_hash)
        )
        """
    )


@migrations()
def m003_publishing(db: Database) -> None:
    """Organiser edits of themes, confirmed redactions and published digests."""
    db.execute(
        """
        CREATE TABLE theme_edit (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            op TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            actor TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE redaction (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            original TEXT NOT NULL,
            replacement TEXT NOT NULL,
            kind TEXT NOT NULL,
            context TEXT,
            confirmed INTEGER NOT NULL DEFAULT 0,
            UNIQUE (event_id, original)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE digest (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            markdown TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            draft INTEGER NOT NULL DEFAULT 0,
            published_at TEXT,
            UNIQUE (event_id, version)
        )
        """
    )


@migrations()
def m004_reduction_cache(db: Database) -> None:
    """Synthesis: the UMAP reduction of a large event's embeddings, cached like the embeddings,
    so re-running on the same notes does not redo it (keyed by a hash of the input and settings)."""
    db.execute(
        """
        CREATE TABLE reduction_cache (
            key TEXT PRIMARY KEY,
            rows INTEGER NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )


@migrations()
def m005_segmentation_cache(db: Database) -> None:
    """Synthesis: each note's segmentation (span offsets, label phrases, entity mentions), keyed by
    a hash of the note text, the spaCy pipeline and the segmentation settings, so a re-run on the
    same notes parses nothing."""
    db.execute(
        """
        CREATE TABLE segmentation_cache (
            key TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )


@migrations()
def m006_note_identity_per_source(db: Database) -> None:
    """Capture: an imported id is unique within its source (a file name, or a name given with
    --source), not across the event, so two exports that both number their rows 1, 2, 3 both land.
    `source_ref` is the id as the source wrote it; `ref` stays the note's unique name in the event.
    The attendee form stores its idempotency key there too (source 'form'), so a resent POST is
    stored once."""
    db.execute("ALTER TABLE note ADD COLUMN source_ref TEXT")
    # Notes imported before kept their id as ref; (event, ref) was unique, so this is too.
    db.execute("UPDATE note SET source_ref = ref WHERE source IS NOT NULL AND source != 'form'")
    db.execute("CREATE UNIQUE INDEX note_source_ref ON note(event_id, source, source_ref) "
               "WHERE source_ref IS NOT NULL")


@migrations()
def m007_synthesis_run_owner(db: Database) -> None:
    """Synthesis: the process that owns a run (pid, host) and its heartbeat, so a run whose owner
    died is failed when read instead of staying 'running'; and at most one queued or running run
    per event, enforced by the database across processes."""
    db.execute("ALTER TABLE synthesis_run ADD COLUMN owner_pid INTEGER")
    db.execute("ALTER TABLE synthesis_run ADD COLUMN owner_host TEXT")
    db.execute("ALTER TABLE synthesis_run ADD COLUMN heartbeat_at REAL")
    db.execute("ALTER TABLE synthesis_run ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0")
    # Older databases may hold several unfinished runs of one event (stuck ones): keep the newest.
    db.execute(
        """UPDATE synthesis_run SET status = 'failed',
                  error = coalesce(error, 'Interrupted: its process stopped. Start it again.'),
                  finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
           WHERE status IN ('queued', 'running') AND id NOT IN (
               SELECT max(id) FROM synthesis_run WHERE status IN ('queued', 'running') GROUP BY event_id)""")
    db.execute("CREATE UNIQUE INDEX synthesis_run_one_active ON synthesis_run(event_id) "
               "WHERE status IN ('queued', 'running')")


@migrations()
def m008_web_accounts_roles_sessions(db: Database) -> None:
    """Web: admin accounts, organisers' roles on events (owner, editor, moderator), login sessions
    that logout and a password change revoke, and this database's own secret key, so a session
    cookie signed by a server on another database means nothing here. An event with no owner
    belongs to the admins."""
    db.execute("ALTER TABLE user ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0")
    # Before roles every account could open every event: accounts that exist keep that, as admins.
    db.execute("UPDATE user SET is_admin = 1")
    db.execute(
        """
        CREATE TABLE event_member (
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'moderator')),
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            PRIMARY KEY (event_id, user_id)
        )
        """
    )
    db.execute("CREATE INDEX event_member_user ON event_member(user_id)")
    db.execute(
        """
        CREATE TABLE login_session (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
        """
    )
    db.execute("CREATE INDEX login_session_user ON login_session(user_id)")
    db.execute("CREATE TABLE web_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO web_secret (name, value) VALUES ('session_key', lower(hex(randomblob(32))))")


@migrations()
def m009_result_json_only(db: Database) -> None:
    """Synthesis: a run's result is stored once, as the JSON of docs/result.md. The normalised
    theme, segment and entity rows were written on every run and read by nothing but tests."""
    for table in ("segment", "entity", "theme"):
        db.execute(f"DROP TABLE IF EXISTS {table}")


@migrations()
def m011_web_redaction_not_a_person_and_draft_sources(db: Database) -> None:
    """Web: a word the NER took for a name can be kept as it is ("not a person": person = 0); a
    digest draft records what it was made from (the synthesis run, a hash of the edited result, and
    the template's Markdown at the time) so the Digest tab can say when it went stale and merge the
    organiser's own paragraphs into a fresh draft."""
    db.execute("ALTER TABLE redaction ADD COLUMN person INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE digest ADD COLUMN run_id INTEGER")
    db.execute("ALTER TABLE digest ADD COLUMN source_hash TEXT")
    db.execute("ALTER TABLE digest ADD COLUMN base_markdown TEXT")
    db.execute("ALTER TABLE digest ADD COLUMN source_labels TEXT")


@migrations()
def m012_capture_note_number(db: Database) -> None:
    """Capture: each note's number in its event (1, 2, 3 ... in the order stored), given at insert
    and never changed, so a quote's citation ("Table 2, note 5") is the number the organiser sees
    in moderation and stays the same across re-runs. Existing notes are numbered in id order."""
    db.execute("ALTER TABLE note ADD COLUMN number INTEGER")
    db.execute(
        """UPDATE note SET number = numbered.n
           FROM (SELECT id, row_number() OVER (PARTITION BY event_id ORDER BY id) AS n FROM note) AS numbered
           WHERE numbered.id = note.id""")
    db.execute("CREATE UNIQUE INDEX note_event_number ON note(event_id, number)")


@migrations()
def m013_web_withdrawn_digests_audit_log_upload_stash(db: Database) -> None:
    """Web: a published version can be withdrawn (kept, marked, gone from the public pages and the
    feed); an audit log of publishing, withdrawing and deleting events, which outlives the event
    it names; and the upload stash, which keeps an uploaded spreadsheet server-side for a while
    (keyed by a random token) while the organiser picks its columns."""
    db.execute("ALTER TABLE digest ADD COLUMN withdrawn_at TEXT")
    db.execute("ALTER TABLE digest ADD COLUMN withdrawn_by TEXT")
    db.execute(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            event_id INTEGER REFERENCES event(id) ON DELETE SET NULL,
            event_slug TEXT NOT NULL,
            actor TEXT,
            action TEXT NOT NULL,
            detail TEXT,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )
    db.execute("CREATE INDEX audit_log_slug ON audit_log(event_slug, id)")
    db.execute(
        """
        CREATE TABLE upload_stash (
            token_hash TEXT PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES user(id) ON DELETE CASCADE,
            filename TEXT NOT NULL,
            data BLOB NOT NULL,
            created_at REAL NOT NULL
        )
        """
    )



@migrations()
def m014_web_publication_generation(db: Database) -> None:
    """Web: a counter that moves whenever a published digest version is added, changed (withdrawn)
    or deleted, kept by triggers, so the public pages and the feed can be cached per published state
    and every process (a second server, `harvest publish` in a terminal) sees the change at once."""
    db.execute("CREATE TABLE publication_generation (n INTEGER NOT NULL)")
    db.execute("INSERT INTO publication_generation (n) VALUES (0)")
    for name, when, row in (("insert", "AFTER INSERT", "NEW.draft = 0"),
                            ("update", "AFTER UPDATE", "NEW.draft = 0 OR OLD.draft = 0"),
                            ("delete", "AFTER DELETE", "OLD.draft = 0")):
        db.execute(f"CREATE TRIGGER digest_published_{name} {when} ON digest WHEN {row} "
                   "BEGIN UPDATE publication_generation SET n = n + 1; END")


@migrations()
def m015_network_series(db: Database) -> None:
    """Networks: a named series of events; network digest edits and published network versions.
    A network is keyed by its series slug, or 'all' for every published event."""
    db.execute(
        """
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
        """
    )
    db.execute("ALTER TABLE event ADD COLUMN series_id INTEGER REFERENCES series(id) ON DELETE SET NULL")
    db.execute(
        """
        CREATE TABLE network_edit (
            id INTEGER PRIMARY KEY,
            network TEXT NOT NULL,
            op TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            actor TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE network_version (
            id INTEGER PRIMARY KEY,
            network TEXT NOT NULL,
            version INTEGER NOT NULL,
            markdown TEXT NOT NULL,
            data TEXT NOT NULL,
            published_at TEXT NOT NULL,
            actor TEXT,
            withdrawn_at TEXT,
            UNIQUE (network, version)
        )
        """
    )
    # Public pages and the feed are cached per published state (m014): network versions count too.
    for name, when in (("insert", "AFTER INSERT"), ("update", "AFTER UPDATE"), ("delete", "AFTER DELETE")):
        db.execute(f"CREATE TRIGGER network_published_{name} {when} ON network_version "
                   "BEGIN UPDATE publication_generation SET n = n + 1; END")


@migrations()
def m016_synthesis_bertopic_cache(db: Database) -> None:
    """Synthesis: a large event's BERTopic topics and keywords, keyed by a hash of what they are
    made of (the UMAP reduction, the texts, the settings, the final themes), so a re-run on the
    same notes reads them without importing BERTopic."""
    db.execute(
        """
        CREATE TABLE bertopic_cache (
            key TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """
    )


@migrations()
def m017_web_draft_text_kept_apart(db: Database) -> None:
    """Web: what regenerating a draft could not keep with its theme (the organiser's paragraphs
    under a theme the new synthesis no longer has), as JSON, so the Digest tab says where that text
    went and publishing waits until the organiser has looked (saved the draft) -- never silently
    under another theme."""
    db.execute("ALTER TABLE digest ADD COLUMN kept_apart TEXT")
