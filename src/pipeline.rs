//! The nightly pipeline: fetch → extract → index → match, each stage runnable alone.
//!
//! Every stage works per source and records per-source failures in the catalog instead of
//! stopping: one broken PDF or one unreachable server fails that source only, and its last good
//! version stays indexed. The catalog is saved after each stage, in one transaction.
//!
//! Crash safety (a run may be killed at any instant): the index lock is an OS lock, so a dead
//! run never blocks the next; every file is written atomically and temporary files a killed
//! run left are swept at the start of the next; the index is the truth about what is indexed
//! (its commit is atomic), and each run starts by reconciling the catalog with it, so a crash
//! between the index commit and the catalog transaction is repaired, not repeated. Stored
//! versions, extractions and matches are idempotent to redo.
//!
//! An unchanged nightly run (every server answers 304) opens no index writer and extracts
//! nothing; the match stage of `run` reuses the stored matches when neither the indexed
//! versions nor the themes changed.
//!
//! After the stages, a run records what it changed (counts), writes `last-run.json` for
//! monitoring, rewrites `feed.atom` when something changed, and `run` calls the webhook.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, Source};
use crate::extract::model::{ExtractedDoc, Format};
use crate::extract::{ExtractOptions, extract_bytes};
use crate::fetch::{Fetched, Fetcher, Previous};
use crate::fsutil::write_json_atomic;
use crate::index::{IndexedSection, SectionIndex};
use crate::themes::{ThemeMatch, ThemeMatcher};
use crate::track::changes::{self, ChangeReport, DocumentChangeKind, SectionChangeKind};
use crate::track::db::{
    CatalogDb, RunWindow, SectionSummary, StageWrites, VersionMatches, VersionSections,
    version_text_hash,
};
use crate::track::feed::{self, FeedContext, SourceInfo};
use crate::track::lock::IndexLock;
use crate::track::store::VersionStore;
use crate::track::{
    Catalog, ExtractSummary, RunCounts, RunOutcome, RunRecord, SourceChange, SourceRecord,
    SourceResult, SourceRun, SourceState, VersionRecord, extracted_path,
};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Lock(#[from] crate::track::lock::LockError),
    #[error(transparent)]
    Catalog(#[from] crate::track::CatalogError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Why one stored version could not be extracted (that source fails, the run goes on).
#[derive(Debug, thiserror::Error)]
enum VersionError {
    #[error("stored version is unreadable: {0}")]
    Unreadable(#[source] std::io::Error),
    #[error(transparent)]
    Extract(#[from] crate::extract::ExtractError),
    #[error("{path}: {source}")]
    Cache {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A stage a user can run on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Fetch,
    Extract,
    Index,
    Match,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Fetch, Stage::Extract, Stage::Index, Stage::Match];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Extract => "extract",
            Stage::Index => "index",
            Stage::Match => "match",
        }
    }
}

/// A source that failed in this run.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFailure {
    pub source: String,
    pub stage: String,
    pub error: String,
}

/// A theme with its matching sections, strongest first.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ThemeResult {
    pub id: String,
    pub label: String,
    pub sections: Vec<MatchedSection>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct MatchedSection {
    pub source: String,
    pub section: String,
    pub heading: Option<String>,
    pub page: u64,
    pub version: String,
    pub ordinal: u64,
    pub score: f32,
    pub terms: Vec<String>,
    pub evidence: Vec<String>,
    /// Whether this is the section's strongest theme.
    #[serde(default)]
    pub primary: bool,
}

/// The stored result of the match stage: `INDEX_DIR/matches.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct MatchFile {
    pub generated_at: chrono::DateTime<Utc>,
    pub themes: Vec<ThemeResult>,
}

impl MatchFile {
    pub fn path_in(index_dir: &Path) -> PathBuf {
        index_dir.join("matches.json")
    }

    /// The stored matches of the last match stage, or `None` if no run has matched yet.
    pub fn load(index_dir: &Path) -> Result<Option<MatchFile>, PipelineError> {
        let path = MatchFile::path_in(index_dir);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(PipelineError::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| PipelineError::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })
    }
}

/// What a pipeline invocation did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub run: u64,
    pub failures: Vec<SourceFailure>,
    pub sections_indexed: usize,
    /// Sources whose sections were (re)written to the index in this run.
    pub reindexed: Vec<String>,
    pub themes: Vec<ThemeResult>,
    pub stage_millis: BTreeMap<String, u64>,
    /// What the run changed (documents, sections, theme matches) and how the sources fared.
    pub counts: RunCounts,
    pub total_millis: u64,
}

impl RunSummary {
    pub fn all_ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The run report for monitoring: `INDEX_DIR/last-run.json`.
pub fn last_run_path(index_dir: &Path) -> PathBuf {
    index_dir.join("last-run.json")
}

/// The configuration plus the data directory it works on.
pub struct Pipeline {
    pub config: Config,
    pub index_dir: PathBuf,
}

impl Pipeline {
    pub fn new(config: Config, index_dir: &Path) -> Pipeline {
        Pipeline {
            config,
            index_dir: index_dir.to_path_buf(),
        }
    }

