//! TEMPORARY stand-in until the real extractor lands (replaced before commit).
use crate::extract::model::{ExtractedDoc, Format, Section};

pub struct PdfLimits {
    pub max_decompressed_bytes: usize,
    pub max_pages: usize,
    pub max_ops_per_page: usize,
    pub max_xobject_depth: usize,
    pub time_budget: std::time::Duration,
}
impl Default for PdfLimits {
    fn default() -> Self {
        PdfLimits {
            max_decompressed_bytes: 1 << 28,
            max_pages: 5000,
            max_ops_per_page: 2_000_000,
            max_xobject_depth: 8,
            time_budget: std::time::Duration::from_secs(60),
        }
    }
}
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a PDF file")]
    NotPdf,
    #[error("encrypted: a password is needed")]
    Encrypted,
    #[error("no text layer: OCR needed ({pages} pages)")]
    NoTextLayer { pages: u32 },
    #[error("corrupt PDF: {0}")]
    Corrupt(String),
}
pub fn extract_pdf(
    bytes: &[u8],
    file_label: &str,
    _limits: &PdfLimits,
) -> Result<ExtractedDoc, PdfError> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| PdfError::Corrupt(e.to_string()))?;
    let pages = doc.get_pages();
    let mut sections = Vec::new();
    for (&n, _) in pages.iter() {
        let text = doc.extract_text(&[n]).unwrap_or_default();
        sections.push(Section {
            number: Some(n.to_string()),
            heading: Some(format!("Side {n}")),
            level: 1,
            page_start: n,
            page_end: n,
            text,
        });
    }
    Ok(ExtractedDoc {
        file: file_label.into(),
        format: Format::Pdf,
        title: None,
        pages: pages.len() as u32,
        sections,
        warnings: vec![],
    })
}
