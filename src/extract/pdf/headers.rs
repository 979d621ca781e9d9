//! Running headers, footers and page numbers.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::layout::Line;
use super::pages::PageOut;

/// Where a line sits on its page, for header/footer detection.
#[derive(Debug, Clone)]
pub struct BandLine {
    pub page: usize,
    pub text: String,
    /// True when the line is in the top or bottom band of the page.
    pub in_band: bool,
    /// True when the line is among the two top-most or two bottom-most lines of its page.
    pub extreme: bool,
    /// Baseline and size (page space), and whether the line is in the top half of its page:
    /// running headers that change with the chapter are found by their position.
    pub y: f32,
    pub size: f32,
    pub top: bool,
}

/// Function words that two unrelated lines share by chance; not evidence of a running header.
const COMMON: &[&str] = &[
    "og", "i", "på", "av", "til", "for", "med", "er", "en", "et", "ei", "som", "det", "den", "de",
    "om", "at", "fra", "the", "of", "and", "in", "to", "a", "til", "å", "har", "ikkje", "ikke",
];

fn header_tokens(text: &str) -> HashSet<String> {
    header_key(text)
        .split(' ')
        .map(|t| t.trim_matches(|c: char| !(c.is_alphanumeric() || c == '#')))
        .filter(|t| t.chars().count() >= 3 && !COMMON.contains(t))
        // A masked number ("#.#") is no shared word: the first sections of chapters ("1.1 …",
        // "4.1 …") open at the same place on their pages.
        .filter(|t| t.chars().any(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

/// Band lines that sit at the same place (side, baseline, size) on several pages and share a
/// word (digits masked): "NOU #: #" beside a changing chapter title, "# KAPITTEL #. TITLE" on
/// the even pages of a book. (A page number alone is no evidence: chapter headings that open
/// consecutive pages carry numbers that rise with the page too.)
fn positional(lines: &[BandLine], pages: usize, need: usize) -> HashSet<usize> {
    let mut idx: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].in_band).collect();
    idx.sort_by(|&a, &b| {
        (lines[b].top, lines[a].y)
            .partial_cmp(&(lines[a].top, lines[b].y))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in idx {
        let l = &lines[i];
        match clusters.last_mut() {
            Some(c)
                if {
                    let f = &lines[c[0]];
                    f.top == l.top && (f.y - l.y).abs() <= 2.5 && (f.size - l.size).abs() <= 0.6
                } =>
            {
                c.push(i)
            }
            _ => clusters.push(vec![i]),
        }
    }
    // Running headers are set no larger than the text (chapter headings that open pages are).
    let mut sizes: Vec<f32> = lines.iter().map(|l| l.size).collect();
    sizes.sort_by(|a, b| a.total_cmp(b));
    let text_size = sizes.get(sizes.len() / 2).copied().unwrap_or(0.0);
    let mut out = HashSet::new();
    for c in clusters {
        if c.iter().any(|&i| lines[i].size > 1.1 * text_size) {
            continue;
        }
        let on: HashSet<usize> = c.iter().map(|&i| lines[i].page).collect();
        if pages < 2 || on.len() < need.max(2) {
            continue;
        }
        let short = c
            .iter()
            .all(|&i| lines[i].text.split_whitespace().count() <= 16);
        if !short {
            continue;
        }
        let enough = |n: usize| n * 10 >= c.len() * 6;
        let mut df: HashMap<String, usize> = HashMap::new();
        for &i in &c {
            for t in header_tokens(&lines[i].text) {
                *df.entry(t).or_default() += 1;
            }
        }
        let shared = df.values().any(|&n| n >= 2 && enough(n));
        if shared {
            out.extend(c);
        }
    }
    out
}

static PAGE_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[-–—]\s*)?(?:(?:side|page|s\.|seite|p\.)\s*)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:av|/|of|von|de)\s*\d{1,4})?(?:\s*[-–—])?$").unwrap()
});

