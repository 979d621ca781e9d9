//! Paragraphs → sections: headings from the outline, numbered-heading patterns and font size.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::extract::model::Section;

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
/// Only section or page numbers: "3.4.1", "12", "1 1.1 1.2".
static ONLY_NUMBERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[ivxlc]{1,6}|\d{1,4}(?:\.\d{1,3})*\.?)(?:\s+(?:[ivxlc]{1,6}|\d{1,4}(?:\.\d{1,3})*\.?))*$").unwrap()
});
static BARE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:(?:Kapittel|Kap\.|Del|Chapter)\s+)?(\d{1,2})\.?$").unwrap());
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

/// The normalised first word of a title (a wrapped heading's first paragraph holds only its
/// start, so the number's paragraph is matched on what it has).
fn first_word_norm(title: &str) -> String {
    norm(title.split_whitespace().next().unwrap_or(""))
}

/// Byte offset in `text` just after its first `n` normalised (alphanumeric, lower-case)
/// characters, and after the punctuation and spaces that follow them.
fn norm_prefix_end(text: &str, n: usize) -> Option<usize> {
    let mut seen = 0usize;
    let mut end = None;
    for (i, c) in text.char_indices() {
        if seen >= n {
            end = Some(i);
            break;
        }
        if c.is_alphanumeric() {
            seen += c.to_lowercase().count();
        }
    }
    let end = match end {
        Some(e) => e,
        None if seen >= n => text.len(),
        None => return None,
    };
    let rest = &text[end..];
    let skip = rest.len() - rest.trim_start_matches([' ', ':', '.', '–', '—']).len();
    Some(end + skip)
}

