//! Section-level changes between stored versions of a source: what `changes`, the feed, briefs
//! ("Nytt siden sist") and the document view show.
//!
//! A change is computed from two extracted versions of the same source. Sections are paired by
//! their identity (number and heading, or position for unnumbered text); a pair whose text differs
//! is "modified" and carries a short word-level diff. A new version whose extracted text is
//! identical to the previous one is not a change, however different its bytes are.
//!
//! The catalog database holds every extracted version's sections with a hash of their text, so
//! finding which sections changed reads no documents; only the word diffs of modified sections
//! read the two versions' text from the extraction cache (a missing cache file leaves those
//! diffs empty rather than failing). Without a catalog database (an index dir from before it),
//! the sections are read from the extraction cache.
//!
//! Architecture invariant: this module reads the catalog and the extraction cache; it never
//! fetches, parses documents or touches the search index.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::db::{self, NewThemeMatch, RunWindow, SectionSummary};
pub use super::keys::section_keys;
use super::{Catalog, CatalogError, SourceRecord, VersionRecord, extracted_path};
use crate::extract::model::ExtractedDoc;
#[cfg(test)]
use crate::extract::model::Section;

/// What happened to a whole document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentChangeKind {
    /// First extracted version of the source.
    New,
    /// A later version whose text differs from the one before.
    Changed,
}

/// What happened to one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionChangeKind {
    Added,
    Removed,
    Modified,
}

/// One section that was added, removed or modified in a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionChange {
    pub kind: SectionChangeKind,
    pub number: Option<String>,
    pub heading: Option<String>,
    /// First page of the section in the version it belongs to (the old one for removed).
    pub page: u32,
    /// Short word-level diff for modified sections: `[-old words-] {+new words+}` with a few
    /// words of context, at most [`MAX_DIFF_CHARS`] characters.
    pub diff: Option<String>,
}

/// One new or changed version of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentChange {
    pub source: String,
    pub kind: DocumentChangeKind,
    /// sha256 of the version that brought the change.
    pub version: String,
    pub previous_version: Option<String>,
    /// When that version was first fetched.
    pub detected_at: DateTime<Utc>,
    /// Added, removed and modified sections (for a new document: every section, as added).
    pub sections: Vec<SectionChange>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{path}: cannot read extracted version: {message}")]
    Extracted { path: String, message: String },
}

pub(crate) const MAX_DIFF_CHARS: usize = 400;

/// A source that left sources.toml, and with it the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedDocument {
    pub source: String,
    pub removed_at: DateTime<Utc>,
    pub run: Option<u64>,
    /// The version that was indexed until then.
    pub last_version: Option<String>,
}

/// A new version whose text is identical to its predecessor's: recorded, not a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdenticalVersion {
    pub source: String,
    pub version: String,
    pub previous_version: String,
    pub fetched_at: DateTime<Utc>,
}

/// Everything that changed in a window of runs: what `changes` prints and the feed shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangeReport {
    pub documents: Vec<DocumentChange>,
    pub removed: Vec<RemovedDocument>,
    pub identical_text: Vec<IdenticalVersion>,
    pub theme_matches: Vec<NewThemeMatch>,
}

/// Every document change first fetched at or after `since`, oldest first. Versions with
/// identical text to their predecessor, and versions that never extracted, are skipped.
pub(crate) fn changes_since(
    index_dir: &Path,
    since: DateTime<Utc>,
) -> Result<Vec<DocumentChange>, ChangesError> {
    Ok(ChangeReader::open(index_dir)?
        .collect(RunWindow::Since(since))?
        .documents)
}

/// Documents, removals, identical-text versions and new theme matches in a window.
pub fn report(index_dir: &Path, window: RunWindow) -> Result<ChangeReport, ChangesError> {
    ChangeReader::open(index_dir)?.collect(window)
}

/// Reads changes from one catalog snapshot.
pub struct ChangeReader<'a> {
    index_dir: &'a Path,
    catalog: Catalog,
    conn: Option<Connection>,
    docs: RefCell<HashMap<String, Option<ExtractedDoc>>>,
}

