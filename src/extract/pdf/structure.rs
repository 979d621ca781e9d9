//! Paragraphs → sections: headings from the outline, numbered-heading patterns and font size.

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
}

/// An outline (bookmark) entry.
#[derive(Debug, Clone)]
pub struct OutlineEntry {
    pub level: usize,
    pub title: String,
    /// 1-based page, if resolved.
    pub page: Option<u32>,
}

static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,3}){0,5})\.?\s+(\p{Lu}.*)$").unwrap());
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
        && n <= pages + 10
        && NUMBERED.is_match(text)
    {
        return true;
    }
    false
}

/// Parse "6.2.1 Fastlegeordningen" into ("6.2.1", "Fastlegeordningen").
pub fn numbered_heading(text: &str) -> Option<(String, String)> {
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

/// Decide which paragraphs are headings. Returns, per paragraph, the heading it starts
/// (and whether the next paragraph is consumed as the title of a bare chapter number).
fn detect_headings(
    paras: &[Para],
    body: f32,
    pages: u32,
    outline: &[OutlineEntry],
) -> Vec<Option<(Heading, usize)>> {
    let mut out: Vec<Option<(Heading, usize)>> = vec![None; paras.len()];
    // 1. Outline entries matched to paragraphs on their page.
    let mut matched = 0usize;
    if !outline.is_empty() {
        let mut from = 0usize;
        for e in outline {
            let t = norm(&e.title);
            if t.is_empty() {
                continue;
            }
            let mut taken = 1usize;
            let hit = (from..paras.len()).find(|&i| {
                let p = &paras[i];
                if e.page.is_some_and(|pg| pg != p.page && pg != p.page_end)
                    || p.toc_page
                    || out[i].is_some()
                {
                    return false;
                }
                let pn = norm(&p.text);
                if pn == t || (pn.len() < t.len() + 8 && pn.ends_with(&t)) {
                    taken = 1;
                    return true;
                }
                // A heading wrapped over several paragraphs.
                if pn.len() >= 4 && t.starts_with(&pn) {
                    let mut acc = pn;
                    for k in 1..=3 {
                        let Some(q) = paras.get(i + k) else { break };
                        acc.push_str(&norm(&q.text));
                        if acc == t {
                            taken = k + 1;
                            return true;
                        }
                        if !t.starts_with(&acc) {
                            break;
                        }
                    }
                }
                false
            });
            if let Some(i) = hit {
                matched += 1;
                let (number, title) = match numbered_heading(&e.title) {
                    Some((n, t)) => (Some(n), t),
                    None => match numbered_heading(&paras[i].text) {
                        Some((n, t)) => (Some(n), t),
                        None => (None, e.title.trim().to_string()),
                    },
                };
                // The number's depth is the most reliable level; the outline depth otherwise.
                let level = number
                    .as_ref()
                    .map(|n| n.split('.').count())
                    .unwrap_or(e.level)
                    .clamp(1, 9) as u8;
                out[i] = Some((
                    Heading {
                        number,
                        title,
                        level,
                    },
                    taken,
                ));
                from = i + taken;
            }
        }
    }
    if matched * 2 < outline.len() {
        // The outline does not describe this text; rely on patterns alone.
        out.iter_mut().for_each(|o| *o = None);
    }
    // 2. Patterns and font size (also for headings an incomplete outline leaves out).
    let mut i = 0;
    while i < paras.len() {
        let p = &paras[i];
        if out[i].is_some() {
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
            let level = num.split('.').count() as u8;
            let (title, extra) = wrapped_title(paras, i, title);
            out[i] = Some((
                Heading {
                    number: Some(num),
                    title,
                    level,
                },
                1 + extra,
            ));
            i += 1 + extra;
            continue;
        }
        if let Some(c) = BARE_NUMBER.captures(text)
            && larger
            && let Some(next) = paras.get(i + 1)
            && next.size >= body * 1.08
            && next.page == p.page
            && next.text.chars().count() <= 200
        {
            let (title, extra) = wrapped_title(paras, i + 1, next.text.trim().to_string());
            out[i] = Some((
                Heading {
                    number: Some(c[1].to_string()),
                    title,
                    level: 1,
                },
                2 + extra,
            ));
            i += 2 + extra;
            continue;
        }
        if much_larger
            && text.chars().any(|c| c.is_alphabetic())
            && !text.ends_with(['.', ',', ';'])
            && text.chars().count() <= 150
        {
            let (title, extra) = wrapped_title(paras, i, text.to_string());
            out[i] = Some((
                Heading {
                    number: None,
                    title,
                    level: 1,
                },
                1 + extra,
            ));
            i += 1 + extra;
            continue;
        }
        i += 1;
    }
    out
}

/// Continuation lines of a heading that wrapped: following short paragraphs on the same page
/// in the same style, without a number of their own. Returns the full title and how many
/// paragraphs were absorbed.
fn wrapped_title(paras: &[Para], i: usize, mut title: String) -> (String, usize) {
    let h = &paras[i];
    let mut extra = 0;
    for k in 1..=2 {
        let Some(q) = paras.get(i + k) else { break };
        let qt = q.text.trim();
        let same_style = (q.size / h.size - 1.0).abs() < 0.05 && q.bold == h.bold;
        if !same_style
            || q.page != h.page
            || q.lines > 1
            || qt.chars().count() > 80
            || numbered_heading(qt).is_some()
            || BARE_NUMBER.is_match(qt)
            || title.ends_with(['.', ':', '!', '?'])
            || qt.ends_with(['.', ','])
        {
            break;
        }
        title.push(' ');
        title.push_str(qt);
        extra = k;
    }
    (title, extra)
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

/// Build sections from paragraphs.
pub fn build_sections(paras: &[Para], pages: u32, outline: &[OutlineEntry]) -> Vec<Section> {
    let body = body_size(paras);
    let heads = detect_headings(paras, body, pages, outline);
    let mut sections: Vec<Section> = Vec::new();
    let mut cur = Section {
        number: None,
        heading: None,
        level: 0,
        page_start: 1,
        page_end: 1,
        text: String::new(),
    };
    let mut i = 0;
    while i < paras.len() {
        let p = &paras[i];
        if let Some((h, taken)) = &heads[i] {
            if cur.heading.is_some() || !cur.text.is_empty() {
                sections.push(std::mem::replace(
                    &mut cur,
                    Section {
                        number: None,
                        heading: None,
                        level: 0,
                        page_start: 1,
                        page_end: 1,
                        text: String::new(),
                    },
                ));
            }
            cur.number = h.number.clone();
            cur.heading = Some(h.title.clone());
            cur.level = h.level;
            cur.page_start = p.page;
            cur.page_end = p.page_end;
            i += (*taken).max(1);
            continue;
        }
        if cur.text.is_empty() && cur.heading.is_none() {
            cur.page_start = p.page;
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
        }
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
            },
            OutlineEntry {
                level: 2,
                title: "1.1 More".into(),
                page: Some(2),
            },
        ];
        let s = build_sections(&paras, 2, &ol);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].number.as_deref(), Some("1.1"));
        assert_eq!(s[1].level, 2);
    }
}