/// Outline entries placed in the paragraphs: by their text on their page (a heading wrapped
/// over several paragraphs, or a heading run into its first paragraph, which is split), else
/// at their destination on that page. Returns the placements and how many were found by text.
fn place_outline(paras: &mut Vec<Para>, outline: &[OutlineEntry]) -> (Vec<Placed>, usize) {
    let mut placed: Vec<Placed> = Vec::new();
    let mut by_text = 0usize;
    let mut from = 0usize;
    for e in outline {
        let Some(pg) = e.page else { continue };
        let e_title = clean_heading(&e.title);
        let t = norm(&e_title);
        if t.is_empty() {
            continue;
        }
        let numbered = numbered_heading(&e_title);
        // The title as printed may lack the number ("Kapittel 3" set apart, or none at all).
        let bare = numbered.as_ref().map(|(_, title)| norm(title));
        let on_page = |p: &Para| p.page <= pg && pg <= p.page_end;
        let claimed_to = placed.last().map(|p| p.at + p.taken).unwrap_or(0).max(from);
        let mut hit: Option<(usize, usize)> = None;
        'search: for i in claimed_to..paras.len() {
            let p = &paras[i];
            if p.page > pg {
                break;
            }
            if !on_page(p) || p.toc_page {
                continue;
            }
            let pn = norm(&p.text);
            for want in std::iter::once(&t).chain(bare.iter()) {
                if pn == *want || (pn.len() < want.len() + 8 && pn.ends_with(want.as_str())) {
                    hit = Some((i, 1));
                    break 'search;
                }
                // A heading wrapped over several paragraphs.
                if pn.len() >= 2 && want.starts_with(&pn) {
                    let mut acc = pn.clone();
                    for k in 1..=4 {
                        let Some(q) = paras.get(i + k) else { break };
                        acc.push_str(&norm(&q.text));
                        if acc == *want {
                            hit = Some((i, k + 1));
                            break 'search;
                        }
                        if !want.starts_with(&acc) {
                            break;
                        }
                    }
                }
            }
        }
        if hit.is_none() {
            // The heading run into the paragraph that follows it: split that paragraph.
            'split: for i in claimed_to..paras.len() {
                let p = &paras[i];
                if p.page > pg {
                    break;
                }
                if !on_page(p) || p.toc_page {
                    continue;
                }
                let pn = norm(&p.text);
                for want in std::iter::once(&t).chain(bare.iter()) {
                    if want.len() >= 4
                        && pn.len() > want.len() + 8
                        && pn.starts_with(want.as_str())
                        && let Some(cut) = norm_prefix_end(&p.text, want.chars().count())
                        && cut < p.text.len()
                    {
                        let mut rest = p.clone();
                        rest.text = p.text[cut..].to_string();
                        rest.page = rest.page_end;
                        let head = &mut paras[i];
                        head.text.truncate(cut);
                        head.text = head.text.trim_end().to_string();
                        head.page_end = head.page;
                        paras.insert(i + 1, rest);
                        // Later placements point past the insertion.
                        hit = Some((i, 1));
                        break 'split;
                    }
                }
            }
        }
        let (number, title) = match &numbered {
            Some((n, t)) => (Some(n.clone()), clean_heading(t)),
            None => (None, e_title.clone()),
        };
        let level = number
            .as_ref()
            .map(|n| n.split('.').count())
            .unwrap_or(e.level)
            .clamp(1, 9) as u8;
        // A bookmark without the number the page prints ("Sammendrag" for "1 Sammendrag").
        let (number, title, level) = match (number, hit) {
            (None, Some((i, _))) => match numbered_heading(&paras[i].text) {
                Some((n, t)) if norm(&t).starts_with(&first_word_norm(&e_title)) => {
                    let l = n.split('.').count().clamp(1, 9) as u8;
                    (Some(n), title, l)
                }
                _ => (None, title, level),
            },
            (n, _) => (n, title, level),
        };
        let heading = Heading {
            number,
            title,
            level,
        };
        match hit {
            Some((i, taken)) => {
                by_text += 1;
                // A number printed apart from the bookmark's title ("3" above the title) is
                // part of the heading's paragraphs; nothing else to do.
                placed.push(Placed {
                    at: i,
                    taken,
                    heading,
                    page: None,
                });
                from = i + taken;
            }
            None => {
                // Not found as text: the section starts at the destination.
                let at = destination_para(paras, claimed_to, pg, e.left, e.top);
                let page = paras.get(at).is_none_or(|p| p.page != pg).then_some(pg);
                placed.push(Placed {
                    at,
                    taken: 0,
                    heading,
                    page,
                });
                from = at;
            }
        }
    }
    (placed, by_text)
}

