use std::collections::BTreeSet;

use chrono::Utc;

use super::matching::themes_fingerprint;
use super::{Pipeline, PipelineError, SourceFailure};
use crate::config::Source;
use crate::extract::model::ExtractedDoc;
use crate::index::{IndexedSection, SectionIndex};
use crate::themes::ThemeMatcher;
use crate::track::{Catalog, extracted_path};

impl Pipeline {
    pub(super) fn index_stage(
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
                        stage: crate::track::FailedStage::Index,
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
