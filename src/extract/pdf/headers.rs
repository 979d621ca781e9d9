//! Running headers, footers and page numbers.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

/// Where a line sits on its page, for header/footer detection.
#[derive(Debug, Clone)]
pub struct BandLine {
    pub page: usize,
    pub text: String,
    /// True when the line is in the top or bottom band of the page.
    pub in_band: bool,
    /// True when the line is among the two top-most or two bottom-most lines of its page.
    pub extreme: bool,
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
    let mut drop = HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.in_band {
            continue;
        }
        let k = header_key(&l.text);
        let repeated = pages >= 2 && pages_by_key.get(&k).is_some_and(|p| p.len() >= need);
        let numbered = pages >= 3
            && strip_page_number(&l.text)
                .is_some_and(|k| pages_by_stripped.get(&k).is_some_and(|p| p.len() >= 2));
        if repeated || numbered || (l.extreme && is_page_number(&l.text)) {
            drop.insert(i);
        }
    }
    drop
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bl(page: usize, text: &str, in_band: bool) -> BandLine {
        BandLine {
            page,
            text: text.into(),
            in_band,
            extreme: in_band,
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
        lines.push(bl(2, "Prop. 999 L (2098–2099)", true));
        lines.push(bl(3, "17", true));
        let drop = find_running(&lines, 5);
        for (i, l) in lines.iter().enumerate() {
            let expect = !(l.text.starts_with("Body") || l.text.starts_with("Prop."));
            assert_eq!(drop.contains(&i), expect, "{}", l.text);
        }
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
