//! The catalog database: `INDEX_DIR/catalog.sqlite` (SQLite, bundled).
//!
//! Tables: `sources`, `versions` (sha256, fetched_at, HTTP validators, size, extraction
//! result, text hash), `runs` and `run_sources` (start, end, outcome, per-source result and
//! timing), `sections` (per version: number, heading, pages, text hash) and `theme_matches`
//! (per version and section: theme, score, the run that first saw it). The schema version is
//! SQLite's `user_version`; [`MIGRATIONS`] bring an older file up to date inside one
//! transaction. A `catalog.json` from before the database is imported once, in the same
//! transaction that creates the schema, and then renamed `catalog.json.imported`.
//!
//! Concurrency: WAL mode, so readers (`status`, `changes`, `search`, a web server) never block
//! the nightly run and never see a half-written stage; one writer at a time is guaranteed by
//! the index lock, and `busy_timeout` covers a reader's brief checkpoint. `synchronous=FULL`
//! makes every committed stage durable before the pipeline moves on.
//!
//! Architecture invariant: this module stores what the stages report; it never fetches,
//! extracts or touches the search index.

mod legacy;
mod read;
mod schema;
#[cfg(test)]
mod tests;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::keys::section_keys;
use super::{Catalog, CatalogError, RUNS_KEPT};
use crate::extract::model::ExtractedDoc;

use legacy::finish_legacy_import;
use read::feed_stamp;
pub use read::{NewThemeMatch, RunWindow, load_snapshot, new_theme_matches, section_summaries};
pub use schema::SCHEMA_VERSION;
use schema::migrate;
use write::{upsert_run, upsert_source, upsert_version, write_sections, write_theme_matches};

/// The database file inside the index dir.
pub(crate) const FILE_NAME: &str = "catalog.sqlite";
/// How long a connection waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The database path inside an index dir.
pub fn path_in(index_dir: &Path) -> PathBuf {
    index_dir.join(FILE_NAME)
}

fn db_error(path: &Path, err: impl std::fmt::Display) -> CatalogError {
    CatalogError::Db {
        path: path.display().to_string(),
        message: err.to_string().replace('\n', " "),
    }
}

/// A section of an extracted version as the catalog keeps it: where it is and a hash of its
/// text (whitespace-normalised), enough to tell added, removed and modified sections apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionSummary {
    pub ordinal: u64,
    pub number: Option<String>,
    pub heading: Option<String>,
    pub level: u8,
    pub page_start: u32,
    pub page_end: u32,
    pub text_hash: String,
    pub chars: u64,
}

impl SectionSummary {
    /// Summaries of every section of a document, in order.
    pub fn of(doc: &ExtractedDoc) -> Vec<SectionSummary> {
        doc.sections
            .iter()
            .enumerate()
            .map(|(ordinal, s)| SectionSummary {
                ordinal: ordinal as u64,
                number: s.number.clone(),
                heading: s.heading.clone(),
                level: s.level,
                page_start: s.page_start,
                page_end: s.page_end,
                text_hash: text_hash(&s.text),
                chars: s.text.chars().count() as u64,
            })
            .collect()
    }
}

/// Hash of a section's text with whitespace normalised: a re-flowed paragraph is no change.
pub(crate) fn text_hash(text: &str) -> String {
    let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
    super::store::sha256_hex(normalized.as_bytes())
}

/// Hash of a whole version's text: section identities and their text hashes, in order.
pub(crate) fn version_text_hash(sections: &[SectionSummary]) -> String {
    let keys = section_keys(
        sections
            .iter()
            .map(|s| (s.number.as_deref(), s.heading.as_deref())),
    );
    let mut text = String::new();
    for (key, section) in keys.iter().zip(sections) {
        text.push_str(key);
        text.push('\u{1f}');
        text.push_str(&section.text_hash);
        text.push('\u{1e}');
    }
    super::store::sha256_hex(text.as_bytes())
}

/// The sections of one extracted version, written with the stage that extracted it.
#[derive(Debug, Clone)]
pub struct VersionSections {
    pub source: String,
    pub sha256: String,
    pub sections: Vec<SectionSummary>,
}

/// The theme matches of one indexed version, written by the match stage.
#[derive(Debug, Clone)]
pub struct VersionMatches {
    pub source: String,
    pub sha256: String,
    /// (section ordinal, theme id, score)
    pub matches: Vec<(u64, String, f32)>,
}

/// Rows a stage writes besides the snapshot, in the same transaction.
#[derive(Debug, Clone, Default)]
pub struct StageWrites {
    /// The run doing the writing (theme matches remember the run that first saw them).
    pub run: Option<u64>,
    pub sections: Vec<VersionSections>,
    /// Every match of each listed version (an empty list clears a version's matches).
    pub theme_matches: Vec<VersionMatches>,
}

/// The writer's connection, held by the pipeline under the index lock.
pub struct CatalogDb {
    conn: Connection,
    path: PathBuf,
    /// What the database holds, so [`CatalogDb::save`] writes only what changed.
    saved: Catalog,
}

