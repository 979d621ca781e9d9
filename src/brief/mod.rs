//! Briefing notes for SSU: per theme, the strongest sections with verbatim evidence, what is new
//! since a date, and the documents cited. Extractive only: every quoted sentence is the
//! theme matcher's evidence, which is verbatim section text.
//!
//! The brief is built in two steps: [`gather`] reads the stored results (matches, index,
//! catalog changes) into a [`Brief`], and the renderers (`markdown`, `html`, `docx`) turn it
//! into bytes. The date printed on the brief is the only clock it reads, so the same index and
//! date give the same bytes.
//!
//! Architecture invariant: briefs read what the pipeline stored; they never fetch, extract,
//! score or write to the index dir.

mod docx;
mod html;
mod markdown;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::Config;
use crate::index::{IndexedSection, SectionIndex};
use crate::matches::MatchFile;
use crate::norwegian::MONTHS;
use crate::track::changes::{SectionChangeKind, changes_since};

/// Output format of a brief (`--format` of `samspor brief`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BriefFormat {
    #[value(name = "md")]
    Markdown,
    Html,
    Docx,
}

impl BriefFormat {
    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            BriefFormat::Markdown => "md",
            BriefFormat::Html => "html",
            BriefFormat::Docx => "docx",
        }
    }

    /// MIME type for downloads.
    pub(crate) fn mime(self) -> &'static str {
        match self {
            BriefFormat::Markdown => "text/markdown; charset=utf-8",
            BriefFormat::Html => "text/html; charset=utf-8",
            BriefFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

/// What to put in a brief.
#[derive(Debug, Clone)]
pub struct BriefRequest {
    /// Theme ids, in the order they appear in the brief; empty means every theme in the config.
    pub themes: Vec<String>,
    /// "Nytt siden sist": changes fetched on or after this date.
    pub since: Option<NaiveDate>,
    /// Sections per theme under "Hovedfunn".
    pub top: usize,
    pub format: BriefFormat,
    /// The date printed on the brief (and the only clock it reads: same inputs, same bytes).
    pub date: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum BriefError {
    #[error("unknown theme '{0}' (not in sources.toml)")]
    UnknownTheme(String),
    #[error("no theme matches in {0}: run `samspor run` first")]
    NoMatches(String),
    #[error("{0}")]
    Read(String),
    #[error("cannot write the Word file: {0}")]
    Docx(String),
}

/// Most sections per theme a brief shows.
pub(crate) const MAX_TOP: usize = 50;
/// Most new or changed sections listed per theme (the first run makes everything new).
pub(crate) const MAX_NEWS: usize = 12;

/// Renders a brief from the index dir's stored matches, index and catalog.
pub fn generate(
    config: &Config,
    index_dir: &Path,
    request: &BriefRequest,
) -> Result<Vec<u8>, BriefError> {
    let brief = gather(config, index_dir, request)?;
    Ok(match request.format {
        BriefFormat::Markdown => markdown::render(&brief).into_bytes(),
        BriefFormat::Html => html::render(&brief).into_bytes(),
        BriefFormat::Docx => docx::render(&brief)?,
    })
}

/// Everything a brief says, before it is rendered.
#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    pub title: String,
    /// "23. november 2026".
    pub date: String,
    pub iso_date: String,
    pub since: Option<String>,
    pub themes: Vec<ThemeBrief>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeBrief {
    pub id: String,
    pub label: String,
    pub description: String,
    pub findings: Vec<Finding>,
    pub news: Vec<News>,
    /// New or changed sections beyond the ones listed.
    pub news_more: usize,
    pub references: Vec<Reference>,
    pub terms: Vec<String>,
    pub context: Vec<String>,
    pub threshold: f32,
}

/// A strong section under "Hovedfunn".
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub document: String,
    /// "3.4" or the heading when the section has no number.
    pub section: String,
    pub heading: Option<String>,
    pub page: u64,
    pub link: String,
    pub score: f32,
    pub terms: Vec<String>,
    /// Verbatim sentences from the section.
    pub evidence: Vec<String>,
    /// The section was read by OCR from a scanned page: quotes may carry recognition errors.
    pub ocr: bool,
}

/// What a brief says after the page of a quote read by OCR.
pub(crate) const OCR_NOTE: &str = "skannet side, tekst lest med OCR";

/// A new or changed section under "Nytt siden sist".
#[derive(Debug, Clone, Serialize)]
pub struct News {
    pub document: String,
    pub section: String,
    pub heading: Option<String>,
    pub page: u32,
    /// "ny" | "endret".
    pub change: &'static str,
    /// "12. november 2026".
    pub date: String,
    pub link: String,
    pub diff: Option<String>,
}

/// A document cited by the theme's sections.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// Canonical reference ("NOU 2023: 4", "helse- og omsorgstjenesteloven").
    pub reference: String,
    /// Citations of its parts ("§ 6-2"), canonical.
    pub parts: Vec<String>,
    /// The tracked source it resolves to, if any.
    pub title: Option<String>,
    pub url: Option<String>,
    /// How many of the theme's sections cite it.
    pub cited_in: usize,
}

