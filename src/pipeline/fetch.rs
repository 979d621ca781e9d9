use std::collections::BTreeMap;
use std::time::Instant;

use chrono::Utc;
use rayon::prelude::*;

use super::{Pipeline, PipelineError, SourceFailure, progress_bar};
use crate::config::{Config, Source};
use crate::fetch::{Fetched, Fetcher, Previous};
use crate::track::store::VersionStore;
use crate::track::{Catalog, SourceChange, SourceRun, VersionRecord};

impl Pipeline {
    /// Fetches every source; returns the failures and the configuration with the documents
    /// the listings link to now (see [`Pipeline::fetch_listings`]).
    pub(super) fn fetch_stage(
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
                        stage: crate::track::FailedStage::Fetch,
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
                .or_insert_with(|| SourceRun::ok(&source.id));
        }
        per_source.retain(|id, _| config.source(id).is_some());
        (results, config)
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
