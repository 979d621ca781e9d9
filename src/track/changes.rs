//! Section-level changes between stored versions of a source: what `changes`, the feed, briefs
//! ("Nytt siden sist") and the document view show.
//!
//! A change is computed from two extracted versions of the same source. Sections are paired by
//! their identity (number and heading, or position for unnumbered text); a pair whose text differs
//! is "modified" and carries a short word-level diff. A new version whose extracted text is
//! identical to the previous one is not a change, however different its bytes are.
//!
//! Architecture invariant: this module reads the catalog and the extraction cache; it never
//! fetches, parses documents or touches the search index.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Catalog, CatalogError, SourceRecord, extracted_path};
use crate::extract::model::{ExtractedDoc, Section};

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

pub const MAX_DIFF_CHARS: usize = 400;

/// Every document change first fetched at or after `since`, oldest first. Versions with
/// identical text to their predecessor, and versions that never extracted, are skipped.
pub fn changes_since(
    index_dir: &Path,
    since: DateTime<Utc>,
) -> Result<Vec<DocumentChange>, ChangesError> {
    let catalog = Catalog::load(index_dir)?;
    let mut out = Vec::new();
    for (id, record) in &catalog.sources {
        out.extend(source_changes(index_dir, id, record, since)?);
    }
    out.sort_by(|a, b| (a.detected_at, &a.source).cmp(&(b.detected_at, &b.source)));
    Ok(out)
}

fn source_changes(
    index_dir: &Path,
    id: &str,
    record: &SourceRecord,
    since: DateTime<Utc>,
) -> Result<Vec<DocumentChange>, ChangesError> {
    let mut versions: Vec<_> = record
        .versions
        .iter()
        .filter(|v| v.extracted.is_some())
        .collect();
    versions.sort_by_key(|v| v.fetched_at);
    let mut out = Vec::new();
    let mut previous: Option<(String, ExtractedDoc)> = None;
    for version in versions {
        let in_window = version.fetched_at >= since;
        // Older versions are only read as the baseline for the first one in the window.
        let needed = in_window || is_baseline(record, version.fetched_at, since);
        if !needed {
            continue;
        }
        let doc = load_extracted(index_dir, &version.sha256)?;
        if in_window {
            match &previous {
                None => out.push(DocumentChange {
                    source: id.to_string(),
                    kind: DocumentChangeKind::New,
                    version: version.sha256.clone(),
                    previous_version: None,
                    detected_at: version.fetched_at,
                    sections: doc
                        .sections
                        .iter()
                        .map(|s| SectionChange {
                            kind: SectionChangeKind::Added,
                            number: s.number.clone(),
                            heading: s.heading.clone(),
                            page: s.page_start,
                            diff: None,
                        })
                        .collect(),
                }),
                Some((prev_sha, prev_doc)) => {
                    let sections = diff_sections(&prev_doc.sections, &doc.sections);
                    if !sections.is_empty() {
                        out.push(DocumentChange {
                            source: id.to_string(),
                            kind: DocumentChangeKind::Changed,
                            version: version.sha256.clone(),
                            previous_version: Some(prev_sha.clone()),
                            detected_at: version.fetched_at,
                            sections,
                        });
                    }
                }
            }
        }
        previous = Some((version.sha256.clone(), doc));
    }
    Ok(out)
}

/// True when `at` is the last extracted version before the window, i.e. the baseline.
fn is_baseline(record: &SourceRecord, at: DateTime<Utc>, since: DateTime<Utc>) -> bool {
    at < since
        && !record
            .versions
            .iter()
            .any(|v| v.extracted.is_some() && v.fetched_at > at && v.fetched_at < since)
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

/// A section's identity across versions: its number and heading, or, for unnumbered and
/// unheaded text, its position among such sections.
fn section_key(section: &Section, nth_anonymous: usize) -> String {
    match (&section.number, &section.heading) {
        (None, None) => format!("#{nth_anonymous}"),
        (number, heading) => format!(
            "{}|{}",
            number.as_deref().unwrap_or(""),
            heading.as_deref().unwrap_or("").to_lowercase()
        ),
    }
}

fn keyed(sections: &[Section]) -> Vec<(String, &Section)> {
    let mut anonymous = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    sections
        .iter()
        .map(|s| {
            let mut key = section_key(s, anonymous);
            if s.number.is_none() && s.heading.is_none() {
                anonymous += 1;
            }
            // Two sections with the same heading ("Merknader") stay distinct.
            let n = seen.entry(key.clone()).or_insert(0);
            if *n > 0 {
                key = format!("{key}~{n}");
            }
            *n += 1;
            (key, s)
        })
        .collect()
}

/// Added, removed and modified sections from `old` to `new`, in the new document's order
/// (removed sections last, in the old order).
pub fn diff_sections(old: &[Section], new: &[Section]) -> Vec<SectionChange> {
    let old_keyed = keyed(old);
    let new_keyed = keyed(new);
    let old_by_key: BTreeMap<&str, &Section> =
        old_keyed.iter().map(|(k, s)| (k.as_str(), *s)).collect();
    let new_keys: std::collections::HashSet<&str> =
        new_keyed.iter().map(|(k, _)| k.as_str()).collect();
    let mut out = Vec::new();
    for (key, section) in &new_keyed {
        match old_by_key.get(key.as_str()) {
            None => out.push(SectionChange {
                kind: SectionChangeKind::Added,
                number: section.number.clone(),
                heading: section.heading.clone(),
                page: section.page_start,
                diff: None,
            }),
            Some(before) if normalized(&before.text) != normalized(&section.text) => {
                out.push(SectionChange {
                    kind: SectionChangeKind::Modified,
                    number: section.number.clone(),
                    heading: section.heading.clone(),
                    page: section.page_start,
                    diff: Some(word_diff(&before.text, &section.text, MAX_DIFF_CHARS)),
                })
            }
            Some(_) => {}
        }
    }
    for (key, section) in &old_keyed {
        if !new_keys.contains(key.as_str()) {
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

/// Whitespace differences (a re-flowed paragraph) are not changes.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A compact word-level diff: changed runs as `[-removed-]` and `{+added+}`, with up to three
/// words of context around each, hunks separated by " … ", cut at `max_chars`.
pub fn word_diff(old: &str, new: &str, max_chars: usize) -> String {
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
