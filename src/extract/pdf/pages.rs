//! Reading the pages: each page's content interpreted into glyphs and laid out into lines, a
//! panic on one page caught as that page's warning, pages without a text layer OCR'd.

use std::collections::{BTreeMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use lopdf::{Document, ObjectId};

use super::layout::{self, Line};
use super::load::page_box;
use super::{PdfError, PdfLimits, content, panic_message, scan};

pub(super) struct PageOut {
    pub lines: Vec<Line>,
    /// (bottom, top) of the page box.
    pub bottom: f32,
    pub top: f32,
}

/// The pages read, the warnings met and the pages read by OCR.
pub(super) struct ReadPages {
    pub pages: Vec<PageOut>,
    pub warnings: Vec<String>,
    pub ocr_pages: Vec<u32>,
}

/// Every page (up to the page limit) into lines; an error when no page has any text.
pub(super) fn read_pages(
    doc: &Document,
    bytes: &[u8],
    page_map: &BTreeMap<u32, ObjectId>,
    limits: &PdfLimits,
    start: Instant,
) -> Result<ReadPages, PdfError> {
    let total_pages = page_map.len() as u32;
    let mut warnings: Vec<String> = Vec::new();
    if page_map.len() > limits.max_pages {
        warnings.push(format!(
            "only the first {} of {} pages were read",
            limits.max_pages,
            page_map.len()
        ));
    }
    let mut interp = content::Interp::new(doc, limits, start);
    let mut pages: Vec<PageOut> = Vec::new();
    let mut glyph_count = 0usize;
    let mut pages_unreadable = 0usize;
    // Pages without a text layer that draw something: OCR candidates.
    let mut no_text: Vec<usize> = Vec::new();
    let mut boxes: Vec<[f32; 4]> = Vec::new();
    for (pno, (_, &pid)) in page_map.iter().enumerate().take(limits.max_pages) {
        if start.elapsed() > limits.time_budget {
            return Err(PdfError::TimeBudget);
        }
        let pbox = page_box(doc, pid);
        let (bottom, top) = (pbox[1], pbox[3]);
        boxes.push(pbox);
        let res = catch_unwind(AssertUnwindSafe(|| {
            let mut pg = interp.page(pid);
            if pg.glyphs.len() >= content::MAX_GLYPHS_PER_PAGE {
                pg.warnings.push(format!(
                    "more than {} glyphs; the rest were skipped",
                    content::MAX_GLYPHS_PER_PAGE
                ));
            }
            // Text entirely outside the visible page is not shown by any viewer.
            pg.glyphs.retain(|g| {
                let (gx0, gx1) = (g.x0.min(g.x1), g.x0.max(g.x1));
                let (gy0, gy1) = (g.y0.min(g.y1), g.y0.max(g.y1));
                gx1 >= pbox[0] - 1.0
                    && gx0 <= pbox[2] + 1.0
                    && gy1 + g.size >= pbox[1]
                    && gy0 <= pbox[3] + 1.0
            });
            if tracing::enabled!(tracing::Level::TRACE) {
                for g in &pg.glyphs {
                    tracing::trace!(text = %g.text, x0 = g.x0, x1 = g.x1, y = g.y0, size = g.size, "glyph");
                }
            }
            let n = pg.glyphs.iter().filter(|g| !g.is_space).count();
            let lines = layout::layout_glyphs(std::mem::take(&mut pg.glyphs));
            (n, lines, pg.warnings)
        }));
        match res {
            Ok((n, lines, w)) => {
                glyph_count += n;
                if n == 0 && limits.ocr.enabled && scan_candidate(doc, pid) {
                    no_text.push(pno);
                }
                if w.iter()
                    .any(|m| m.contains("could not be decoded") || m.contains("unreadable"))
                {
                    pages_unreadable += 1;
                }
                let mut seen = HashSet::new();
                for m in w {
                    if seen.insert(m.clone()) && warnings.len() < 200 {
                        warnings.push(format!("page {}: {}", pno + 1, m));
                    }
                }
                pages.push(PageOut { lines, bottom, top });
            }
            Err(p) => {
                pages_unreadable += 1;
                warnings.push(format!("page {}: {}", pno + 1, panic_message(&p)));
                pages.push(PageOut {
                    lines: Vec::new(),
                    bottom,
                    top,
                });
            }
        }
        if interp.timed_out {
            return Err(PdfError::TimeBudget);
        }
        if interp.size_limit_hit {
            if pno + 1 < page_map.len().min(limits.max_pages) {
                warnings.push(format!(
                    "decompression limit of {} MiB reached at page {}; the remaining pages were skipped",
                    content::limit_mib(limits.max_decompressed_bytes),
                    pno + 1
                ));
            }
            break;
        }
    }
    if interp.unmapped > 0 {
        warnings.push(format!(
            "{} glyphs without unicode mapping (fonts: {})",
            interp.unmapped,
            interp.unmapped_fonts.join(", ")
        ));
    }
    // Scanned pages: OCR'd into positioned words that take the same road as any other page.
    let scanned = scan::ocr_pages(
        doc,
        bytes,
        page_map,
        &boxes,
        &no_text,
        limits.max_decompressed_bytes,
        &limits.ocr,
    );
    let mut ocr_pages: Vec<u32> = Vec::new();
    for (pi, glyphs) in &scanned.pages {
        glyph_count += glyphs.iter().filter(|g| !g.is_space).count();
        pages[*pi].lines = layout::layout_page(glyphs);
        ocr_pages.push(*pi as u32 + 1);
    }
    warnings.extend(scanned.warnings.iter().cloned());
    if let Some(reason) = scanned.unavailable() {
        if glyph_count == 0 {
            return Err(PdfError::OcrUnavailable {
                pages: total_pages,
                reason: reason.to_string(),
            });
        }
        let failed: Vec<u32> = scanned.failed.iter().map(|(p, _)| *p).collect();
        warnings.push(format!(
            "{} not read: {reason}",
            scan::no_text_layer(&failed)
        ));
    }
    if glyph_count == 0
        && let Some((p, e)) = scanned.failed.first()
    {
        return Err(PdfError::OcrFailed {
            pages: total_pages,
            first: format!("page {p}: {e}"),
        });
    }
    if glyph_count == 0 {
        if pages_unreadable > 0 && pages_unreadable == pages.len() {
            let first = warnings.first().cloned().unwrap_or_default();
            return Err(PdfError::Corrupt(format!(
                "no page could be read ({first})"
            )));
        }
        if interp.size_limit_hit {
            return Err(PdfError::DecompressionLimit {
                mib: content::limit_mib(limits.max_decompressed_bytes),
            });
        }
        return Err(PdfError::NoTextLayer { pages: total_pages });
    }

    Ok(ReadPages {
        pages,
        warnings,
        ocr_pages,
    })
}

/// A page with no text that draws an image (or a form that may hold one): worth OCR.
fn scan_candidate(doc: &Document, page: ObjectId) -> bool {
    crate::extract::ocr::image::has_xobjects(doc, page)
}
