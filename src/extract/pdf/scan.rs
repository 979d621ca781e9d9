//! Pages without a text layer: OCR them (`extract::ocr`) and turn Tesseract's lines and words
//! into positioned words for the layout code, so OCR'd pages go through the same layout,
//! header/footer, de-hyphenation and structure steps as any other page.
//!
//! Geometry: the image is taken to fill the page box (scans do); the page's skew (median
//! baseline slope) is rotated out around the page centre, each line gets one baseline, each
//! word becomes one glyph with a space glyph between words. Size is Tesseract's line text size,
//! and sizes within 12% of the document's body size are snapped to it (OCR sizes are noisy).
//! Tesseract does not see bold: a short line that reads as a numbered heading ("2.1 Utskriving
//! av pasientar") is marked bold, as it almost always is in the documents we read.

use std::collections::BTreeMap;

use lopdf::{Document, ObjectId};
use rayon::prelude::*;

use super::content::Glyph;
use super::structure;
use crate::extract::ocr::{self, OcrError, OcrPage, OcrSettings, image::PageRef};

/// What OCR did to a document.
#[derive(Debug, Default)]
pub(super) struct Scanned {
    /// (page index, glyphs) of the pages OCR gave text for.
    pub pages: Vec<(usize, Vec<Glyph>)>,
    /// Pages without a text layer that were not OCR'd or gave no text (1-based), with why.
    pub failed: Vec<(u32, OcrError)>,
    /// Pages past the per-document cap (1-based).
    pub skipped: Vec<u32>,
    pub warnings: Vec<String>,
}

impl Scanned {
    /// Why OCR could not run at all (Tesseract or its data missing), if so.
    pub fn unavailable(&self) -> Option<&str> {
        self.failed.iter().find_map(|(_, e)| match e {
            OcrError::Unavailable(m) => Some(m.as_str()),
            _ => None,
        })
    }
}

/// "page 3 has no text layer and was" / "pages 3–5 have no text layer and were", to be
/// followed by what happened.
pub(super) fn no_text_layer(pages: &[u32]) -> String {
    if pages.len() == 1 {
        format!("page {} has no text layer and was", pages[0])
    } else {
        format!("pages {} have no text layer and were", page_list(pages))
    }
}

