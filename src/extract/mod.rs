//! Extract: turns stored bytes into a document with structure — title, pages, numbered
//! sections with their page range — plus warnings for what could not be read.
//!
//! Architecture invariant: extractors are pure functions of the bytes (and, for HTML, the
//! source's CSS selector). They know nothing of HTTP, the index or the catalog, and never panic:
//! a broken file is an error for that file only, a half-readable one yields what it can plus
//! warnings.

/// The extraction's version: bump it whenever a change to `extract` can change what a stored
/// version extracts to. It names the extraction cache (`extracted/SHA.vN.json`) and is part of
/// the index fingerprint, so the next run extracts and indexes every stored version again.
pub const VERSION: &str = "3";

pub mod html;
pub mod model;
pub mod ocr;
pub mod pdf;

use std::path::Path;

use model::{ExtractedDoc, Format};

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    #[error(transparent)]
    Html(#[from] html::HtmlError),
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a PDF or HTML file ({0})")]
    Unrecognised(String),
}

/// Options that depend on the source, not on the bytes.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// CSS selector of an HTML page's main content.
    pub selector: Option<String>,
}

/// Extracts a document whose format is already known.
pub fn extract_bytes(
    bytes: &[u8],
    format: Format,
    label: &str,
    options: &ExtractOptions,
) -> Result<ExtractedDoc, ExtractError> {
    match format {
        Format::Pdf => Ok(pdf::extract_pdf(bytes, label, &pdf::PdfLimits::default())?),
        Format::Html => Ok(html::extract_html(
            bytes,
            label,
            options.selector.as_deref(),
        )?),
    }
}

/// Extracts a file on disk, deciding the format by its content (a `.pdf` that holds HTML is an
/// error, not an HTML document).
pub fn extract_file(path: &Path, options: &ExtractOptions) -> Result<ExtractedDoc, ExtractError> {
    let bytes = std::fs::read(path)?;
    let label = path.display().to_string();
    let claims_pdf = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"));
    match crate::fetch::sniff(&bytes) {
        Some(Format::Pdf) => extract_bytes(&bytes, Format::Pdf, &label, options),
        Some(Format::Html) if claims_pdf => Err(ExtractError::Unrecognised(
            "named .pdf but holds an HTML page".into(),
        )),
        Some(Format::Html) => extract_bytes(&bytes, Format::Html, &label, options),
        None if bytes.is_empty() => Err(ExtractError::Unrecognised("empty file".into())),
        None if claims_pdf => Err(ExtractError::Pdf(pdf::PdfError::NotPdf)),
        None => Err(ExtractError::Unrecognised(format!(
            "{} bytes with no PDF header and no HTML markup",
            bytes.len()
        ))),
    }
}

/// Splits a heading such as "3.2.1 Felles planlegging" or "Kapittel 5 Helsefellesskap" into its
/// number and title. A number alone ("3.2") is a number with no title.
pub fn split_heading_number(heading: &str) -> (Option<String>, String) {
    use std::sync::LazyLock;
    static NUMBERED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:(?:Kapittel|Kapitel|Kap\.)\s+)?(\d{1,3}(?:\.\d{1,3}){0,5})\.?(?:\s+(.*))?$",
        )
        .expect("valid regex")
    });
    let heading = heading.trim();
    if let Some(caps) = NUMBERED.captures(heading) {
        // Numbers have at most three digits per part, so "2023 Årsrapport" stays a title.
        let number = caps[1].to_string();
        let title = caps.get(2).map_or("", |m| m.as_str()).trim().to_string();
        return (Some(number), title);
    }
    (None, heading.to_string())
}

/// Depth of a section number: "3" → 1, "3.2.1" → 3.
pub fn number_depth(number: &str) -> u8 {
    (number.split('.').count()).min(9) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_numbers_are_split() {
        assert_eq!(
            split_heading_number("3.2.1 Felles planlegging"),
            (Some("3.2.1".into()), "Felles planlegging".into())
        );
        assert_eq!(
            split_heading_number("5. Helsefellesskap"),
            (Some("5".into()), "Helsefellesskap".into())
        );
        assert_eq!(
            split_heading_number("Kapittel 6 Samhandling"),
            (Some("6".into()), "Samhandling".into())
        );
        assert_eq!(
            split_heading_number("Innleiing"),
            (None, "Innleiing".into())
        );
        assert_eq!(
            split_heading_number("2040 og framover"),
            (None, "2040 og framover".into())
        );
        assert_eq!(number_depth("3.2.1"), 3);
    }

    proptest::proptest! {
        #[test]
        fn heading_split_keeps_the_words(heading in "[0-9. ]{0,8}[A-Za-zÆØÅæøå ]{0,30}") {
            let (number, title) = split_heading_number(&heading);
            if let Some(number) = number {
                proptest::prop_assert!(number.split('.').all(|part| !part.is_empty() && part.len() <= 3));
                proptest::prop_assert!(heading.trim().starts_with(number.as_str()) || heading.contains(number.as_str()));
            } else {
                proptest::prop_assert_eq!(title, heading.trim());
            }
        }
    }
}
