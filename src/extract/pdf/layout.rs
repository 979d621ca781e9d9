//! Layout: glyphs → words (per baseline row) → blocks by recursive XY-cut with a column-gutter
//! test → lines in reading order with paragraph starts.

use super::content::Glyph;

mod words;
mod xycut;

use words::{build_words, dedup};
use xycut::xy_cut;

/// A word in the rotation frame of its text (y up, baseline at `y`).
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
}

impl Word {
    fn bottom(&self) -> f32 {
        self.y - 0.25 * self.size
    }
    fn top(&self) -> f32 {
        self.y + 0.75 * self.size
    }
}

/// A line of text in reading order.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    /// Baseline, page space for upright text.
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    /// Index of the block (XY-cut leaf) on its page.
    pub block: u32,
    /// First line of a paragraph (by spacing, indent or style change) within its block.
    pub para_start: bool,
    /// Upright text (rotation 0); header/footer bands only apply to these.
    pub upright: bool,
}

fn rot_of(g: &Glyph) -> u8 {
    let dx = g.x1 - g.x0;
    let dy = g.y1 - g.y0;
    if dx.abs() < 1e-4 && dy.abs() < 1e-4 {
        return 0;
    }
    if dx.abs() >= dy.abs() {
        if dx > 0.0 { 0 } else { 2 }
    } else if dy > 0.0 {
        1
    } else {
        3
    }
}

fn to_frame(rot: u8, x: f32, y: f32) -> (f32, f32) {
    match rot {
        1 => (y, -x),
        2 => (-x, -y),
        3 => (-y, x),
        _ => (x, y),
    }
}

#[derive(Clone)]
struct FG {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    bold: bool,
    space: bool,
    space_w: f32,
}

/// Lay out one page's glyphs into lines in reading order.
pub fn layout_page(glyphs: &[Glyph]) -> Vec<Line> {
    layout_glyphs(glyphs.to_vec())
}

/// [`layout_page`] on glyphs it may take apart: their texts move into the layout instead of
/// being copied (one allocation less per glyph on the main path).
pub fn layout_glyphs(glyphs: Vec<Glyph>) -> Vec<Line> {
    let mut by_rot: [Vec<FG>; 4] = Default::default();
    let mut last_rot = 0u8;
    for g in glyphs {
        let r = if (g.x1 - g.x0).abs() < 1e-4 && (g.y1 - g.y0).abs() < 1e-4 {
            last_rot
        } else {
            rot_of(&g)
        };
        last_rot = r;
        let (fx0, fy) = to_frame(r, g.x0, g.y0);
        let (fx1, _) = to_frame(r, g.x1, g.y1);
        if !(fx0.is_finite() && fy.is_finite() && fx1.is_finite()) {
            continue;
        }
        by_rot[r as usize].push(FG {
            text: g.text,
            x0: fx0.min(fx1),
            x1: fx0.max(fx1),
            y: fy,
            size: g.size,
            bold: g.bold,
            space: g.is_space,
            space_w: g.space_w,
        });
    }
    let mut out = Vec::new();
    let mut block_base = 0u32;
    for r in [0usize, 1, 3, 2] {
        let gs = std::mem::take(&mut by_rot[r]);
        if gs.is_empty() {
            continue;
        }
        let gs = dedup(gs);
        let words = build_words(gs);
        if words.is_empty() {
            continue;
        }
        let ids: Vec<usize> = (0..words.len()).collect();
        let median = median_size(&words);
        let mut leaves = Vec::new();
        xy_cut(&words, ids, median, &mut leaves, 0);
        for leaf in leaves {
            let lines = leaf_lines(&words, &leaf, block_base, r == 0);
            block_base += 1;
            out.extend(lines);
        }
    }
    out
}

fn median_size(words: &[Word]) -> f32 {
    let mut s: Vec<f32> = words.iter().map(|w| w.size).collect();
    s.sort_by(|a, b| a.total_cmp(b));
    s[s.len() / 2].max(1.0)
}

