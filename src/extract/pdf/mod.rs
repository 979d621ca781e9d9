//! PDF text extraction: lopdf for objects, our own content-stream interpreter, font layer,
//! layout analysis (columns, reading order), header/footer removal, Norwegian de-hyphenation
//! and section structure.

mod cff;
mod cmap;
mod content;
mod dehyphen;
mod enc_tables;
mod encoding;
mod font;
mod footnotes;
mod glyphlist;
mod headers;
mod layout;
mod lexer;
mod outline;
mod scan;
mod structure;
mod truetype;

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use lopdf::{Document, LoadOptions, Object, ObjectId};
use unicode_normalization::UnicodeNormalization;

use crate::extract::model::{ExtractedDoc, Format};
use layout::Line;
use structure::Para;

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

fn one_line(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

struct PageOut {
    lines: Vec<Line>,
    /// (bottom, top) of the page box.
    bottom: f32,
    top: f32,
}

/// The visible page area [x0, y0, x1, y1] (CropBox, else MediaBox, inherited).
fn page_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    for d in content::page_and_ancestors(doc, page_id) {
        for key in [b"CropBox".as_slice(), b"MediaBox".as_slice()] {
            if let Some(Object::Array(a)) = font::dict_get(doc, d, key)
                && a.len() == 4
            {
                let v: Vec<f32> = a.iter().map(|o| font::obj_num(o).unwrap_or(0.0)).collect();
                let r = [
                    v[0].min(v[2]),
                    v[1].min(v[3]),
                    v[0].max(v[2]),
                    v[1].max(v[3]),
                ];
                if r[3] - r[1] > 1.0 && r[2] - r[0] > 1.0 {
                    return r;
                }
            }
        }
    }
    [0.0, 0.0, 612.0, 792.0]
}

