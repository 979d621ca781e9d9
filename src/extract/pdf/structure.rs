//! Paragraphs → sections: headings from the outline, numbered-heading patterns and font size.

use std::sync::LazyLock;

use regex::Regex;

use crate::extract::model::Section;

mod contents;
mod placement;
#[cfg(test)]
mod tests;

pub use contents::{drop_contents, is_number_column, is_toc_line, is_toc_title};
use placement::place_outline;

/// A paragraph after layout, header removal and line joining.
#[derive(Debug, Clone)]
pub struct Para {
    pub text: String,
    pub page: u32,
    pub page_end: u32,
    pub size: f32,
    pub bold: bool,
    pub lines: usize,
    /// On a table-of-contents page.
    pub toc_page: bool,
    /// Top of the first line (page space, y up) and its left edge.
    pub top: f32,
    pub x0: f32,
}

/// An outline (bookmark) entry.
#[derive(Debug, Clone)]
pub struct OutlineEntry {
    pub level: usize,
    pub title: String,
    /// 1-based page, if resolved.
    pub page: Option<u32>,
    /// Left edge and top of the destination view on that page, when the destination gives them.
    pub left: Option<f32>,
    pub top: Option<f32>,
}

static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,3}){0,5})\.?\s+(\p{Lu}.*)$").unwrap());
/// A section number on a line of its own, its title on the next: "1.5.1".
static DOTTED_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,3}){1,5})\.?$").unwrap());
/// "Kapittel 3 Særavgifter, merverdiavgift og toll": chapter 3.
static CHAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Kapittel|Kapitel|Kap\.|Chapter)\s+(\d{1,2})\.?(?:\s+[-–—:]?\s*(\S.*))?$")
        .unwrap()
});
static BARE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:(?:Kapittel|Kap\.|Del|Chapter)\s+)?(\d{1,2})\.?$").unwrap());

/// Parse "6.2.1 Fastlegeordningen" into ("6.2.1", "Fastlegeordningen"), and
/// "Kapittel 3 Særavgifter" into ("3", "Særavgifter").
pub fn numbered_heading(text: &str) -> Option<(String, String)> {
    if let Some(c) = CHAPTER.captures(text.trim())
        && let Some(t) = c.get(2)
        && t.as_str().chars().next().is_some_and(|c| c.is_uppercase())
        && c[1].parse::<u32>().is_ok_and(|n| n > 0)
    {
        return Some((c[1].to_string(), t.as_str().trim().to_string()));
    }
    let c = NUMBERED.captures(text.trim())?;
    let num = c[1].to_string();
    let title = c[2].trim().to_string();
    if num
        .split('.')
        .next()
        .and_then(|n| n.parse::<u32>().ok())
        .is_none_or(|n| n == 0)
    {
        return None;
    }
    Some((num, title))
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

#[derive(Debug, Clone)]
struct Heading {
    number: Option<String>,
    title: String,
    level: u8,
}

/// A heading placed before paragraph `at`, consuming `taken` paragraphs (its own text; 0 when a
/// bookmark's heading could not be found in the text and the section starts at its page).
#[derive(Debug, Clone)]
struct Placed {
    at: usize,
    taken: usize,
    heading: Heading,
    /// The page the section starts on, when it is not that of paragraph `at`.
    page: Option<u32>,
}

/// A heading's words on one line, with a line-end hyphen inside a word joined
/// ("lidel- ser" → "lidelser"); suspended hyphens ("sjokolade- og") stay.
fn clean_heading(t: &str) -> String {
    static BROKEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\p{L}{2,})[-\u{2010}\u{AD}] (\p{Ll}+)").unwrap());
    static NOTE_MARK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\p{Ll}{3})\d{1,2}$").unwrap());
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    // A footnote mark run into the last word ("forfallsliste11").
    let t = NOTE_MARK.replace(&t, "$1").into_owned();
    BROKEN
        .replace_all(&t, |c: &regex::Captures| {
            let next = &c[2];
            if super::dehyphen::is_conjunction(next) {
                c[0].to_string()
            } else {
                format!("{}{}", &c[1], next)
            }
        })
        .into_owned()
}

