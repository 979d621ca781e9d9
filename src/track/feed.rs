//! The Atom feed of changes: `INDEX_DIR/feed.atom`, rewritten atomically after a run that
//! changed something, so a reader can subscribe to what the nightly runs find.
//!
//! Entries: a new document; each added, removed and modified section of a changed document
//! (with its word diff); a document that left the tracked sources; each new theme match (with
//! its evidence when the match file has it). The feed covers the last [`WINDOW_DAYS`] days,
//! newest first, so a reader that polls weekly misses nothing; entry ids are derived from what
//! they describe, so a reader shows each change once however often the feed is rewritten.
//! Titles are Norwegian.
//!
//! Architecture invariant: the feed is rendered from a [`ChangeReport`] and a
//! [`FeedContext`] (titles, links, labels); it never reads the configuration file, fetches,
//! or touches the search index.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use super::changes::{ChangeReport, DocumentChangeKind, SectionChange, SectionChangeKind};
use super::db::NewThemeMatch;

/// How far back the feed reaches.
pub(crate) const WINDOW_DAYS: i64 = 30;
/// At most this many entries (the newest).
pub(crate) const MAX_ENTRIES: usize = 300;
/// Section entries per changed document version; the rest are summed up in one entry.
pub(crate) const MAX_SECTION_ENTRIES_PER_VERSION: usize = 60;

/// Where the feed lives in an index dir.
pub fn path_in(index_dir: &Path) -> PathBuf {
    index_dir.join("feed.atom")
}

/// What a source is called and where it lives.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub title: String,
    /// A link readers can open.
    pub url: String,
    /// PDF links open at a page (`#page=N`).
    pub is_pdf: bool,
}

/// Everything the feed shows besides the changes: titles, links, labels.
#[derive(Debug, Clone, Default)]
pub struct FeedContext {
    /// Makes the feed's id stable for one deployment (e.g. the absolute index dir).
    pub identity: String,
    /// The feed's own public URL, if it is published (`<link rel="self">`).
    pub self_url: Option<String>,
    pub sources: BTreeMap<String, SourceInfo>,
    /// Theme id → Norwegian label.
    pub themes: BTreeMap<String, String>,
    /// (source, version, ordinal, theme) → evidence sentences.
    pub evidence: BTreeMap<(String, String, u64, String), Vec<String>>,
}

struct Entry {
    id: String,
    title: String,
    updated: DateTime<Utc>,
    link: Option<String>,
    category: (&'static str, &'static str),
    summary: String,
}