fn extract_inner(
    bytes: &[u8],
    file_label: &str,
    limits: &PdfLimits,
) -> Result<ExtractedDoc, PdfError> {
    let start = Instant::now();
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    let opts = LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..LoadOptions::default()
    };
    let mut doc = match Document::load_mem_with_options(bytes, opts) {
        Ok(d) => d,
        Err(lopdf::Error::InvalidPassword) | Err(lopdf::Error::Decryption(_)) => {
            return Err(PdfError::Encrypted);
        }
        Err(e) => {
            // A damaged or truncated file: rebuild the cross-reference table by scanning.
            let opts = LoadOptions {
                max_decompressed_size: Some(limits.max_decompressed_bytes),
                force_reconstruct: true,
                ..LoadOptions::default()
            };
            match Document::load_mem_with_options(bytes, opts) {
                Ok(d) if !d.get_pages().is_empty() => d,
                _ => return Err(PdfError::Corrupt(one_line(&e.to_string()))),
            }
        }
    };
    if doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted() {
        return Err(PdfError::Encrypted);
    }
    if doc.get_pages().is_empty() {
        // A page tree that does not resolve: rebuild the cross-reference table by scanning.
        let opts = LoadOptions {
            max_decompressed_size: Some(limits.max_decompressed_bytes),
            force_reconstruct: true,
            ..LoadOptions::default()
        };
        if let Ok(d) = Document::load_mem_with_options(bytes, opts)
            && !d.get_pages().is_empty()
        {
            doc = d;
        }
    }
    let page_map = doc.get_pages();
    if page_map.is_empty() {
        return Err(PdfError::Corrupt("no pages found".into()));
    }
    let total_pages = page_map.len() as u32;
    let mut warnings: Vec<String> = Vec::new();
    if page_map.len() > limits.max_pages {
        warnings.push(format!(
            "only the first {} of {} pages were read",
            limits.max_pages,
            page_map.len()
        ));
    }
    let mut interp = content::Interp::new(&doc, limits, start);
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
        let pbox = page_box(&doc, pid);
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
                if n == 0 && limits.ocr.enabled && scan_candidate(&doc, pid) {
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
        &doc,
        bytes,
        &page_map,
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

    // Running headers / footers.
    let mut band = Vec::new();
    let mut refs: Vec<(usize, usize)> = Vec::new();
    for (pi, p) in pages.iter().enumerate() {
        let h = (p.top - p.bottom).max(1.0);
        let upright: Vec<usize> = (0..p.lines.len()).filter(|&k| p.lines[k].upright).collect();
        let zone = edge_zones(&p.lines, &upright, p.bottom, p.top, h);
        let edge = edge_lines(&p.lines, &upright, p.bottom, p.top, h);
        for &k in &upright {
            let l = &p.lines[k];
            band.push(headers::BandLine {
                page: pi,
                text: l.text.clone(),
                // A page whose every line is a candidate keeps them (only page numbers go).
                in_band: zone.contains(&k) && zone.len() < upright.len(),
                // Page numbers: the top- or bottom-most line in the band, gap or not.
                extreme: zone.contains(&k) || edge.contains(&k),
                y: l.y,
                size: l.size,
                top: l.y > p.bottom + 0.5 * h,
            });
            refs.push((pi, k));
        }
    }
    let drop: HashSet<(usize, usize)> = headers::find_running(&band, pages.len())
        .into_iter()
        .map(|i| refs[i])
        .collect();

    if tracing::enabled!(tracing::Level::TRACE) {
        for (pi, p) in pages.iter().enumerate() {
            for (k, l) in p.lines.iter().enumerate() {
                tracing::trace!(
                    page = pi + 1,
                    block = l.block,
                    para = l.para_start,
                    dropped = drop.contains(&(pi, k)),
                    y = l.y,
                    x0 = l.x0,
                    x1 = l.x1,
                    size = l.size,
                    bold = l.bold,
                    text = %l.text,
                    "line"
                );
            }
        }
    }
    // Kept lines in reading order.
    struct L<'a> {
        line: &'a Line,
        page: usize,
        /// A footnote line (at the foot of its page or column, smaller, after a mark).
        note: bool,
    }
    let body = footnotes::body_size(
        pages
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| p.lines.iter().enumerate().map(move |(k, l)| (pi, k, l)))
            .filter(|(pi, k, _)| !drop.contains(&(*pi, *k)))
            .map(|(_, _, l)| l),
    );
    let mut kept: Vec<L> = Vec::new();
    // Per page: (has a contents title, contents-like lines, lines).
    let mut toc_stats: Vec<(bool, usize, usize)> = vec![(false, 0, 0); pages.len()];
    for (pi, p) in pages.iter().enumerate() {
        let live: Vec<bool> = (0..p.lines.len())
            .map(|k| !drop.contains(&(pi, k)) && !p.lines[k].text.trim().is_empty())
            .collect();
        let notes = footnotes::find_notes(&p.lines, &live, body, p.bottom, p.top);
        for (k, l) in p.lines.iter().enumerate() {
            if !live[k] {
                continue;
            }
            let st = &mut toc_stats[pi];
            st.2 += 1;
            if structure::is_toc_title(&l.text) {
                st.0 = true;
            } else if layout::is_leader_line(&l.text)
                || structure::is_number_column(&l.text)
                || structure::is_toc_line(&l.text, total_pages)
            {
                st.1 += 1;
            }
            kept.push(L {
                line: l,
                page: pi,
                note: notes[k],
            });
        }
    }
    let toc_pages = toc_pages(&toc_stats);
    let vocab = dehyphen::Vocab::from_lines(kept.iter().map(|l| l.line.text.as_str()));

    // Paragraphs.
    let mut paras: Vec<Para> = Vec::new();
    let mut cur: Vec<&L> = Vec::new();
    let flush = |cur: &mut Vec<&L>, paras: &mut Vec<Para>| {
        if cur.is_empty() {
            return;
        }
        let mut texts: Vec<std::borrow::Cow<str>> =
            cur.iter().map(|l| l.line.text.as_str().into()).collect();
        if cur[0].note {
            texts[0] = footnotes::separate_mark(&texts[0]).into();
        }
        let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
        let text = dehyphen::join_lines(&texts, &vocab);
        let first = cur[0];
        let last = cur[cur.len() - 1];
        let chars: usize = cur.iter().map(|l| l.line.text.len()).sum();
        let size = cur
            .iter()
            .map(|l| l.line.size * l.line.text.len() as f32)
            .sum::<f32>()
            / chars.max(1) as f32;
        paras.push(Para {
            text: text.nfc().collect(),
            page: first.page as u32 + 1,
            page_end: last.page as u32 + 1,
            size,
            bold: cur.iter().filter(|l| l.line.bold).count() * 2 > cur.len(),
            lines: cur.len(),
            toc_page: toc_pages.contains(&first.page),
            top: first.line.y + 0.8 * first.line.size,
            x0: first.line.x0,
        });
        cur.clear();
    };
    // Horizontal extent of every block, for paragraph continuation across blocks.
    let mut block_extent: std::collections::HashMap<(usize, u32), (f32, f32)> =
        std::collections::HashMap::new();
    for l in &kept {
        let e = block_extent
            .entry((l.page, l.line.block))
            .or_insert((f32::INFINITY, f32::NEG_INFINITY));
        e.0 = e.0.min(l.line.x0);
        e.1 = e.1.max(l.line.x1);
    }
    // Footnote lines wait until the paragraph they interrupt has ended; each footnote (a line
    // with a mark) is a paragraph of its own.
    let mut notes: Vec<&L> = Vec::new();
    let mut prev_body: Option<&L> = None;
    let flush_notes = |notes: &mut Vec<&L>, paras: &mut Vec<Para>| {
        let mut one: Vec<&L> = Vec::new();
        for l in notes.drain(..) {
            if footnotes::starts_note(&l.line.text) {
                flush(&mut one, paras);
            }
            one.push(l);
        }
        flush(&mut one, paras);
    };
    for l in kept.iter() {
        if l.note {
            notes.push(l);
            continue;
        }
        let new_para = match prev_body {
            None => true,
            Some(prev) => {
                let block_change = prev.page != l.page || prev.line.block != l.line.block;
                if block_change {
                    !continues(
                        prev.line,
                        l.line,
                        block_extent[&(prev.page, prev.line.block)],
                        block_extent[&(l.page, l.line.block)],
                    )
                } else {
                    l.line.para_start
                }
            }
        };
        if new_para {
            flush(&mut cur, &mut paras);
            flush_notes(&mut notes, &mut paras);
        }
        cur.push(l);
        prev_body = Some(l);
    }
    flush(&mut cur, &mut paras);
    flush_notes(&mut notes, &mut paras);
    structure::drop_contents(&mut paras, pages.len() as u32);

    let outline = outline::read_outline(&doc);
    let mut sections = structure::build_sections(&paras, total_pages, &outline);
    for s in &mut sections {
        if let Some(h) = &s.heading {
            s.heading = Some(h.nfc().collect());
        }
    }
    let title = info_title(&doc).or_else(|| first_page_title(&pages));
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