/// A footnote mark: a short number (or asterisk, dagger) set smaller than its row and raised.
fn is_note_mark(w: &Word, base_size: f32, base_y: f32) -> bool {
    w.size <= 0.85 * base_size
        && w.y - base_y >= 0.18 * base_size
        && w.y - base_y <= 0.8 * base_size
        && {
            let t = w.text.trim_end_matches([',', '.', ')']);
            (!t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()))
                || matches!(t, "*" | "**" | "†" | "‡")
        }
}

/// Turn a leaf block's words into lines, with paragraph starts.
fn leaf_lines(words: &[Word], leaf: &[usize], block: u32, upright: bool) -> Vec<Line> {
    let mut order: Vec<usize> = leaf.to_vec();
    order.sort_by(|&a, &b| words[b].y.total_cmp(&words[a].y));
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut row_y = f32::NAN;
    let mut row_size = 0.0f32;
    for i in order {
        let w = &words[i];
        // Superscripts / subscripts: small words within the row's vertical extent join it.
        let tol = 0.3 * w.size.min(row_size).max(0.5);
        let small_in_row = !rows.is_empty()
            && w.size < 0.85 * row_size
            && w.y > row_y - 0.3 * row_size
            && w.y < row_y + 0.55 * row_size;
        if rows.is_empty() || ((row_y - w.y).abs() > tol && !small_in_row) {
            rows.push(vec![i]);
            row_y = w.y;
            row_size = w.size;
        } else {
            rows.last_mut().unwrap().push(i);
            if w.size > row_size {
                row_size = w.size;
                row_y = w.y;
            }
        }
    }
    // A row of only small words just above the next row (superscripts) joins that row.
    let mut merged: Vec<Vec<usize>> = Vec::with_capacity(rows.len());
    let mut k = 0;
    while k < rows.len() {
        let row_max = |r: &Vec<usize>| r.iter().map(|&i| words[i].size).fold(0.0f32, f32::max);
        if k + 1 < rows.len() {
            let (a, b) = (&rows[k], &rows[k + 1]);
            let (sa, sb) = (row_max(a), row_max(b));
            let ya = words[a[0]].y;
            let yb = b
                .iter()
                .map(|&i| words[i].y)
                .fold(f32::NEG_INFINITY, f32::max);
            let bx0 = b.iter().map(|&i| words[i].x0).fold(f32::INFINITY, f32::min);
            let bx1 = b
                .iter()
                .map(|&i| words[i].x1)
                .fold(f32::NEG_INFINITY, f32::max);
            let inside = a
                .iter()
                .all(|&i| words[i].x0 >= bx0 - sb && words[i].x1 <= bx1 + sb);
            if sa < 0.85 * sb && ya > yb && ya - yb < 0.6 * sb && inside {
                let mut r = rows[k + 1].clone();
                r.extend_from_slice(&rows[k]);
                merged.push(r);
                k += 2;
                continue;
            }
        }
        // A row of only small words just below the previous row (subscripts) joins it.
        if let Some(prev) = merged.last_mut() {
            let a = &rows[k];
            let (sa, sp) = (row_max(a), row_max(prev));
            let ya = words[a[0]].y;
            let yp = prev
                .iter()
                .map(|&i| words[i].y)
                .fold(f32::INFINITY, f32::min);
            let px0 = prev
                .iter()
                .map(|&i| words[i].x0)
                .fold(f32::INFINITY, f32::min);
            let px1 = prev
                .iter()
                .map(|&i| words[i].x1)
                .fold(f32::NEG_INFINITY, f32::max);
            let inside = a
                .iter()
                .all(|&i| words[i].x0 >= px0 - sp && words[i].x1 <= px1 + sp);
            if sa < 0.85 * sp && ya < yp && yp - ya < 0.4 * sp && inside {
                prev.extend_from_slice(a);
                k += 1;
                continue;
            }
        }
        merged.push(rows[k].clone());
        k += 1;
    }
    let rows = merged;
    let mut lines: Vec<Line> = Vec::with_capacity(rows.len());
    for mut row in rows {
        row.sort_by(|&a, &b| words[a].x0.total_cmp(&words[b].x0));
        let mut text = String::new();
        let mut chars_bold = 0usize;
        let mut chars = 0usize;
        let mut size_w = 0.0f32;
        let mut y = 0.0f32;
        let mut best_size = 0.0f32;
        let mut prev: Option<&Word> = None;
        // The row's base: its largest word's size and baseline.
        let (base_size, base_y) = row
            .iter()
            .map(|&i| (words[i].size, words[i].y))
            .fold((0.0f32, 0.0f32), |a, b| if b.0 > a.0 { b } else { a });
        let mut after_mark = false;
        let mut lead_mark = false;
        for (j, &i) in row.iter().enumerate() {
            let w = &words[i];
            if is_note_mark(w, base_size, base_y) {
                if j == 0 {
                    // A footnote body's own number: kept, as a separate token ("2 Se også").
                    text.push_str(&w.text);
                    prev = Some(w);
                    lead_mark = true;
                    continue;
                }
                let unit = prev
                    .is_some_and(|p| matches!(p.text.as_str(), "m" | "km" | "cm" | "mm" | "dm"));
                if !unit {
                    // A footnote mark in running text is dropped, so the sentence stays whole.
                    after_mark = true;
                    prev = Some(w);
                    continue;
                }
            }
            if let Some(p) = prev {
                // Sub- and superscripts touching their base ("HCO3", "R2") are not separate words.
                let touching = w.x0 - p.x1 < 0.08 * w.size.max(p.size) && (w.y - p.y).abs() > 0.5;
                let closing = w.text.starts_with([',', '.', ';', ':', '!', '?', ')', '»']);
                let space = if after_mark {
                    !closing
                } else {
                    lead_mark || !touching
                };
                if space && !text.is_empty() {
                    text.push(' ');
                }
            }
            after_mark = false;
            lead_mark = false;
            prev = Some(w);
            text.push_str(&w.text);
            let n = w.text.chars().count();
            chars += n;
            if w.bold {
                chars_bold += n;
            }
            size_w += w.size * n as f32;
            if w.size > best_size {
                best_size = w.size;
                y = w.y;
            }
        }
        let size = if chars > 0 {
            size_w / chars as f32
        } else {
            best_size
        };
        lines.push(Line {
            text: logical_order(text),
            x0: words[row[0]].x0,
            x1: row
                .iter()
                .map(|&i| words[i].x1)
                .fold(f32::NEG_INFINITY, f32::max),
            y,
            size,
            bold: chars_bold * 2 > chars,
            block,
            para_start: false,
            upright,
        });
    }
    mark_paragraphs(&mut lines);
    lines
}