/// "23. november 2026".
pub(crate) fn norwegian_date(date: NaiveDate) -> String {
    format!(
        "{}. {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// Reads the stored results into a [`Brief`].
pub(crate) fn gather(
    config: &Config,
    index_dir: &Path,
    request: &BriefRequest,
) -> Result<Brief, BriefError> {
    let themes: Vec<&crate::config::Theme> = if request.themes.is_empty() {
        config.themes.iter().collect()
    } else {
        request
            .themes
            .iter()
            .map(|id| {
                config
                    .theme(id)
                    .ok_or_else(|| BriefError::UnknownTheme(id.clone()))
            })
            .collect::<Result<_, _>>()?
    };
    let matches = MatchFile::load(index_dir)
        .map_err(|e| BriefError::Read(e.to_string()))?
        .ok_or_else(|| BriefError::NoMatches(index_dir.display().to_string()))?;
    let index = SectionIndex::open(index_dir).map_err(|e| BriefError::Read(e.to_string()))?;
    let sections: HashMap<(String, u64), IndexedSection> = index
        .all_sections()
        .map_err(|e| BriefError::Read(e.to_string()))?
        .into_iter()
        .map(|s| ((s.source.clone(), s.ordinal), s))
        .collect();
    let by_label: HashMap<(String, String), &IndexedSection> = sections
        .values()
        .map(|s| ((s.source.clone(), s.label()), s))
        .collect();
    let changes = match request.since {
        Some(since) => {
            let start = since
                .and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc();
            changes_since(index_dir, start).map_err(|e| BriefError::Read(e.to_string()))?
        }
        None => Vec::new(),
    };
    let top = request.top.clamp(1, MAX_TOP);

    let mut out = Vec::new();
    for theme in themes {
        let stored = matches.themes.iter().find(|t| t.id == theme.id);
        let ranked: Vec<&IndexedSection> = stored
            .map(|t| {
                t.sections
                    .iter()
                    .filter_map(|m| sections.get(&(m.source.clone(), m.ordinal)))
                    .collect()
            })
            .unwrap_or_default();
        let findings: Vec<Finding> = stored
            .map(|t| {
                t.sections
                    .iter()
                    .take(top)
                    .filter_map(|m| {
                        let s = sections.get(&(m.source.clone(), m.ordinal))?;
                        Some(Finding {
                            document: s.title.clone(),
                            section: s.label(),
                            heading: s.heading.clone(),
                            page: s.page_start,
                            link: s.link(),
                            score: m.score,
                            terms: m.terms.clone(),
                            evidence: m.evidence.clone(),
                            ocr: s.ocr,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();

        let mut news = Vec::new();
        for change in &changes {
            for section in &change.sections {
                if section.kind == SectionChangeKind::Removed {
                    continue;
                }
                let label = section
                    .number
                    .clone()
                    .or_else(|| section.heading.clone())
                    .unwrap_or_else(|| "(innledning)".to_string());
                let Some(indexed) = by_label.get(&(change.source.clone(), label.clone())) else {
                    continue;
                };
                // Only sections of the version now indexed that carry the theme.
                if indexed.version != change.version || !indexed.themes.contains(&theme.id) {
                    continue;
                }
                news.push(News {
                    document: indexed.title.clone(),
                    section: label,
                    heading: section.heading.clone(),
                    page: section.page,
                    change: if section.kind == SectionChangeKind::Added {
                        "ny"
                    } else {
                        "endret"
                    },
                    date: norwegian_date(change.detected_at.date_naive()),
                    link: indexed.link(),
                    diff: section.diff.clone(),
                });
            }
        }

        let news_more = news.len().saturating_sub(MAX_NEWS);
        news.truncate(MAX_NEWS);
        out.push(ThemeBrief {
            id: theme.id.clone(),
            label: theme.label.clone(),
            description: theme.description.clone(),
            references: references(config, &ranked[..ranked.len().min(top)]),
            findings,
            news,
            news_more,
            terms: theme.terms.clone(),
            context: theme.context.clone(),
            threshold: theme.threshold.unwrap_or(crate::themes::DEFAULT_THRESHOLD),
        });
    }
    Ok(Brief {
        title: "Notat til strategisk samarbeidsutvalg (SSU): nasjonale føringer".to_string(),
        date: norwegian_date(request.date),
        iso_date: request.date.format("%Y-%m-%d").to_string(),
        since: request.since.map(norwegian_date),
        themes: out,
    })
}

/// The documents the sections cite, most cited first, resolved to tracked sources through
/// `cites_as` where one matches.
fn references(config: &Config, sections: &[&IndexedSection]) -> Vec<Reference> {
    let mut by_document: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for section in sections {
        let text = format!(
            "{}\n{}",
            section.heading.as_deref().unwrap_or(""),
            section.text
        );
        for citation in crate::refs::find_citations(&text) {
            let entry = by_document.entry(citation.document.clone()).or_default();
            // "helse- og omsorgstjenesteloven § 6-2" is listed as "§ 6-2" under its law.
            if let Some(part) = citation.canonical.strip_prefix(citation.document.as_str()) {
                let part = part.trim();
                if !part.is_empty() {
                    entry.0.insert(part.to_string());
                }
            } else if citation.canonical != citation.document {
                entry.0.insert(citation.canonical.clone());
            }
            entry.1.insert(section.key());
        }
    }
    let mut out: Vec<Reference> = by_document
        .into_iter()
        .map(|(document, (parts, cited_in))| {
            let source = config.sources.iter().find(|s| {
                s.cites_as.as_deref().is_some_and(|c| {
                    c == document
                        || document.starts_with(&format!("{c} ("))
                        || c.starts_with(&format!("{document} ("))
                })
            });
            Reference {
                parts: parts.into_iter().collect(),
                title: source.map(|s| s.title.clone()),
                url: source.map(|s| s.public_url()),
                cited_in: cited_in.len(),
                reference: document,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.cited_in
            .cmp(&a.cited_in)
            .then(a.reference.cmp(&b.reference))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_norwegian() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(norwegian_date(date), "23. november 2026");
        let date = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert_eq!(norwegian_date(date), "5. januar 2027");
    }

    #[test]
    fn formats_are_named_by_their_extension() {
        use clap::ValueEnum;
        assert_eq!(
            BriefFormat::from_str("md", false),
            Ok(BriefFormat::Markdown)
        );
        assert_eq!(BriefFormat::from_str("docx", false), Ok(BriefFormat::Docx));
        assert!(BriefFormat::from_str("pdf", false).is_err());
        for format in BriefFormat::value_variants() {
            let value = format.to_possible_value().unwrap();
            assert_eq!(value.get_name(), format.extension());
        }
    }
}
