//! Tracking: what was fetched when, which versions exist, how each run went.
//!
//! The catalog is the pipeline's memory between runs: an SQLite database at
//! `INDEX_DIR/catalog.sqlite` (see [`db`]) with sources, versions, runs, the sections of every
//! extracted version and the theme matches of every matched version. [`Catalog`] is a
//! snapshot of it in memory: readers (`status`, `changes`, a web server) load one and never
//! block a running pipeline (WAL mode); the pipeline mutates its snapshot and saves it after
//! each stage in one transaction, so a crash leaves the catalog as it was after the last
//! finished stage. An older `catalog.json` is imported once and kept as
//! `catalog.json.imported`.
//!
//! Architecture invariant: this module knows nothing of HTTP, PDF or tantivy; it records what
//! the stages report.

pub mod changes;
pub mod db;
pub mod feed;
mod keys;
pub mod lock;
pub mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::model::Format;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{path}: cannot read catalog: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: catalog is not valid JSON ({source}); move it away to start afresh")]
    Corrupt {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: cannot write catalog: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: catalog database: {message}")]
    Db { path: String, message: String },
    #[error(
        "{path}: catalog schema version {found} is newer than this samspor understands ({supported}); upgrade samspor"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
}

/// The state a source is in after the last run that touched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SourceState {
    /// Fetched, extracted and indexed.
    Ok,
    /// The last attempt failed; an earlier version may still be indexed.
    Failed,
    /// Listed in sources.toml but not yet through the pipeline.
    #[default]
    Pending,
}

impl SourceState {
    /// The serialised form ("ok", "failed", "pending"): JSON, the catalog and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::Ok => "ok",
            SourceState::Failed => "failed",
            SourceState::Pending => "pending",
        }
    }

    /// Reads [`SourceState::as_str`]; anything else is a source not yet through the pipeline.
    pub fn parse(text: &str) -> SourceState {
        match text {
            "ok" => SourceState::Ok,
            "failed" => SourceState::Failed,
            _ => SourceState::Pending,
        }
    }

    /// The Norwegian label for people (CLI and web page).
    pub fn label(self) -> &'static str {
        match self {
            SourceState::Ok => "ok",
            SourceState::Failed => "feilet",
            SourceState::Pending => "venter",
        }
    }
}

/// How a run ended (or that it has not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunOutcome {
    /// Started and not finished; under the lock, an unfinished run of the past was killed.
    Running,
    /// Every source ok.
    Ok,
    /// Finished, but some sources failed.
    Partial,
    /// The run itself failed.
    Failed,
    /// Killed before it finished (marked by the next run).
    Interrupted,
}

impl RunOutcome {
    /// The serialised form: JSON, the catalog, CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Running => "running",
            RunOutcome::Ok => "ok",
            RunOutcome::Partial => "partial",
            RunOutcome::Failed => "failed",
            RunOutcome::Interrupted => "interrupted",
        }
    }

    /// Reads [`RunOutcome::as_str`]; an unknown word (a newer samspor's) is a failed run.
    pub fn parse(text: &str) -> RunOutcome {
        match text {
            "running" => RunOutcome::Running,
            "ok" => RunOutcome::Ok,
            "partial" => RunOutcome::Partial,
            "interrupted" => RunOutcome::Interrupted,
            _ => RunOutcome::Failed,
        }
    }

    /// The Norwegian label for people (CLI and web page).
    pub fn label(self) -> &'static str {
        match self {
            RunOutcome::Running => "pågår",
            RunOutcome::Ok => "ok",
            RunOutcome::Partial => "delvis",
            RunOutcome::Failed => "feilet",
            RunOutcome::Interrupted => "avbrutt",
        }
    }
}

impl std::fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for RunOutcome {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What happened to one source in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceResult {
    Ok,
    Failed,
}

impl SourceResult {
    /// The serialised form: JSON and the catalog.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceResult::Ok => "ok",
            SourceResult::Failed => "failed",
        }
    }

    /// Reads [`SourceResult::as_str`]; anything but "ok" failed.
    pub fn parse(text: &str) -> SourceResult {
        if text == "ok" {
            SourceResult::Ok
        } else {
            SourceResult::Failed
        }
    }

    /// The Norwegian label for people.
    pub fn label(self) -> &'static str {
        match self {
            SourceResult::Ok => "ok",
            SourceResult::Failed => "feilet",
        }
    }
}