    /// Runs the given stages in order under the index lock.
    pub fn run(&self, stages: &[Stage], command: &str) -> Result<RunSummary, PipelineError> {
        // The documents listings linked to at their last reading are sources too; the fetch
        // stage reads the listings again and brings the list up to date.
        let mut pipeline = Pipeline::new(
            crate::follow::with_derived(&self.config, &self.index_dir),
            &self.index_dir,
        );
        pipeline.run_stages(stages, command)
    }

    fn run_stages(&mut self, stages: &[Stage], command: &str) -> Result<RunSummary, PipelineError> {
        let started = Instant::now();
        let _lock = IndexLock::acquire(&self.index_dir, command)?;
        let swept = crate::track::sweep_temp_files(&self.index_dir);
        if swept > 0 {
            tracing::warn!(
                files = swept,
                "removed temporary files an interrupted run left behind"
            );
        }
        let mut db = CatalogDb::open(&self.index_dir)?;
        let mut catalog = db.snapshot();
        self.reconcile_with_index(&mut catalog)?;
        // Under the lock no other run is alive: an unfinished record is a run that was killed.
        for earlier in catalog
            .runs
            .iter_mut()
            .filter(|r| r.finished_at.is_none() && r.outcome == RunOutcome::Running)
        {
            tracing::warn!(run = earlier.id, command = %earlier.command, "run was interrupted");
            earlier.outcome = RunOutcome::Interrupted;
        }
        let run = catalog.start_run(command);
        for source in &self.config.sources {
            // A source back in sources.toml is tracked again.
            if let Some(record) = catalog.sources.get_mut(&source.id) {
                record.removed_at = None;
                record.removed_run = None;
            }
        }
        db.save(&catalog, &StageWrites::default())?;
        let _run_span = tracing::info_span!("run", run, command).entered();
        tracing::info!(stages = ?stages.iter().map(|s| s.name()).collect::<Vec<_>>(), "run started");

        let mut summary = RunSummary {
            run,
            failures: Vec::new(),
            sections_indexed: 0,
            reindexed: Vec::new(),
            themes: Vec::new(),
            stage_millis: BTreeMap::new(),
            counts: RunCounts::default(),
            total_millis: 0,
        };
        let mut timings: BTreeMap<String, u64> = BTreeMap::new();
        let mut per_source: BTreeMap<String, SourceRun> = self
            .config
            .sources
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    SourceRun {
                        id: s.id.clone(),
                        result: SourceResult::Ok,
                        change: None,
                        error: None,
                        millis: 0,
                        stage: None,
                        extract_millis: None,
                    },
                )
            })
            .collect();

        for &stage in stages {
            let _stage_span = tracing::info_span!("stage", stage = stage.name()).entered();
            let stage_started = Instant::now();
            let mut writes = StageWrites {
                run: Some(run),
                ..StageWrites::default()
            };
            let failures = match stage {
                Stage::Fetch => {
                    let (failures, config) =
                        self.fetch_stage(&mut catalog, &mut per_source, run)?;
                    self.config = config;
                    failures
                }
                Stage::Extract => {
                    self.extract_stage(&mut catalog, &mut per_source, run, &mut writes)?
                }
                Stage::Index => {
                    let (failures, count, reindexed) = self.index_stage(&mut catalog, run)?;
                    // Search by meaning: vectors of new and changed sections (never fails).
                    crate::embed::store::sync_index_dir(&self.config.embeddings, &self.index_dir);
                    summary.sections_indexed = count;
                    summary.reindexed = reindexed;
                    failures
                }
                Stage::Match => {
                    summary.themes = self.match_and_record(&mut catalog, command, &mut writes)?;
                    Vec::new()
                }
            };
            for failure in &failures {
                if let Some(run) = per_source.get_mut(&failure.source) {
                    run.result = SourceResult::Failed;
                    run.error = Some(format!("{}: {}", failure.stage, failure.error));
                    run.stage = Some(failure.stage.clone());
                }
            }
            let millis = stage_started.elapsed().as_millis() as u64;
            tracing::info!(millis, failures = failures.len(), "stage finished");
            summary.failures.extend(failures);
            timings.insert(stage.name().into(), millis);
            db.save(&catalog, &writes)?;
        }

        // A source is ok when nothing failed for it in this run and a version of it is indexed
        // (or, for runs without the index stage, extracted or fetched).
        let failed: BTreeSet<&str> = summary.failures.iter().map(|f| f.source.as_str()).collect();
        for source in &self.config.sources {
            let record = catalog.source_mut(&source.id);
            if failed.contains(source.id.as_str()) {
                record.state = SourceState::Failed;
            } else if record.indexed_sha256.is_some()
                || (!stages.contains(&Stage::Index) && record.sha256.is_some())
            {
                record.state = SourceState::Ok;
                record.last_error = None;
                record.failed_stage = None;
            }
        }

        // What this run changed, read back from the catalog it just wrote.
        let report = changes::report(&self.index_dir, RunWindow::Run(run)).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot list this run's changes; counts are incomplete");
            ChangeReport::default()
        });
        let counts = run_counts(&catalog, run, &per_source, &report, &self.config);
        let theme_matches = summary.themes.iter().map(|t| t.sections.len()).sum();
        let total_millis = started.elapsed().as_millis() as u64;
        if let Some(record) = catalog.current_run_mut() {
            record.finished_at = Some(Utc::now());
            record.outcome = if summary.failures.is_empty() {
                RunOutcome::Ok
            } else {
                RunOutcome::Partial
            };
            record.sources = per_source.into_values().collect();
            record.sections_indexed = summary.sections_indexed;
            record.reindexed = summary.reindexed.clone();
            record.theme_matches = theme_matches;
            record.stage_millis = timings.clone();
            record.total_millis = Some(total_millis);
            record.counts = counts.clone();
        }
        db.save(&catalog, &StageWrites::default())?;
        summary.stage_millis = timings;
        summary.counts = counts;
        summary.total_millis = total_millis;
        let record = catalog.current_run_mut().cloned();
        if let Some(record) = &record {
            let path = last_run_path(&self.index_dir);
            write_json_atomic(&path, record).map_err(|source| PipelineError::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        // The feed and the webhook tell others; neither can fail the run.
        match self.update_feed(&db, &catalog) {
            Ok(Some(entries)) => tracing::info!(entries, "feed.atom rewritten"),
            Ok(None) => tracing::debug!("nothing new for feed.atom"),
            Err(error) => tracing::warn!(%error, "cannot write feed.atom"),
        }
        if command == "run"
            && let Some(record) = &record
        {
            self.call_webhook(record);
        }
        tracing::info!(
            total_millis = summary.total_millis,
            failures = summary.failures.len(),
            "run finished"
        );
        Ok(summary)
    }

    /// Makes the catalog's idea of what is indexed agree with the index, which is the truth
    /// (its commits are atomic; the catalog transaction after a commit may not have happened).
    fn reconcile_with_index(&self, catalog: &mut Catalog) -> Result<(), PipelineError> {
        let indexed = if self.index_dir.join("tantivy").join("meta.json").is_file() {
            SectionIndex::open(&self.index_dir)?.indexed_sources()?
        } else {
            BTreeMap::new()
        };
        for (id, record) in catalog.sources.iter_mut() {
            let actual = indexed
                .get(id)
                .and_then(|s| s.version())
                .map(str::to_string);
            if record.indexed_sha256 != actual {
                tracing::warn!(
                    source = %id,
                    catalog = ?record.indexed_sha256,
                    index = ?actual,
                    "catalog and index disagreed (an interrupted run?); the index wins and is brought up to date"
                );
                record.indexed_sha256 = actual;
            }
        }
        for (id, state) in &indexed {
            if !catalog.sources.contains_key(id) {
                tracing::warn!(source = %id, "indexed source missing from the catalog; recorded");
                catalog.sources.insert(
                    id.clone(),
                    SourceRecord {
                        indexed_sha256: state.version().map(str::to_string),
                        ..SourceRecord::default()
                    },
                );
            }
        }
        Ok(())
    }

    /// Fetches every source; returns the failures and the configuration with the documents
    /// the listings link to now (see [`Pipeline::fetch_listings`]).
    fn fetch_stage(
        &self,
        catalog: &mut Catalog,
        per_source: &mut BTreeMap<String, SourceRun>,
        run_id: u64,
    ) -> Result<(Vec<SourceFailure>, Config), PipelineError> {
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let store = VersionStore::new(&self.index_dir);
        let (mut results, config) = self.fetch_listings(&fetcher, &store, catalog, per_source);
        let previous: Vec<(&Source, Previous)> = config
            .sources
            .iter()
            .filter(|source| !results.iter().any(|(id, _, _)| *id == source.id))
            .map(|source| (source, previous_of(catalog, source)))
            .collect();

        let progress = progress_bar(previous.len() as u64, "henter");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.config.fetch.concurrency)
            .build()
            .map_err(|e| PipelineError::Io {
                path: "fetch thread pool".into(),
                source: std::io::Error::other(e),
            })?;
        let fetched: Vec<_> = pool.install(|| {
            previous
                .par_iter()
                .map(|(source, previous)| {
                    let started = Instant::now();
                    let result = crate::follow::fetch_whole(
                        &fetcher,
                        source,
                        previous,
                        &store,
                        &self.index_dir,
                        self.config.fetch.max_bytes,
                    );
                    progress.inc(1);
                    (
                        source.id.clone(),
                        result,
                        started.elapsed().as_millis() as u64,
                    )
                })
                .collect()
        });
        progress.finish_and_clear();
        results.extend(fetched);

        let now = Utc::now();
        let mut failures = Vec::new();
        for (id, result, millis) in results {
            let url = config.source(&id).map(|s| s.url.clone());
            let record = catalog.source_mut(&id);
            record.last_attempt_at = Some(now);
            record.title = config.source(&id).map(|s| s.title.clone());
            let run = per_source.get_mut(&id);
            match result {
                Ok(Fetched::NotModified) => {
                    tracing::info!(source = %id, millis, "not modified");
                    record.fetched_at = Some(now);
                    record.failures_since_ok = 0;
                    if let Some(run) = run {
                        run.change = Some(SourceChange::NotModified);
                        run.millis = millis;
                    }
                }
                Ok(Fetched::Body {
                    sha256,
                    format,
                    size,
                    new_version,
                    etag,
                    last_modified,
                    final_url,
                    moved_to,
                }) => {
                    let change = match &record.sha256 {
                        None => SourceChange::New,
                        Some(old) if *old == sha256 => SourceChange::Unchanged,
                        Some(_) => SourceChange::Changed,
                    };
                    tracing::info!(source = %id, change = change.as_str(), size, millis, "fetched");
                    if record.version(&sha256).is_none() {
                        record.versions.push(VersionRecord {
                            sha256: sha256.clone(),
                            format,
                            fetched_at: now,
                            size,
                            extracted: None,
                            extract_error: None,
                            etag: etag.clone(),
                            last_modified: last_modified.clone(),
                            first_run: Some(run_id),
                            extracted_run: None,
                            text_hash: None,
                        });
                    } else if new_version {
                        tracing::warn!(source = %id, "stored file was missing and has been restored");
                    }
                    record.sha256 = Some(sha256);
                    record.etag = etag;
                    record.last_modified = last_modified;
                    record.url = url;
                    record.final_url = final_url;
                    record.moved_to = moved_to;
                    record.fetched_at = Some(now);
                    record.failures_since_ok = 0;
                    if let Some(run) = run {
                        run.change = Some(change);
                        run.millis = millis;
                    }
                }
                Err(err) => {
                    let message = err.to_string();
                    tracing::info!(source = %id, error = %message, millis, "fetch failed");
                    record.failures_since_ok += 1;
                    record.mark_failed("fetch", message.clone());
                    if let Some(run) = run {
                        run.millis = millis;
                    }
                    failures.push(SourceFailure {
                        source: id,
                        stage: "fetch".into(),
                        error: message,
                    });
                }
            }
        }
        Ok((failures, config))
    }

    /// Fetches the listing sources' pages first: they say which linked documents are sources
    /// in this run (`follow = "listing"`). Returns the listings' fetch results and the
    /// configuration with the linked documents as sources; a document no longer linked is
    /// no longer among them (and leaves the index like a source removed from sources.toml),
    /// one linked again is tracked again. A listing that fails keeps its last list.
    fn fetch_listings(
        &self,
        fetcher: &Fetcher,
        store: &VersionStore,
        catalog: &mut Catalog,
        per_source: &mut BTreeMap<String, SourceRun>,
    ) -> (Vec<FetchResult>, Config) {
        let now = Utc::now();
        let results: Vec<FetchResult> = self
            .config
            .sources
            .iter()
            .filter(|s| s.parent.is_none() && s.follow == Some(crate::config::Follow::Listing))
            .map(|source| {
                let started = Instant::now();
                let previous = previous_of(catalog, source);
                let result = crate::follow::refresh_listing(
                    fetcher,
                    source,
                    &previous,
                    store,
                    &self.index_dir,
                    now,
                );
                (
                    source.id.clone(),
                    result,
                    started.elapsed().as_millis() as u64,
                )
            })
            .collect();
        let config = crate::follow::with_derived(&self.config, &self.index_dir);
        for source in config.sources.iter().filter(|s| s.parent.is_some()) {
            if let Some(record) = catalog.sources.get_mut(&source.id) {
                record.removed_at = None;
                record.removed_run = None;
            }
            per_source
                .entry(source.id.clone())
                .or_insert_with(|| SourceRun {
                    id: source.id.clone(),
                    result: SourceResult::Ok,
                    change: None,
                    error: None,
                    millis: 0,
                    stage: None,
                    extract_millis: None,
                });
        }
        per_source.retain(|id, _| config.source(id).is_some());
        (results, config)
    }

    fn extract_stage(
        &self,
        catalog: &mut Catalog,
        per_source: &mut BTreeMap<String, SourceRun>,
        run: u64,
        writes: &mut StageWrites,
    ) -> Result<Vec<SourceFailure>, PipelineError> {
        let store = VersionStore::new(&self.index_dir);
        // (source, version) pairs whose latest version has not been through extraction.
        let mut todo = Vec::new();
        let mut failures = Vec::new();
        for source in &self.config.sources {
            let Some(record) = catalog.sources.get(&source.id) else {
                continue;
            };
            let Some(latest) = record.latest() else {
                continue;
            };
            let cached = extracted_path(&self.index_dir, &latest.sha256).is_file();
            match (&latest.extracted, &latest.extract_error) {
                (Some(_), _) if cached && latest.text_hash.is_some() => {}
                (_, Some(error))
                    if !crate::extract::ocr::retry_failed(error, &Default::default()) =>
                {
                    failures.push(SourceFailure {
                        source: source.id.clone(),
                        stage: "extract".into(),
                        error: error.clone(),
                    })
                }
                _ => todo.push((source, latest.sha256.clone(), latest.format)),
            }
        }

        let progress = progress_bar(todo.len() as u64, "trekker ut tekst");
        let results: Vec<_> = todo
            .par_iter()
            .map(|(source, sha, format)| {
                let started = Instant::now();
                let result = self.extract_version(&store, source, sha, *format);
                progress.inc(1);
                (
                    source.id.clone(),
                    sha.clone(),
                    result,
                    started.elapsed().as_millis() as u64,
                )
            })
            .collect();
        progress.finish_and_clear();

        for (id, sha, result, millis) in results {
            if let Some(run) = per_source.get_mut(&id) {
                run.extract_millis = Some(millis);
            }
            let record = catalog.source_mut(&id);
            match result {
                Ok(doc) => {
                    for warning in &doc.warnings {
                        tracing::warn!(source = %id, warning = %warning, "extraction warning");
                    }
                    let sections = SectionSummary::of(&doc);
                    if let Some(version) = record.version_mut(&sha) {
                        version.extracted = Some(ExtractSummary {
                            pages: doc.pages,
                            sections: doc.sections.len(),
                            warnings: doc.warnings.len(),
                        });
                        version.extract_error = None;
                        version.extracted_run = Some(run);
                        version.text_hash = Some(version_text_hash(&sections));
                    }
                    tracing::info!(source = %id, millis, sections = sections.len(), "extracted");
                    writes.sections.push(VersionSections {
                        source: id,
                        sha256: sha,
                        sections,
                    });
                }
                Err(error) => {
                    // The catalog and the run report keep the text; the log keeps the chain.
                    let error = error.to_string();
                    tracing::info!(source = %id, error = %error, "extraction failed");
                    if let Some(version) = record.version_mut(&sha) {
                        version.extract_error = Some(error.clone());
                    }
                    record.mark_failed("extract", error.clone());
                    failures.push(SourceFailure {
                        source: id,
                        stage: "extract".into(),
                        error,
                    });
                }
            }
        }
        Ok(failures)
    }

    /// Extracts one stored version and caches it, or reads the cache an interrupted run wrote
    /// before it could record the extraction.
    fn extract_version(
        &self,
        store: &VersionStore,
        source: &Source,
        sha: &str,
        format: Format,
    ) -> Result<ExtractedDoc, VersionError> {
        let path = extracted_path(&self.index_dir, sha);
        if let Ok(bytes) = std::fs::read(&path)
            && let Ok(doc) = serde_json::from_slice::<ExtractedDoc>(&bytes)
        {
            return Ok(doc);
        }
        let label = format!("{} ({})", source.id, source.url);
        let bytes = store
            .read(&source.id, sha, format)
            .map_err(VersionError::Unreadable)?;
        let options = ExtractOptions {
            selector: crate::follow::extraction_selector(source),
        };
        let doc = extract_bytes(&bytes, format, &label, &options)?;
        write_json_atomic(&path, &doc).map_err(|source| VersionError::Cache {
            path: path.display().to_string(),
            source,
        })?;
        Ok(doc)
    }

    fn index_stage(
        &self,
        catalog: &mut Catalog,
        run: u64,
    ) -> Result<(Vec<SourceFailure>, usize, Vec<String>), PipelineError> {
        let index = SectionIndex::open_or_create(&self.index_dir)?;
        let matcher = ThemeMatcher::new(&self.config.themes);
        let fingerprint = themes_fingerprint(&self.config);
        let rematch = catalog.themes_fingerprint.as_deref() != Some(fingerprint.as_str());
        let mut failures = Vec::new();
        let mut plan: Vec<(String, String, Vec<IndexedSection>)> = Vec::new();

        for source in &self.config.sources {
            let Some(record) = catalog.sources.get(&source.id) else {
                continue;
            };
            let Some(best) = record.best_extracted() else {
                continue;
            };
            if !rematch && record.indexed_sha256.as_deref() == Some(best.sha256.as_str()) {
                continue;
            }
            let path = extracted_path(&self.index_dir, &best.sha256);
            let doc: ExtractedDoc = match std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            {
                Ok(doc) => doc,
                Err(error) => {
                    failures.push(SourceFailure {
                        source: source.id.clone(),
                        stage: "index".into(),
                        error: format!("{}: {error}", path.display()),
                    });
                    continue;
                }
            };
            let sections = to_indexed(source, &best.sha256, &doc, &matcher);
            plan.push((source.id.clone(), best.sha256.clone(), sections));
        }
        // Sources removed from sources.toml leave the index (their files stay in the store).
        let removed: Vec<String> = catalog
            .sources
            .iter()
            .filter(|(id, r)| r.indexed_sha256.is_some() && self.config.source(id).is_none())
            .map(|(id, _)| id.clone())
            .collect();
        for failure in &failures {
            catalog
                .source_mut(&failure.source)
                .mark_failed("index", failure.error.clone());
        }
        if plan.is_empty() && removed.is_empty() {
            // Nothing to write: no writer, no commit, no merge.
            catalog.themes_fingerprint = Some(fingerprint);
            return Ok((failures, index.len() as usize, Vec::new()));
        }

        // A run killed during a commit leaves files of a commit that never happened. Tantivy
        // names delete files by segment and opstamp, and opstamps restart from the last
        // committed state, so the next commit would trip over them: collect them first.
        let cleaned = index.compact()?;
        if cleaned.files_removed > 0 {
            tracing::warn!(
                files = cleaned.files_removed,
                "removed index files an interrupted commit left behind"
            );
        }
        let mut batch = index.begin()?;
        batch.set_topics(matcher.topics());
        for (id, _, sections) in &plan {
            batch.replace_source(id, sections)?;
        }
        for id in &removed {
            batch.replace_source(id, &[])?;
        }
        batch.commit()?;
        // The commit is the truth from here; the catalog follows in this stage's save (and a
        // crash before it is repaired by the next run's reconciliation).
        match index.compact() {
            Ok(done) if done.segments_before != done.segments_after || done.files_removed > 0 => {
                tracing::info!(?done, "index compacted")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "index compaction failed; it is retried next run"),
        }
        let reindexed = plan.iter().map(|(id, _, _)| id.clone()).collect();
        for (id, sha, _) in plan {
            catalog.source_mut(&id).indexed_sha256 = Some(sha);
        }
        let now = Utc::now();
        for id in removed {
            let record = catalog.source_mut(&id);
            record.indexed_sha256 = None;
            record.removed_at = Some(now);
            record.removed_run = Some(run);
            tracing::info!(source = %id, "removed from the index (no longer in sources.toml)");
        }
        catalog.themes_fingerprint = Some(fingerprint);
        Ok((failures, index.len() as usize, reindexed))
    }

    /// The match stage with its bookkeeping: `run` reuses the stored matches when the indexed
    /// versions and the themes are what they were matched with; otherwise the stage runs and
    /// every indexed version's matches are recorded in the catalog.
    fn match_and_record(
        &self,
        catalog: &mut Catalog,
        command: &str,
        writes: &mut StageWrites,
    ) -> Result<Vec<ThemeResult>, PipelineError> {
        let state = matched_state(catalog, &themes_fingerprint(&self.config));
        if command == "run"
            && catalog.matched_state.as_deref() == Some(state.as_str())
            && let Ok(Some(stored)) = MatchFile::load(&self.index_dir)
        {
            tracing::info!("indexed versions and themes unchanged: stored matches reused");
            return Ok(stored.themes);
        }
        let themes = self.match_stage()?;
        // Every indexed version gets its full list, so matches a version lost are dropped.
        let mut by_version: BTreeMap<(String, String), VersionMatches> = catalog
            .sources
            .iter()
            .filter_map(|(id, record)| {
                let sha = record.indexed_sha256.as_ref()?;
                record.version(sha)?;
                let empty = VersionMatches {
                    source: id.clone(),
                    sha256: sha.clone(),
                    matches: Vec::new(),
                };
                Some(((id.clone(), sha.clone()), empty))
            })
            .collect();
        for theme in &themes {
            for section in &theme.sections {
                if let Some(version) =
                    by_version.get_mut(&(section.source.clone(), section.version.clone()))
                {
                    version
                        .matches
                        .push((section.ordinal, theme.id.clone(), section.score));
                }
            }
        }
        writes.theme_matches = by_version.into_values().collect();
        catalog.matched_state = Some(state);
        Ok(themes)
    }

    /// Rewrites `feed.atom` when the catalog holds something the feed does not show yet.
    /// Returns the number of entries written, or `None` when the feed was current.
    fn update_feed(&self, db: &CatalogDb, catalog: &Catalog) -> Result<Option<usize>, String> {
        let stamp = crate::track::db::feed_stamp(db.connection()).map_err(|e| e.to_string())?;
        let path = feed::path_in(&self.index_dir);
        if path.is_file()
            && db.meta("feed_stamp").map_err(|e| e.to_string())? == Some(stamp.clone())
        {
            return Ok(None);
        }
        let now = Utc::now();
        let since = now - chrono::TimeDelta::days(feed::WINDOW_DAYS);
        let report =
            changes::report(&self.index_dir, RunWindow::Since(since)).map_err(|e| e.to_string())?;
        let context = self.feed_context(catalog);
        let entries = feed::write(&self.index_dir, &report, &context, now)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        db.set_meta("feed_stamp", &stamp)
            .map_err(|e| e.to_string())?;
        Ok(Some(entries))
    }

    fn feed_context(&self, catalog: &Catalog) -> FeedContext {
        let identity = std::path::absolute(&self.index_dir)
            .unwrap_or_else(|_| self.index_dir.clone())
            .display()
            .to_string();
        // Sources that left sources.toml keep the title and URL the catalog recorded.
        let mut sources: BTreeMap<String, SourceInfo> = catalog
            .sources
            .iter()
            .filter(|(id, _)| self.config.source(id).is_none())
            .map(|(id, r)| {
                (
                    id.clone(),
                    SourceInfo {
                        title: r.title.clone().unwrap_or_else(|| id.clone()),
                        url: r.url.clone().unwrap_or_default(),
                        is_pdf: r.latest().is_some_and(|v| v.format == Format::Pdf),
                    },
                )
            })
            .collect();
        sources.extend(self.config.sources.iter().map(|s| {
            let is_pdf = catalog
                .sources
                .get(&s.id)
                .and_then(|r| r.latest())
                .map_or(s.url.to_lowercase().ends_with(".pdf"), |v| {
                    v.format == Format::Pdf
                });
            (
                s.id.clone(),
                SourceInfo {
                    title: s.title.clone(),
                    url: s.public_url(),
                    is_pdf,
                },
            )
        }));
        let themes = self
            .config
            .themes
            .iter()
            .map(|t| (t.id.clone(), t.label.clone()))
            .collect();
        let mut evidence = BTreeMap::new();
        if let Ok(Some(file)) = MatchFile::load(&self.index_dir) {
            for theme in file.themes {
                for s in theme.sections {
                    evidence.insert(
                        (s.source, s.version, s.ordinal, theme.id.clone()),
                        s.evidence,
                    );
                }
            }
        }
        FeedContext {
            identity,
            self_url: self.config.notify.feed_url.clone(),
            sources,
            themes,
            evidence,
        }
    }

    fn call_webhook(&self, record: &RunRecord) {
        if self.config.notify.webhook.is_none() {
            return;
        }
        let body = crate::output::WebhookJson {
            record,
            index_dir: std::path::absolute(&self.index_dir)
                .unwrap_or_else(|_| self.index_dir.clone())
                .display()
                .to_string(),
        };
        let body = match serde_json::to_value(&body) {
            Ok(body) => body,
            Err(error) => {
                // Never send `null`: say why nothing was sent.
                tracing::warn!(%error, "the run record cannot be serialised; webhook not called");
                return;
            }
        };
        let started = Instant::now();
        match crate::notify::post_webhook(
            &self.config.notify,
            &self.config.fetch.user_agent_header(),
            &body,
        ) {
            Ok(status) => tracing::info!(
                ?status,
                millis = started.elapsed().as_millis() as u64,
                "webhook called"
            ),
            Err(error) => tracing::warn!(%error, "webhook failed (the run itself is unaffected)"),
        }
    }

    /// Finds each theme's sections through the index and ranks them; stores `matches.json`.
    pub fn match_stage(&self) -> Result<Vec<ThemeResult>, PipelineError> {
        let index = SectionIndex::open_or_create(&self.index_dir)?;
        let matcher = ThemeMatcher::new(&self.config.themes);
        let mut results = Vec::new();
        for theme in &self.config.themes {
            let candidates = index.sections_with_any(&matcher.analysed_terms(&theme.id))?;
            let mut sections: Vec<MatchedSection> = candidates
                .iter()
                .filter_map(|section| {
                    let found = matcher
                        .score(section.heading.as_deref(), &section.text)
                        .into_iter()
                        .find(|m| m.theme == theme.id)?;
                    found.passed.then(|| matched(section, found))
                })
                .collect();
            sections.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(a.source.cmp(&b.source))
                    .then(a.ordinal.cmp(&b.ordinal))
            });
            results.push(ThemeResult {
                id: theme.id.clone(),
                label: theme.label.clone(),
                sections,
            });
        }
        let file = MatchFile {
            generated_at: Utc::now(),
            themes: results.clone(),
        };
        let path = MatchFile::path_in(&self.index_dir);
        write_json_atomic(&path, &file).map_err(|source| PipelineError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(results)
    }

    /// Scores one indexed section against every theme, for `match --explain`.
    pub fn explain(
        &self,
        source: &str,
        section: &str,
    ) -> Result<Option<(IndexedSection, Vec<ThemeMatch>)>, PipelineError> {
        let index = SectionIndex::open(&self.index_dir)?;
        let matcher = ThemeMatcher::new(&self.config.themes);
        let found = index.sections_of(source)?.into_iter().find(|s| {
            s.number.as_deref() == Some(section)
                || s.heading.as_deref() == Some(section)
                || s.label() == section
                || s.ordinal.to_string() == section.trim_start_matches('#')
        });
        Ok(found.map(|s| {
            let matches = matcher.score(s.heading.as_deref(), &s.text);
            (s, matches)
        }))
    }
}