/// Digits masked, whitespace collapsed, lower case.
pub fn header_key(text: &str) -> String {
    let mut k = String::new();
    let mut last_digit = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            if !last_digit {
                k.push('#');
            }
            last_digit = true;
            continue;
        }
        last_digit = false;
        if c.is_whitespace() {
            if !k.ends_with(' ') {
                k.push(' ');
            }
        } else {
            k.extend(c.to_lowercase());
        }
    }
    k
}

/// The line without a leading or trailing page number (a bare integer), if it has one.
fn strip_page_number(text: &str) -> Option<String> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    if toks.len() < 2 {
        return None;
    }
    let is_num = |t: &str| t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    let rest = if is_num(toks[toks.len() - 1]) {
        &toks[..toks.len() - 1]
    } else if is_num(toks[0]) {
        &toks[1..]
    } else {
        return None;
    };
    let k = rest.join(" ").to_lowercase();
    if k.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        None
    } else {
        Some(k)
    }
}

pub fn is_page_number(text: &str) -> bool {
    PAGE_NO.is_match(text.trim())
}

/// Indices of lines to drop: band lines repeating (digits masked) on enough pages, and lone page
/// numbers at the top or bottom of a page.
pub fn find_running(lines: &[BandLine], pages: usize) -> HashSet<usize> {
    let mut pages_by_key: HashMap<String, HashSet<usize>> = HashMap::new();
    for l in lines.iter().filter(|l| l.in_band) {
        let k = header_key(&l.text);
        if k.chars()
            .filter(|c| c.is_alphanumeric() || *c == '#')
            .count()
            == 0
        {
            continue;
        }
        pages_by_key.entry(k).or_default().insert(l.page);
    }
    // Headers that carry the page number beside a changing title ("1.2. METRISCHE RÄUME 11"):
    // same text apart from the number on two or more pages.
    let mut pages_by_stripped: HashMap<String, HashSet<usize>> = HashMap::new();
    for l in lines.iter().filter(|l| l.in_band) {
        if let Some(k) = strip_page_number(&l.text) {
            pages_by_stripped.entry(k).or_default().insert(l.page);
        }
    }
    let need = (((pages as f32) * 0.3).ceil() as usize).clamp(2, 4);
    let mut drop = positional(lines, pages, need);
    let in_table = tabular_rows(lines);
    for (i, l) in lines.iter().enumerate() {
        if !l.in_band {
            continue;
        }
        let k = header_key(&l.text);
        let repeated = pages >= 2 && pages_by_key.get(&k).is_some_and(|p| p.len() >= need);
        let numbered = pages >= 3
            && strip_page_number(&l.text)
                .is_some_and(|k| pages_by_stripped.get(&k).is_some_and(|p| p.len() >= 2));
        if (repeated || numbered) && !in_table[i] || (l.extreme && is_page_number(&l.text)) {
            drop.insert(i);
        }
    }
    drop.retain(|&i| !in_table[i] || is_page_number(&lines[i].text));
    stacked(lines, &mut drop);
    drop
}

/// A row of figures more than of words ("A = 0.75 A = 0.80", "WhitePoint [ 1.0 1.0 1.0 ] …
/// Gamma 1.0"): a table or chart row that recurs on every page of a set of plates, not a
/// running header (which is a title with a page number, a date or a report number).
fn tabular(text: &str) -> bool {
    let (mut figures, mut words) = (0usize, 0usize);
    for t in text.split_whitespace() {
        if t.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
            words += 1;
        } else if t.chars().any(|c| c.is_ascii_digit()) {
            figures += 1;
        }
    }
    figures >= 3 && figures > words + 2
}

/// Per line: whether the row it sits in (the lines of its page on the same baseline, read
/// together) is [`tabular`].
fn tabular_rows(lines: &[BandLine]) -> Vec<bool> {
    let mut by_page: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        by_page.entry(l.page).or_default().push(i);
    }
    let mut out = vec![false; lines.len()];
    for ids in by_page.values() {
        for &i in ids {
            let row: Vec<&str> = ids
                .iter()
                .filter(|&&j| (lines[j].y - lines[i].y).abs() <= 2.0)
                .map(|&j| lines[j].text.as_str())
                .collect();
            out[i] = tabular(&row.join(" "));
        }
    }
    out
}