/// Decide which paragraphs are headings: bookmarks first (when they describe the text), then
/// numbered-heading patterns and font size for what the bookmarks leave out.
fn detect_headings(
    paras: &mut Vec<Para>,
    body: f32,
    pages: u32,
    outline: &[OutlineEntry],
) -> Vec<Placed> {
    let mut placed: Vec<Placed> = Vec::new();
    // 1. Outline entries.
    let mut outline_numbers: std::collections::HashSet<String> = Default::default();
    let mut trusted = false;
    if !outline.is_empty() {
        let mut trial = paras.clone();
        let (p, by_text) = place_outline(&mut trial, outline);
        let usable = outline
            .iter()
            .filter(|e| e.page.is_some() && !norm(&e.title).is_empty())
            .count();
        if usable > 0 && by_text * 2 >= usable {
            trusted = true;
            *paras = trial;
            placed = p;
            outline_numbers = outline
                .iter()
                .filter_map(|e| numbered_heading(&clean_heading(&e.title)).map(|x| x.0))
                .collect();
        }
    }
    let mut claimed = vec![false; paras.len()];
    for p in &placed {
        for c in claimed.iter_mut().skip(p.at).take(p.taken) {
            *c = true;
        }
    }
    // 2. Patterns and font size (also for headings an incomplete outline leaves out).
    let max_outline_depth = outline_numbers
        .iter()
        .map(|n| n.split('.').count())
        .max()
        .unwrap_or(0);
    let mut i = 0;
    while i < paras.len() {
        let p = &paras[i];
        if claimed[i] {
            i += 1;
            continue;
        }
        let text = p.text.trim();
        let larger = p.size >= body * 1.08;
        let much_larger = p.size >= body * 1.25;
        let emph = larger || p.bold;
        if p.toc_page || is_toc_line(text, pages) || text.chars().count() > 200 || p.lines > 3 {
            i += 1;
            continue;
        }
        if let Some((num, title)) = numbered_heading(text)
            && emph
            && !title.ends_with(['.', ',', ';'])
        {
            // With bookmarks, a numbered heading they leave out is a level below their deepest,
            // under a parent they have ("3.4.1.2" under "3.4.1"); anything else (a numbered
            // list, a table row) is text.
            let fits_outline = !trusted || {
                let parent = num.rsplit_once('.').map(|(a, _)| a.to_string());
                !outline_numbers.contains(&num)
                    && num.split('.').count() > max_outline_depth
                    && parent.is_some_and(|pa| outline_numbers.contains(&pa))
            };
            if fits_outline {
                let level = num.split('.').count() as u8;
                let (title, extra) = wrapped_title(paras, i, title, &claimed);
                placed.push(Placed {
                    at: i,
                    taken: 1 + extra,
                    heading: Heading {
                        number: Some(num),
                        title,
                        level,
                    },
                    page: None,
                });
                i += 1 + extra;
                continue;
            }
        }
        if !trusted
            && let Some(c) = BARE_NUMBER
                .captures(text)
                .or_else(|| DOTTED_NUMBER.captures(text))
            && (larger || (p.bold && c[1].contains('.')))
            && let Some(next) = paras.get(i + 1)
            && !claimed.get(i + 1).copied().unwrap_or(true)
            && (next.size >= body * 1.08 || (next.bold && p.bold))
            && next.page == p.page
            && numbered_heading(&next.text).is_none()
            && next.text.chars().count() <= 200
        {
            let (title, extra) =
                wrapped_title(paras, i + 1, next.text.trim().to_string(), &claimed);
            placed.push(Placed {
                at: i,
                taken: 2 + extra,
                heading: Heading {
                    number: Some(c[1].to_string()),
                    title,
                    level: c[1].split('.').count().clamp(1, 9) as u8,
                },
                page: None,
            });
            i += 2 + extra;
            continue;
        }
        if !trusted
            && much_larger
            && text.chars().any(|c| c.is_alphabetic())
            && !text.ends_with(['.', ',', ';'])
            && text.chars().count() <= 150
            && !is_number_column(text)
        {
            let (title, extra) = wrapped_title(paras, i, text.to_string(), &claimed);
            placed.push(Placed {
                at: i,
                taken: 1 + extra,
                heading: Heading {
                    number: None,
                    title,
                    level: 1,
                },
                page: None,
            });
            i += 1 + extra;
            continue;
        }
        i += 1;
    }
    if !trusted {
        placed = plausible_numbering(placed);
    }
    // Outline order first at the same paragraph (a chapter and its first section both placed
    // at a page's first paragraph), then the paragraph order.
    placed.sort_by_key(|p| p.at);
    placed
}