/// One source's fetch: its id, the result and the time it took.
type FetchResult = (String, Result<Fetched, crate::follow::FollowError>, u64);

/// The validators of a source's newest version, for a conditional request.
fn previous_of(catalog: &Catalog, source: &Source) -> Previous {
    let record = catalog.sources.get(&source.id);
    // A changed URL is a different resource: its validators do not apply.
    let same_url = record.is_some_and(|r| r.url.as_deref() == Some(source.url.as_str()));
    match record.filter(|_| same_url) {
        Some(r) => Previous {
            sha256: r.sha256.clone(),
            format: r.latest().map(|v| v.format),
            etag: r.etag.clone(),
            last_modified: r.last_modified.clone(),
            final_url: r.final_url.clone(),
        },
        None => Previous::default(),
    }
}

fn matched(section: &IndexedSection, found: ThemeMatch) -> MatchedSection {
    MatchedSection {
        source: section.source.clone(),
        section: section.label(),
        heading: section.heading.clone(),
        page: section.page_start,
        version: section.version.clone(),
        ordinal: section.ordinal,
        // The index stores a section's themes strongest first.
        primary: section.themes.first() == Some(&found.theme),
        score: found.score,
        terms: found.terms,
        evidence: found.evidence,
    }
}

/// Turns an extracted document into index records, with the themes each section carries.
fn to_indexed(
    source: &Source,
    version: &str,
    doc: &ExtractedDoc,
    matcher: &ThemeMatcher,
) -> Vec<IndexedSection> {
    doc.sections
        .iter()
        .enumerate()
        .map(|(ordinal, section)| IndexedSection {
            source: source.id.clone(),
            title: source.title.clone(),
            kind: source.kind.as_str().to_string(),
            language: source.language.map(|l| l.as_str().to_string()),
            url: source.public_url(),
            format: doc.format.as_str().to_string(),
            version: version.to_string(),
            ordinal: ordinal as u64,
            number: section.number.clone(),
            heading: section.heading.clone(),
            level: u64::from(section.level),
            page_start: u64::from(section.page_start),
            page_end: u64::from(section.page_end),
            text: section.text.clone(),
            year: source.year.map(u64::from),
            themes: matcher
                .score(section.heading.as_deref(), &section.text)
                .into_iter()
                .filter(|m| m.passed)
                .map(|m| m.theme)
                .collect(),
            refs: section_refs(section.heading.as_deref(), &section.text),
            ocr: doc.section_from_ocr(section),
        })
        .collect()
}