/// The stage a source failed in, in a run (`SourceRun::stage`, `SourceFailure::stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailedStage {
    Fetch,
    Extract,
    Index,
}

impl FailedStage {
    /// The serialised form: JSON, the catalog, logs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            FailedStage::Fetch => "fetch",
            FailedStage::Extract => "extract",
            FailedStage::Index => "index",
        }
    }

    /// Reads [`FailedStage::as_str`].
    pub fn parse(text: &str) -> Option<FailedStage> {
        Some(match text {
            "fetch" => FailedStage::Fetch,
            "extract" => FailedStage::Extract,
            "index" => FailedStage::Index,
            _ => return None,
        })
    }
}

impl std::fmt::Display for FailedStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a successful fetch found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceChange {
    /// The first version of the source.
    New,
    /// A version with other bytes than the last one.
    Changed,
    /// The same bytes again (the server did not answer 304).
    Unchanged,
    /// The server answered 304 Not Modified.
    NotModified,
}

impl SourceChange {
    /// The serialised form: JSON, the catalog and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceChange::New => "new",
            SourceChange::Changed => "changed",
            SourceChange::Unchanged => "unchanged",
            SourceChange::NotModified => "not-modified",
        }
    }

    /// Reads [`SourceChange::as_str`].
    pub fn parse(text: &str) -> Option<SourceChange> {
        Some(match text {
            "new" => SourceChange::New,
            "changed" => SourceChange::Changed,
            "unchanged" => SourceChange::Unchanged,
            "not-modified" => SourceChange::NotModified,
            _ => return None,
        })
    }

    /// The Norwegian label for people.
    pub fn label(self) -> &'static str {
        match self {
            SourceChange::New => "ny",
            SourceChange::Changed => "endret",
            SourceChange::Unchanged => "uendret",
            SourceChange::NotModified => "ikke endret (304)",
        }
    }
}

/// One stored version of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub sha256: String,
    pub format: Format,
    pub fetched_at: DateTime<Utc>,
    pub size: u64,
    /// Set once the version has been extracted.
    #[serde(default)]
    pub extracted: Option<ExtractSummary>,
    /// Why extraction failed, if it did.
    #[serde(default)]
    pub extract_error: Option<String>,
    /// HTTP validators the server sent with this version.
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The run that first fetched this version (None for versions from before run tracking).
    #[serde(default)]
    pub first_run: Option<u64>,
    /// The run that extracted it.
    #[serde(default)]
    pub extracted_run: Option<u64>,
    /// Hash of the extracted text, section by section: two versions with the same text hash
    /// differ only in their bytes (a re-generated PDF), which is not a change.
    #[serde(default)]
    pub text_hash: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExtractSummary {
    pub pages: u32,
    pub sections: usize,
    pub warnings: usize,
}

/// Everything known about one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SourceRecord {
    pub state: SourceState,
    pub last_error: Option<String>,
    /// Which stage failed last (fetch, extract, index).
    #[serde(default)]
    pub failed_stage: Option<String>,
    /// Last successful fetch (200 or 304).
    pub fetched_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Failures since the last good fetch.
    #[serde(default)]
    pub failures_since_ok: u32,
    /// The newest stored version.
    pub sha256: Option<String>,
    /// HTTP validators of the newest version, for conditional requests.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The URL the versions came from (a changed URL drops the validators).
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub versions: Vec<VersionRecord>,
    /// The version currently in the search index.
    pub indexed_sha256: Option<String>,
    /// When the source left sources.toml and the index (None while it is tracked).
    #[serde(default)]
    pub removed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub removed_run: Option<u64>,
    /// The title sources.toml gave it when last fetched (names it after it left the file).
    #[serde(default)]
    pub title: Option<String>,
    /// The address the newest version came from after redirects.
    #[serde(default)]
    pub final_url: Option<String>,
    /// Where a permanent redirect (301/308) said the source now lives, at the last fetch.
    #[serde(default)]
    pub moved_to: Option<String>,
}