fn parse_number(n: &str) -> Option<Vec<u32>> {
    n.split('.').map(|x| x.parse::<u32>().ok()).collect()
}

/// Whether heading number `b` can follow `a` in a document, allowing a few headings that were
/// not recognised between them: "6.4.4" → "6.4.5", "6.5", "7", "6.4.4.1", "1.1" → "1.2.1".
fn may_follow(a: &[u32], b: &[u32]) -> bool {
    // A subsection of `a` (one or two levels down).
    if b.len() > a.len() && b.len() <= a.len() + 2 && b[..a.len()] == *a {
        return b[a.len()..].iter().all(|&x| x <= 9);
    }
    // The same prefix, a slightly higher number at level k, and low subsection numbers.
    (0..b.len().min(a.len())).any(|k| {
        b[..k] == a[..k] && b[k] > a[k] && b[k] <= a[k] + 3 && b[k + 1..].iter().all(|&x| x <= 5)
    })
}

/// Numbered headings found by pattern alone keep only the longest chain whose numbers follow
/// each other plausibly, so that a numbered list ("1 Arkivskapernavn", "6 Opplysning om …")
/// inside chapter 6.4 does not become chapters 1 and 6. Unnumbered headings stay.
fn plausible_numbering(placed: Vec<Placed>) -> Vec<Placed> {
    let nums: Vec<Option<Vec<u32>>> = placed
        .iter()
        .map(|p| p.heading.number.as_deref().and_then(parse_number))
        .collect();
    let idx: Vec<usize> = (0..placed.len()).filter(|&i| nums[i].is_some()).collect();
    if idx.len() < 3 || idx.len() > 3000 {
        return placed;
    }
    // best[j]: length of the longest plausible chain ending at idx[j]; prev for backtracking.
    let mut best = vec![1usize; idx.len()];
    let mut prev = vec![usize::MAX; idx.len()];
    for j in 0..idx.len() {
        let b = nums[idx[j]].as_deref().unwrap_or(&[]);
        for i in 0..j {
            let a = nums[idx[i]].as_deref().unwrap_or(&[]);
            if best[i] + 1 > best[j] && may_follow(a, b) {
                best[j] = best[i] + 1;
                prev[j] = i;
            }
        }
    }
    let Some(mut j) = (0..idx.len()).max_by_key(|&j| (best[j], std::cmp::Reverse(j))) else {
        return placed;
    };
    let mut keep = vec![false; placed.len()];
    loop {
        keep[idx[j]] = true;
        if prev[j] == usize::MAX {
            break;
        }
        j = prev[j];
    }
    placed
        .into_iter()
        .enumerate()
        .filter(|(i, p)| p.heading.number.is_none() || keep[*i])
        .map(|(_, p)| p)
        .collect()
}

