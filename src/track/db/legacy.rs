//! The one-time import of the `catalog.json` older versions kept.

use std::path::Path;

use chrono::Utc;
use rusqlite::{Connection, params};

use super::write::{upsert_run, upsert_source, upsert_version, write_sections};
use super::{SectionSummary, VersionSections, db_error, get_meta, set_meta, version_text_hash};
use crate::extract::model::ExtractedDoc;
use crate::track::{Catalog, CatalogError, extracted_path};

/// Imports `catalog.json` (and the sections of its extracted versions, and the stored theme
/// matches) into a freshly created schema.
pub(super) fn import_legacy(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    index_dir: &Path,
) -> Result<(), CatalogError> {
    let legacy_path = Catalog::legacy_path_in(index_dir);
    if !legacy_path.is_file() {
        return Ok(());
    }
    let err = |e: rusqlite::Error| db_error(path, e);
    let mut legacy = Catalog::load_legacy(index_dir)?;
    // Attribute each version to the run that fetched it, so `changes --run N` works on
    // history from before the database.
    for record in legacy.sources.values_mut() {
        for version in &mut record.versions {
            version.first_run = legacy
                .runs
                .iter()
                .filter(|r| {
                    r.started_at <= version.fetched_at
                        && r.finished_at.is_none_or(|f| version.fetched_at <= f)
                })
                .map(|r| r.id)
                .next_back();
        }
    }
    let mut sections = 0usize;
    for (id, record) in &legacy.sources {
        upsert_source(tx, id, record).map_err(err)?;
        for version in &record.versions {
            let mut version = version.clone();
            let summaries = version
                .extracted
                .as_ref()
                .and_then(|_| read_extracted(index_dir, &version.sha256))
                .map(|doc| SectionSummary::of(&doc));
            if let Some(summaries) = &summaries {
                version.text_hash = Some(version_text_hash(summaries));
            }
            upsert_version(tx, id, &version).map_err(err)?;
            if let Some(summaries) = summaries {
                sections += summaries.len();
                write_sections(
                    tx,
                    &VersionSections {
                        source: id.clone(),
                        sha256: version.sha256.clone(),
                        sections: summaries,
                    },
                )
                .map_err(err)?;
            }
        }
    }
    for run in &legacy.runs {
        upsert_run(tx, run).map_err(err)?;
    }
    set_meta(
        tx,
        "themes_fingerprint",
        legacy.themes_fingerprint.as_deref(),
    )
    .map_err(err)?;
    // Matches already stored are history, not news: imported without `new_in_run`.
    let matches = import_legacy_matches(tx, index_dir).map_err(err)?;
    set_meta(tx, "legacy_imported", Some(&Utc::now().to_rfc3339())).map_err(err)?;
    tracing::info!(
        from = %legacy_path.display(),
        sources = legacy.sources.len(),
        runs = legacy.runs.len(),
        sections,
        matches,
        "imported catalog.json into the catalog database"
    );
    Ok(())
}

fn import_legacy_matches(
    tx: &rusqlite::Transaction<'_>,
    index_dir: &Path,
) -> rusqlite::Result<usize> {
    let file = match crate::matches::MatchFile::load(index_dir) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(0),
        Err(error) => {
            tracing::warn!(%error, "matches.json is unreadable; theme matches start afresh");
            return Ok(0);
        }
    };
    let mut count = 0;
    for theme in &file.themes {
        for m in &theme.sections {
            count += tx.execute(
                "INSERT OR IGNORE INTO theme_matches (source, sha256, ordinal, theme, score)
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS
                   (SELECT 1 FROM versions WHERE source = ?1 AND sha256 = ?2)",
                params![m.source, m.version, m.ordinal, theme.id, f64::from(m.score)],
            )?;
        }
    }
    Ok(count)
}

/// After the import transaction committed, the old file is kept as a backup under a name
/// nothing reads (also when a crash came between the commit and the rename).
pub(super) fn finish_legacy_import(
    conn: &Connection,
    path: &Path,
    index_dir: &Path,
) -> Result<(), CatalogError> {
    let legacy_path = Catalog::legacy_path_in(index_dir);
    if !legacy_path.is_file() {
        return Ok(());
    }
    if get_meta(conn, "legacy_imported")
        .map_err(|e| db_error(path, e))?
        .is_none()
    {
        tracing::warn!(
            path = %legacy_path.display(),
            "catalog.json found beside an existing catalog database; ignored"
        );
        return Ok(());
    }
    let backup = index_dir.join("catalog.json.imported");
    std::fs::rename(&legacy_path, &backup).map_err(|source| CatalogError::Write {
        path: legacy_path.display().to_string(),
        source,
    })?;
    Ok(())
}

fn read_extracted(index_dir: &Path, sha256: &str) -> Option<ExtractedDoc> {
    let bytes = std::fs::read(extracted_path(index_dir, sha256)).ok()?;
    serde_json::from_slice(&bytes).ok()
}