impl SourceRecord {
    pub fn version(&self, sha256: &str) -> Option<&VersionRecord> {
        self.versions.iter().find(|v| v.sha256 == sha256)
    }

    pub(crate) fn version_mut(&mut self, sha256: &str) -> Option<&mut VersionRecord> {
        self.versions.iter_mut().find(|v| v.sha256 == sha256)
    }

    pub(crate) fn latest(&self) -> Option<&VersionRecord> {
        self.sha256.as_deref().and_then(|sha| self.version(sha))
    }

    /// The newest version that extracted cleanly: what the index should hold.
    pub(crate) fn best_extracted(&self) -> Option<&VersionRecord> {
        if let Some(latest) = self.latest().filter(|v| v.extracted.is_some()) {
            return Some(latest);
        }
        self.versions
            .iter()
            .filter(|v| v.extracted.is_some())
            .max_by_key(|v| v.fetched_at)
    }

    pub(crate) fn mark_failed(&mut self, stage: &str, error: String) {
        self.state = SourceState::Failed;
        self.failed_stage = Some(stage.to_string());
        self.last_error = Some(error);
    }
}

/// What happened to one source in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRun {
    pub id: String,
    pub result: SourceResult,
    /// What the fetch found, when it succeeded.
    pub change: Option<SourceChange>,
    pub error: Option<String>,
    /// Fetch time of the source.
    pub millis: u64,
    /// The stage that failed (fetch, extract, index), if one did.
    #[serde(default)]
    pub stage: Option<FailedStage>,
    /// Extraction time, when the source was extracted in this run.
    #[serde(default)]
    pub extract_millis: Option<u64>,
}

impl SourceRun {
    /// A source that took part in a run with nothing to report yet: ok, no change, no time.
    pub fn ok(id: &str) -> SourceRun {
        SourceRun {
            id: id.to_string(),
            result: SourceResult::Ok,
            change: None,
            error: None,
            millis: 0,
            stage: None,
            extract_millis: None,
        }
    }
}

/// What a run changed, for monitoring and the webhook.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunCounts {
    pub sources_ok: usize,
    pub sources_failed: usize,
    /// Sources whose server answered 304 Not Modified.
    pub not_modified: usize,
    /// New versions fetched (including those whose text turned out identical).
    pub versions_fetched: usize,
    /// Versions extracted in this run.
    pub versions_extracted: usize,
    pub new_documents: usize,
    pub changed_documents: usize,
    /// New versions whose extracted text equals the previous version's (not reported as
    /// changes).
    pub identical_text_versions: usize,
    pub removed_documents: usize,
    pub sections_added: usize,
    pub sections_modified: usize,
    pub sections_removed: usize,
    pub new_theme_matches: usize,
}

/// One pipeline run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: u64,
    pub command: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: RunOutcome,
    pub sources: Vec<SourceRun>,
    pub sections_indexed: usize,
    /// Sources re-indexed in this run.
    #[serde(default)]
    pub reindexed: Vec<String>,
    pub theme_matches: usize,
    /// Wall time of each stage.
    #[serde(default)]
    pub stage_millis: BTreeMap<String, u64>,
    /// Wall time of the whole run, bookkeeping included.
    #[serde(default)]
    pub total_millis: Option<u64>,
    #[serde(default)]
    pub counts: RunCounts,
}

/// A snapshot of the catalog (also the format of the legacy `catalog.json`).
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Catalog {
    #[serde(default)]
    pub sources: BTreeMap<String, SourceRecord>,
    /// The most recent runs (at most [`MAX_RUNS`]), oldest first; the database keeps more.
    #[serde(default)]
    pub runs: Vec<RunRecord>,
    /// Fingerprint of the theme definitions the index was matched with.
    #[serde(default)]
    pub themes_fingerprint: Option<String>,
    /// What the stored matches were computed from (indexed versions and themes), so an
    /// unchanged run can skip the match stage.
    #[serde(default)]
    pub matched_state: Option<String>,
    #[serde(skip)]
    path: PathBuf,
}

