//! Tracking: what was fetched when, which versions exist, how each run went.
//!
//! The catalog (`INDEX_DIR/catalog.json`) is the pipeline's memory between runs. It is written
//! atomically after each stage, so a crash leaves the previous consistent catalog.
//!
//! Architecture invariant: this module knows nothing of HTTP, PDF or tantivy; it records what
//! the stages report.

pub mod changes;
pub mod lock;
pub mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::model::Format;
use crate::fsutil::write_json_atomic;

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

/// One stored version of a source.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExtractSummary {
    pub pages: u32,
    pub sections: usize,
    pub warnings: usize,
}

/// Everything known about one source.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
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
}

impl SourceRecord {
    pub fn version(&self, sha256: &str) -> Option<&VersionRecord> {
        self.versions.iter().find(|v| v.sha256 == sha256)
    }

    pub fn version_mut(&mut self, sha256: &str) -> Option<&mut VersionRecord> {
        self.versions.iter_mut().find(|v| v.sha256 == sha256)
    }

    pub fn latest(&self) -> Option<&VersionRecord> {
        self.sha256.as_deref().and_then(|sha| self.version(sha))
    }

    /// The newest version that extracted cleanly: what the index should hold.
    pub fn best_extracted(&self) -> Option<&VersionRecord> {
        if let Some(latest) = self.latest().filter(|v| v.extracted.is_some()) {
            return Some(latest);
        }
        self.versions
            .iter()
            .filter(|v| v.extracted.is_some())
            .max_by_key(|v| v.fetched_at)
    }

    pub fn mark_failed(&mut self, stage: &str, error: String) {
        self.state = SourceState::Failed;
        self.failed_stage = Some(stage.to_string());
        self.last_error = Some(error);
    }
}

/// What happened to one source in one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceRun {
    pub id: String,
    /// ok | failed
    pub result: String,
    /// new | changed | unchanged | not-modified, when the fetch succeeded.
    pub change: Option<String>,
    pub error: Option<String>,
    pub millis: u64,
}

/// One pipeline run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: u64,
    pub command: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// ok | partial | failed
    pub outcome: String,
    pub sources: Vec<SourceRun>,
    pub sections_indexed: usize,
    /// Sources re-indexed in this run.
    #[serde(default)]
    pub reindexed: Vec<String>,
    pub theme_matches: usize,
    /// Wall time of each stage.
    #[serde(default)]
    pub stage_millis: BTreeMap<String, u64>,
}

/// The catalog file.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Catalog {
    #[serde(default)]
    pub sources: BTreeMap<String, SourceRecord>,
    #[serde(default)]
    pub runs: Vec<RunRecord>,
    /// Fingerprint of the theme definitions the index was matched with.
    #[serde(default)]
    pub themes_fingerprint: Option<String>,
    #[serde(skip)]
    path: PathBuf,
}

/// Runs kept in the catalog; older ones are dropped.
const MAX_RUNS: usize = 200;

impl Catalog {
    pub fn path_in(index_dir: &Path) -> PathBuf {
        index_dir.join("catalog.json")
    }

    /// Loads the catalog, or an empty one if the index dir is new.
    pub fn load(index_dir: &Path) -> Result<Catalog, CatalogError> {
        let path = Catalog::path_in(index_dir);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Catalog {
                    path,
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
        catalog.path = path;
        Ok(catalog)
    }

    pub fn save(&self) -> Result<(), CatalogError> {
        write_json_atomic(&self.path, self).map_err(|source| CatalogError::Write {
            path: self.path.display().to_string(),
            source,
        })
    }

    pub fn source_mut(&mut self, id: &str) -> &mut SourceRecord {
        self.sources.entry(id.to_string()).or_default()
    }

    pub fn start_run(&mut self, command: &str) -> u64 {
        let id = self.runs.last().map_or(1, |r| r.id + 1);
        self.runs.push(RunRecord {
            id,
            command: command.to_string(),
            started_at: Utc::now(),
            finished_at: None,
            outcome: "running".into(),
            sources: Vec::new(),
            sections_indexed: 0,
            reindexed: Vec::new(),
            theme_matches: 0,
            stage_millis: BTreeMap::new(),
        });
        if self.runs.len() > MAX_RUNS {
            let excess = self.runs.len() - MAX_RUNS;
            self.runs.drain(..excess);
        }
        id
    }

    pub fn current_run_mut(&mut self) -> Option<&mut RunRecord> {
        self.runs.last_mut()
    }

    pub fn last_finished_run(&self) -> Option<&RunRecord> {
        self.runs.iter().rev().find(|r| r.finished_at.is_some())
    }
}

/// Where extracted documents are cached: one JSON file per version hash.
pub fn extracted_path(index_dir: &Path, sha256: &str) -> PathBuf {
    index_dir.join("extracted").join(format!("{sha256}.json"))
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
        });
        let run = catalog.start_run("run");
        catalog.save().unwrap();
        let again = Catalog::load(dir.path()).unwrap();
        assert_eq!(again.sources["nou"].versions.len(), 1);
        assert_eq!(again.runs[0].id, run);
        assert!(again.sources["nou"].best_extracted().is_none());
    }

    #[test]
    fn corrupt_catalog_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("catalog.json"), b"{not json").unwrap();
        let err = Catalog::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("catalog is not valid JSON"), "{err}");
    }
}