/// A page with no text that draws an image (or a form that may hold one): worth OCR.
fn scan_candidate(doc: &Document, page: ObjectId) -> bool {
    crate::extract::ocr::image::has_xobjects(doc, page)
}

/// Table-of-contents pages from per-page counts (has a contents title, contents-like lines,
/// lines): a titled page with entries, the pages that continue it while most of their lines are
/// entries, and any page made almost only of entries.
fn toc_pages(stats: &[(bool, usize, usize)]) -> HashSet<usize> {
    let mut out = HashSet::new();
    let mut in_toc = false;
    for (pi, &(titled, entries, lines)) in stats.iter().enumerate() {
        let mostly = entries >= 5 && entries * 10 >= lines * 4;
        let nearly_all = entries >= 8 && entries * 10 >= lines * 7;
        in_toc = (titled && entries >= 3) || (in_toc && mostly) || nearly_all;
        if in_toc {
            out.insert(pi);
        }
    }
    out
}

/// Lines that sit in the top or bottom band of a page and are set off from the body by a
/// clear gap: the candidates for running headers, footers and page numbers.
fn edge_zones(lines: &[Line], upright: &[usize], bottom: f32, top: f32, h: f32) -> HashSet<usize> {
    // Distinct baseline levels, top to bottom: (y, max size, members).
    let mut order: Vec<usize> = upright.to_vec();
    order.sort_by(|&a, &b| lines[b].y.total_cmp(&lines[a].y));
    let mut levels: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for k in order {
        let l = &lines[k];
        match levels.last_mut() {
            Some(lv) if (lv.0 - l.y).abs() < 2.0 => {
                lv.1 = lv.1.max(l.size);
                lv.2.push(k);
            }
            _ => levels.push((l.y, l.size, vec![k])),
        }
    }
    let mut zone = HashSet::new();
    if levels.len() < 2 {
        // A page with a single line: only its page number is a candidate.
        for lv in &levels {
            zone.extend(lv.2.iter().copied());
        }
        return zone;
    }
    let in_top = |y: f32, s: f32| y + 0.7 * s >= top - 0.15 * h;
    let in_bottom = |y: f32| y <= bottom + 0.15 * h;
    // The deepest run of up to three band levels that is set off from the body by a gap.
    let mut top_k = 0;
    for k in 1..=3.min(levels.len() - 1) {
        let (y, s, _) = &levels[k - 1];
        if !in_top(*y, *s) {
            break;
        }
        if y - levels[k].0 >= 1.6 * s.max(levels[k].1) {
            top_k = k;
        }
    }
    for lv in &levels[..top_k] {
        zone.extend(lv.2.iter().copied());
    }
    let n = levels.len();
    let mut bottom_k = 0;
    for k in 1..=3.min(n - 1) {
        let (y, s, _) = &levels[n - k];
        if !in_bottom(*y) {
            break;
        }
        if levels[n - k - 1].0 - y >= 1.6 * s.max(levels[n - k - 1].1) {
            bottom_k = k;
        }
    }
    for lv in &levels[n - bottom_k..] {
        zone.extend(lv.2.iter().copied());
    }
    zone
}