/// The canonical references a section cites, and the documents they belong to, deduplicated.
fn section_refs(heading: Option<&str>, text: &str) -> Vec<String> {
    let mut refs = BTreeSet::new();
    for part in heading.into_iter().chain(std::iter::once(text)) {
        for citation in crate::refs::find_citations(part) {
            // "Prop. 102 L" as typed without its session finds "Prop. 102 L (2020–2021)".
            if let Some((without_session, _)) = citation.canonical.split_once(" (") {
                refs.insert(without_session.to_string());
            }
            // "§ 6-2" typed without its law finds the paragraph in any law.
            if let Some(at) = citation.canonical.find('§') {
                refs.insert(citation.canonical[at..].to_string());
            }
            refs.insert(citation.document.clone());
            refs.insert(citation.canonical);
        }
    }
    refs.into_iter().collect()
}

/// What a match result depends on: the themes and every indexed version.
fn matched_state(catalog: &Catalog, themes_fingerprint: &str) -> String {
    let mut text = themes_fingerprint.to_string();
    for (id, record) in &catalog.sources {
        if let Some(sha) = &record.indexed_sha256 {
            text.push_str(&format!("\u{1}{id}\u{2}{sha}"));
        }
    }
    crate::track::store::sha256_hex(text.as_bytes())
}