/// Running headers and footers sit at the edge of the page: a candidate with a kept line between
/// it and the edge (the title of a set of slides above a recurring caption) is body text.
fn stacked(lines: &[BandLine], drop: &mut HashSet<usize>) {
    let mut by_page: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        if l.text.chars().any(char::is_alphanumeric) {
            by_page.entry(l.page).or_default().push(i);
        }
    }
    for ids in by_page.values_mut() {
        for top in [true, false] {
            let mut side: Vec<usize> = ids
                .iter()
                .copied()
                .filter(|&i| lines[i].top == top)
                .collect();
            // From the edge inwards.
            side.sort_by(|&a, &b| {
                let o = lines[a].y.total_cmp(&lines[b].y);
                if top { o.reverse() } else { o }
            });
            let mut kept_at: Option<f32> = None;
            for i in side {
                let y = lines[i].y;
                match kept_at {
                    Some(k) if (y - k).abs() > 2.0 => {
                        drop.remove(&i);
                    }
                    Some(_) => {}
                    None if !drop.contains(&i) => kept_at = Some(y),
                    None => {}
                }
            }
        }
    }
}

/// (page, line) of every running header, footer and page number of the document.
pub(super) fn running_lines(pages: &[PageOut]) -> HashSet<(usize, usize)> {
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
            band.push(BandLine {
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
    let drop: HashSet<(usize, usize)> = find_running(&band, pages.len())
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
    drop
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurring_figure_rows_and_lines_under_a_title_are_kept() {
        let mut lines = Vec::new();
        for p in 0..3 {
            // A set of plates: the same caption row under a changing title on every page, and a
            // row of figures at the top and the foot of each.
            let mut t = bl(
                p,
                &format!("Plate {p}: gradients of another kind {}", "x".repeat(p)),
                true,
            );
            t.y = 760.0;
            t.size = 14.0;
            lines.push(t);
            let mut c = bl(p, "Contained circles and their centres", true);
            c.y = 740.0;
            lines.push(c);
            // Rows set as several lines on one baseline.
            for t in [
                "WhitePoint [ 1.0 1.0 1.0 ] BlackPoint [ 0.0 0.0 0.0 ]",
                &format!("Gamma {p}.0"),
            ] {
                let mut f = bl(p, t, true);
                f.y = 780.0;
                lines.push(f);
            }
            for t in ["A = 0.00", "A = 0.01", "A = 0.05", "A = 0.10"] {
                let mut b = bl(p, t, true);
                b.top = false;
                b.y = 40.0;
                lines.push(b);
            }
        }
        let drop = find_running(&lines, 3);
        assert!(
            drop.is_empty(),
            "{:?}",
            drop.iter().map(|&i| &lines[i].text).collect::<Vec<_>>()
        );
        assert!(tabular("A = 0.75 A = 0.80 A = 0.90"));
        assert!(!tabular("NOU 2019: 8 Kapittel 3 Særavgifter 23"));
        assert!(!tabular("2019–2020 Prop. 8 S 3"));
    }

    fn bl(page: usize, text: &str, in_band: bool) -> BandLine {
        BandLine {
            page,
            text: text.into(),
            in_band,
            extreme: in_band,
            // Distinct texts at distinct places (the length stands in for a position).
            y: if in_band {
                700.0 + text.len() as f32
            } else {
                400.0
            },
            size: 10.0,
            top: true,
        }
    }

    #[test]
    fn repeated_headers_and_page_numbers() {
        let mut lines = Vec::new();
        for p in 0..5 {
            lines.push(bl(p, "NOU 2099: 1", true));
            lines.push(bl(p, "Kommunale helsetjenester i endring", true));
            lines.push(bl(p, &format!("Body text on page {p}"), false));
            lines.push(bl(p, &format!("Side {}", p + 1), true));
        }
        // A one-off band line below the running header (a header sits at the edge of the page).
        let mut once = bl(2, "Prop. 999 L (2098–2099)", true);
        once.y = 690.0;
        lines.push(once);
        lines.push(bl(3, "17", true));
        let drop = find_running(&lines, 5);
        for (i, l) in lines.iter().enumerate() {
            let expect = !(l.text.starts_with("Body") || l.text.starts_with("Prop."));
            assert_eq!(drop.contains(&i), expect, "{}", l.text);
        }
    }

    #[test]
    fn first_sections_of_chapters_are_not_headers() {
        // "1.1 …", "4.1 …", "5.1 …" open at the same place under their chapter headings: the
        // masked numbers are the only thing they share.
        let mut lines = Vec::new();
        for (p, h) in [
            (1, "1.1 Utvalgets mandat og arbeid"),
            (4, "4.1 Barn og unge"),
            (5, "5.1 Sykehusøkonomi og investeringer"),
        ] {
            let mut l = bl(p, h, true);
            l.y = 640.0;
            lines.push(l);
        }
        assert!(find_running(&lines, 6).is_empty());
    }

    #[test]
    fn headers_with_changing_titles() {
        let mut lines = Vec::new();
        for p in 0..6 {
            let title = if p < 3 {
                "1.2. METRISCHE RÄUME"
            } else {
                "1.3. STETIGKEIT"
            };
            lines.push(bl(p, &format!("{title} {}", p + 10), true));
            lines.push(bl(p, &format!("{} KAPITEL 1. GRUNDBEGRIFFE", p + 10), true));
            lines.push(bl(p, "6.1 Innledning", p == 0));
        }
        let drop = find_running(&lines, 6);
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(drop.contains(&i), !l.text.starts_with("6.1"), "{}", l.text);
        }
    }

    #[test]
    fn two_page_document() {
        let lines = vec![
            bl(0, "NOU 2099: 1", true),
            bl(0, "Tekst", false),
            bl(1, "NOU 2099: 1", true),
            bl(1, "Annen", true),
        ];
        let drop = find_running(&lines, 2);
        assert!(drop.contains(&0) && drop.contains(&2));
        assert!(!drop.contains(&3));
    }

    #[test]
    fn chapter_headers_alternating_pages() {
        // Book style: even pages "N KAPITTEL k. TITLE" (the odd pages' "k.m. SECTION N" share
        // no word and are not found yet), and an
        // office style "NOU 2029: 11 <chapter>" on odd and "NOU 2029: 11 <title>" on even pages.
        let mut lines = Vec::new();
        let head = |page: usize, text: String, y: f32| BandLine {
            page,
            text,
            in_band: true,
            extreme: true,
            y,
            size: 9.0,
            top: true,
        };
        let chapters = ["Innledning", "Dagens situasjon", "Vurderinger"];
        for p in 0..6 {
            let ch = chapters[p / 2];
            if p % 2 == 1 {
                lines.push(head(
                    p,
                    format!("{} KAPITTEL {}. {}", p + 1, p / 2 + 1, ch),
                    560.0,
                ));
            }
            let office = if p % 2 == 0 {
                format!("NOU 2029: 11 {} {ch}", p / 2 + 1)
            } else {
                "NOU 2029: 11 Rom for å bli".into()
            };
            lines.push(head(p, office, 580.0));
            lines.push(bl(p, "Brødtekst som ikke er i båndet.", false));
        }
        // A heading that happens to open two pages in the band: not a header.
        lines.push(head(2, "Tabell 2.1 Befolkning".into(), 530.0));
        lines.push(head(4, "Vedlegg".into(), 530.0));
        let drop = find_running(&lines, 6);
        for (i, l) in lines.iter().enumerate() {
            let body = l.text.starts_with("Brødtekst") || l.y == 530.0;
            assert_eq!(drop.contains(&i), !body, "{}", l.text);
        }
    }

    #[test]
    fn page_number_patterns() {
        for t in ["12", "Side 3", "- 4 -", "Page 2 of 9", "side 3 av 10", "iv"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["6.1 Innledning", "Side om side", "§ 3", "NOU 2099: 1"] {
            assert!(!is_page_number(t), "{t}");
        }
        assert_eq!(header_key("Side 12  av 40"), "side # av #");
    }
}
