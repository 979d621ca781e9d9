//! Briefing notes for SSU: per theme, the strongest sections with verbatim evidence, what is new
//! since a date, and the documents cited. Extractive only.
//!
//! API contract shared with `serve` ("Lag notat") and the `brief` command.

use std::path::Path;

use chrono::NaiveDate;

use crate::config::Config;

/// Output format of a brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefFormat {
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
    pub fn mime(self) -> &'static str {
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
    #[error("briefs are not built yet")]
    NotBuilt,
}

/// Renders a brief from the index dir's stored matches, index and catalog.
pub fn generate(
    _config: &Config,
    _index_dir: &Path,
    _request: &BriefRequest,
) -> Result<Vec<u8>, BriefError> {
    Err(BriefError::NotBuilt)
}