fn configure(conn: &Connection, path: &Path, writer: bool) -> Result<(), CatalogError> {
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| db_error(path, e))?;
    if writer {
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(|e| db_error(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "catalog is not in WAL mode; readers may wait for the writer");
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| db_error(path, e))?;
    } else {
        conn.pragma_update(None, "query_only", true)
            .map_err(|e| db_error(path, e))?;
    }
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(|e| db_error(path, e))?;
    Ok(())
}

fn user_version(conn: &Connection, path: &Path) -> Result<i64, CatalogError> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| db_error(path, e))
}

/// Opens the database for reading, or `None` when it does not exist (yet). Reading never
/// takes the index lock and never blocks a writer.
pub(crate) fn open_reader(index_dir: &Path) -> Result<Option<Connection>, CatalogError> {
    let path = path_in(index_dir);
    if !path.is_file() {
        return Ok(None);
    }
    // Read-write without create: a WAL reader may need to create the shared-memory file;
    // `query_only` then refuses any write. A read-only file system falls back to read-only.
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .or_else(|_| {
        Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    })
    .map_err(|e| db_error(&path, e))?;
    configure(&conn, &path, false)?;
    match user_version(&conn, &path)? {
        0 => Ok(None), // being created right now: nothing committed yet
        v if v > SCHEMA_VERSION => Err(CatalogError::TooNew {
            path: path.display().to_string(),
            found: v,
            supported: SCHEMA_VERSION,
        }),
        v if v < SCHEMA_VERSION => Err(db_error(
            &path,
            format!(
                "schema version {v} predates this samspor ({SCHEMA_VERSION}); run `samspor run` once to migrate it"
            ),
        )),
        _ => Ok(Some(conn)),
    }
}

impl CatalogDb {
    /// Opens (creating, migrating and importing `catalog.json` as needed) the catalog for
    /// writing. Call under the index lock.
    pub fn open(index_dir: &Path) -> Result<CatalogDb, CatalogError> {
        std::fs::create_dir_all(index_dir).map_err(|source| CatalogError::Write {
            path: index_dir.display().to_string(),
            source,
        })?;
        let path = path_in(index_dir);
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_error(&path, e))?;
        configure(&conn, &path, true)?;
        migrate(&mut conn, &path, index_dir)?;
        finish_legacy_import(&conn, &path, index_dir)?;
        let saved = load_snapshot(&conn, index_dir)?;
        Ok(CatalogDb { conn, path, saved })
    }

    /// A snapshot of what is stored, for the pipeline to work on.
    pub fn snapshot(&self) -> Catalog {
        self.saved.clone()
    }

    /// Writes what differs between `catalog` and the stored state, plus the stage's own rows,
    /// in one transaction: after a crash the catalog is as of the last finished save.
    pub(crate) fn save(
        &mut self,
        catalog: &Catalog,
        writes: &StageWrites,
    ) -> Result<(), CatalogError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| db_error(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        for (id, record) in &catalog.sources {
            let before = self.saved.sources.get(id);
            if before == Some(record) {
                continue;
            }
            upsert_source(&tx, id, record).map_err(err)?;
            for version in &record.versions {
                if before.and_then(|b| b.version(&version.sha256)) != Some(version) {
                    upsert_version(&tx, id, version).map_err(err)?;
                }
            }
        }
        let mut newest_new_run = None;
        for run in &catalog.runs {
            let before = self.saved.run(run.id);
            if before == Some(run) {
                continue;
            }
            if before.is_none() {
                newest_new_run = Some(run.id);
            }
            upsert_run(&tx, run).map_err(err)?;
        }
        if let Some(newest) = newest_new_run {
            tx.execute(
                "DELETE FROM runs WHERE id <= ?1",
                params![newest.saturating_sub(RUNS_KEPT)],
            )
            .map_err(err)?;
        }
        if catalog.themes_fingerprint != self.saved.themes_fingerprint {
            set_meta(
                &tx,
                "themes_fingerprint",
                catalog.themes_fingerprint.as_deref(),
            )
            .map_err(err)?;
        }
        if catalog.matched_state != self.saved.matched_state {
            set_meta(&tx, "matched_state", catalog.matched_state.as_deref()).map_err(err)?;
        }
        for version in &writes.sections {
            write_sections(&tx, version).map_err(err)?;
        }
        for version in &writes.theme_matches {
            write_theme_matches(&tx, writes.run, version).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        self.saved = catalog.clone();
        Ok(())
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, CatalogError> {
        get_meta(&self.conn, key).map_err(|e| db_error(&self.path, e))
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<(), CatalogError> {
        set_meta(&self.conn, key, Some(value)).map_err(|e| db_error(&self.path, e))
    }

    /// Changes whenever something the feed shows may have changed (see [`feed_stamp`]).
    pub(crate) fn feed_stamp(&self) -> Result<String, CatalogError> {
        feed_stamp(&self.conn).map_err(|e| db_error(&self.path, e))
    }
}

fn get_meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
        row.get(0)
    })
    .optional()
}

fn set_meta(conn: &Connection, key: &str, value: Option<&str>) -> rusqlite::Result<()> {
    match value {
        Some(value) => conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        ),
        None => conn.execute("DELETE FROM meta WHERE key = ?1", [key]),
    }
    .map(|_| ())
}

fn time(value: &Option<DateTime<Utc>>) -> Option<String> {
    value.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}