/// "1–3, 5".
pub(super) fn page_list(pages: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let mut j = i;
        while j + 1 < pages.len() && pages[j + 1] == pages[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}–{}", pages[i], pages[j])
        } else {
            pages[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// OCR the pages with index in `todo` (pages without text that draw an image).
pub(super) fn ocr_pages(
    doc: &Document,
    pdf: &[u8],
    page_ids: &BTreeMap<u32, ObjectId>,
    boxes: &[[f32; 4]],
    todo: &[usize],
    max_decoded: usize,
    settings: &OcrSettings,
) -> Scanned {
    let mut out = Scanned::default();
    if todo.is_empty() {
        return out;
    }
    let version = match ocr::available(settings) {
        Ok(v) => v,
        Err(e) => {
            out.failed = todo.iter().map(|&i| (i as u32 + 1, e.clone())).collect();
            return out;
        }
    };
    let (now, later) = todo.split_at(todo.len().min(settings.max_pages));
    out.skipped = later.iter().map(|&i| i as u32 + 1).collect();
    let ids: Vec<ObjectId> = page_ids.values().copied().collect();
    let results: Vec<(usize, Result<OcrPage, OcrError>)> = now
        .par_iter()
        .map(|&pi| {
            let b = boxes[pi];
            let page = PageRef {
                doc,
                pdf,
                id: ids[pi],
                number: pi as u32 + 1,
                size: (b[2] - b[0], b[3] - b[1]),
                origin: (b[0], b[1]),
                max_decoded,
            };
            let r = ocr::image::page_image(&page, settings).and_then(|image| {
                tracing::debug!(
                    page = pi + 1,
                    kind = image.kind,
                    width = image.width,
                    height = image.height,
                    "ocr"
                );
                ocr::recognise(&image, settings)
            });
            (pi, r)
        })
        .collect();
    let mut confs: Vec<f32> = Vec::new();
    let mut got: Vec<(usize, OcrPage)> = Vec::new();
    for (pi, r) in results {
        match r {
            Ok(page) if page.lines.iter().any(|l| !l.words.is_empty()) => {
                confs.extend(
                    page.lines
                        .iter()
                        .flat_map(|l| l.words.iter().map(|w| w.conf)),
                );
                got.push((pi, page));
            }
            Ok(_) => out
                .failed
                .push((pi as u32 + 1, OcrError::Failed("no text recognised".into()))),
            Err(e) => out.failed.push((pi as u32 + 1, e)),
        }
    }
    let body = body_size(&got, boxes);
    for (pi, page) in got {
        out.pages.push((pi, to_glyphs(&page, boxes[pi], body)));
    }
    if !out.pages.is_empty() {
        let nums: Vec<u32> = out.pages.iter().map(|(i, _)| *i as u32 + 1).collect();
        let mean = confs.iter().sum::<f32>() / confs.len().max(1) as f32;
        out.warnings.push(format!(
            "{} read by ocr ({version}, {}; mean word confidence {mean:.0}): the text may have recognition errors",
            no_text_layer(&nums),
            settings.languages,
        ));
    }
    for (p, e) in &out.failed {
        if !matches!(e, OcrError::Unavailable(_)) {
            out.warnings.push(format!("page {p}: ocr failed: {e}"));
        }
    }
    if !out.skipped.is_empty() {
        out.warnings.push(format!(
            "{} not read: ocr stops after {} pages per document",
            no_text_layer(&out.skipped),
            settings.max_pages
        ));
    }
    out
}

/// The size (points) carrying most words: the body text.
fn body_size(pages: &[(usize, OcrPage)], boxes: &[[f32; 4]]) -> f32 {
    let mut sizes: Vec<(f32, usize)> = Vec::new();
    for (pi, p) in pages {
        let sy = scale(p, boxes[*pi]).1;
        for l in &p.lines {
            sizes.push((l.size * sy / X_SIZE_PER_EM, l.words.len()));
        }
    }
    sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: usize = sizes.iter().map(|s| s.1).sum();
    let mut acc = 0;
    for (s, n) in &sizes {
        acc += n;
        if acc * 2 >= total {
            return *s;
        }
    }
    0.0
}

fn scale(p: &OcrPage, b: [f32; 4]) -> (f32, f32) {
    (
        (b[2] - b[0]) / p.width.max(1) as f32,
        (b[3] - b[1]) / p.height.max(1) as f32,
    )
}

/// Tesseract's line size (x_size: ascender to descender of the ink) per em of the font: about
/// 0.88 for book faces (Times at 11 pt, 300 dpi: x_size 37–42 px for an em of 46 px).
const X_SIZE_PER_EM: f32 = 0.88;

/// Ink boxes are tighter than the advance boxes of a text layer: each word is widened by this
/// share of the em on both sides (never into its neighbour), so the gaps between words look
/// like a text layer's to the layout code (whose column finder would otherwise take three
/// lines of aligned word gaps in justified text for a gutter).
const SIDE_BEARING_PER_EM: f32 = 0.08;

/// Tesseract reads the section sign as a dollar sign ("$ 6-2"): before a paragraph number
/// it is one ("§ 6-2", "§§ 3-1"), which law references depend on.
fn section_signs(words: Vec<&str>) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    for k in 0..out.len().saturating_sub(1) {
        let next_is_number = words[k + 1]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        if next_is_number && matches!(words[k], "$" | "$$" | "S$" | "$S") {
            out[k] = if words[k].len() == 1 { "§" } else { "§§" }.to_string();
        }
    }
    out
}

/// Short Norwegian function words (bokmål and nynorsk) whose first letter has the same shape
/// in both cases (o, p, s, u, v, w, x, z, å differ only in size): at 150 dpi Tesseract reads
/// "vurderes På nytt". None of them is a name, so after a word ending in a small letter on
/// the same line they are always written small.
const SAME_SHAPE_SMALL_WORDS: &[&str] = &[
    "og", "om", "opp", "også", "òg", "oss", "ofte", "over", "or", "på", "per", "så", "som", "seg",
    "sin", "si", "sitt", "sine", "skal", "slik", "samt", "sjølv", "selv", "sidan", "siden", "ut",
    "under", "utan", "uten", "ved", "vi", "vil", "var", "vert", "vart", "vere", "være", "vår",
    "våre", "vårt", "via", "videre", "vidare", "verken", "å",
];

/// Undoes case confusions of same-shape letters inside a line: a capitalised function word
/// from [`SAME_SHAPE_SMALL_WORDS`] right after a word ending in a small letter or a comma.
fn same_shape_case(words: &mut [String]) {
    for k in 1..words.len() {
        let after_small = words[k - 1]
            .chars()
            .last()
            .is_some_and(|c| c.is_lowercase() || c == ',');
        let mut chars = words[k].chars();
        let first_upper = chars.next().is_some_and(char::is_uppercase);
        let rest_lower = chars.all(char::is_lowercase);
        if after_small && first_upper && rest_lower {
            let small = words[k].to_lowercase();
            if SAME_SHAPE_SMALL_WORDS.contains(&small.as_str()) {
                words[k] = small;
            }
        }
    }
}

/// Tesseract's lines as glyphs in page space.
pub(super) fn to_glyphs(page: &OcrPage, pbox: [f32; 4], body: f32) -> Vec<Glyph> {
    let (sx, sy) = scale(page, pbox);
    // The page's skew: the median baseline slope of lines of some length.
    let mut slopes: Vec<f32> = page
        .lines
        .iter()
        .filter(|l| l.words.len() >= 3 && l.baseline.0.abs() < 0.2)
        .map(|l| l.baseline.0)
        .collect();
    slopes.sort_by(|a, b| a.total_cmp(b));
    let theta = slopes.get(slopes.len() / 2).copied().unwrap_or(0.0).atan();
    let (sin, cos) = theta.sin_cos();
    let (cx, cy) = (page.width as f32 / 2.0, page.height as f32 / 2.0);
    // Rotating by -theta around the centre makes the baselines level.
    let level = |x: f32, y: f32| {
        let (dx, dy) = (x - cx, y - cy);
        (cx + dx * cos + dy * sin, cy - dx * sin + dy * cos)
    };
    let mut out = Vec::new();
    for line in &page.lines {
        let words: Vec<&ocr::OcrWord> = line
            .words
            .iter()
            .filter(|w| w.conf >= 20.0 || w.text.chars().any(char::is_alphanumeric))
            .collect();
        if words.is_empty() {
            continue;
        }
        let mut size = line.size * sy / X_SIZE_PER_EM;
        if body > 0.0 && (size / body - 1.0).abs() < 0.12 {
            size = body;
        }
        let size = size.max(1.0);
        let mut texts = section_signs(words.iter().map(|w| w.text.as_str()).collect());
        same_shape_case(&mut texts);
        let text = texts.join(" ");
        let bold = words.len() <= 14
            && structure::numbered_heading(&text)
                .is_some_and(|(_, title)| !title.trim_end().ends_with(['.', ',', ';', ':']));
        let x_first = words[0].bbox[0];
        let (_, base) = level(x_first, line.baseline_at(x_first));
        let y = pbox[3] - base * sy;
        let spans: Vec<(f32, f32)> = words
            .iter()
            .map(|w| {
                let (x0, _) = level(w.bbox[0], line.baseline_at(w.bbox[0]));
                let (x1, _) = level(w.bbox[2], line.baseline_at(w.bbox[2]));
                (pbox[0] + x0 * sx, pbox[0] + x1.max(x0 + 0.5) * sx)
            })
            .collect();
        let pad = SIDE_BEARING_PER_EM * size;
        let mut prev_x1: Option<f32> = None;
        for k in 0..words.len() {
            let (x0, x1) = spans[k];
            let before = if k > 0 {
                (x0 - spans[k - 1].1) / 3.0
            } else {
                pad
            };
            let after = spans.get(k + 1).map_or(pad, |n| (n.0 - x1) / 3.0);
            let (x0, x1) = (x0 - pad.min(before.max(0.0)), x1 + pad.min(after.max(0.0)));
            let glyph = |text: String, x0: f32, x1: f32, is_space: bool| Glyph {
                text,
                x0,
                y0: y,
                x1,
                y1: y,
                size,
                font: 0,
                bold,
                is_space,
                space_w: 0.25 * size,
            };
            if let Some(p) = prev_x1 {
                out.push(glyph(" ".into(), p, x0.max(p), true));
            }
            out.push(glyph(texts[k].clone(), x0, x1, false));
            prev_x1 = Some(x1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ocr::{OcrLine, OcrWord};

    fn line(y: f32, slope: f32, size: f32, words: &[(&str, f32, f32)]) -> OcrLine {
        OcrLine {
            bbox: [words[0].1, y - size, words[words.len() - 1].2, y],
            baseline: (slope, 0.0),
            size,
            words: words
                .iter()
                .map(|&(t, x0, x1)| OcrWord {
                    text: t.into(),
                    conf: 90.0,
                    bbox: [x0, y - size, x1, y],
                })
                .collect(),
        }
    }

    #[test]
    fn dollar_before_a_paragraph_number_is_a_section_sign() {
        assert_eq!(
            section_signs(vec![
                "loven", "$", "6-2", "og", "$$", "3-1", "koster", "$", "mye"
            ]),
            ["loven", "§", "6-2", "og", "§§", "3-1", "koster", "$", "mye"]
        );
        assert_eq!(section_signs(vec!["$"]), ["$"]);
    }

    #[test]
    fn same_shape_capitals_mid_line_are_small() {
        let mut w: Vec<String> = [
            "vurderes",
            "På",
            "nytt,",
            "Så",
            "Vi",
            "se",
            "Sjøtorget",
            "og",
        ]
        .map(String::from)
        .to_vec();
        same_shape_case(&mut w);
        assert_eq!(
            w,
            [
                "vurderes",
                "på",
                "nytt,",
                "så",
                "vi",
                "se",
                "Sjøtorget",
                "og"
            ]
        );
        // A sentence start and a line start keep their capital.
        let mut w: Vec<String> = ["slutt.", "På", "nytt"].map(String::from).to_vec();
        same_shape_case(&mut w);
        assert_eq!(w[1], "På");
        let mut w: Vec<String> = ["Over", "tid"].map(String::from).to_vec();
        same_shape_case(&mut w);
        assert_eq!(w[0], "Over");
    }

    #[test]
    fn page_lists_are_ranges() {
        assert_eq!(page_list(&[1, 2, 3, 5, 7, 8]), "1–3, 5, 7–8");
        assert_eq!(page_list(&[4]), "4");
        assert_eq!(page_list(&[]), "");
    }

    #[test]
    fn words_land_on_the_page_level_and_headings_are_bold() {
        // A 1000×1400 px image on an A4-ish page of 500×700 pt: 0.5 pt per pixel.
        let page = OcrPage {
            width: 1000,
            height: 1400,
            lines: vec![
                line(
                    200.0,
                    0.02,
                    40.0,
                    &[("2.1", 100.0, 160.0), ("Utskriving", 180.0, 400.0)],
                ),
                line(
                    300.0,
                    0.02,
                    30.0,
                    &[
                        ("Kommunen", 100.0, 300.0),
                        ("skal", 320.0, 400.0),
                        ("svare.", 420.0, 560.0),
                    ],
                ),
            ],
        };
        let body = 15.2 / X_SIZE_PER_EM;
        let g = to_glyphs(&page, [0.0, 0.0, 500.0, 700.0], body);
        let words: Vec<&Glyph> = g.iter().filter(|g| !g.is_space).collect();
        assert_eq!(words.len(), 5);
        assert!(
            words[0].bold && words[1].bold,
            "numbered heading reads bold"
        );
        assert!(!words[2].bold);
        // One baseline per line, in page space (y up), the heading above the body line.
        assert_eq!(words[2].y0, words[4].y0);
        assert!(words[0].y0 > words[2].y0);
        // Body size snapped to the document's (30 px × 0.5 pt / 0.88), heading kept larger.
        assert_eq!(words[2].size, body);
        assert!(words[0].size > 1.3 * body);
        // Skew rotated out: words keep their order and spaces sit between them.
        assert!(words[2].x1 < words[3].x0 && words[3].x1 < words[4].x0);
        assert_eq!(g.iter().filter(|g| g.is_space).count(), 3);
        let lines = super::super::layout::layout_page(&g);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["2.1 Utskriving", "Kommunen skal svare."]);
    }
}