/// The run's counts for the run record, the report and the webhook.
fn run_counts(
    catalog: &Catalog,
    run: u64,
    per_source: &BTreeMap<String, SourceRun>,
    report: &ChangeReport,
    config: &Config,
) -> RunCounts {
    let mut counts = RunCounts::default();
    for source in &config.sources {
        match catalog.sources.get(&source.id).map(|r| r.state) {
            Some(SourceState::Failed) => counts.sources_failed += 1,
            Some(SourceState::Ok) => counts.sources_ok += 1,
            _ => {}
        }
    }
    counts.not_modified = per_source
        .values()
        .filter(|s| s.change == Some(SourceChange::NotModified))
        .count();
    for record in catalog.sources.values() {
        for version in &record.versions {
            counts.versions_fetched += usize::from(version.first_run == Some(run));
            counts.versions_extracted += usize::from(version.extracted_run == Some(run));
        }
    }
    for change in &report.documents {
        match change.kind {
            DocumentChangeKind::New => counts.new_documents += 1,
            DocumentChangeKind::Changed => {
                counts.changed_documents += 1;
                for section in &change.sections {
                    match section.kind {
                        SectionChangeKind::Added => counts.sections_added += 1,
                        SectionChangeKind::Modified => counts.sections_modified += 1,
                        SectionChangeKind::Removed => counts.sections_removed += 1,
                    }
                }
            }
        }
    }
    counts.identical_text_versions = report.identical_text.len();
    counts.removed_documents = report.removed.len();
    counts.new_theme_matches = report.theme_matches.len();
    counts
}

/// Changes whenever a theme definition changes, so stored themes are recomputed.
fn themes_fingerprint(config: &Config) -> String {
    let mut text = String::new();
    for theme in &config.themes {
        text.push_str(&format!(
            "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{:?}\u{2}",
            theme.id,
            theme.terms.join("\u{3}"),
            theme.context.join("\u{3}"),
            theme.paraphrases.join("\u{3}"),
            theme.exclude.join("\u{3}"),
            theme.threshold
        ));
    }
    // The scoring code is part of the definition too.
    text.push_str(env!("CARGO_PKG_VERSION"));
    text.push_str(crate::index::FORMAT);
    // A new extraction gives stored versions new sections: index them all again.
    text.push_str(crate::extract::VERSION);
    text.push_str(crate::themes::SCORER_VERSION);
    crate::track::store::sha256_hex(text.as_bytes())
}

fn progress_bar(len: u64, message: &'static str) -> indicatif::ProgressBar {
    // indicatif draws nothing when stderr is not a terminal (cron, CI, pipes).
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>18} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}