/// Right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko …, and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// A line's text from its glyphs' visual order (left to right on the page) into logical order:
/// right-to-left runs are reversed and, in a mostly right-to-left line, so is the order of the
/// runs (the Unicode bidi algorithm's reordering, which is its own inverse for such lines). A
/// line without right-to-left letters is returned as it is.
fn logical_order(text: String) -> String {
    if !text.chars().any(is_rtl) {
        return text;
    }
    let rtl = text.chars().filter(|&c| is_rtl(c)).count();
    let ltr = text
        .chars()
        .filter(|c| c.is_alphabetic() && !is_rtl(*c))
        .count();
    let level = if rtl >= ltr {
        unicode_bidi::Level::rtl()
    } else {
        unicode_bidi::Level::ltr()
    };
    let info = unicode_bidi::BidiInfo::new(&text, Some(level));
    let Some(para) = info.paragraphs.first() else {
        return text;
    };
    let out = info.reorder_line(para, para.range.clone()).into_owned();
    if out.chars().count() == text.chars().count() {
        out
    } else {
        text
    }
}

pub fn is_bullet(text: &str) -> bool {
    text.trim_start().starts_with([
        '•', '▪', '●', '◦', '○', '■', '□', '➢', '►', '✓', '✔', '\u{F0B7}', '∙', '·',
    ])
}

/// A line that starts a list item: a bullet, or "1." / "a)" / "(iv)" followed by text.
pub fn starts_list_item(text: &str) -> bool {
    static ITEM: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:\(?(?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})[.)]|\d{1,2}\.)\s+\S").unwrap()
    });
    is_bullet(text) || text.trim_start().starts_with(['–', '—']) || ITEM.is_match(text.trim_start())
}

