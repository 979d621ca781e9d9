//! The index stage's hook: section vectors (and passage vectors when search uses them) brought
//! up to date after indexing. Its own file so that `store` (the vector file format) knows
//! nothing of `hybrid` or `passages`, which both build on it.

use std::path::Path;

use super::store::{self, SyncReport};
use super::{EmbedError, Embedder};
use crate::index::SectionIndex;

/// The index stage's hook: brings `INDEX_DIR/embeddings.bin` up to date with `embedder` (the
/// run's one model, opened by the caller).
/// Never fails the run: a problem is one warning, and search goes on by words.
pub fn sync_index_dir(embedder: &dyn Embedder, index_dir: &Path) -> Option<SyncReport> {
    let result = SectionIndex::open(index_dir)
        .map_err(EmbedError::from)
        .and_then(|index| {
            let report = store::sync(&index, embedder, &store::path_in(index_dir), None)?;
            // Passage vectors only when search uses them (see `hybrid::DEFAULT_FUSION`).
            if super::hybrid::DEFAULT_FUSION.passage_weight <= 0.0 {
                return Ok(report);
            }
            let passages = super::passages::sync(
                &index,
                embedder,
                &super::passages::path_in(index_dir),
                None,
            )?;
            Ok(SyncReport {
                embedded: report.embedded + passages.embedded,
                reused: report.reused + passages.reused,
                millis: report.millis + passages.millis,
                up_to_date: report.up_to_date && passages.up_to_date,
                ..report
            })
        });
    match result {
        Ok(report) => {
            if !report.up_to_date {
                tracing::info!(
                    embedded = report.embedded,
                    reused = report.reused,
                    millis = report.millis,
                    "section embeddings up to date"
                );
            }
            Some(report)
        }
        Err(e) => {
            tracing::warn!("section embeddings not updated (search by meaning lags): {e}");
            None
        }
    }
}
