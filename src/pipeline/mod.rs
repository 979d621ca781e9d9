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

mod extract;
mod fetch;
mod index;
mod matching;
mod report;
pub mod summary;

use report::run_counts;
pub use summary::{RunSummary, SourceFailure};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;

use crate::config::Config;
use crate::fsutil::write_json_atomic;
use crate::index::SectionIndex;
use crate::track::changes::{self, ChangeReport};
use crate::track::db::{CatalogDb, RunWindow, StageWrites};
use crate::track::lock::IndexLock;
use crate::track::{
    Catalog, RunCounts, RunOutcome, SourceRecord, SourceResult, SourceRun, SourceState,
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
    #[error(transparent)]
    Matches(#[from] crate::matches::MatchFileError),
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

/// The run report for monitoring: `INDEX_DIR/last-run.json`.
pub(crate) fn last_run_path(index_dir: &Path) -> PathBuf {
    index_dir.join("last-run.json")
}

/// The configuration plus the data directory it works on.
pub struct Pipeline {
    pub config: Config,
    pub index_dir: PathBuf,
    /// The embedding model, opened at most once per run, when a stage first needs it (the
    /// index stage's vectors, then the match stage's themes by meaning).
    model: std::sync::OnceLock<Option<Box<dyn crate::embed::Embedder>>>,
}

impl Pipeline {
    pub fn new(config: Config, index_dir: &Path) -> Pipeline {
        Pipeline {
            config,
            index_dir: index_dir.to_path_buf(),
            model: std::sync::OnceLock::new(),
        }
    }

    /// The embedding model per the settings, opened on first use and then shared by the
    /// stages of this run; `None` when embeddings are off or not installed (one warning).
    pub(crate) fn model(&self) -> Option<&dyn crate::embed::Embedder> {
        self.model
            .get_or_init(|| crate::embed::open_or_warn(&self.config.embeddings))
            .as_deref()
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
            .map(|s| (s.id.clone(), SourceRun::ok(&s.id)))
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
                    if let Some(model) = self.model() {
                        crate::embed::sync::sync_index_dir(model, &self.index_dir);
                    }
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
                    run.stage = Some(failure.stage);
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
