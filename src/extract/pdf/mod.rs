//! PDF text extraction: lopdf for objects, our own content-stream interpreter, font layer,
//! layout analysis (columns, reading order), header/footer removal, Norwegian de-hyphenation
//! and section structure.

mod cff;
mod cmap;
mod content;
#[cfg(test)]
mod corpus_tests;
mod dehyphen;
mod enc_tables;
mod encoding;
mod font;
mod footnotes;
mod glyphlist;
mod headers;
mod layout;
mod lexer;
mod load;
mod outline;
mod pages;
mod paragraphs;
mod scan;
mod structure;
#[cfg(test)]
mod tests;
mod title;
mod truetype;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use lopdf::{Document, LoadOptions};
use unicode_normalization::UnicodeNormalization;

use crate::extract::model::{ExtractedDoc, Format};

/// Resource limits for one document.
#[derive(Debug, Clone)]
pub struct PdfLimits {
    /// Largest size any single stream may decompress to.
    pub max_decompressed_bytes: usize,
    /// Pages beyond this are not read (a warning says so).
    pub max_pages: usize,
    /// Content-stream operators interpreted per page (including form XObjects).
    pub max_ops_per_page: usize,
    /// Nesting depth of form XObjects.
    pub max_xobject_depth: usize,
    /// Wall-clock budget for the whole document (OCR has its own limits in `ocr`).
    pub time_budget: Duration,
    /// OCR of pages without a text layer.
    pub ocr: crate::extract::ocr::OcrSettings,
}

impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits {
            max_decompressed_bytes: 256 * 1024 * 1024,
            max_pages: 5000,
            max_ops_per_page: 2_000_000,
            max_xobject_depth: 8,
            time_budget: Duration::from_secs(60),
            ocr: crate::extract::ocr::OcrSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a pdf file")]
    NotPdf,
    #[error("encrypted pdf: a password is needed")]
    Encrypted,
    #[error("no text layer: OCR needed ({pages} pages)")]
    NoTextLayer { pages: u32 },
    /// A scan and no Tesseract (or no Norwegian data): `reason` names the packages.
    #[error("no text layer: OCR needed ({pages} pages); {reason}")]
    OcrUnavailable { pages: u32, reason: String },
    #[error("no text layer and ocr found no text ({pages} pages): {first}")]
    OcrFailed { pages: u32, first: String },
    #[error("a stream exceeds the decompression limit of {mib} MiB")]
    DecompressionLimit { mib: usize },
    #[error("corrupt pdf: {0}")]
    Corrupt(String),
    #[error("time budget exceeded")]
    TimeBudget,
    #[error("internal error: {0}")]
    Internal(String),
}

/// A bookmark: outline depth (1 = top), title on one line, 1-based destination page.
#[derive(Debug, Clone)]
pub struct Bookmark {
    pub level: usize,
    pub title: String,
    pub page: Option<u32>,
}

/// The document's bookmarks (for evaluations); empty when it has none or cannot be read.
pub fn bookmarks(bytes: &[u8], limits: &PdfLimits) -> Vec<Bookmark> {
    let opts = LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..LoadOptions::default()
    };
    catch_unwind(AssertUnwindSafe(|| {
        let Ok(doc) = Document::load_mem_with_options(bytes, opts) else {
            return Vec::new();
        };
        outline::read_outline(&doc)
            .into_iter()
            .map(|e| Bookmark {
                level: e.level,
                title: e.title,
                page: e.page,
            })
            .collect()
    }))
    .unwrap_or_default()
}

/// The section number a heading line carries ("3.4.1 Generelt" → "3.4.1", "Kapittel 3 Toll" →
/// "3"), as the extractor reads it.
pub fn heading_number(text: &str) -> Option<String> {
    structure::numbered_heading(text).map(|(n, _)| n)
}

/// Extract the text of a PDF as sections. No input can panic the caller.
pub fn extract_pdf(
    bytes: &[u8],
    file_label: &str,
    limits: &PdfLimits,
) -> Result<ExtractedDoc, PdfError> {
    match catch_unwind(AssertUnwindSafe(|| {
        extract_inner(bytes, file_label, limits)
    })) {
        Ok(r) => r,
        Err(p) => Err(PdfError::Internal(panic_message(&p))),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    let msg = if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    };
    let msg = msg
        .lines()
        .next()
        .unwrap_or("panic")
        .trim_end_matches('.')
        .to_lowercase();
    format!("caught panic: {msg}")
}

fn extract_inner(
    bytes: &[u8],
    file_label: &str,
    limits: &PdfLimits,
) -> Result<ExtractedDoc, PdfError> {
    let start = Instant::now();
    let doc = load::load(bytes, limits)?;
    let page_map = doc.get_pages();
    if page_map.is_empty() {
        return Err(PdfError::Corrupt("no pages found".into()));
    }
    let total_pages = page_map.len() as u32;
    let pages::ReadPages {
        pages,
        warnings,
        ocr_pages,
    } = pages::read_pages(&doc, bytes, &page_map, limits, start)?;
    let drop = headers::running_lines(&pages);
    let paras = paragraphs::paragraphs(&pages, &drop, total_pages);

    let outline = outline::read_outline(&doc);
    let mut sections = structure::build_sections(&paras, total_pages, &outline);
    for s in &mut sections {
        if let Some(h) = &s.heading {
            s.heading = Some(h.nfc().collect());
        }
    }
    let title = title::title(&doc, &pages);
    Ok(ExtractedDoc {
        file: file_label.to_string(),
        format: Format::Pdf,
        title: title.map(|t| t.nfc().collect()),
        pages: total_pages,
        sections,
        warnings,
        ocr_pages,
    })
}
