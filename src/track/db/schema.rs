//! The schema and its migrations.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::legacy::import_legacy;
use super::{db_error, user_version};
use crate::track::CatalogError;

/// Schema migrations: entry `n` takes `user_version` `n` to `n + 1`. Append, never edit.
const MIGRATIONS: &[&str] = &[SCHEMA_V1, SCHEMA_V2];
/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) const SCHEMA_V1: &str = r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('ok', 'failed', 'pending')),
    last_error TEXT,
    failed_stage TEXT,
    fetched_at TEXT,
    last_attempt_at TEXT,
    failures_since_ok INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    etag TEXT,
    last_modified TEXT,
    url TEXT,
    indexed_sha256 TEXT,
    removed_at TEXT,
    removed_run INTEGER,
    title TEXT
);

CREATE TABLE versions (
    source TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('pdf', 'html')),
    fetched_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    first_run INTEGER,
    extracted_run INTEGER,
    pages INTEGER,
    sections INTEGER,
    warnings INTEGER,
    extract_error TEXT,
    text_hash TEXT,
    PRIMARY KEY (source, sha256)
);
CREATE INDEX versions_first_run ON versions(first_run);

CREATE TABLE sections (
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    number TEXT,
    heading TEXT,
    level INTEGER NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    chars INTEGER NOT NULL,
    PRIMARY KEY (source, sha256, ordinal),
    FOREIGN KEY (source, sha256) REFERENCES versions(source, sha256) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL,
    sections_indexed INTEGER NOT NULL DEFAULT 0,
    reindexed TEXT NOT NULL DEFAULT '[]',
    theme_matches INTEGER NOT NULL DEFAULT 0,
    stage_millis TEXT NOT NULL DEFAULT '{}',
    total_millis INTEGER,
    counts TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE run_sources (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    result TEXT NOT NULL,
    change TEXT,
    error TEXT,
    stage TEXT,
    millis INTEGER NOT NULL,
    extract_millis INTEGER,
    PRIMARY KEY (run, source)
) WITHOUT ROWID;

CREATE TABLE theme_matches (
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    theme TEXT NOT NULL,
    score REAL NOT NULL,
    first_run INTEGER,
    -- Set when the section did not carry this theme in the source's previous matched version.
    new_in_run INTEGER,
    recorded_run INTEGER,
    PRIMARY KEY (source, sha256, ordinal, theme),
    FOREIGN KEY (source, sha256) REFERENCES versions(source, sha256) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX theme_matches_new ON theme_matches(new_in_run) WHERE new_in_run IS NOT NULL;
"#;

/// Where a source's newest version came from after redirects, and where a permanent
/// redirect says it has moved (for `status`).
const SCHEMA_V2: &str = r#"
ALTER TABLE sources ADD COLUMN final_url TEXT;
ALTER TABLE sources ADD COLUMN moved_to TEXT;
"#;

pub(super) fn migrate(
    conn: &mut Connection,
    path: &Path,
    index_dir: &Path,
) -> Result<(), CatalogError> {
    let err = |e: rusqlite::Error| db_error(path, e);
    let current = user_version(conn, path)?;
    if current > SCHEMA_VERSION {
        return Err(CatalogError::TooNew {
            path: path.display().to_string(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    for (from, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(migration).map_err(err)?;
        tracing::info!(path = %path.display(), from, to = from + 1, "catalog schema migrated");
    }
    if current == 0 {
        import_legacy(&tx, path, index_dir)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(err)?;
    tx.commit().map_err(err)
}