/// The top-most and bottom-most lines of a page when they lie in the top or bottom band.
fn edge_lines(lines: &[Line], upright: &[usize], bottom: f32, top: f32, h: f32) -> HashSet<usize> {
    let mut out = HashSet::new();
    let Some(ymax) = upright.iter().map(|&k| lines[k].y).reduce(f32::max) else {
        return out;
    };
    let ymin = upright
        .iter()
        .map(|&k| lines[k].y)
        .fold(f32::INFINITY, f32::min);
    for &k in upright {
        let l = &lines[k];
        if ((l.y - ymax).abs() < 2.0 && l.y + 0.7 * l.size >= top - 0.15 * h)
            || ((l.y - ymin).abs() < 2.0 && l.y <= bottom + 0.15 * h)
        {
            out.insert(k);
        }
    }
    out
}

/// Whether `next` (first line of a new block) continues the paragraph of `prev`.
fn continues(prev: &Line, next: &Line, prev_block: (f32, f32), next_block: (f32, f32)) -> bool {
    let pt = prev.text.trim_end();
    let nt = next.text.trim_start();
    if (prev.size / next.size - 1.0).abs() > 0.1 || prev.bold != next.bold {
        return false;
    }
    let first = nt.chars().next().unwrap_or('A');
    if pt.ends_with('-') && pt.chars().rev().nth(1).is_some_and(|c| c.is_alphabetic()) {
        return true;
    }
    if pt.ends_with(['.', ':', '!', '?'])
        || layout::is_leader_line(pt)
        || layout::is_leader_line(nt)
    {
        return false;
    }
    if layout::starts_list_item(nt) && (pt.ends_with([';', ',']) || layout::is_bullet(nt)) {
        return false;
    }
    if pt.ends_with([',', ';']) || first.is_lowercase() {
        return true;
    }
    // No closing punctuation and a capitalised continuation ("… medlemmene Aasen" +
    // "Bjørnstad, …"): continue when the previous line runs to its block's right edge and
    // the next line is not indented.
    let prev_full = prev.x1 >= prev_block.1 - 0.05 * (prev_block.1 - prev_block.0).max(1.0);
    let next_flush = next.x0 <= next_block.0 + 0.5 * next.size;
    prev_full && next_flush && first.is_alphanumeric()
}