/// Continuation lines of a heading that wrapped: following short paragraphs on the same page
/// in the same style, without a number of their own. Returns the full title and how many
/// paragraphs were absorbed.
fn wrapped_title(paras: &[Para], i: usize, title: String, claimed: &[bool]) -> (String, usize) {
    let h = &paras[i];
    let mut parts = vec![title];
    let mut extra = 0;
    for k in 1..=2 {
        let Some(q) = paras.get(i + k) else { break };
        let qt = q.text.trim();
        let same_style = (q.size / h.size - 1.0).abs() < 0.05 && q.bold == h.bold;
        let last = parts.last().map(String::as_str).unwrap_or("");
        if !same_style
            || claimed.get(i + k).copied().unwrap_or(true)
            || q.page != h.page
            || q.lines > 1
            || qt.chars().count() > 80
            || numbered_heading(qt).is_some()
            || BARE_NUMBER.is_match(qt)
            || is_number_column(qt)
            || last.ends_with(['.', ':', '!', '?'])
            || qt.ends_with(['.', ','])
        {
            break;
        }
        parts.push(qt.to_string());
        extra = k;
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let joined = super::dehyphen::join_lines(&refs, &super::dehyphen::Vocab::default());
    (clean_heading(&joined), extra)
}

/// Body font size: the size carrying the most text.
pub fn body_size(paras: &[Para]) -> f32 {
    let mut buckets: std::collections::HashMap<i32, usize> = std::collections::HashMap::new();
    for p in paras {
        *buckets.entry((p.size * 2.0).round() as i32).or_default() += p.text.len();
    }
    buckets
        .into_iter()
        .max_by_key(|(k, n)| (*n, -*k))
        .map(|(k, _)| k as f32 / 2.0)
        .unwrap_or(10.0)
}

fn empty_section() -> Section {
    Section {
        number: None,
        heading: None,
        level: 0,
        page_start: 1,
        page_end: 1,
        text: String::new(),
    }
}

/// Build sections from paragraphs.
pub fn build_sections(paras: &[Para], pages: u32, outline: &[OutlineEntry]) -> Vec<Section> {
    let mut paras = paras.to_vec();
    let body = body_size(&paras);
    let heads = detect_headings(&mut paras, body, pages, outline);
    let mut sections: Vec<Section> = Vec::new();
    let mut cur = empty_section();
    let mut next_head = 0usize;
    let mut i = 0;
    while i <= paras.len() {
        // Headings placed before paragraph i (several when bookmarks share a position).
        let mut skip_to = i;
        while let Some(h) = heads.get(next_head).filter(|h| h.at <= i) {
            next_head += 1;
            if cur.heading.is_some() || !cur.text.is_empty() {
                sections.push(std::mem::replace(&mut cur, empty_section()));
            }
            let page = h
                .page
                .or_else(|| paras.get(h.at.max(i)).map(|p| p.page))
                .or_else(|| paras.last().map(|p| p.page_end))
                .unwrap_or(1);
            cur.number = h.heading.number.clone();
            cur.heading = Some(h.heading.title.clone());
            cur.level = h.heading.level;
            cur.page_start = page;
            cur.page_end = page;
            if h.taken > 0 {
                let last = (h.at + h.taken).min(paras.len()).saturating_sub(1);
                cur.page_end = paras
                    .get(last)
                    .map(|p| p.page_end)
                    .unwrap_or(page)
                    .max(page);
                skip_to = skip_to.max(h.at + h.taken);
            }
        }
        if skip_to > i {
            i = skip_to;
            continue;
        }
        let Some(p) = paras.get(i) else { break };
        if cur.text.is_empty() && cur.heading.is_none() {
            cur.page_start = p.page;
            cur.page_end = p.page;
        }
        if !cur.text.is_empty() {
            cur.text.push_str("\n\n");
        }
        cur.text.push_str(p.text.trim());
        cur.page_end = cur.page_end.max(p.page_end);
        i += 1;
    }
    if cur.heading.is_some() || !cur.text.is_empty() {
        sections.push(cur);
    }
    sections
}