/// How many runs are remembered, in one place: a snapshot holds the newest [`MAX_RUNS`]
/// (what `status` and the web page show); the database keeps the newest [`RUNS_KEPT`] and
/// deletes older runs with their per-source rows.
pub(crate) const MAX_RUNS: usize = 200;
/// Runs kept in the database (see [`MAX_RUNS`]).
pub(crate) const RUNS_KEPT: u64 = 1000;

impl Catalog {
    /// The catalog database.
    pub fn path_in(index_dir: &Path) -> PathBuf {
        db::path_in(index_dir)
    }

    /// The catalog file of versions before the database, imported once.
    pub(crate) fn legacy_path_in(index_dir: &Path) -> PathBuf {
        index_dir.join("catalog.json")
    }

    /// Loads a snapshot of the catalog without taking the index lock, or an empty one if the
    /// index dir is new. Never blocks a running pipeline.
    pub fn load(index_dir: &Path) -> Result<Catalog, CatalogError> {
        match db::open_reader(index_dir)? {
            Some(conn) => db::load_snapshot(&conn, index_dir),
            None => Catalog::load_legacy(index_dir),
        }
    }

    /// Saves the snapshot to the database (creating it if needed), writing what differs from
    /// what is stored. The pipeline saves through [`db::CatalogDb`] under the index lock;
    /// this is for tests that edit a catalog directly.
    #[cfg(test)]
    pub(crate) fn save(&self) -> Result<(), CatalogError> {
        let index_dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        let mut db = db::CatalogDb::open(index_dir)?;
        db.save(self, &db::StageWrites::default())
    }

    /// Reads a legacy `catalog.json` (or nothing).
    pub(crate) fn load_legacy(index_dir: &Path) -> Result<Catalog, CatalogError> {
        let path = Catalog::legacy_path_in(index_dir);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Catalog {
                    path: Catalog::path_in(index_dir),
                    ..Catalog::default()
                });
            }
            Err(source) => {
                return Err(CatalogError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let mut catalog: Catalog =
            serde_json::from_slice(&text).map_err(|source| CatalogError::Corrupt {
                path: path.display().to_string(),
                source,
            })?;
        catalog.path = Catalog::path_in(index_dir);
        Ok(catalog)
    }

    pub(crate) fn set_path(&mut self, path: PathBuf) {
        self.path = path;
    }

    pub(crate) fn source_mut(&mut self, id: &str) -> &mut SourceRecord {
        self.sources.entry(id.to_string()).or_default()
    }

    pub(crate) fn start_run(&mut self, command: &str) -> u64 {
        let id = self.runs.last().map_or(1, |r| r.id + 1);
        self.runs.push(RunRecord {
            id,
            command: command.to_string(),
            started_at: Utc::now(),
            finished_at: None,
            outcome: RunOutcome::Running,
            sources: Vec::new(),
            sections_indexed: 0,
            reindexed: Vec::new(),
            theme_matches: 0,
            stage_millis: BTreeMap::new(),
            total_millis: None,
            counts: RunCounts::default(),
        });
        if self.runs.len() > MAX_RUNS {
            let excess = self.runs.len() - MAX_RUNS;
            self.runs.drain(..excess);
        }
        id
    }

    pub(crate) fn current_run_mut(&mut self) -> Option<&mut RunRecord> {
        self.runs.last_mut()
    }

    pub(crate) fn last_finished_run(&self) -> Option<&RunRecord> {
        self.runs.iter().rev().find(|r| r.finished_at.is_some())
    }

    pub fn run(&self, id: u64) -> Option<&RunRecord> {
        self.runs.iter().find(|r| r.id == id)
    }
}

/// Removes the temporary files of atomic writes (`.tmp*`) that a killed run left in the index
/// dir, the version store, the extraction cache and the tantivy directory. Call only under the
/// index lock: then no other writer has a temporary file open. Returns how many were removed.
pub fn sweep_temp_files(index_dir: &Path) -> usize {
    let mut dirs = vec![
        index_dir.to_path_buf(),
        index_dir.join("extracted"),
        index_dir.join("tantivy"),
        index_dir.join("follow"),
    ];
    if let Ok(entries) = std::fs::read_dir(index_dir.join("store")) {
        dirs.extend(
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path()),
        );
    }
    let mut removed = 0;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_temp = entry.file_name().to_string_lossy().starts_with(".tmp");
            if is_temp
                && entry.file_type().is_ok_and(|t| t.is_file())
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