fn info_title(doc: &Document) -> Option<String> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    let raw = match info.get(b"Title").ok()? {
        Object::String(s, _) => s.clone(),
        Object::Reference(id) => match doc.get_object(*id).ok()? {
            Object::String(s, _) => s.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let t = encoding::decode_text_string(&raw);
    let t = t.trim().trim_start_matches("Microsoft Word - ").trim();
    let lower = t.to_lowercase();
    let bad_ext = [
        ".doc", ".docx", ".pdf", ".tex", ".indd", ".dvi", ".odt", ".rtf", ".xls", ".xlsx", ".ppt",
    ];
    if t.chars().filter(|c| c.is_alphabetic()).count() < 3
        || bad_ext.iter().any(|e| lower.ends_with(e))
        || [
            "untitled",
            "title",
            "uten tittel",
            "document",
            "dokument",
            "no title",
        ]
        .contains(&lower.as_str())
        || lower.starts_with("untitled")
    {
        return None;
    }
    Some(t.to_string())
}

fn first_page_title(pages: &[PageOut]) -> Option<String> {
    let p = pages.iter().find(|p| !p.lines.is_empty())?;
    let max = p
        .lines
        .iter()
        .filter(|l| {
            l.text.chars().any(|c| c.is_alphabetic())
                && !structure::is_toc_title(&l.text)
                && !structure::is_toc_line(&l.text, pages.len() as u32)
        })
        .map(|l| l.size)
        .fold(0.0f32, f32::max);
    if max <= 0.0 {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut started = false;
    for l in &p.lines {
        let big = (l.size - max).abs() < 0.05 * max;
        if big
            && l.text.chars().any(|c| c.is_alphabetic())
            && !structure::is_toc_title(&l.text)
            && !structure::is_toc_line(&l.text, pages.len() as u32)
        {
            parts.push(l.text.trim());
            started = true;
            if parts.len() >= 3 {
                break;
            }
        } else if started {
            break;
        }
    }
    let t = parts.join(" ");
    if t.is_empty() || t.chars().count() > 250 {
        None
    } else {
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Option<std::path::PathBuf> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pdf-corpus");
        if p.is_dir() {
            Some(p)
        } else {
            eprintln!("SKIP: corpus not found at {}", p.display());
            None
        }
    }

    #[test]
    fn not_pdf_and_garbage() {
        let l = PdfLimits::default();
        assert!(matches!(extract_pdf(b"", "x", &l), Err(PdfError::NotPdf)));
        assert!(matches!(
            extract_pdf(b"hello world", "x", &l),
            Err(PdfError::NotPdf)
        ));
        assert!(extract_pdf(b"%PDF-1.4\n garbage", "x", &l).is_err());
        assert_eq!(
            PdfError::NoTextLayer { pages: 3 }.to_string(),
            "no text layer: OCR needed (3 pages)"
        );
        // The pipeline retries versions that failed this way once OCR is available.
        for e in [
            PdfError::NoTextLayer { pages: 3 },
            PdfError::OcrUnavailable {
                pages: 1,
                reason: "tesseract not found".into(),
            },
        ] {
            assert!(e.to_string().starts_with(crate::extract::ocr::OCR_NEEDED));
        }
    }

    /// A one-page PDF whose content stream (Flate) holds `before`, then `pad` bytes of
    /// comment lines, then `after`.
    fn bomb_pdf(before: &str, pad: usize, after: &str) -> Vec<u8> {
        use lopdf::{Stream, dictionary};
        use std::io::Write;
        let mut content = format!("BT /F1 12 Tf 72 700 Td ({before}) Tj ET\n").into_bytes();
        let line = b"% fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll fyll\n";
        while content.len() < pad {
            content.extend_from_slice(line);
        }
        content.extend_from_slice(format!("BT /F1 12 Tf 72 600 Td ({after}) Tj ET\n").as_bytes());
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&content).unwrap();
        let packed = z.finish().unwrap();
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
        );
        let contents = doc.add_object(Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            packed,
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                lopdf::dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog =
            doc.add_object(lopdf::dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn decompression_limit_is_named_and_keeps_the_text_before_it() {
        let limits = PdfLimits {
            max_decompressed_bytes: 1024 * 1024,
            ..PdfLimits::default()
        };
        let pdf = bomb_pdf("Teksten foran grensen", 3 * 1024 * 1024, "Teksten etter");
        let d = extract_pdf(&pdf, "bomb", &limits).unwrap();
        let text: String = d.sections.iter().map(|s| s.text.as_str()).collect();
        assert!(text.contains("Teksten foran grensen"), "{text:?}");
        assert!(!text.contains("etter"), "{text:?}");
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("a stream exceeds the decompression limit of 1 MiB")),
            "{:?}",
            d.warnings
        );
        // Nothing before the limit: the error names the limit, not a missing text layer.
        let pdf = bomb_pdf("", 3 * 1024 * 1024, "Teksten etter");
        let e = extract_pdf(&pdf, "bomb", &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a stream exceeds the decompression limit of 1 MiB"
        );
        // Within the limit everything is read.
        let pdf = bomb_pdf("Foran", 1000, "Etter");
        let d = extract_pdf(&pdf, "small", &limits).unwrap();
        let text: String = d.sections.iter().map(|s| s.text.as_str()).collect();
        assert!(text.contains("Foran") && text.contains("Etter"), "{text:?}");
    }

    #[test]
    fn corpus_own_files() {
        let Some(dir) = corpus() else { return };
        for name in [
            "own__nb-pdflatex-twocol",
            "own__nb-xelatex-onecol",
            "own__nb-chromium-twocol",
            "own__nb-libreoffice",
        ] {
            let bytes = std::fs::read(dir.join(format!("{name}.pdf"))).unwrap();
            let doc = extract_pdf(&bytes, name, &PdfLimits::default()).unwrap();
            let all: String = doc
                .sections
                .iter()
                .map(|s| {
                    format!(
                        "{} {}\n{}\n",
                        s.number.clone().unwrap_or_default(),
                        s.heading.clone().unwrap_or_default(),
                        s.text
                    )
                })
                .collect();
            assert!(all.contains("helse- og omsorgstjenesteloven"), "{name}");
            assert!(!all.contains("helseog"), "{name}");
            assert!(all.contains("Østlandet"), "{name}");
            assert!(
                doc.sections
                    .iter()
                    .any(|s| s.number.as_deref() == Some("6.2.1")),
                "{name}: {:?}",
                doc.sections
                    .iter()
                    .map(|s| (&s.number, &s.heading))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn corpus_errors() {
        let Some(dir) = corpus() else { return };
        let l = PdfLimits::default();
        let r = extract_pdf(
            &std::fs::read(dir.join("plumb__password-example.pdf")).unwrap(),
            "p",
            &l,
        );
        assert!(matches!(r, Err(PdfError::Encrypted)), "{r:?}");
        let r = extract_pdf(
            &std::fs::read(dir.join("plumb__empty.pdf")).unwrap(),
            "e",
            &l,
        );
        assert!(matches!(r, Err(PdfError::NotPdf)), "{r:?}");
        let r = extract_pdf(
            &std::fs::read(dir.join("pysf__grayscale-image.pdf")).unwrap(),
            "g",
            &l,
        );
        // An image with no text: OCR finds none (or is not installed); never an empty document.
        assert!(
            matches!(
                r,
                Err(PdfError::NoTextLayer { pages: 1 }
                    | PdfError::OcrUnavailable { pages: 1, .. }
                    | PdfError::OcrFailed { pages: 1, .. })
            ),
            "{r:?}"
        );
    }
}

#[cfg(test)]
mod corpus_tests {
    use super::*;

    /// Every corpus file ends with text or a clean error, within the time budget, and no
    /// error message breaks the one-line, lowercase, no-period convention.
    #[test]
    fn every_corpus_file_ends_cleanly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pdf-corpus");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            eprintln!("SKIP: corpus not found at {}", dir.display());
            return;
        };
        let limits = PdfLimits {
            time_budget: Duration::from_secs(30),
            ..PdfLimits::default()
        };
        let mut n = 0;
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "pdf") {
                continue;
            }
            n += 1;
            let bytes = std::fs::read(&p).unwrap();
            match extract_pdf(&bytes, &p.display().to_string(), &limits) {
                Ok(d) => assert!(d.pages >= 1, "{}", p.display()),
                Err(e) => {
                    let m = e.to_string();
                    assert!(
                        !matches!(e, PdfError::Internal(_) | PdfError::TimeBudget),
                        "{}: {m}",
                        p.display()
                    );
                    assert!(
                        !m.contains('\n') && !m.ends_with('.'),
                        "{}: {m}",
                        p.display()
                    );
                }
            }
        }
        assert!(n > 0);
    }

    #[test]
    fn tiny_limits_degrade_gracefully() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pdf-corpus");
        let Ok(bytes) = std::fs::read(dir.join("own__nb-xelatex-onecol.pdf")) else {
            eprintln!("SKIP: corpus not found at {}", dir.display());
            return;
        };
        let l = PdfLimits {
            max_pages: 1,
            ..PdfLimits::default()
        };
        let d = extract_pdf(&bytes, "x", &l).unwrap();
        assert_eq!(d.pages, 3);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("only the first 1 of 3 pages"))
        );
        let l = PdfLimits {
            max_ops_per_page: 50,
            ..PdfLimits::default()
        };
        let d = extract_pdf(&bytes, "x", &l).unwrap();
        assert!(d.warnings.iter().any(|w| w.contains("operators")));
        let l = PdfLimits {
            time_budget: Duration::ZERO,
            ..PdfLimits::default()
        };
        assert!(matches!(
            extract_pdf(&bytes, "x", &l),
            Err(PdfError::TimeBudget)
        ));
    }
}
