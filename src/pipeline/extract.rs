use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;

use super::{Pipeline, PipelineError, SourceFailure, VersionError, progress_bar};
use crate::config::Source;
use crate::extract::model::{ExtractedDoc, Format};
use crate::extract::{ExtractOptions, extract_bytes};
use crate::fsutil::write_json_atomic;
use crate::track::db::{SectionSummary, StageWrites, VersionSections, version_text_hash};
use crate::track::store::VersionStore;
use crate::track::{Catalog, ExtractSummary, SourceRun, extracted_path};

impl Pipeline {
    pub(super) fn extract_stage(
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
                        stage: crate::track::FailedStage::Extract,
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
                        stage: crate::track::FailedStage::Extract,
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
}
