use std::collections::BTreeMap;
use std::time::Instant;

use chrono::Utc;

use super::Pipeline;
use crate::config::Config;
use crate::extract::model::Format;
use crate::matches::MatchFile;
use crate::track::changes::{self, ChangeReport, DocumentChangeKind, SectionChangeKind};
use crate::track::db::{CatalogDb, RunWindow};
use crate::track::feed::{self, FeedContext, SourceInfo};
use crate::track::{Catalog, RunCounts, RunRecord, SourceChange, SourceRun, SourceState};

/// Why `feed.atom` was not rewritten (a warning: the feed never fails a run).
#[derive(Debug, thiserror::Error)]
pub(super) enum FeedError {
    #[error(transparent)]
    Catalog(#[from] crate::track::CatalogError),
    #[error(transparent)]
    Changes(#[from] crate::track::changes::ChangesError),
    #[error("{}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Pipeline {
    /// Rewrites `feed.atom` when the catalog holds something the feed does not show yet.
    /// Returns the number of entries written, or `None` when the feed was current.
    pub(super) fn update_feed(
        &self,
        db: &CatalogDb,
        catalog: &Catalog,
    ) -> Result<Option<usize>, FeedError> {
        let stamp = db.feed_stamp()?;
        let path = feed::path_in(&self.index_dir);
        if path.is_file() && db.meta("feed_stamp")? == Some(stamp.clone()) {
            return Ok(None);
        }
        let now = Utc::now();
        let since = now - chrono::TimeDelta::days(feed::WINDOW_DAYS);
        let report = changes::report(&self.index_dir, RunWindow::Since(since))?;
        let context = self.feed_context(catalog);
        let entries = feed::write(&self.index_dir, &report, &context, now)
            .map_err(|source| FeedError::Write { path, source })?;
        db.set_meta("feed_stamp", &stamp)?;
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

    pub(super) fn call_webhook(&self, record: &RunRecord) {
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
}

/// The run's counts for the run record, the report and the webhook.
pub(super) fn run_counts(
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
