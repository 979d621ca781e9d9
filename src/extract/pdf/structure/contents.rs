//! Tables of contents: their titles, entries (leaders, numbers, number-title-page lines) and
//! the paragraphs of contents pages that are dropped.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{NUMBERED, Para};

/// Only section or page numbers: "3.4.1", "12", "1 1.1 1.2".
static ONLY_NUMBERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[ivxlc]{1,6}|\d{1,4}(?:\.\d{1,3})*\.?)(?:\s+(?:[ivxlc]{1,6}|\d{1,4}(?:\.\d{1,3})*\.?))*$").unwrap()
});
static TOC_LEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\.\s?){4,}|…{2,}|_{4,}").unwrap());
static TRAILING_PAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s(\d{1,4})$").unwrap());
static TOC_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(innhold|innholdsfortegnelse|innholdsliste|contents|table of contents|inhaltsverzeichnis|table des matières|sommaire)$").unwrap()
});

pub fn is_toc_title(text: &str) -> bool {
    TOC_TITLE.is_match(text.trim())
}

/// A contents entry wherever it stands: dot leaders ending in a page number.
pub fn is_leader_entry(text: &str) -> bool {
    let text = text.trim();
    TOC_LEADER.is_match(text) && TRAILING_PAGE.is_match(text)
}

/// A table-of-contents line: dot leaders, or a title followed by a page number.
pub fn is_toc_line(text: &str, pages: u32) -> bool {
    if TOC_LEADER.is_match(text) {
        return true;
    }
    if let Some(c) = TRAILING_PAGE.captures(text)
        && let Ok(n) = c[1].parse::<u32>()
        && n >= 1
        && n <= pages.saturating_add(10)
        && NUMBERED.is_match(text)
    {
        return true;
    }
    false
}

/// A contents line without its title: a section number, a page number or a column of them.
pub fn is_number_column(text: &str) -> bool {
    ONLY_NUMBERS.is_match(text.trim())
}

/// A contents entry or title: what bounds the contents on a contents page.
fn is_contents_entry(t: &str, pages: u32) -> bool {
    is_toc_title(t)
        || is_toc_line(t, pages)
        || crate::extract::pdf::layout::is_leader_line(t)
        || is_leader_entry(t)
}

/// Removes the table of contents from the paragraphs (in reading order).
///
/// The table of contents is navigation, not content: kept as text, its entries would make
/// every heading word "found" on the contents pages. A contents page that continues without
/// its title is recognised by its dot-leader entries. On a contents page every entry goes:
/// titles, leaders, section and page numbers, and the fragments of titles that wrapped (short,
/// no sentence end), but only up to the page's last entry: what follows the contents on the
/// same page (the first chapter of a short document) is content, and may hold headings.
///
/// A contents list whose entries mostly point past the document's last page is not this
/// document's navigation (an excerpt of a longer work, a reading list): it stays as text.
pub fn drop_contents(paras: &mut Vec<Para>, page_count: u32) {
    let mut entries_per_page: HashMap<u32, (usize, usize)> = HashMap::new();
    let (mut inside, mut beyond) = (0usize, 0usize);
    for p in paras.iter() {
        let t = p.text.trim();
        let counts = entries_per_page.entry(p.page).or_default();
        counts.1 += 1;
        if is_leader_entry(t) {
            counts.0 += 1;
        }
        if (p.toc_page || is_leader_entry(t))
            && (is_leader_entry(t) || is_toc_line(t, u32::MAX))
            && let Some(n) = TRAILING_PAGE
                .captures(t)
                .and_then(|c| c[1].parse::<u32>().ok())
        {
            if n > page_count {
                beyond += 1;
            } else {
                inside += 1;
            }
        }
    }
    if beyond >= 3 && beyond > 2 * inside {
        for p in paras.iter_mut() {
            p.toc_page = false;
        }
        return;
    }
    let continued_toc = |page: u32| {
        entries_per_page
            .get(&page)
            .is_some_and(|&(entries, all)| entries >= 3 && entries * 2 >= all)
    };
    // The last contents entry of every contents page (an index into `paras`).
    let mut last_entry: HashMap<u32, usize> = HashMap::new();
    for (i, p) in paras.iter().enumerate() {
        if (p.toc_page || continued_toc(p.page)) && is_contents_entry(p.text.trim(), page_count) {
            last_entry.insert(p.page, i);
        }
    }
    let mut i = 0;
    paras.retain_mut(|p| {
        let k = i;
        i += 1;
        let t = p.text.trim();
        if is_leader_entry(t) {
            return false;
        }
        let on_toc_page = p.toc_page || continued_toc(p.page);
        if !on_toc_page {
            return true;
        }
        if is_contents_entry(t, page_count) || is_number_column(t) {
            return false;
        }
        if last_entry.get(&p.page).is_none_or(|&last| k > last) {
            // After the contents, the page is an ordinary page.
            p.toc_page = false;
            return true;
        }
        let fragment = t.split_whitespace().count() <= 14 && !t.ends_with(['.', '!', '?', ':']);
        !(p.toc_page && fragment)
    });
}