/// A table-of-contents style line with dot leaders.
pub fn is_leader_line(text: &str) -> bool {
    text.contains("....") || text.contains(". . . .") || text.contains("……")
}

fn mark_paragraphs(lines: &mut [Line]) {
    if lines.is_empty() {
        return;
    }
    lines[0].para_start = true;
    let bx0 = lines.iter().map(|l| l.x0).fold(f32::INFINITY, f32::min);
    let bx1 = lines.iter().map(|l| l.x1).fold(f32::NEG_INFINITY, f32::max);
    let mut gaps: Vec<f32> = lines
        .windows(2)
        .map(|w| w[0].y - w[1].y)
        .filter(|g| *g > 0.0)
        .collect();
    gaps.sort_by(|a, b| a.total_cmp(b));
    let typical = if gaps.is_empty() {
        0.0
    } else {
        gaps[gaps.len() / 2]
    };
    for k in 1..lines.len() {
        let (prev, cur) = (&lines[k - 1], &lines[k]);
        let gap = prev.y - cur.y;
        let size = cur.size.max(prev.size);
        let style_change = (cur.size / prev.size - 1.0).abs() > 0.12 || cur.bold != prev.bold;
        let big_gap = typical > 0.0 && gap > typical * 1.35 + 0.1 * size;
        let indent =
            cur.x0 > bx0 + 0.7 * size && cur.x0 < bx0 + 4.0 * size && prev.x0 <= bx0 + 0.5 * size;
        let prev_short = prev.x1 < bx1 - 0.12 * (bx1 - bx0).max(1.0)
            && prev.text.ends_with(['.', ':', '!', '?', '»', '"', ')'])
            && !prev.text.ends_with('-');
        let list_item = starts_list_item(&cur.text)
            && (prev.text.ends_with(['.', ';', ':', '!', '?'])
                || starts_list_item(&prev.text)
                || is_bullet(&cur.text));
        let toc = is_leader_line(&prev.text) || is_leader_line(&cur.text);
        lines[k].para_start = style_change || big_gap || indent || prev_short || list_item || toc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_lines_come_out_in_logical_order() {
        // Glyphs drawn left to right on the page: "שלום עולם" shows as "םלוע םולש".
        assert_eq!(logical_order("םלוע םולש".into()), "שלום עולם");
        // A number inside a Hebrew line keeps its digits' order.
        assert_eq!(logical_order("123 םולש".into()), "שלום 123");
        // A Latin line with one Hebrew word: only that word turns.
        assert_eq!(
            logical_order("the word םולש here".into()),
            "the word שלום here"
        );
        assert_eq!(logical_order("plain".into()), "plain");
    }

    fn glyphs_for(text: &str, x: f32, y: f32, size: f32) -> Vec<Glyph> {
        let mut out = Vec::new();
        let mut cx = x;
        for c in text.chars() {
            let w = 0.5 * size;
            out.push(Glyph {
                text: c.to_string(),
                x0: cx,
                y0: y,
                x1: cx + w,
                y1: y,
                size,
                font: 0,
                bold: false,
                is_space: c == ' ',
                space_w: 0.25 * size,
            });
            cx += w;
        }
        out
    }

    #[test]
    fn two_columns_are_read_column_by_column() {
        let mut gs = Vec::new();
        for k in 0..8 {
            let y = 700.0 - 12.0 * k as f32;
            gs.extend(glyphs_for(&format!("left{k} aaa bbb"), 50.0, y, 10.0));
            gs.extend(glyphs_for(
                &format!("right{k} ccc ddd"),
                50.0 + 80.0 + 9.0,
                y,
                10.0,
            ));
        }
        let lines = layout_page(&gs);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "left0 aaa bbb");
        assert_eq!(texts[7], "left7 aaa bbb");
        assert_eq!(texts[8], "right0 ccc ddd");
    }

    #[test]
    fn fake_bold_and_shadow_glyphs_are_drawn_once() {
        // Fake bold: every glyph drawn again 0.3 pt to the right (as Word and some PDF
        // printers do); a shadow one line below would be another line. Doubled letters in a
        // word ("kommunalt", "alle") are a glyph width apart and stay.
        let mut gs = glyphs_for("Alle kommunalt ansatte", 50.0, 700.0, 10.0);
        gs.extend(glyphs_for("Alle kommunalt ansatte", 50.3, 700.0, 10.0));
        gs.extend(glyphs_for("Alle kommunalt ansatte", 50.0, 700.2, 10.0));
        let lines = layout_page(&gs);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Alle kommunalt ansatte"]);
        // Far from the origin, the grid cells do not overflow.
        let far = glyphs_for("Langt ute", 3.0e9, -3.0e9, 10.0);
        let lines = layout_page(&far);
        assert!(lines.len() <= 1);
    }

    #[test]
    fn footnote_marks_are_dropped_from_running_text() {
        let mut gs = glyphs_for("sammenhengende for brukerne", 50.0, 700.0, 10.0);
        let x = gs.last().unwrap().x1;
        gs.extend(glyphs_for("1", x + 0.3, 703.5, 6.0));
        gs.extend(glyphs_for(", også når ansvaret", x + 3.5, 700.0, 10.0));
        gs.extend(glyphs_for("går over til kommunen.", 50.0, 688.0, 10.0));
        gs.extend(glyphs_for("2", 50.0, 603.5, 6.0));
        gs.extend(glyphs_for("Se også veilederen.", 53.2, 600.0, 8.0));
        let lines = layout_page(&gs);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "sammenhengende for brukerne, også når ansvaret",
                "går over til kommunen.",
                "2 Se også veilederen."
            ]
        );
    }

    #[test]
    fn separate_accents_are_attached() {
        let mut gs = glyphs_for("ide kafe", 50.0, 700.0, 10.0);
        // An acute accent drawn over the "e" of "ide" (glyph 2).
        let e = gs[2].clone();
        gs.insert(
            2,
            Glyph {
                text: "\u{B4}".into(),
                x0: e.x0 + 1.0,
                x1: e.x1 - 1.0,
                ..e
            },
        );
        let lines = layout_page(&gs);
        let t: String =
            unicode_normalization::UnicodeNormalization::nfc(lines[0].text.as_str()).collect();
        assert_eq!(t, "idé kafe");
    }

    #[test]
    fn list_items_and_leaders_start_paragraphs() {
        let mut gs = Vec::new();
        let texts = [
            "Kommunen skal sørge for at:",
            "• alle har en fastlege;",
            "• legevakten er bemannet;",
            "1. første punkt i listen",
            "2. andre punkt i listen",
            "6.1 Innledning ........ 4",
            "6.2 Gjeldende rett ........ 5",
        ];
        for (k, t) in texts.iter().enumerate() {
            gs.extend(glyphs_for(t, 50.0, 700.0 - 12.0 * k as f32, 10.0));
        }
        let lines = layout_page(&gs);
        assert_eq!(lines.len(), texts.len());
        assert!(
            lines.iter().all(|l| l.para_start),
            "{:?}",
            lines
                .iter()
                .map(|l| (l.para_start, &l.text))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn dense_table_page_is_fast() {
        // 150 rows × 40 numeric cells: many candidate corridors.
        let mut gs = Vec::new();
        for r in 0..150 {
            for c in 0..40 {
                gs.extend(glyphs_for(
                    "12",
                    20.0 + 14.0 * c as f32,
                    800.0 - 5.0 * r as f32,
                    4.0,
                ));
            }
        }
        let t = std::time::Instant::now();
        let lines = layout_page(&gs);
        assert!(t.elapsed().as_secs_f32() < 5.0, "{:?}", t.elapsed());
        assert_eq!(lines.len(), 150);
    }

    #[test]
    fn single_column_not_split() {
        let mut gs = Vec::new();
        let texts = [
            "Dette er en vanlig linje med tekst",
            "og enda en linje som er litt lengre",
            "samt en tredje linje her",
            "og en fjerde til slutt",
        ];
        for (k, t) in texts.iter().enumerate() {
            gs.extend(glyphs_for(t, 50.0, 700.0 - 12.0 * k as f32, 10.0));
        }
        let lines = layout_page(&gs);
        let got: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(got, texts.to_vec());
    }
}
