//! The nightly pipeline: fetch → extract → index → match, each stage runnable alone.
//!
//! Every stage works per source and records per-source failures in the catalog instead of
//! stopping: one broken PDF or one unreachable server fails that source only, and its last good
//! version stays indexed. The catalog is saved after each stage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, Source};
use crate::extract::model::ExtractedDoc;
use crate::extract::{ExtractOptions, extract_bytes};
use crate::fetch::{Fetched, Fetcher, Previous};
use crate::fsutil::write_json_atomic;
use crate::index::{IndexedSection, SectionIndex};
use crate::themes::{ThemeMatch, ThemeMatcher};
use crate::track::lock::IndexLock;
use crate::track::store::VersionStore;
use crate::track::{
    Catalog, ExtractSummary, SourceRun, SourceState, VersionRecord, extracted_path,
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
}

impl RunSummary {
    pub fn all_ok(&self) -> bool {
        self.failures.is_empty()
    }
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
        let _lock = IndexLock::acquire(&self.index_dir, command)?;
        let mut catalog = Catalog::load(&self.index_dir)?;
        let run = catalog.start_run(command);
        catalog.save()?;
        let mut summary = RunSummary {
            run,
            failures: Vec::new(),
            sections_indexed: 0,
            reindexed: Vec::new(),
            themes: Vec::new(),
            stage_millis: BTreeMap::new(),
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
                        result: "ok".into(),
                        change: None,
                        error: None,
                        millis: 0,
                    },
                )
            })
            .collect();

        for &stage in stages {
            let started = Instant::now();
            let failures = match stage {
                Stage::Fetch => self.fetch_stage(&mut catalog, &mut per_source)?,
                Stage::Extract => self.extract_stage(&mut catalog)?,
                Stage::Index => {
                    let (failures, count, reindexed) = self.index_stage(&mut catalog)?;
                    summary.sections_indexed = count;
                    summary.reindexed = reindexed;
                    failures
                }
                Stage::Match => {
                    summary.themes = self.match_stage()?;
                    Vec::new()
                }
            };
            for failure in &failures {
                if let Some(run) = per_source.get_mut(&failure.source) {
                    run.result = "failed".into();
                    run.error = Some(format!("{}: {}", failure.stage, failure.error));
                }
            }
            summary.failures.extend(failures);
            timings.insert(stage.name().into(), started.elapsed().as_millis() as u64);
            catalog.save()?;
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
        let theme_matches = summary.themes.iter().map(|t| t.sections.len()).sum();
        if let Some(record) = catalog.current_run_mut() {
            record.finished_at = Some(Utc::now());
            record.outcome = if summary.failures.is_empty() {
                "ok".into()
            } else {
                "partial".into()
            };
            record.sources = per_source.into_values().collect();
            record.sections_indexed = summary.sections_indexed;
            record.reindexed = summary.reindexed.clone();
            record.theme_matches = theme_matches;
            record.stage_millis = timings.clone();
        }
        catalog.save()?;
        summary.stage_millis = timings;
        if let Some(record) = catalog.current_run_mut().cloned() {
            let path = self.index_dir.join("last-run.json");
            write_json_atomic(&path, &record).map_err(|source| PipelineError::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        Ok(summary)
    }

    fn fetch_stage(
        &self,
        catalog: &mut Catalog,
        per_source: &mut BTreeMap<String, SourceRun>,
    ) -> Result<Vec<SourceFailure>, PipelineError> {
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let store = VersionStore::new(&self.index_dir);
        let previous: Vec<(&Source, Previous)> = self
            .config
            .sources
            .iter()
            .map(|source| {
                let record = catalog.sources.get(&source.id);
                // A changed URL is a different resource: its validators do not apply.
                let same_url =
                    record.is_some_and(|r| r.url.as_deref() == Some(source.url.as_str()));
                let previous = match record.filter(|_| same_url) {
                    Some(r) => Previous {
                        sha256: r.sha256.clone(),
                        format: r.latest().map(|v| v.format),
                        etag: r.etag.clone(),
                        last_modified: r.last_modified.clone(),
                    },
                    None => Previous::default(),
                };
                (source, previous)
            })
            .collect();

        let progress = progress_bar(previous.len() as u64, "henter");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.config.fetch.concurrency)
            .build()
            .map_err(|e| PipelineError::Io {
                path: "fetch thread pool".into(),
                source: std::io::Error::other(e),
            })?;
        let results: Vec<_> = pool.install(|| {
            previous
                .par_iter()
                .map(|(source, previous)| {
                    let started = Instant::now();
                    let result = fetcher.fetch(source, previous, &store);
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

        let now = Utc::now();
        let mut failures = Vec::new();
        for (id, result, millis) in results {
            let url = self.config.source(&id).map(|s| s.url.clone());
            let record = catalog.source_mut(&id);
            record.last_attempt_at = Some(now);
            let run = per_source.get_mut(&id);
            match result {
                Ok(Fetched::NotModified) => {
                    tracing::info!(source = %id, "not modified");
                    record.fetched_at = Some(now);
                    record.failures_since_ok = 0;
                    if let Some(run) = run {
                        run.change = Some("not-modified".into());
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
                }) => {
                    let change = match &record.sha256 {
                        None => "new",
                        Some(old) if *old == sha256 => "unchanged",
                        Some(_) => "changed",
                    };
                    tracing::info!(source = %id, change, size, "fetched");
                    if record.version(&sha256).is_none() {
                        record.versions.push(VersionRecord {
                            sha256: sha256.clone(),
                            format,
                            fetched_at: now,
                            size,
                            extracted: None,
                            extract_error: None,
                        });
                    } else if new_version {
                        tracing::warn!(source = %id, "stored file was missing and has been restored");
                    }
                    record.sha256 = Some(sha256);
                    record.etag = etag;
                    record.last_modified = last_modified;
                    record.url = url;
                    record.fetched_at = Some(now);
                    record.failures_since_ok = 0;
                    if let Some(run) = run {
                        run.change = Some(change.into());
                        run.millis = millis;
                    }
                }
                Err(err) => {
                    let message = err.to_string();
                    tracing::info!(source = %id, error = %message, "fetch failed");
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
        Ok(failures)
    }

    fn extract_stage(&self, catalog: &mut Catalog) -> Result<Vec<SourceFailure>, PipelineError> {
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
                (Some(_), _) if cached => {}
                (_, Some(error)) => failures.push(SourceFailure {
                    source: source.id.clone(),
                    stage: "extract".into(),
                    error: error.clone(),
                }),
                _ => todo.push((source, latest.sha256.clone(), latest.format)),
            }
        }

        let progress = progress_bar(todo.len() as u64, "trekker ut tekst");
        let results: Vec<_> = todo
            .par_iter()
            .map(|(source, sha, format)| {
                let label = format!("{} ({})", source.id, source.url);
                let result = store
                    .read(&source.id, sha, *format)
                    .map_err(|e| format!("stored version is unreadable: {e}"))
                    .and_then(|bytes| {
                        let options = ExtractOptions {
                            selector: source.selector.clone(),
                        };
                        extract_bytes(&bytes, *format, &label, &options).map_err(|e| e.to_string())
                    });
                progress.inc(1);
                (source.id.clone(), sha.clone(), result)
            })
            .collect();
        progress.finish_and_clear();

        for (id, sha, result) in results {
            let record = catalog.source_mut(&id);
            match result {
                Ok(doc) => {
                    let path = extracted_path(&self.index_dir, &sha);
                    write_json_atomic(&path, &doc).map_err(|source| PipelineError::Io {
                        path: path.display().to_string(),
                        source,
                    })?;
                    for warning in &doc.warnings {
                        tracing::warn!(source = %id, warning = %warning, "extraction warning");
                    }
                    if let Some(version) = record.version_mut(&sha) {
                        version.extracted = Some(ExtractSummary {
                            pages: doc.pages,
                            sections: doc.sections.len(),
                            warnings: doc.warnings.len(),
                        });
                        version.extract_error = None;
                    }
                }
                Err(error) => {
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

    fn index_stage(
        &self,
        catalog: &mut Catalog,
    ) -> Result<(Vec<SourceFailure>, usize, Vec<String>), PipelineError> {
        let index = SectionIndex::open_or_create(&self.index_dir)?;
        let matcher = ThemeMatcher::new(&self.config.themes);
        let fingerprint = themes_fingerprint(&self.config);
        let rematch = catalog.themes_fingerprint.as_deref() != Some(fingerprint.as_str());
        let mut batch = index.begin()?;
        batch.set_topics(matcher.topics());
        let mut failures = Vec::new();
        let mut changed = Vec::new();

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
            batch.replace_source(&source.id, &sections)?;
            changed.push((source.id.clone(), best.sha256.clone()));
        }
        // Sources removed from sources.toml leave the index (their files stay in the store).
        let removed: Vec<String> = catalog
            .sources
            .iter()
            .filter(|(id, r)| r.indexed_sha256.is_some() && self.config.source(id).is_none())
            .map(|(id, _)| id.clone())
            .collect();
        for id in &removed {
            batch.replace_source(id, &[])?;
        }
        batch.commit()?;
        let reindexed = changed.iter().map(|(id, _)| id.clone()).collect();
        for (id, sha) in changed {
            catalog.source_mut(&id).indexed_sha256 = Some(sha);
        }
        for id in removed {
            catalog.source_mut(&id).indexed_sha256 = None;
        }
        catalog.themes_fingerprint = Some(fingerprint);
        for failure in &failures {
            catalog
                .source_mut(&failure.source)
                .mark_failed("index", failure.error.clone());
        }
        Ok((failures, index.len() as usize, reindexed))
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
            format: match doc.format {
                crate::extract::model::Format::Pdf => "pdf".into(),
                crate::extract::model::Format::Html => "html".into(),
            },
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

/// Changes whenever a theme definition changes, so stored themes are recomputed.
fn themes_fingerprint(config: &Config) -> String {
    let mut text = String::new();
    for theme in &config.themes {
        text.push_str(&format!(
            "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{:?}\u{2}",
            theme.id,
            theme.terms.join("\u{3}"),
            theme.context.join("\u{3}"),
            theme.exclude.join("\u{3}"),
            theme.threshold
        ));
    }
    // The scoring code is part of the definition too.
    text.push_str(env!("CARGO_PKG_VERSION"));
    text.push_str(crate::index::FORMAT);
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
