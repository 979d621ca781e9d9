//! What the pages read from the index dir besides the search index: the catalog (through one
//! function), the stored theme matches, the citation graph and section-level changes.
//!
//! Architecture invariant: `serve` reads the catalog only through `track` (here: a snapshot in
//! [`read_catalog`], section changes through `track::changes`; briefs through `brief`); the
//! pages work on the [`CatalogView`] it returns and never know how the catalog is stored.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::error::PageError;
use super::state::{AppState, Citation, fingerprint};
use crate::config::Config;
use crate::index::SectionIndex;
use crate::matches::MatchFile;
use crate::refs::links::{self, CitationRecord, Linker, SectionText};
use crate::track::changes::{DocumentChange, changes_since};

/// A source as the catalog knows it.
#[derive(Debug, Clone, Default)]
pub struct SourceView {
    pub state: crate::track::SourceState,
    pub last_error: Option<String>,
    pub failed_stage: Option<String>,
    /// Last successful fetch (200 or 304).
    pub fetched_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub failures_since_ok: u32,
    pub versions: Vec<VersionView>,
    /// The version the search index holds.
    pub indexed_sha256: Option<String>,
}

/// One stored version of a source.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub sha256: String,
    pub format: crate::extract::model::Format,
    pub fetched_at: DateTime<Utc>,
    pub size: u64,
    pub pages: Option<u32>,
    pub sections: Option<usize>,
    pub extract_error: Option<String>,
}

/// One pipeline run.
#[derive(Debug, Clone)]
pub struct RunView {
    pub id: u64,
    pub command: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: crate::track::RunOutcome,
    /// Sources that failed in the run, with the reason.
    pub failures: Vec<(String, String)>,
    pub sections_indexed: usize,
    pub reindexed: Vec<String>,
    pub theme_matches: usize,
    pub stage_millis: BTreeMap<String, u64>,
}

/// The catalog, as the pages need it.
#[derive(Debug, Clone, Default)]
pub struct CatalogView {
    pub sources: BTreeMap<String, SourceView>,
    /// Oldest first.
    pub runs: Vec<RunView>,
}

impl CatalogView {
    pub fn source(&self, id: &str) -> SourceView {
        self.sources.get(id).cloned().unwrap_or_default()
    }

    /// What the indexed sections depend on: a key for caches derived from them.
    fn indexed_key(&self) -> Vec<(&str, Option<&str>)> {
        self.sources
            .iter()
            .map(|(id, s)| (id.as_str(), s.indexed_sha256.as_deref()))
            .collect()
    }

    /// What section-level changes depend on: every extracted version of every source.
    fn versions_key(&self) -> Vec<(&str, Vec<(&str, i64)>)> {
        self.sources
            .iter()
            .map(|(id, s)| {
                (
                    id.as_str(),
                    s.versions
                        .iter()
                        .filter(|v| v.sections.is_some())
                        .map(|v| (v.sha256.as_str(), v.fetched_at.timestamp_micros()))
                        .collect(),
                )
            })
            .collect()
    }
}

/// Reads the catalog. The one place in `serve` that knows its storage: when the catalog moves
/// (JSON → SQLite), only this function changes.
pub(crate) fn read_catalog(index_dir: &std::path::Path) -> Result<CatalogView, PageError> {
    let catalog = crate::track::Catalog::load(index_dir)
        .map_err(|e| PageError::internal(&format!("katalogen kan ikke leses: {e}")))?;
    let sources = catalog
        .sources
        .iter()
        .map(|(id, record)| {
            let versions = record
                .versions
                .iter()
                .map(|v| VersionView {
                    sha256: v.sha256.clone(),
                    format: v.format,
                    fetched_at: v.fetched_at,
                    size: v.size,
                    pages: v.extracted.as_ref().map(|e| e.pages),
                    sections: v.extracted.as_ref().map(|e| e.sections),
                    extract_error: v.extract_error.clone(),
                })
                .collect();
            let view = SourceView {
                state: record.state,
                last_error: record.last_error.clone(),
                failed_stage: record.failed_stage.clone(),
                fetched_at: record.fetched_at,
                last_attempt_at: record.last_attempt_at,
                failures_since_ok: record.failures_since_ok,
                versions,
                indexed_sha256: record.indexed_sha256.clone(),
            };
            (id.clone(), view)
        })
        .collect();
    let runs = catalog
        .runs
        .iter()
        .map(|run| RunView {
            id: run.id,
            command: run.command.clone(),
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome: run.outcome,
            failures: run
                .sources
                .iter()
                .filter(|s| s.result != crate::track::SourceResult::Ok)
                .map(|s| (s.id.clone(), s.error.clone().unwrap_or_default()))
                .collect(),
            sections_indexed: run.sections_indexed,
            reindexed: run.reindexed.clone(),
            theme_matches: run.theme_matches,
            stage_millis: run.stage_millis.clone(),
        })
        .collect();
    Ok(CatalogView { sources, runs })
}

/// The stored theme matches, or `None` before the first match stage.
pub(crate) fn read_matches(index_dir: &std::path::Path) -> Result<Option<MatchFile>, PageError> {
    MatchFile::load(index_dir)
        .map_err(|e| PageError::internal(&format!("tematreffene kan ikke leses: {e}")))
}

/// Every citation between the indexed sections, linked to tracked sources (as `samspor refs`).
/// Cached until the indexed versions or the sources' `cites_as` or titles change.
pub fn citations(
    state: &AppState,
    config: &Config,
    index: &SectionIndex,
    catalog: &CatalogView,
) -> Result<std::sync::Arc<Vec<Citation>>, PageError> {
    // Titles count too: a title that opens with a document's number makes it the source's own.
    let identity: Vec<(&str, Option<&str>, &str)> = config
        .sources
        .iter()
        .map(|s| (s.id.as_str(), s.cites_as.as_deref(), s.title.as_str()))
        .collect();
    let key = fingerprint(&(catalog.indexed_key(), &identity));
    state.cached_citations(key, || {
        let sections = index.all_sections().map_err(PageError::from_index)?;
        let linker = Linker::for_sources(&config.sources);
        let mut out = Vec::new();
        for s in &sections {
            out.extend(
                links::collect([SectionText::of(s)], &linker)
                    .into_iter()
                    .map(|record| Citation {
                        record,
                        ordinal: s.ordinal,
                    }),
            );
        }
        Ok(out)
    })
}

/// Every section-level change of every source, oldest first. Cached until a version is added.
pub fn changes(
    state: &AppState,
    catalog: &CatalogView,
) -> Result<std::sync::Arc<Vec<DocumentChange>>, PageError> {
    let key = fingerprint(&catalog.versions_key());
    state.cached_changes(key, || {
        changes_since(state.index_dir(), DateTime::<Utc>::MIN_UTC)
            .map_err(|e| PageError::internal(&format!("endringene kan ikke leses: {e}")))
    })
}

/// A citation target's label: the tracked source's title, or the cited document itself.
pub(crate) fn document_title<'a>(config: &'a Config, record: &'a CitationRecord) -> &'a str {
    record
        .target
        .as_deref()
        .and_then(|id| config.source(id))
        .map_or(record.document.as_str(), |s| s.title.as_str())
}