/// Renders the feed. `now` is the feed's `updated` time when it has no entries.
pub(crate) fn render(report: &ChangeReport, context: &FeedContext, now: DateTime<Utc>) -> String {
    let mut entries = entries(report, context);
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    entries.truncate(MAX_ENTRIES);
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(now);

    let mut out = String::with_capacity(4096 + entries.len() * 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nb\">\n");
    let _ = writeln!(
        out,
        "  <id>{}</id>",
        uuid_urn(&format!("samspor-feed\u{1}{}", context.identity))
    );
    out.push_str("  <title>samspor: endringer i fulgte dokumenter</title>\n");
    out.push_str(
        "  <subtitle>Nye og endrede dokumenter og seksjoner, og nye tematreff, fra de nattlige kjøringene</subtitle>\n",
    );
    let _ = writeln!(out, "  <updated>{}</updated>", atom_time(updated));
    out.push_str("  <author><name>samspor</name></author>\n");
    let _ = writeln!(
        out,
        "  <generator version=\"{}\">samspor</generator>",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(url) = &context.self_url {
        let _ = writeln!(
            out,
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
            crate::xml::escape(url)
        );
    }
    for entry in &entries {
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>{}</id>", entry.id);
        let _ = writeln!(
            out,
            "    <title>{}</title>",
            crate::xml::escape(&entry.title)
        );
        let _ = writeln!(out, "    <updated>{}</updated>", atom_time(entry.updated));
        if let Some(link) = &entry.link {
            let _ = writeln!(
                out,
                "    <link rel=\"alternate\" href=\"{}\"/>",
                crate::xml::escape(link)
            );
        }
        let _ = writeln!(
            out,
            "    <category term=\"{}\" label=\"{}\"/>",
            entry.category.0, entry.category.1
        );
        let _ = writeln!(
            out,
            "    <summary type=\"text\">{}</summary>",
            crate::xml::escape(&entry.summary)
        );
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Renders the feed and writes it atomically.
pub fn write(
    index_dir: &Path,
    report: &ChangeReport,
    context: &FeedContext,
    now: DateTime<Utc>,
) -> std::io::Result<usize> {
    let text = render(report, context, now);
    let count = text.matches("<entry>").count();
    crate::fsutil::write_atomic(&path_in(index_dir), text.as_bytes())?;
    Ok(count)
}

fn entries(report: &ChangeReport, context: &FeedContext) -> Vec<Entry> {
    let mut out = Vec::new();
    let title_of = |source: &str| {
        context
            .sources
            .get(source)
            .map_or_else(|| source.to_string(), |s| s.title.clone())
    };
    let link_of = |source: &str, page: Option<u32>| {
        context.sources.get(source).map(|s| match page {
            Some(page) if s.is_pdf && page > 0 => format!("{}#page={page}", s.url),
            _ => s.url.clone(),
        })
    };
    for change in &report.documents {
        let title = title_of(&change.source);
        match change.kind {
            DocumentChangeKind::New => out.push(Entry {
                id: uuid_urn(&format!("new\u{1}{}\u{1}{}", change.source, change.version)),
                title: format!("Nytt dokument: {title}"),
                updated: change.detected_at,
                link: link_of(&change.source, None),
                category: ("new-document", "Nytt dokument"),
                summary: format!(
                    "{title} følges nå: {} seksjoner. Versjon {}.",
                    change.sections.len(),
                    short(&change.version)
                ),
            }),
            DocumentChangeKind::Changed => {
                for section in change.sections.iter().take(MAX_SECTION_ENTRIES_PER_VERSION) {
                    out.push(section_entry(change, section, &title, &link_of));
                }
                let rest = change
                    .sections
                    .len()
                    .saturating_sub(MAX_SECTION_ENTRIES_PER_VERSION);
                if rest > 0 {
                    out.push(Entry {
                        id: uuid_urn(&format!(
                            "more\u{1}{}\u{1}{}",
                            change.source, change.version
                        )),
                        title: format!("{title}: {rest} flere endrede seksjoner"),
                        updated: change.detected_at,
                        link: link_of(&change.source, None),
                        category: ("changed-document", "Endret dokument"),
                        summary: format!(
                            "Versjon {} endret {} seksjoner i alt; kjør `samspor changes` for hele listen.",
                            short(&change.version),
                            change.sections.len()
                        ),
                    });
                }
            }
        }
    }
    for removed in &report.removed {
        let title = title_of(&removed.source);
        out.push(Entry {
            id: uuid_urn(&format!(
                "removed\u{1}{}\u{1}{}",
                removed.source,
                removed.removed_at.timestamp()
            )),
            title: format!("Følges ikke lenger: {title}"),
            updated: removed.removed_at,
            link: None,
            category: ("removed-document", "Fjernet dokument"),
            summary: format!(
                "{title} er tatt ut av sources.toml og av søkeindeksen. Lagrede versjoner beholdes."
            ),
        });
    }
    for found in &report.theme_matches {
        out.push(theme_entry(found, context, &title_of, &link_of));
    }
    out
}

fn section_entry(
    change: &super::changes::DocumentChange,
    section: &SectionChange,
    title: &str,
    link_of: &dyn Fn(&str, Option<u32>) -> Option<String>,
) -> Entry {
    let place = place(section.number.as_deref(), section.heading.as_deref());
    let (category, verb) = match section.kind {
        SectionChangeKind::Added => (("section-added", "Ny seksjon"), "Ny seksjon"),
        SectionChangeKind::Removed => (("section-removed", "Fjernet seksjon"), "Fjernet seksjon"),
        SectionChangeKind::Modified => (("section-modified", "Endret seksjon"), "Endret seksjon"),
    };
    let summary = match (&section.kind, &section.diff) {
        (SectionChangeKind::Modified, Some(diff)) => diff.clone(),
        (SectionChangeKind::Modified, None) => "Teksten er endret.".to_string(),
        (SectionChangeKind::Added, _) => format!("Ny seksjon på side {}.", section.page),
        (SectionChangeKind::Removed, _) => format!(
            "Seksjonen (side {} i forrige versjon) finnes ikke lenger.",
            section.page
        ),
    };
    Entry {
        id: uuid_urn(&format!(
            "section\u{1}{}\u{1}{}\u{1}{:?}\u{1}{}",
            change.source, change.version, section.kind, place
        )),
        title: format!("{verb}: {title} – {place}"),
        updated: change.detected_at,
        link: if section.kind == SectionChangeKind::Removed {
            link_of(&change.source, None)
        } else {
            link_of(&change.source, Some(section.page))
        },
        category,
        summary,
    }
}

fn theme_entry(
    found: &NewThemeMatch,
    context: &FeedContext,
    title_of: &dyn Fn(&str) -> String,
    link_of: &dyn Fn(&str, Option<u32>) -> Option<String>,
) -> Entry {
    let label = context
        .themes
        .get(&found.theme)
        .cloned()
        .unwrap_or_else(|| found.theme.clone());
    let place = place(found.number.as_deref(), found.heading.as_deref());
    let evidence = context.evidence.get(&(
        found.source.clone(),
        found.version.clone(),
        found.ordinal,
        found.theme.clone(),
    ));
    let mut summary = format!("Treffstyrke {:.2}.", found.score);
    if let Some(sentences) = evidence {
        for sentence in sentences {
            let _ = write!(summary, " «{sentence}»");
        }
    }
    Entry {
        id: uuid_urn(&format!(
            "theme\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
            found.source, found.version, found.ordinal, found.theme
        )),
        title: format!(
            "Nytt tematreff – {label}: {} – {place}",
            title_of(&found.source)
        ),
        updated: found.detected_at,
        link: link_of(&found.source, Some(found.page)),
        category: ("theme-match", "Nytt tematreff"),
        summary,
    }
}

fn place(number: Option<&str>, heading: Option<&str>) -> String {
    crate::extract::model::section_place(number, heading)
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn atom_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A name-based UUID URN: UUID version 8 (RFC 9562's custom layout) over the first 16
/// bytes of the name's SHA-256, so the same name always gives the same id. Not version 5,
/// which is defined over SHA-1; ids written before this said version 5 (same bits, other
/// version digit).
fn uuid_urn(name: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    uuid::Uuid::new_v8(bytes).urn().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::changes::{DocumentChange, RemovedDocument};

    fn report() -> ChangeReport {
        let at = DateTime::parse_from_rfc3339("2025-03-04T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        ChangeReport {
            documents: vec![DocumentChange {
                source: "nou".into(),
                kind: DocumentChangeKind::Changed,
                version: "b".repeat(64),
                previous_version: Some("a".repeat(64)),
                detected_at: at,
                sections: vec![SectionChange {
                    kind: SectionChangeKind::Modified,
                    number: Some("3.4.1".into()),
                    heading: Some("Listelengde & <arbeid>".into()),
                    page: 7,
                    diff: Some("[-Mange-] {+Over 200 000+} står\u{7} uten fastlege.".into()),
                }],
            }],
            removed: vec![RemovedDocument {
                source: "gammel".into(),
                removed_at: at,
                run: Some(3),
                last_version: None,
            }],
            identical_text: vec![],
            theme_matches: vec![],
        }
    }

    fn context() -> FeedContext {
        let mut context = FeedContext {
            identity: "/srv/samspor/index".into(),
            ..FeedContext::default()
        };
        context.sources.insert(
            "nou".into(),
            SourceInfo {
                title: "NOU 2099: 3 Helsefellesskap i praksis".into(),
                url: "https://example.org/nou.pdf?a=1&b=2".into(),
                is_pdf: true,
            },
        );
        context
    }

    #[test]
    fn entries_are_escaped_and_ids_stable() {
        let now = Utc::now();
        let text = render(&report(), &context(), now);
        assert!(text.contains("Listelengde &amp; &lt;arbeid&gt;"), "{text}");
        assert!(text.contains("href=\"https://example.org/nou.pdf?a=1&amp;b=2#page=7\""));
        assert!(!text.contains('\u{7}'), "control characters are dropped");
        assert!(text.contains("<title>Følges ikke lenger: gammel</title>"));
        assert_eq!(text, render(&report(), &context(), now), "deterministic");
        assert!(
            text.contains("<updated>2025-03-04T02:00:00Z</updated>"),
            "the feed is as new as its newest entry"
        );
    }

    #[test]
    fn uuids_have_the_rfc_layout() {
        let id = uuid_urn("x");
        let parts: Vec<&str> = id.trim_start_matches("urn:uuid:").split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        // Version 8 (custom, over SHA-256), RFC 9562 variant.
        assert!(parts[2].starts_with('8'));
        assert!(matches!(
            parts[3].chars().next(),
            Some('8' | '9' | 'a' | 'b')
        ));
        assert_ne!(uuid_urn("x"), uuid_urn("y"));
        // The uuid crate agrees on what this is.
        let parsed = uuid::Uuid::parse_str(id.trim_start_matches("urn:uuid:")).unwrap();
        assert_eq!(parsed.get_version_num(), 8);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        // The same bits as the SHA-256 of the name, but for version and variant.
        let hash = crate::track::store::sha256_hex(b"x");
        assert_eq!(&parsed.simple().to_string()[..12], &hash[..12]);
    }
}