/// Where extracted documents are cached: one JSON file per version hash and extraction version
/// (an older extraction is not reused; the next run extracts again).
pub(crate) fn extracted_path(index_dir: &Path, sha256: &str) -> PathBuf {
    index_dir
        .join("extracted")
        .join(format!("{sha256}.v{}.json", crate::extract::VERSION))
}

/// How long ago, in Norwegian, for staleness at a glance: "for 3 t siden" (`status` and the
/// site's status page say it the same way).
pub(crate) fn age_label(age: chrono::TimeDelta) -> String {
    let minutes = age.num_minutes();
    if minutes < 1 {
        "nå nettopp".into()
    } else if minutes < 60 {
        format!("for {minutes} min siden")
    } else if age.num_hours() < 48 {
        format!("for {} t siden", age.num_hours())
    } else {
        format!("for {} dager siden", age.num_days())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_round_trips_and_keeps_versions() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::load(dir.path()).unwrap();
        let record = catalog.source_mut("nou");
        record.sha256 = Some("ab".into());
        record.versions.push(VersionRecord {
            sha256: "ab".into(),
            format: Format::Pdf,
            fetched_at: Utc::now(),
            size: 3,
            extracted: None,
            extract_error: None,
            etag: Some("\"v1\"".into()),
            last_modified: None,
            first_run: Some(1),
            extracted_run: None,
            text_hash: None,
        });
        let run = catalog.start_run("run");
        catalog.save().unwrap();
        let again = Catalog::load(dir.path()).unwrap();
        assert_eq!(again.sources["nou"].versions.len(), 1);
        assert_eq!(again.runs[0].id, run);
        assert!(again.sources["nou"].best_extracted().is_none());
        assert_eq!(again, catalog, "everything survives the database");
        assert!(dir.path().join("catalog.sqlite").is_file());
        assert!(!dir.path().join("catalog.json").exists());
    }

    #[test]
    fn corrupt_catalog_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("catalog.json"), b"{not json").unwrap();
        let err = Catalog::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("catalog is not valid JSON"), "{err}");
    }

    #[test]
    fn states_keep_their_serialised_forms() {
        for outcome in [
            RunOutcome::Running,
            RunOutcome::Ok,
            RunOutcome::Partial,
            RunOutcome::Failed,
            RunOutcome::Interrupted,
        ] {
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
            assert_eq!(RunOutcome::parse(outcome.as_str()), outcome);
        }
        assert_eq!(
            serde_json::to_string(&SourceChange::NotModified).unwrap(),
            "\"not-modified\""
        );
        for change in [
            SourceChange::New,
            SourceChange::Changed,
            SourceChange::Unchanged,
            SourceChange::NotModified,
        ] {
            assert_eq!(SourceChange::parse(change.as_str()), Some(change));
        }
        assert_eq!(
            serde_json::to_string(&SourceResult::Failed).unwrap(),
            "\"failed\""
        );
        assert_eq!(RunOutcome::Interrupted.label(), "avbrutt");
    }

    #[test]
    fn temp_files_of_interrupted_writes_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["store/nou", "extracted", "tantivy"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join(".tmpAbC123"), b"half").unwrap();
        }
        std::fs::write(dir.path().join(".tmpXyZ"), b"half").unwrap();
        std::fs::write(dir.path().join("extracted/abc.json"), b"{}").unwrap();
        assert_eq!(sweep_temp_files(dir.path()), 4);
        assert!(
            dir.path().join("extracted/abc.json").is_file(),
            "real files stay"
        );
        assert_eq!(sweep_temp_files(dir.path()), 0);
    }

    #[test]
    fn corrupt_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("catalog.sqlite"),
            b"this is not sqlite at all, no",
        )
        .unwrap();
        let err = Catalog::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("catalog.sqlite: catalog database:"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}