impl<'a> ChangeReader<'a> {
    pub fn open(index_dir: &'a Path) -> Result<ChangeReader<'a>, ChangesError> {
        let conn = db::open_reader(index_dir)?;
        let catalog = match &conn {
            Some(conn) => db::load_snapshot(conn, index_dir)?,
            None => Catalog::load_legacy(index_dir)?,
        };
        Ok(ChangeReader {
            index_dir,
            catalog,
            conn,
            docs: RefCell::default(),
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The report for a window of runs.
    pub fn collect(&self, window: RunWindow) -> Result<ChangeReport, ChangesError> {
        let mut report = ChangeReport::default();
        for (id, record) in &self.catalog.sources {
            self.source_changes(id, record, window, &mut report)?;
            if let Some(removed_at) = record.removed_at {
                let in_window = match window {
                    RunWindow::Since(since) => removed_at >= since,
                    RunWindow::Run(run) => record.removed_run == Some(run),
                };
                if in_window {
                    report.removed.push(RemovedDocument {
                        source: id.clone(),
                        removed_at,
                        run: record.removed_run,
                        last_version: record.sha256.clone(),
                    });
                }
            }
        }
        report
            .documents
            .sort_by(|a, b| (a.detected_at, &a.source).cmp(&(b.detected_at, &b.source)));
        report.removed.sort_by_key(|r| r.removed_at);
        if let Some(conn) = &self.conn {
            report.theme_matches =
                db::new_theme_matches(conn, window).map_err(|e| CatalogError::Db {
                    path: db::path_in(self.index_dir).display().to_string(),
                    message: e.to_string(),
                })?;
        }
        Ok(report)
    }

    fn source_changes(
        &self,
        id: &str,
        record: &SourceRecord,
        window: RunWindow,
        report: &mut ChangeReport,
    ) -> Result<(), ChangesError> {
        let mut versions: Vec<&VersionRecord> = record
            .versions
            .iter()
            .filter(|v| v.extracted.is_some())
            .collect();
        versions.sort_by_key(|v| (v.fetched_at, v.first_run));
        for (i, version) in versions.iter().enumerate() {
            let in_window = match window {
                RunWindow::Since(since) => version.fetched_at >= since,
                RunWindow::Run(run) => version.first_run == Some(run),
            };
            if !in_window {
                continue;
            }
            let Some(previous) = i.checked_sub(1).map(|j| versions[j]) else {
                let sections = self.summaries(id, &version.sha256)?;
                report.documents.push(DocumentChange {
                    source: id.to_string(),
                    kind: DocumentChangeKind::New,
                    version: version.sha256.clone(),
                    previous_version: None,
                    detected_at: version.fetched_at,
                    sections: sections
                        .iter()
                        .map(|s| SectionChange {
                            kind: SectionChangeKind::Added,
                            number: s.number.clone(),
                            heading: s.heading.clone(),
                            page: s.page_start,
                            diff: None,
                        })
                        .collect(),
                });
                continue;
            };
            let identical = match (&previous.text_hash, &version.text_hash) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            };
            let sections = if identical {
                Vec::new()
            } else {
                let old = self.summaries(id, &previous.sha256)?;
                let new = self.summaries(id, &version.sha256)?;
                diff_summaries(&old, &new, |old_ordinal, new_ordinal| {
                    self.word_diff_of(
                        (&previous.sha256, old_ordinal),
                        (&version.sha256, new_ordinal),
                    )
                })
            };
            if sections.is_empty() {
                report.identical_text.push(IdenticalVersion {
                    source: id.to_string(),
                    version: version.sha256.clone(),
                    previous_version: previous.sha256.clone(),
                    fetched_at: version.fetched_at,
                });
            } else {
                report.documents.push(DocumentChange {
                    source: id.to_string(),
                    kind: DocumentChangeKind::Changed,
                    version: version.sha256.clone(),
                    previous_version: Some(previous.sha256.clone()),
                    detected_at: version.fetched_at,
                    sections,
                });
            }
        }
        Ok(())
    }

    /// A version's sections: from the catalog, else (older index dirs) from the cache.
    fn summaries(&self, source: &str, sha256: &str) -> Result<Vec<SectionSummary>, ChangesError> {
        if let Some(conn) = &self.conn {
            let stored =
                db::section_summaries(conn, source, sha256).map_err(|e| CatalogError::Db {
                    path: db::path_in(self.index_dir).display().to_string(),
                    message: e.to_string(),
                })?;
            if !stored.is_empty() {
                return Ok(stored);
            }
        }
        let doc = load_extracted(self.index_dir, sha256)?;
        let summaries = SectionSummary::of(&doc);
        self.docs.borrow_mut().insert(sha256.to_string(), Some(doc));
        Ok(summaries)
    }

    fn section_text(&self, sha256: &str, ordinal: u64) -> Option<String> {
        let mut docs = self.docs.borrow_mut();
        let doc = docs.entry(sha256.to_string()).or_insert_with(|| {
            load_extracted(self.index_dir, sha256)
                .inspect_err(|e| tracing::warn!(error = %e, "no word diff for a modified section"))
                .ok()
        });
        doc.as_ref()?
            .sections
            .get(ordinal as usize)
            .map(|s| s.text.clone())
    }

    fn word_diff_of(&self, old: (&str, u64), new: (&str, u64)) -> Option<String> {
        let before = self.section_text(old.0, old.1)?;
        let after = self.section_text(new.0, new.1)?;
        Some(word_diff(&before, &after, MAX_DIFF_CHARS))
    }
}

fn load_extracted(index_dir: &Path, sha256: &str) -> Result<ExtractedDoc, ChangesError> {
    let path = extracted_path(index_dir, sha256);
    let bytes = std::fs::read(&path).map_err(|e| ChangesError::Extracted {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ChangesError::Extracted {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Added, removed and modified sections from `old` to `new`, in the new document's order
/// (removed sections last, in the old order).
#[cfg(test)]
fn diff_sections(old: &[Section], new: &[Section]) -> Vec<SectionChange> {
    let summarise = |sections: &[Section]| {
        SectionSummary::of(&ExtractedDoc {
            file: String::new(),
            format: crate::extract::model::Format::Html,
            title: None,
            pages: 0,
            sections: sections.to_vec(),
            warnings: Vec::new(),
            ocr_pages: Vec::new(),
        })
    };
    diff_summaries(&summarise(old), &summarise(new), |a, b| {
        Some(word_diff(
            &old[a as usize].text,
            &new[b as usize].text,
            MAX_DIFF_CHARS,
        ))
    })
}

/// The diff over section summaries; `diff_text(old_ordinal, new_ordinal)` makes the word diff
/// of a modified pair.
pub(crate) fn diff_summaries(
    old: &[SectionSummary],
    new: &[SectionSummary],
    mut diff_text: impl FnMut(u64, u64) -> Option<String>,
) -> Vec<SectionChange> {
    let keys = |sections: &[SectionSummary]| {
        section_keys(
            sections
                .iter()
                .map(|s| (s.number.as_deref(), s.heading.as_deref())),
        )
    };
    let old_keys = keys(old);
    let new_keys = keys(new);
    let old_by_key: BTreeMap<&str, &SectionSummary> = old_keys
        .iter()
        .map(String::as_str)
        .zip(old.iter())
        .collect();
    let new_key_set: HashSet<&str> = new_keys.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for (key, section) in new_keys.iter().zip(new) {
        match old_by_key.get(key.as_str()) {
            None => out.push(SectionChange {
                kind: SectionChangeKind::Added,
                number: section.number.clone(),
                heading: section.heading.clone(),
                page: section.page_start,
                diff: None,
            }),
            Some(before) if before.text_hash != section.text_hash => out.push(SectionChange {
                kind: SectionChangeKind::Modified,
                number: section.number.clone(),
                heading: section.heading.clone(),
                page: section.page_start,
                diff: diff_text(before.ordinal, section.ordinal),
            }),
            Some(_) => {}
        }
    }
    for (key, section) in old_keys.iter().zip(old) {
        if !new_key_set.contains(key.as_str()) {
            out.push(SectionChange {
                kind: SectionChangeKind::Removed,
                number: section.number.clone(),
                heading: section.heading.clone(),
                page: section.page_start,
                diff: None,
            });
        }
    }
    out
}

/// A compact word-level diff: changed runs as `[-removed-]` and `{+added+}`, with up to three
/// words of context around each, hunks separated by " … ", cut at `max_chars`.
pub(crate) fn word_diff(old: &str, new: &str, max_chars: usize) -> String {
    use similar::{ChangeTag, TextDiff};
    let old_words: Vec<&str> = old.split_whitespace().collect();
    let new_words: Vec<&str> = new.split_whitespace().collect();
    let diff = TextDiff::from_slices(&old_words, &new_words);
    let mut pieces: Vec<String> = Vec::new();
    for group in diff.grouped_ops(3) {
        let mut hunk = String::new();
        for op in group {
            for change in diff.iter_changes(&op) {
                let word = change.value();
                let piece = match change.tag() {
                    ChangeTag::Equal => word.to_string(),
                    ChangeTag::Delete => format!("[-{word}-]"),
                    ChangeTag::Insert => format!("{{+{word}+}}"),
                };
                if !hunk.is_empty() {
                    hunk.push(' ');
                }
                hunk.push_str(&piece);
            }
        }
        pieces.push(merge_runs(&hunk));
    }
    let mut out = pieces.join(" … ");
    if out.chars().count() > max_chars {
        out = out
            .chars()
            .take(max_chars.saturating_sub(1))
            .collect::<String>()
            + "…";
    }
    out
}

/// "[-a-] [-b-]" → "[-a b-]", and the same for insertions, so runs read as phrases.
fn merge_runs(hunk: &str) -> String {
    hunk.replace("-] [-", " ").replace("+} {+", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(number: Option<&str>, heading: &str, text: &str) -> Section {
        Section {
            number: number.map(str::to_string),
            heading: Some(heading.to_string()),
            level: 1,
            page_start: 2,
            page_end: 2,
            text: text.to_string(),
        }
    }

    #[test]
    fn sections_are_added_removed_and_modified() {
        let old = vec![
            section(Some("1"), "Innledning", "Kommunene har ansvar."),
            section(Some("2"), "Fastlegeordningen", "Mange står uten fastlege."),
            section(Some("3"), "Avslutning", "Slutt."),
        ];
        let new = vec![
            section(Some("1"), "Innledning", "Kommunene   har\nansvar."),
            section(
                Some("2"),
                "Fastlegeordningen",
                "Over 200 000 står uten fastlege.",
            ),
            section(Some("4"), "Tiltak", "Nye tiltak."),
        ];
        let changes = diff_sections(&old, &new);
        let kinds: Vec<_> = changes
            .iter()
            .map(|c| (c.kind, c.number.clone().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (SectionChangeKind::Modified, "2".to_string()),
                (SectionChangeKind::Added, "4".to_string()),
                (SectionChangeKind::Removed, "3".to_string()),
            ]
        );
        assert_eq!(
            changes[0].diff.as_deref(),
            Some("[-Mange-] {+Over 200 000+} står uten fastlege.")
        );
    }

    #[test]
    fn identical_text_is_no_change() {
        let old = vec![section(Some("1"), "A", "Tekst her.")];
        assert!(diff_sections(&old, &old.clone()).is_empty());
    }

    #[test]
    fn long_diffs_are_cut() {
        let old = "a ".repeat(500);
        let new = "b ".repeat(500);
        let diff = word_diff(&old, &new, 50);
        assert_eq!(diff.chars().count(), 50);
        assert!(diff.ends_with('…'));
    }
}