/// The paragraph at a destination: on page `pg`, from `from` on, the one whose top-left corner is
/// nearest below the destination's (left, top); the first on the page without coordinates; the
/// first after the page when the page has no paragraph left.
fn destination_para(
    paras: &[Para],
    from: usize,
    pg: u32,
    left: Option<f32>,
    top: Option<f32>,
) -> usize {
    let on: Vec<usize> = (from..paras.len())
        .take_while(|&i| paras[i].page <= pg)
        .filter(|&i| paras[i].page == pg)
        .collect();
    if let (Some(y), Some(&first)) = (top, on.first()) {
        let best = on
            .iter()
            .copied()
            .filter(|&i| paras[i].top <= y + 0.5 * paras[i].size.max(4.0))
            .min_by(|&a, &b| {
                let d = |i: usize| {
                    let p = &paras[i];
                    (y - p.top).abs() + left.map(|x| (p.x0 - x).abs()).unwrap_or(0.0)
                };
                d(a).total_cmp(&d(b))
            });
        return best.unwrap_or(first);
    }
    if let Some(&first) = on.first() {
        return first;
    }
    (from..paras.len())
        .find(|&i| paras[i].page >= pg)
        .unwrap_or(paras.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str, page: u32, size: f32, bold: bool) -> Para {
        Para {
            text: text.into(),
            page,
            page_end: page,
            size,
            bold,
            lines: 1,
            toc_page: false,
            top: 0.0,
            x0: 0.0,
        }
    }

    fn toc(text: &str, page: u32) -> Para {
        Para {
            toc_page: true,
            ..para(text, page, 10.0, false)
        }
    }

    #[test]
    fn contents_then_first_chapter_on_the_same_page() {
        // A short report: the contents and chapter 1 share page 1.
        let mut ps = vec![
            toc("Innhold", 1),
            toc("1 Bakgrunn . . . . . . . . . . . . 1", 1),
            toc("1.1 Oppdraget . . . . . . . . . . . 1", 1),
            toc("Vedlegg", 1),
            toc("2 Tiltak . . . . . . . . . . . . . 2", 1),
            toc("1", 1),
            toc("1 Bakgrunn", 1),
            toc("1.1 Oppdraget", 1),
            toc("Kommunen ber om en vurdering av", 1),
            para("Tiltakene følger i kapittel 2.", 2, 10.0, false),
        ];
        drop_contents(&mut ps, 2);
        let texts: Vec<&str> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "1 Bakgrunn",
                "1.1 Oppdraget",
                "Kommunen ber om en vurdering av",
                "Tiltakene følger i kapittel 2."
            ]
        );
        // After the contents the page is ordinary: its headings may be sections.
        assert!(ps.iter().all(|p| !p.toc_page));
    }

    #[test]
    fn contents_of_a_longer_work_stays_text() {
        // One page excerpted from a book: its entries point past the document's end.
        let mut ps = vec![
            toc("Contents", 1),
            toc("Abstract . . . . . . . . . . . . 3", 1),
            toc("Foreword . . . . . . . . . . . . 5", 1),
            toc("Notation . . . . . . . . . . . . 7", 1),
            toc("1 Introduction . . . . . . . . . 9", 1),
        ];
        drop_contents(&mut ps, 1);
        assert_eq!(ps.len(), 5);
        // The document's own contents still goes (entries point inside it).
        let mut own: Vec<Para> = vec![toc("Innhold", 1)];
        for (k, t) in ["Bakgrunn", "Tiltak", "Økonomi", "Oppsummering"]
            .iter()
            .enumerate()
        {
            own.push(toc(&format!("{} {t} . . . . . . . . {}", k + 1, k + 2), 1));
        }
        own.push(para("Bakgrunn.", 2, 10.0, false));
        drop_contents(&mut own, 5);
        assert_eq!(own.len(), 1);
    }

    #[test]
    fn heading_patterns_vs_toc() {
        assert_eq!(
            numbered_heading("6.2.1 Fastlegeordningen"),
            Some(("6.2.1".into(), "Fastlegeordningen".into()))
        );
        assert_eq!(
            numbered_heading("6 Helse- og omsorgstjenester i kommunene")
                .unwrap()
                .0,
            "6"
        );
        assert_eq!(numbered_heading("2020 var et år"), None);
        assert_eq!(numbered_heading("12 prosent av kommunene"), None);
        assert!(is_toc_line("6.2 Gjeldende rett ........ 12", 40));
        assert!(is_toc_line("6.2 Gjeldende rett 12", 40));
        assert!(!is_toc_line("6.2 Gjeldende rett", 40));
        assert!(!is_toc_line("3 Endringer fra 2020", 40));
        assert!(is_toc_title("Innhold"));
        assert!(is_leader_entry(
            "3.4 Allmennlegetjenesten under press . . . . . . 7"
        ));
        assert!(!is_leader_entry(
            "Utvalget mener at . . . dette må følges opp."
        ));
    }

    #[test]
    fn sections_from_paragraphs() {
        let paras = vec![
            para("Innledende tekst uten overskrift.", 1, 10.0, false),
            para("6 Helse- og omsorgstjenester i kommunene", 1, 14.0, true),
            para("6.1 Innledning", 1, 12.0, true),
            para(
                "Utvalget har vurdert mye. Dette er brødtekst som er lang nok.",
                1,
                10.0,
                false,
            ),
            para("Mer brødtekst i samme avsnitt.", 2, 10.0, false),
            para("6.2.1 Fastlegeordningen", 2, 10.0, true),
            para("Fastlegeordningen ble innført i 2001.", 2, 10.0, false),
            para("12 prosent er ikke en overskrift", 2, 10.0, false),
        ];
        let s = build_sections(&paras, 2, &[]);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].heading, None);
        assert_eq!(s[0].level, 0);
        assert_eq!(s[1].number.as_deref(), Some("6"));
        assert_eq!(s[1].level, 1);
        assert_eq!(s[2].number.as_deref(), Some("6.1"));
        assert_eq!(s[2].heading.as_deref(), Some("Innledning"));
        assert_eq!((s[2].page_start, s[2].page_end), (1, 2));
        assert_eq!(
            s[2].text,
            "Utvalget har vurdert mye. Dette er brødtekst som er lang nok.\n\nMer brødtekst i samme avsnitt."
        );
        assert_eq!(s[3].level, 3);
        assert!(s[3].text.ends_with("12 prosent er ikke en overskrift"));
    }

    #[test]
    fn bare_chapter_number() {
        let paras = vec![
            para("6", 1, 20.0, true),
            para("Helse i kommunene", 1, 18.0, true),
            para(
                "Tekst her som er brødtekst og lengre enn overskriften.",
                1,
                10.0,
                false,
            ),
        ];
        let s = build_sections(&paras, 1, &[]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].number.as_deref(), Some("6"));
        assert_eq!(s[0].heading.as_deref(), Some("Helse i kommunene"));
    }

    #[test]
    fn wrapped_headings() {
        let paras = vec![
            para("2 Mannigfaltigkeiten und", 3, 20.0, true),
            para("Simplizialkomplexe", 3, 20.0, true),
            para("2.1 Topologische Mannigfaltigkeiten", 3, 14.0, true),
            para(
                "Brødtekst som er lang nok til å være brødtekst i dokumentet her.",
                3,
                10.0,
                false,
            ),
        ];
        let s = build_sections(&paras, 3, &[]);
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0].heading.as_deref(),
            Some("Mannigfaltigkeiten und Simplizialkomplexe")
        );
        assert_eq!(s[1].number.as_deref(), Some("2.1"));
        let ol = vec![OutlineEntry {
            level: 1,
            title: "2 Mannigfaltigkeiten und Simplizialkomplexe".into(),
            page: Some(3),
            left: None,
            top: None,
        }];
        let s = build_sections(&paras, 3, &ol);
        assert_eq!(
            s[0].heading.as_deref(),
            Some("Mannigfaltigkeiten und Simplizialkomplexe")
        );
        assert_eq!(s[0].number.as_deref(), Some("2"));
        assert_eq!(s[1].number.as_deref(), Some("2.1"));
    }

    #[test]
    fn numbering_chain_drops_numbered_lists() {
        let mut paras = vec![
            para("6 Funksjoner", 1, 14.0, true),
            para("6.4 Avlevering", 1, 12.0, true),
            para("6.4.4 Innholdet i pakken", 1, 12.0, true),
        ];
        for (k, t) in [
            "1 Arkivskapernavn",
            "6 Opplysning om skjerming",
            "7 Opplysning om kassasjon",
        ]
        .iter()
        .enumerate()
        {
            let _ = k;
            paras.push(para(t, 2, 12.0, true));
            paras.push(para(
                "Brødtekst som forklarer punktet nærmere.",
                2,
                10.0,
                false,
            ));
        }
        paras.push(para("6.4.5 Metadata om dokumentene", 3, 12.0, true));
        paras.push(para("1.5.1", 3, 12.0, true));
        paras.push(para("Kravtyper", 3, 12.0, true));
        paras.push(para("6.5 Restanseliste og forfallsliste11", 3, 12.0, true));
        paras.push(para(
            "Brødtekst her igjen som er vanlig tekst.",
            3,
            10.0,
            false,
        ));
        let s = build_sections(&paras, 3, &[]);
        let nums: Vec<&str> = s.iter().filter_map(|s| s.number.as_deref()).collect();
        assert_eq!(nums, vec!["6", "6.4", "6.4.4", "6.4.5", "6.5"], "{s:?}");
        assert_eq!(
            s.last().unwrap().heading.as_deref(),
            Some("Restanseliste og forfallsliste")
        );
        assert!(may_follow(&[1, 1], &[1, 2, 1]));
        assert!(may_follow(&[6, 4, 4], &[7]));
        assert!(!may_follow(&[6, 4, 4], &[1]));
    }

    #[test]
    fn kapittel_and_headings_cleaned() {
        assert_eq!(
            numbered_heading("Kapittel 3 Særavgifter, merverdiavgift og toll"),
            Some(("3".into(), "Særavgifter, merverdiavgift og toll".into()))
        );
        assert_eq!(numbered_heading("Kapittel 3"), None);
        assert_eq!(
            clean_heading("Psykiske lidel- ser hos barn"),
            "Psykiske lidelser hos barn"
        );
        assert_eq!(
            clean_heading("Avgift på sjokolade- og sukkervarer"),
            "Avgift på sjokolade- og sukkervarer"
        );
        assert!(is_number_column("3.4.1"));
        assert!(is_number_column("9 11 12"));
        assert!(!is_number_column("3 Toll"));
    }

    fn entry(level: usize, title: &str, page: u32) -> OutlineEntry {
        OutlineEntry {
            level,
            title: title.into(),
            page: Some(page),
            left: None,
            top: None,
        }
    }

    #[test]
    fn bookmarks_first() {
        let mut toc = para("9", 1, 10.0, false);
        toc.toc_page = true;
        let paras = vec![
            toc,
            para("Kapittel 1", 2, 12.0, false),
            para("Innledning og mandat", 2, 18.0, true),
            para(
                "Utvalget ble oppnevnt i 2018 og har hatt ti møter.",
                2,
                10.0,
                false,
            ),
            para(
                "1.1 Mandatet Utvalget skal vurdere avgiftene og foreslå endringer der det trengs.",
                2,
                10.0,
                false,
            ),
            para(
                "Tekst på side tre uten overskrift i teksten.",
                3,
                10.0,
                false,
            ),
            para(
                "2 Et nummerert avsnitt som ikke er bokmerket",
                3,
                12.0,
                true,
            ),
        ];
        let ol = vec![
            entry(1, "Kapittel 1 Innledning og mandat", 2),
            entry(2, "1.1 Mandatet", 2),
            entry(2, "1.2 Utvalgets sammen-\nsetning", 3),
        ];
        let s = build_sections(&paras, 3, &ol);
        let got: Vec<(Option<&str>, Option<&str>, u32)> = s
            .iter()
            .map(|s| (s.number.as_deref(), s.heading.as_deref(), s.page_start))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, None, 1),
                (Some("1"), Some("Innledning og mandat"), 2),
                (Some("1.1"), Some("Mandatet"), 2),
                (Some("1.2"), Some("Utvalgets sammensetning"), 3),
            ]
        );
        assert!(
            s[2].text.starts_with("Utvalget skal vurdere"),
            "{:?}",
            s[2].text
        );
        assert!(s[3].text.contains("2 Et nummerert avsnitt"));
    }

    #[test]
    fn outline_headings() {
        let paras = vec![
            para("1 Intro", 1, 10.0, false),
            para("Text.", 1, 10.0, false),
            para("1.1 More", 2, 10.0, false),
            para("Text 2.", 2, 10.0, false),
        ];
        let ol = vec![
            OutlineEntry {
                level: 1,
                title: "1 Intro".into(),
                page: Some(1),
                left: None,
                top: None,
            },
            OutlineEntry {
                level: 2,
                title: "1.1 More".into(),
                page: Some(2),
                left: None,
                top: None,
            },
        ];
        let s = build_sections(&paras, 2, &ol);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].number.as_deref(), Some("1.1"));
        assert_eq!(s[1].level, 2);
    }
}
