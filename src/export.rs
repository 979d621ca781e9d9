//! `export --format ndjson`: every indexed section as bulk-ingest NDJSON, for a search cluster
//! beyond one machine.
//!
//! The output is the `_bulk` format OpenSearch and Elasticsearch accept, and that Quickwit's
//! Elasticsearch-compatible endpoint (`/api/v1/_elastic/_bulk`) accepts: per section an action
//! line `{"create":{"_index":…,"_id":"SOURCE#ORDINAL"}}` and a document line with the section's
//! text, place, themes, citations and version. `create` is the one action Quickwit supports;
//! loading into a fresh index per export and switching an alias is the intended use (see
//! README). Output is deterministic: sources in id order, sections in document order.
//!
//! Memory is bounded by the largest source: sections are read from the index one source at a
//! time and streamed out.
//!
//! Architecture invariant: export reads the index and the catalog; it never fetches, extracts
//! or writes to the index dir.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::index::{IndexedSection, SectionIndex};
use crate::track::Catalog;

/// The default target index name.
pub(crate) const DEFAULT_INDEX_NAME: &str = "samspor-sections";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error(transparent)]
    Catalog(#[from] crate::track::CatalogError),
    #[error("writing the export: {0}")]
    Write(#[source] std::io::Error),
    #[error(
        "index name {0:?}: use lowercase letters, digits, '-', '_' or '.', not starting with '-', '_' or '.'"
    )]
    IndexName(String),
}

/// What went out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportStats {
    pub sources: usize,
    pub sections: usize,
    pub bytes: u64,
}

#[derive(Serialize)]
struct Action<'a> {
    create: Target<'a>,
}

#[derive(Serialize)]
struct Target<'a> {
    #[serde(rename = "_index")]
    index: &'a str,
    #[serde(rename = "_id")]
    id: String,
}

/// One section as a search cluster stores it.
#[derive(Debug, Serialize)]
pub struct ExportedSection<'a> {
    pub section_id: String,
    pub source: &'a str,
    pub source_title: &'a str,
    pub kind: &'a str,
    pub language: Option<&'a str>,
    /// The document's URL; `link` opens the section's page.
    pub url: &'a str,
    pub link: String,
    pub format: &'a str,
    /// SHA-256 of the document version the section comes from, and when it was fetched.
    pub version: &'a str,
    pub fetched_at: Option<String>,
    pub ordinal: u64,
    pub number: Option<&'a str>,
    pub heading: Option<&'a str>,
    /// "3.4.1 Listelengde", what a reader calls the section.
    pub label: String,
    pub level: u64,
    pub page_start: u64,
    pub page_end: u64,
    pub text: &'a str,
    pub themes: &'a [String],
    pub theme_labels: Vec<&'a str>,
    /// Canonical references the section cites ("NOU 2023: 4", "helse- og omsorgstjenesteloven
    /// § 6-2"), and the documents they belong to.
    pub citations: &'a [String],
    /// How other documents cite this one, when sources.toml says.
    pub cites_as: Option<&'a str>,
}

/// Checks an index name against the rules OpenSearch and Quickwit share.
pub(crate) fn check_index_name(name: &str) -> Result<(), ExportError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with(['-', '_', '.'])
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(ExportError::IndexName(name.to_string()))
    }
}

/// Writes every indexed section as action and document lines. `config` adds theme labels and
/// `cites_as`; without it those fields are empty.
pub(crate) fn write_ndjson(
    index_dir: &Path,
    config: Option<&Config>,
    index_name: &str,
    out: &mut dyn Write,
) -> Result<ExportStats, ExportError> {
    check_index_name(index_name)?;
    let index = SectionIndex::open(index_dir)?;
    let catalog = Catalog::load(index_dir)?;
    let theme_labels: BTreeMap<&str, &str> = config
        .map(|c| {
            c.themes
                .iter()
                .map(|t| (t.id.as_str(), t.label.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let mut stats = ExportStats::default();
    let mut line = Vec::with_capacity(64 * 1024);
    for source in index.indexed_sources()?.keys() {
        let sections = index.sections_of(source)?;
        if sections.is_empty() {
            continue;
        }
        stats.sources += 1;
        let cites_as = config
            .and_then(|c| c.source(source))
            .and_then(|s| s.cites_as.as_deref());
        for section in &sections {
            let fetched_at = catalog
                .sources
                .get(source)
                .and_then(|r| r.version(&section.version))
                .map(|v| {
                    v.fetched_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                });
            let document = exported(section, fetched_at, cites_as, &theme_labels);
            line.clear();
            serde_json::to_writer(
                &mut line,
                &Action {
                    create: Target {
                        index: index_name,
                        id: section.key(),
                    },
                },
            )
            .map_err(|e| ExportError::Write(e.into()))?;
            line.push(b'\n');
            serde_json::to_writer(&mut line, &document)
                .map_err(|e| ExportError::Write(e.into()))?;
            line.push(b'\n');
            out.write_all(&line).map_err(ExportError::Write)?;
            stats.sections += 1;
            stats.bytes += line.len() as u64;
        }
    }
    out.flush().map_err(ExportError::Write)?;
    Ok(stats)
}

fn exported<'a>(
    section: &'a IndexedSection,
    fetched_at: Option<String>,
    cites_as: Option<&'a str>,
    theme_labels: &BTreeMap<&str, &'a str>,
) -> ExportedSection<'a> {
    let label =
        crate::extract::model::section_place(section.number.as_deref(), section.heading.as_deref());
    ExportedSection {
        section_id: section.key(),
        source: &section.source,
        source_title: &section.title,
        kind: &section.kind,
        language: section.language.as_deref(),
        url: &section.url,
        link: section.link(),
        format: &section.format,
        version: &section.version,
        fetched_at,
        ordinal: section.ordinal,
        number: section.number.as_deref(),
        heading: section.heading.as_deref(),
        label,
        level: section.level,
        page_start: section.page_start,
        page_end: section.page_end,
        text: &section.text,
        themes: &section.themes,
        theme_labels: section
            .themes
            .iter()
            .filter_map(|t| theme_labels.get(t.as_str()).copied())
            .collect(),
        citations: &section.refs,
        cites_as,
    }
}

/// Writes the export to a file atomically (a reader or a crash sees the old file or the
/// whole new one).
pub(crate) fn write_ndjson_file(
    index_dir: &Path,
    config: Option<&Config>,
    index_name: &str,
    path: &Path,
) -> Result<ExportStats, ExportError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(ExportError::Write)?;
    let mut writer = std::io::BufWriter::new(tmp);
    let stats = write_ndjson(index_dir, config, index_name, &mut writer)?;
    let tmp = writer
        .into_inner()
        .map_err(|e| ExportError::Write(e.into_error()))?;
    tmp.as_file().sync_all().map_err(ExportError::Write)?;
    tmp.persist(path).map_err(|e| ExportError::Write(e.error))?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_follow_the_cluster_rules() {
        for good in ["samspor-sections", "helse.2025", "a"] {
            assert!(check_index_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Samspor", "_x", "-x", ".x", "a b", "a/b", "æøå"] {
            assert!(check_index_name(bad).is_err(), "{bad}");
        }
    }
}
