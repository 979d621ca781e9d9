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

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::keys::section_keys;
use super::{
    Catalog, CatalogError, ExtractSummary, MAX_RUNS, RunCounts, RunOutcome, RunRecord,
    SourceChange, SourceRecord, SourceResult, SourceRun, SourceState, VersionRecord,
    extracted_path,
};
use crate::extract::model::{ExtractedDoc, Format};

/// The database file inside the index dir.
pub const FILE_NAME: &str = "catalog.sqlite";
/// Runs kept in the database; older runs (and their per-source rows) are deleted.
pub const RUNS_KEPT: u64 = 1000;
/// How long a connection waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema migrations: entry `n` takes `user_version` `n` to `n + 1`. Append, never edit.
const MIGRATIONS: &[&str] = &[SCHEMA_V1, SCHEMA_V2];
/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const SCHEMA_V1: &str = r#"
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
pub fn text_hash(text: &str) -> String {
    let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
    super::store::sha256_hex(normalized.as_bytes())
}

/// Hash of a whole version's text: section identities and their text hashes, in order.
pub fn version_text_hash(sections: &[SectionSummary]) -> String {
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
    index_dir: PathBuf,
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
pub fn open_reader(index_dir: &Path) -> Result<Option<Connection>, CatalogError> {
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
        Ok(CatalogDb {
            conn,
            path,
            index_dir: index_dir.to_path_buf(),
            saved,
        })
    }

    /// A snapshot of what is stored, for the pipeline to work on.
    pub fn snapshot(&self) -> Catalog {
        self.saved.clone()
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn index_dir(&self) -> &Path {
        &self.index_dir
    }

    /// Writes what differs between `catalog` and the stored state, plus the stage's own rows,
    /// in one transaction: after a crash the catalog is as of the last finished save.
    pub fn save(&mut self, catalog: &Catalog, writes: &StageWrites) -> Result<(), CatalogError> {
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

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), CatalogError> {
        set_meta(&self.conn, key, Some(value)).map_err(|e| db_error(&self.path, e))
    }
}

fn migrate(conn: &mut Connection, path: &Path, index_dir: &Path) -> Result<(), CatalogError> {
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

/// Imports `catalog.json` (and the sections of its extracted versions, and the stored theme
/// matches) into a freshly created schema.
fn import_legacy(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    index_dir: &Path,
) -> Result<(), CatalogError> {
    let legacy_path = Catalog::legacy_path_in(index_dir);
    if !legacy_path.is_file() {
        return Ok(());
    }
    let err = |e: rusqlite::Error| db_error(path, e);
    let mut legacy = Catalog::load_legacy(index_dir)?;
    // Attribute each version to the run that fetched it, so `changes --run N` works on
    // history from before the database.
    for record in legacy.sources.values_mut() {
        for version in &mut record.versions {
            version.first_run = legacy
                .runs
                .iter()
                .filter(|r| {
                    r.started_at <= version.fetched_at
                        && r.finished_at.is_none_or(|f| version.fetched_at <= f)
                })
                .map(|r| r.id)
                .next_back();
        }
    }
    let mut sections = 0usize;
    for (id, record) in &legacy.sources {
        upsert_source(tx, id, record).map_err(err)?;
        for version in &record.versions {
            let mut version = version.clone();
            let summaries = version
                .extracted
                .as_ref()
                .and_then(|_| read_extracted(index_dir, &version.sha256))
                .map(|doc| SectionSummary::of(&doc));
            if let Some(summaries) = &summaries {
                version.text_hash = Some(version_text_hash(summaries));
            }
            upsert_version(tx, id, &version).map_err(err)?;
            if let Some(summaries) = summaries {
                sections += summaries.len();
                write_sections(
                    tx,
                    &VersionSections {
                        source: id.clone(),
                        sha256: version.sha256.clone(),
                        sections: summaries,
                    },
                )
                .map_err(err)?;
            }
        }
    }
    for run in &legacy.runs {
        upsert_run(tx, run).map_err(err)?;
    }
    set_meta(
        tx,
        "themes_fingerprint",
        legacy.themes_fingerprint.as_deref(),
    )
    .map_err(err)?;
    // Matches already stored are history, not news: imported without `new_in_run`.
    let matches = import_legacy_matches(tx, index_dir).map_err(err)?;
    set_meta(tx, "legacy_imported", Some(&Utc::now().to_rfc3339())).map_err(err)?;
    tracing::info!(
        from = %legacy_path.display(),
        sources = legacy.sources.len(),
        runs = legacy.runs.len(),
        sections,
        matches,
        "imported catalog.json into the catalog database"
    );
    Ok(())
}

fn import_legacy_matches(
    tx: &rusqlite::Transaction<'_>,
    index_dir: &Path,
) -> rusqlite::Result<usize> {
    #[derive(Deserialize)]
    struct File {
        themes: Vec<Theme>,
    }
    #[derive(Deserialize)]
    struct Theme {
        id: String,
        sections: Vec<Matched>,
    }
    #[derive(Deserialize)]
    struct Matched {
        source: String,
        version: String,
        ordinal: u64,
        score: f32,
    }
    let Ok(bytes) = std::fs::read(index_dir.join("matches.json")) else {
        return Ok(0);
    };
    let Ok(file) = serde_json::from_slice::<File>(&bytes) else {
        tracing::warn!("matches.json is unreadable; theme matches start afresh");
        return Ok(0);
    };
    let mut count = 0;
    for theme in &file.themes {
        for m in &theme.sections {
            count += tx.execute(
                "INSERT OR IGNORE INTO theme_matches (source, sha256, ordinal, theme, score)
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS
                   (SELECT 1 FROM versions WHERE source = ?1 AND sha256 = ?2)",
                params![m.source, m.version, m.ordinal, theme.id, f64::from(m.score)],
            )?;
        }
    }
    Ok(count)
}

/// After the import transaction committed, the old file is kept as a backup under a name
/// nothing reads (also when a crash came between the commit and the rename).
fn finish_legacy_import(
    conn: &Connection,
    path: &Path,
    index_dir: &Path,
) -> Result<(), CatalogError> {
    let legacy_path = Catalog::legacy_path_in(index_dir);
    if !legacy_path.is_file() {
        return Ok(());
    }
    if get_meta(conn, "legacy_imported")
        .map_err(|e| db_error(path, e))?
        .is_none()
    {
        tracing::warn!(
            path = %legacy_path.display(),
            "catalog.json found beside an existing catalog database; ignored"
        );
        return Ok(());
    }
    let backup = index_dir.join("catalog.json.imported");
    std::fs::rename(&legacy_path, &backup).map_err(|source| CatalogError::Write {
        path: legacy_path.display().to_string(),
        source,
    })?;
    Ok(())
}

fn read_extracted(index_dir: &Path, sha256: &str) -> Option<ExtractedDoc> {
    let bytes = std::fs::read(extracted_path(index_dir, sha256)).ok()?;
    serde_json::from_slice(&bytes).ok()
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

fn upsert_source(conn: &Connection, id: &str, r: &SourceRecord) -> rusqlite::Result<usize> {
    // An upsert, never INSERT OR REPLACE: replacing would cascade-delete the versions.
    conn.execute(
        "INSERT INTO sources (id, state, last_error, failed_stage, fetched_at, last_attempt_at,
            failures_since_ok, sha256, etag, last_modified, url, indexed_sha256, removed_at,
            removed_run, title, final_url, moved_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, last_error = excluded.last_error,
            failed_stage = excluded.failed_stage, fetched_at = excluded.fetched_at,
            last_attempt_at = excluded.last_attempt_at,
            failures_since_ok = excluded.failures_since_ok, sha256 = excluded.sha256,
            etag = excluded.etag, last_modified = excluded.last_modified, url = excluded.url,
            indexed_sha256 = excluded.indexed_sha256, removed_at = excluded.removed_at,
            removed_run = excluded.removed_run, title = excluded.title,
            final_url = excluded.final_url, moved_to = excluded.moved_to",
        params![
            id,
            r.state.as_str(),
            r.last_error,
            r.failed_stage,
            time(&r.fetched_at),
            time(&r.last_attempt_at),
            r.failures_since_ok,
            r.sha256,
            r.etag,
            r.last_modified,
            r.url,
            r.indexed_sha256,
            time(&r.removed_at),
            r.removed_run,
            r.title,
            r.final_url,
            r.moved_to,
        ],
    )
}

fn upsert_version(conn: &Connection, source: &str, v: &VersionRecord) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO versions (source, sha256, format, fetched_at, size, etag, last_modified,
            first_run, extracted_run, pages, sections, warnings, extract_error, text_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(source, sha256) DO UPDATE SET format = excluded.format,
            fetched_at = excluded.fetched_at, size = excluded.size, etag = excluded.etag,
            last_modified = excluded.last_modified, first_run = excluded.first_run,
            extracted_run = excluded.extracted_run, pages = excluded.pages,
            sections = excluded.sections, warnings = excluded.warnings,
            extract_error = excluded.extract_error, text_hash = excluded.text_hash",
        params![
            source,
            v.sha256,
            v.format.as_str(),
            time(&Some(v.fetched_at)),
            v.size,
            v.etag,
            v.last_modified,
            v.first_run,
            v.extracted_run,
            v.extracted.as_ref().map(|e| e.pages),
            v.extracted.as_ref().map(|e| e.sections),
            v.extracted.as_ref().map(|e| e.warnings),
            v.extract_error,
            v.text_hash,
        ],
    )
}

fn upsert_run(conn: &Connection, run: &RunRecord) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO runs (id, command, started_at, finished_at, outcome, sections_indexed,
            reindexed, theme_matches, stage_millis, total_millis, counts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET command = excluded.command,
            started_at = excluded.started_at, finished_at = excluded.finished_at,
            outcome = excluded.outcome, sections_indexed = excluded.sections_indexed,
            reindexed = excluded.reindexed, theme_matches = excluded.theme_matches,
            stage_millis = excluded.stage_millis, total_millis = excluded.total_millis,
            counts = excluded.counts",
        params![
            run.id,
            run.command,
            time(&Some(run.started_at)),
            time(&run.finished_at),
            run.outcome.as_str(),
            run.sections_indexed,
            json(&run.reindexed),
            run.theme_matches,
            json(&run.stage_millis),
            run.total_millis,
            json(&run.counts),
        ],
    )?;
    conn.execute("DELETE FROM run_sources WHERE run = ?1", [run.id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO run_sources (run, source, result, change, error, stage, millis,
            extract_millis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for s in &run.sources {
        insert.execute(params![
            run.id,
            s.id,
            s.result.as_str(),
            s.change.map(SourceChange::as_str),
            s.error,
            s.stage,
            s.millis,
            s.extract_millis
        ])?;
    }
    Ok(())
}

/// A JSON column value; serialising these plain types cannot fail.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn write_sections(conn: &Connection, version: &VersionSections) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM sections WHERE source = ?1 AND sha256 = ?2",
        params![version.source, version.sha256],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO sections (source, sha256, ordinal, number, heading, level, page_start,
            page_end, text_hash, chars) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for s in &version.sections {
        insert.execute(params![
            version.source,
            version.sha256,
            s.ordinal,
            s.number,
            s.heading,
            s.level,
            s.page_start,
            s.page_end,
            s.text_hash,
            s.chars
        ])?;
    }
    Ok(())
}

/// Section identities (number and heading, see [`section_keys`]) of a stored version.
fn keys_of(conn: &Connection, source: &str, sha256: &str) -> rusqlite::Result<Vec<String>> {
    let sections = section_summaries(conn, source, sha256)?;
    Ok(section_keys(
        sections
            .iter()
            .map(|s| (s.number.as_deref(), s.heading.as_deref())),
    ))
}

fn write_theme_matches(
    conn: &Connection,
    run: Option<u64>,
    version: &VersionMatches,
) -> rusqlite::Result<()> {
    let key_of = |keys: &[String], ordinal: u64| -> String {
        keys.get(ordinal as usize)
            .cloned()
            .unwrap_or_else(|| format!("@{ordinal}"))
    };
    // The previous matched version of the source: what "new" is measured against.
    let previous: Option<String> = conn
        .query_row(
            "SELECT sha256 FROM theme_matches WHERE source = ?1 AND sha256 != ?2
             GROUP BY sha256 ORDER BY max(coalesce(recorded_run, first_run, 0)) DESC LIMIT 1",
            params![version.source, version.sha256],
            |row| row.get(0),
        )
        .optional()?;
    let mut before: HashSet<(String, String)> = HashSet::new();
    if let Some(previous) = &previous {
        let keys = keys_of(conn, &version.source, previous)?;
        let mut select = conn.prepare_cached(
            "SELECT ordinal, theme FROM theme_matches WHERE source = ?1 AND sha256 = ?2",
        )?;
        let rows = select.query_map(params![version.source, previous], |row| {
            Ok((row.get::<_, u64>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (ordinal, theme) = row?;
            before.insert((key_of(&keys, ordinal), theme));
        }
    }
    let keys = keys_of(conn, &version.source, &version.sha256)?;
    let mut existing: BTreeMap<(u64, String), ()> = BTreeMap::new();
    {
        let mut select = conn.prepare_cached(
            "SELECT ordinal, theme FROM theme_matches WHERE source = ?1 AND sha256 = ?2",
        )?;
        let rows = select.query_map(params![version.source, version.sha256], |row| {
            Ok((row.get::<_, u64>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            existing.insert(row?, ());
        }
    }
    let current: HashSet<(u64, &str)> = version
        .matches
        .iter()
        .map(|(ordinal, theme, _)| (*ordinal, theme.as_str()))
        .collect();
    for (ordinal, theme) in existing.keys() {
        if !current.contains(&(*ordinal, theme.as_str())) {
            conn.execute(
                "DELETE FROM theme_matches WHERE source = ?1 AND sha256 = ?2 AND ordinal = ?3 AND theme = ?4",
                params![version.source, version.sha256, ordinal, theme],
            )?;
        }
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO theme_matches (source, sha256, ordinal, theme, score, first_run, new_in_run,
            recorded_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6)
         ON CONFLICT(source, sha256, ordinal, theme) DO UPDATE SET score = excluded.score,
            recorded_run = excluded.recorded_run",
    )?;
    for (ordinal, theme, score) in &version.matches {
        let is_new = !before.contains(&(key_of(&keys, *ordinal), theme.clone()));
        upsert.execute(params![
            version.source,
            version.sha256,
            ordinal,
            theme,
            f64::from(*score),
            run,
            if is_new { run } else { None },
        ])?;
    }
    Ok(())
}

/// The stored sections of a version, in order (empty if none were recorded).
pub fn section_summaries(
    conn: &Connection,
    source: &str,
    sha256: &str,
) -> rusqlite::Result<Vec<SectionSummary>> {
    let mut select = conn.prepare_cached(
        "SELECT ordinal, number, heading, level, page_start, page_end, text_hash, chars
         FROM sections WHERE source = ?1 AND sha256 = ?2 ORDER BY ordinal",
    )?;
    let rows = select.query_map(params![source, sha256], |row| {
        Ok(SectionSummary {
            ordinal: row.get(0)?,
            number: row.get(1)?,
            heading: row.get(2)?,
            level: row.get(3)?,
            page_start: row.get(4)?,
            page_end: row.get(5)?,
            text_hash: row.get(6)?,
            chars: row.get(7)?,
        })
    })?;
    rows.collect()
}

/// A theme match that is new in a run: the section did not carry the theme in the source's
/// previous matched version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewThemeMatch {
    pub theme: String,
    pub source: String,
    pub version: String,
    pub ordinal: u64,
    pub number: Option<String>,
    pub heading: Option<String>,
    pub page: u32,
    pub score: f32,
    pub run: u64,
    /// When that run started.
    pub detected_at: DateTime<Utc>,
}

impl NewThemeMatch {
    /// What a reader calls the section: its number, else its heading, else "(innledning)".
    pub fn label(&self) -> String {
        self.number
            .clone()
            .or_else(|| self.heading.clone())
            .unwrap_or_else(|| "(innledning)".to_string())
    }
}

/// Which runs a query covers. Serialised as `{"run":N}` or `{"since":T}` (`changes --json`).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunWindow {
    /// Runs started at or after this instant.
    Since(DateTime<Utc>),
    /// Exactly this run.
    Run(u64),
}

/// New theme matches in the window, oldest first, strongest first within a run.
pub fn new_theme_matches(
    conn: &Connection,
    window: RunWindow,
) -> rusqlite::Result<Vec<NewThemeMatch>> {
    let (condition, value): (&str, rusqlite::types::Value) = match window {
        RunWindow::Since(since) => (
            "r.started_at >= ?1",
            rusqlite::types::Value::Text(time(&Some(since)).unwrap_or_default()),
        ),
        RunWindow::Run(run) => (
            "m.new_in_run = ?1",
            rusqlite::types::Value::Integer(i64::try_from(run).unwrap_or(i64::MAX)),
        ),
    };
    let sql = format!(
        "SELECT m.theme, m.source, m.sha256, m.ordinal, s.number, s.heading, s.page_start,
                m.score, m.new_in_run, r.started_at
         FROM theme_matches m
         JOIN runs r ON r.id = m.new_in_run
         LEFT JOIN sections s ON s.source = m.source AND s.sha256 = m.sha256 AND s.ordinal = m.ordinal
         WHERE m.new_in_run IS NOT NULL AND {condition}
         ORDER BY m.new_in_run, m.score DESC, m.source, m.ordinal, m.theme"
    );
    let mut select = conn.prepare(&sql)?;
    let rows = select.query_map([value], |row| {
        Ok(NewThemeMatch {
            theme: row.get(0)?,
            source: row.get(1)?,
            version: row.get(2)?,
            ordinal: row.get(3)?,
            number: row.get(4)?,
            heading: row.get(5)?,
            page: row.get::<_, Option<u32>>(6)?.unwrap_or(0),
            score: row.get::<_, f64>(7)? as f32,
            run: row.get(8)?,
            detected_at: parse_time(row.get(9)?).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// Changes whenever something the feed shows may have changed: a version fetched or
/// extracted, a new theme match, a source removed.
pub fn feed_stamp(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT coalesce((SELECT max(max(coalesce(first_run, 0)), max(coalesce(extracted_run, 0)))
                          FROM versions), 0),
                (SELECT count(*) FROM versions WHERE text_hash IS NOT NULL),
                coalesce((SELECT max(new_in_run) FROM theme_matches), 0),
                (SELECT count(*) FROM theme_matches WHERE new_in_run IS NOT NULL),
                coalesce((SELECT max(removed_run) FROM sources), 0)",
        [],
        |row| {
            Ok(format!(
                "{}/{}/{}/{}/{}",
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?
            ))
        },
    )
}

/// Loads a snapshot: every source with its versions, the last [`MAX_RUNS`] runs, the meta
/// values the pipeline keeps.
pub fn load_snapshot(conn: &Connection, index_dir: &Path) -> Result<Catalog, CatalogError> {
    let path = path_in(index_dir);
    let err = |e: rusqlite::Error| db_error(&path, e);
    let read = || -> rusqlite::Result<Catalog> {
        // One read transaction: the snapshot is consistent even while a run commits.
        conn.execute_batch("BEGIN DEFERRED")?;
        let result = read_snapshot(conn);
        let _ = conn.execute_batch("COMMIT");
        result
    };
    let mut catalog = read().map_err(err)?;
    catalog.set_path(path.clone());
    Ok(catalog)
}

fn read_snapshot(conn: &Connection) -> rusqlite::Result<Catalog> {
    let mut catalog = Catalog::default();
    let mut select = conn.prepare(
        "SELECT id, state, last_error, failed_stage, fetched_at, last_attempt_at,
            failures_since_ok, sha256, etag, last_modified, url, indexed_sha256, removed_at,
            removed_run, title, final_url, moved_to FROM sources ORDER BY id",
    )?;
    let rows = select.query_map([], |row| {
        let state: String = row.get(1)?;
        Ok((
            row.get::<_, String>(0)?,
            SourceRecord {
                state: SourceState::parse(&state),
                last_error: row.get(2)?,
                failed_stage: row.get(3)?,
                fetched_at: parse_time(row.get(4)?),
                last_attempt_at: parse_time(row.get(5)?),
                failures_since_ok: row.get(6)?,
                sha256: row.get(7)?,
                etag: row.get(8)?,
                last_modified: row.get(9)?,
                url: row.get(10)?,
                versions: Vec::new(),
                indexed_sha256: row.get(11)?,
                removed_at: parse_time(row.get(12)?),
                removed_run: row.get(13)?,
                title: row.get(14)?,
                final_url: row.get(15)?,
                moved_to: row.get(16)?,
            },
        ))
    })?;
    for row in rows {
        let (id, record) = row?;
        catalog.sources.insert(id, record);
    }
    let mut select = conn.prepare(
        "SELECT source, sha256, format, fetched_at, size, etag, last_modified, first_run,
            extracted_run, pages, sections, warnings, extract_error, text_hash
         FROM versions ORDER BY source, fetched_at, rowid",
    )?;
    let rows = select.query_map([], |row| {
        let format: String = row.get(2)?;
        let pages: Option<u32> = row.get(9)?;
        let sections: Option<usize> = row.get(10)?;
        let warnings: Option<usize> = row.get(11)?;
        Ok((
            row.get::<_, String>(0)?,
            VersionRecord {
                sha256: row.get(1)?,
                format: Format::parse(&format).unwrap_or(Format::Html),
                fetched_at: parse_time(row.get(3)?).unwrap_or_default(),
                size: row.get(4)?,
                extracted: match (pages, sections, warnings) {
                    (Some(pages), Some(sections), Some(warnings)) => Some(ExtractSummary {
                        pages,
                        sections,
                        warnings,
                    }),
                    _ => None,
                },
                extract_error: row.get(12)?,
                etag: row.get(5)?,
                last_modified: row.get(6)?,
                first_run: row.get(7)?,
                extracted_run: row.get(8)?,
                text_hash: row.get(13)?,
            },
        ))
    })?;
    for row in rows {
        let (source, version) = row?;
        catalog
            .sources
            .entry(source)
            .or_default()
            .versions
            .push(version);
    }
    let mut select = conn.prepare(
        "SELECT id, command, started_at, finished_at, outcome, sections_indexed, reindexed,
            theme_matches, stage_millis, total_millis, counts
         FROM (SELECT * FROM runs ORDER BY id DESC LIMIT ?1) ORDER BY id",
    )?;
    let rows = select.query_map([MAX_RUNS as u64], |row| {
        let reindexed: String = row.get(6)?;
        let stage_millis: String = row.get(8)?;
        let counts: String = row.get(10)?;
        Ok(RunRecord {
            id: row.get(0)?,
            command: row.get(1)?,
            started_at: parse_time(row.get(2)?).unwrap_or_default(),
            finished_at: parse_time(row.get(3)?),
            outcome: RunOutcome::parse(&row.get::<_, String>(4)?),
            sources: Vec::new(),
            sections_indexed: row.get(5)?,
            reindexed: serde_json::from_str(&reindexed).unwrap_or_default(),
            theme_matches: row.get(7)?,
            stage_millis: serde_json::from_str(&stage_millis).unwrap_or_default(),
            total_millis: row.get(9)?,
            counts: serde_json::from_str::<RunCounts>(&counts).unwrap_or_default(),
        })
    })?;
    for row in rows {
        catalog.runs.push(row?);
    }
    if let Some(first) = catalog.runs.first().map(|r| r.id) {
        let mut select = conn.prepare(
            "SELECT run, source, result, change, error, stage, millis, extract_millis
             FROM run_sources WHERE run >= ?1 ORDER BY run, source",
        )?;
        let rows = select.query_map([first], |row| {
            Ok((
                row.get::<_, u64>(0)?,
                SourceRun {
                    id: row.get(1)?,
                    result: SourceResult::parse(&row.get::<_, String>(2)?),
                    change: row
                        .get::<_, Option<String>>(3)?
                        .as_deref()
                        .and_then(SourceChange::parse),
                    error: row.get(4)?,
                    stage: row.get(5)?,
                    millis: row.get(6)?,
                    extract_millis: row.get(7)?,
                },
            ))
        })?;
        let positions: BTreeMap<u64, usize> = catalog
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();
        for row in rows {
            let (run, source) = row?;
            if let Some(&i) = positions.get(&run) {
                catalog.runs[i].sources.push(source);
            }
        }
    }
    catalog.themes_fingerprint = get_meta(conn, "themes_fingerprint")?;
    catalog.matched_state = get_meta(conn, "matched_state")?;
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::model::Section;

    fn doc(sections: &[(&str, &str, &str)]) -> ExtractedDoc {
        ExtractedDoc {
            file: "x.pdf".into(),
            format: Format::Pdf,
            title: None,
            pages: 3,
            sections: sections
                .iter()
                .map(|(number, heading, text)| Section {
                    number: Some(number.to_string()),
                    heading: Some(heading.to_string()),
                    level: 1,
                    page_start: 1,
                    page_end: 1,
                    text: text.to_string(),
                })
                .collect(),
            warnings: vec![],
            ocr_pages: vec![],
        }
    }

    fn version(sha: &str, run: u64) -> VersionRecord {
        VersionRecord {
            sha256: sha.into(),
            format: Format::Pdf,
            fetched_at: Utc::now(),
            size: 10,
            extracted: Some(ExtractSummary {
                pages: 3,
                sections: 2,
                warnings: 0,
            }),
            extract_error: None,
            etag: None,
            last_modified: None,
            first_run: Some(run),
            extracted_run: Some(run),
            text_hash: None,
        }
    }

    #[test]
    fn text_hash_ignores_whitespace_only() {
        assert_eq!(text_hash("a  b\nc"), text_hash("a b c"));
        assert_ne!(text_hash("a b c"), text_hash("a b d"));
        let one = SectionSummary::of(&doc(&[("1", "Innledning", "Tekst.")]));
        let heading_changed = SectionSummary::of(&doc(&[("1", "Innleiing", "Tekst.")]));
        assert_ne!(version_text_hash(&one), version_text_hash(&heading_changed));
    }

    #[test]
    fn legacy_json_is_imported_once_and_kept_as_backup() {
        let dir = tempfile::tempdir().unwrap();
        let mut legacy = Catalog::default();
        let record = legacy.sources.entry("nou".into()).or_default();
        let mut v = version("aa", 1);
        v.first_run = None;
        record.versions.push(v);
        record.sha256 = Some("aa".into());
        record.indexed_sha256 = Some("aa".into());
        record.state = SourceState::Ok;
        let run = legacy.start_run("run");
        legacy.runs[0].started_at = Utc::now() - chrono::TimeDelta::minutes(1);
        legacy.runs[0].finished_at = Some(Utc::now() + chrono::TimeDelta::minutes(1));
        crate::fsutil::write_json_atomic(
            &extracted_path(dir.path(), "aa"),
            &doc(&[
                ("1", "Innledning", "Kommunene har ansvar."),
                ("2", "Fastlegar", "Mange står uten fastlege."),
            ]),
        )
        .unwrap();
        crate::fsutil::write_json_atomic(&dir.path().join("catalog.json"), &legacy).unwrap();

        let db = CatalogDb::open(dir.path()).unwrap();
        let snapshot = db.snapshot();
        assert_eq!(
            snapshot.sources["nou"].indexed_sha256.as_deref(),
            Some("aa")
        );
        assert_eq!(
            snapshot.sources["nou"].versions[0].first_run,
            Some(run),
            "attributed to the run that fetched it"
        );
        assert!(snapshot.sources["nou"].versions[0].text_hash.is_some());
        assert_eq!(
            section_summaries(db.connection(), "nou", "aa")
                .unwrap()
                .len(),
            2
        );
        assert!(!dir.path().join("catalog.json").exists());
        assert!(dir.path().join("catalog.json.imported").is_file());
        drop(db);
        // A second open neither re-imports nor fails.
        let again = CatalogDb::open(dir.path()).unwrap();
        assert_eq!(again.snapshot().sources.len(), 1);
    }

    #[test]
    fn a_version_1_catalog_gains_the_redirect_columns_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(path_in(dir.path())).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute(
                "INSERT INTO sources (id, state, url) VALUES ('avtale', 'ok', 'https://saman.no/a')",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        drop(CatalogDb::open(dir.path()).unwrap());
        let mut catalog = Catalog::load(dir.path()).unwrap();
        let record = &catalog.sources["avtale"];
        assert_eq!(record.url.as_deref(), Some("https://saman.no/a"));
        assert_eq!(record.moved_to, None);

        let record = catalog.source_mut("avtale");
        record.final_url = Some("https://saman.no/ny/a".into());
        record.moved_to = Some("https://saman.no/ny/a".into());
        catalog.save().unwrap();
        let again = Catalog::load(dir.path()).unwrap();
        assert_eq!(
            again.sources["avtale"].moved_to.as_deref(),
            Some("https://saman.no/ny/a")
        );
        assert_eq!(
            again.sources["avtale"].final_url.as_deref(),
            Some("https://saman.no/ny/a")
        );
        let conn = Connection::open(path_in(dir.path())).unwrap();
        assert_eq!(
            user_version(&conn, &path_in(dir.path())).unwrap(),
            SCHEMA_VERSION
        );
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(CatalogDb::open(dir.path()).unwrap());
        let conn = Connection::open(path_in(dir.path())).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = CatalogDb::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("newer than this samspor"), "{err}");
        let err = Catalog::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("newer than this samspor"), "{err}");
    }

    #[test]
    fn theme_matches_are_new_only_when_the_section_did_not_carry_the_theme() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = CatalogDb::open(dir.path()).unwrap();
        let mut catalog = db.snapshot();
        let run1 = catalog.start_run("run");
        let record = catalog.source_mut("nou");
        record.versions.push(version("v1", run1));
        let first = SectionSummary::of(&doc(&[
            ("1", "Innledning", "Kommunene har ansvar."),
            ("2", "Fastlegar", "Mange står uten fastlege."),
        ]));
        db.save(
            &catalog,
            &StageWrites {
                run: Some(run1),
                sections: vec![VersionSections {
                    source: "nou".into(),
                    sha256: "v1".into(),
                    sections: first,
                }],
                theme_matches: vec![VersionMatches {
                    source: "nou".into(),
                    sha256: "v1".into(),
                    matches: vec![(1, "fastlegekrise".into(), 3.0)],
                }],
            },
        )
        .unwrap();
        let news = new_theme_matches(db.connection(), RunWindow::Run(run1)).unwrap();
        assert_eq!(news.len(), 1, "a first version's matches are new");
        assert_eq!(news[0].label(), "2");

        // Version 2 inserts a section first: the fastlege section moves to ordinal 2 but is
        // the same section, so only the new section's match is new.
        let run2 = catalog.start_run("run");
        catalog.source_mut("nou").versions.push(version("v2", run2));
        let second = SectionSummary::of(&doc(&[
            ("0", "Sammendrag", "Kort om fastlegekrisen og legevakt."),
            ("1", "Innledning", "Kommunene har ansvar."),
            ("2", "Fastlegar", "Mange står uten fastlege."),
        ]));
        db.save(
            &catalog,
            &StageWrites {
                run: Some(run2),
                sections: vec![VersionSections {
                    source: "nou".into(),
                    sha256: "v2".into(),
                    sections: second,
                }],
                theme_matches: vec![VersionMatches {
                    source: "nou".into(),
                    sha256: "v2".into(),
                    matches: vec![
                        (0, "fastlegekrise".into(), 2.0),
                        (2, "fastlegekrise".into(), 3.0),
                    ],
                }],
            },
        )
        .unwrap();
        let news = new_theme_matches(db.connection(), RunWindow::Run(run2)).unwrap();
        let labels: Vec<String> = news.iter().map(|m| m.label()).collect();
        assert_eq!(labels, vec!["0"]);
        let since = new_theme_matches(
            db.connection(),
            RunWindow::Since(Utc::now() - chrono::TimeDelta::hours(1)),
        )
        .unwrap();
        assert_eq!(since.len(), 2);

        // Re-matching the same version does not make anything new again.
        let run3 = catalog.start_run("match");
        db.save(
            &catalog,
            &StageWrites {
                run: Some(run3),
                theme_matches: vec![VersionMatches {
                    source: "nou".into(),
                    sha256: "v2".into(),
                    matches: vec![(2, "fastlegekrise".into(), 3.5)],
                }],
                ..StageWrites::default()
            },
        )
        .unwrap();
        assert!(
            new_theme_matches(db.connection(), RunWindow::Run(run3))
                .unwrap()
                .is_empty()
        );
        let reloaded = Catalog::load(dir.path()).unwrap();
        assert_eq!(reloaded.runs.len(), 3);
    }

    #[test]
    fn only_changed_records_are_written_and_runs_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = CatalogDb::open(dir.path()).unwrap();
        let mut catalog = db.snapshot();
        for _ in 0..3 {
            catalog.start_run("run");
            if let Some(run) = catalog.current_run_mut() {
                run.sources.push(SourceRun {
                    id: "nou".into(),
                    result: SourceResult::Ok,
                    change: Some(SourceChange::NotModified),
                    error: None,
                    millis: 4,
                    stage: None,
                    extract_millis: None,
                });
                run.finished_at = Some(Utc::now());
                run.outcome = RunOutcome::Ok;
            }
            db.save(&catalog, &StageWrites::default()).unwrap();
        }
        let loaded = Catalog::load(dir.path()).unwrap();
        assert_eq!(loaded.runs, catalog.runs);
        // Pretend many runs passed: the oldest fall out of the database.
        catalog.runs.last_mut().unwrap().id = RUNS_KEPT + 2;
        db.save(&catalog, &StageWrites::default()).unwrap();
        let ids: Vec<u64> = Catalog::load(dir.path())
            .unwrap()
            .runs
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, vec![3, RUNS_KEPT + 2]);
    }
}
