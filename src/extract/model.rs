//! The extracted-document model shared by the PDF and HTML extractors, the cache of extracted
//! versions, the index and `extract --json`. Field names here are the JSON contract.

use serde::{Deserialize, Serialize};

/// Which extractor produced a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Html,
}

impl Format {
    /// The serialised form, also the stored file's extension: "pdf" or "html".
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }

    /// Reads [`Format::as_str`].
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "pdf" => Some(Format::Pdf),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

/// What a reader calls a section in a list: "3.4.1 Listelengde", the number or the heading
/// alone, or "(innledning)" for text before the first heading. The one place for it (CLI,
/// web page, feed, export).
pub fn section_place(number: Option<&str>, heading: Option<&str>) -> String {
    match (number, heading) {
        (Some(n), Some(h)) => format!("{n} {h}"),
        (Some(n), None) => n.to_string(),
        (None, Some(h)) => h.to_string(),
        (None, None) => "(innledning)".to_string(),
    }
}

/// One document as the extractors see it: a title, a page count and its sections in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDoc {
    /// The file the text came from, as given.
    pub file: String,
    pub format: Format,
    pub title: Option<String>,
    /// Number of pages (1 for HTML).
    pub pages: u32,
    pub sections: Vec<Section>,
    /// Problems that did not stop extraction (a page that failed, an unknown font, …).
    pub warnings: Vec<String>,
    /// 1-based pages whose text was read by OCR (scanned pages without a text layer); empty
    /// for born-digital documents. Absent in extractions cached before OCR existed.
    #[serde(default)]
    pub ocr_pages: Vec<u32>,
}

impl ExtractedDoc {
    /// The text as a reader reads it: each section's "number heading" line, then its text.
    pub fn reading_text(&self) -> String {
        let mut s = String::new();
        for sec in &self.sections {
            if let Some(h) = &sec.heading {
                if let Some(n) = &sec.number {
                    s.push_str(n);
                    s.push(' ');
                }
                s.push_str(h);
                s.push('\n');
            }
            if !sec.text.is_empty() {
                s.push_str(&sec.text);
                s.push('\n');
            }
        }
        s
    }

    /// Whether any of the section's pages was read by OCR (its text may have recognition
    /// errors).
    pub fn section_from_ocr(&self, section: &Section) -> bool {
        self.ocr_pages
            .iter()
            .any(|p| (section.page_start..=section.page_end.max(section.page_start)).contains(p))
    }
}

/// A numbered or headed part of a document. Text before the first heading is a section with
/// `number` and `heading` both `None`, so no text is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The heading's own number ("3.2.1"), if it has one.
    pub number: Option<String>,
    pub heading: Option<String>,
    /// 1 for chapters (or h1), 2 for "3.2" (or h2), …; 0 for text before the first heading.
    pub level: u8,
    /// 1-based physical page where the section starts (PDF); 1 for HTML.
    pub page_start: u32,
    pub page_end: u32,
    /// The section's body text: paragraphs separated by "\n\n", lines of a paragraph joined.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(number: Option<&str>, heading: Option<&str>, text: &str) -> Section {
        Section {
            number: number.map(str::to_string),
            heading: heading.map(str::to_string),
            level: 1,
            page_start: 1,
            page_end: 1,
            text: text.into(),
        }
    }

    #[test]
    fn reading_text_puts_numbered_headings_before_their_text() {
        let doc = ExtractedDoc {
            file: "a.pdf".into(),
            format: Format::Pdf,
            title: None,
            pages: 1,
            sections: vec![
                section(None, None, "Forord uten overskrift."),
                section(
                    Some("2.1"),
                    Some("Felles planlegging"),
                    "Kommunene planlegger.",
                ),
                section(None, Some("Vedlegg"), ""),
            ],
            warnings: vec![],
            ocr_pages: vec![],
        };
        assert_eq!(
            doc.reading_text(),
            "Forord uten overskrift.\n2.1 Felles planlegging\nKommunene planlegger.\nVedlegg\n"
        );
    }
}
