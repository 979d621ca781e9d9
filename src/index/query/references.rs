//! References inside a query: citations in formal or lenient spelling, bare paragraphs and
//! numbered service agreements, found as spans before the query is split into words.

use super::*;

/// What a span of the query refers to.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cited {
    /// A policy reference in canonical form ("NOU 2023: 4", "§ 6-2 a").
    Reference(String),
    /// A numbered service agreement ("tjenesteavtale 3", "delavtale 3", "tenesteavtale nr. 3").
    Agreement(u32),
}

/// The reference spans of a query, left to right, never overlapping: citations in their
/// formal spelling ("NOU 2023: 4", "helse- og omsorgstjenesteloven § 6-2"), typed ones in a
/// lenient spelling ("nou 2023 4", "NOU 23:4", "hol 6-2", "prop 47 l"), bare paragraphs
/// ("§6-2 a", "paragraf 6-2a") and numbered service agreements. Quoted text and field filters
/// are never read as references.
pub(super) fn references(query: &str) -> Vec<(usize, usize, Cited)> {
    let mut found: Vec<(usize, usize, Cited)> = crate::refs::find_citations(query)
        .into_iter()
        .map(|c| (c.start, c.end, Cited::Reference(c.canonical)))
        .collect();
    // The whole query as one typed reference ("pbrl", "nou 2023 4").
    if found.is_empty()
        && quoted_spans(query).is_empty()
        && let Some(canonical) = crate::refs::canonicalize(query)
    {
        return vec![(0, query.len(), Cited::Reference(canonical))];
    }
    let free = |found: &[(usize, usize, Cited)], start: usize, end: usize| {
        found.iter().all(|(s, e, _)| end <= *s || *e <= start)
    };
    for (start, end, number) in agreements(query) {
        if free(&found, start, end) {
            found.push((start, end, Cited::Agreement(number)));
        }
    }
    for (start, end, canonical) in bare_paragraphs(query) {
        if free(&found, start, end) {
            found.push((start, end, Cited::Reference(canonical)));
        }
    }
    for (start, end, canonical) in lenient_windows(query) {
        if free(&found, start, end) {
            found.push((start, end, Cited::Reference(canonical)));
        }
    }
    // Nothing inside quotes is a reference.
    let quoted = quoted_spans(query);
    found.retain(|(s, e, _)| quoted.iter().all(|(qs, qe)| *e <= *qs || *qe <= *s));
    found.sort_by_key(|(s, _, _)| *s);
    found
}

/// Byte ranges of quoted text (quotes included); an unclosed quote runs to the end.
fn quoted_spans(query: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in query.char_indices() {
        match open {
            None if matches!(c, '"' | '«' | '“' | '”') => {
                open = Some((i, if c == '«' { '»' } else { '"' }));
            }
            Some((start, closing))
                if c == closing || (closing == '"' && matches!(c, '”' | '“')) =>
            {
                spans.push((start, i + c.len_utf8()));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((start, _)) = open {
        spans.push((start, query.len()));
    }
    spans
}

/// Most words a typed reference spans ("prop 102 l 2020 2021", "helse og omsorgstjenesteloven
/// 6-2").
const MAX_REFERENCE_WORDS: usize = 6;

/// References in a lenient spelling among other words: the longest run of words (with a
/// digit, without operators, quotes or field filters) that reads as one reference, left to
/// right.
fn lenient_windows(query: &str) -> Vec<(usize, usize, String)> {
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in query
        .char_indices()
        .chain(std::iter::once((query.len(), ' ')))
    {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                tokens.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let usable = |&(s, e): &(usize, usize)| {
        let word = &query[s..e];
        !word.contains(['"', '«', '»', '“', '”', '(', ')', '*'])
            && !matches!(
                word,
                "AND" | "OG" | "OR" | "ELLER" | "NOT" | "IKKE" | "&&" | "||"
            )
            && !is_field(word)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut taken = 0;
        // A leading '-' or '+' is the operator, not part of the reference.
        let first_start = tokens[i].0 + query[tokens[i].0..].len()
            - query[tokens[i].0..]
                .trim_start_matches(['-', '–', '+'])
                .len();
        for len in (1..=MAX_REFERENCE_WORDS.min(tokens.len() - i)).rev() {
            let window = &tokens[i..i + len];
            let (end, start) = (window[len - 1].1, first_start);
            if start >= end
                || !window.iter().all(usable)
                || window[1..]
                    .iter()
                    .any(|&(s, _)| query[s..].starts_with(['-', '–', '+']))
            {
                continue;
            }
            let text = &query[start..end];
            if !text.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            if let Some(canonical) = crate::refs::canonicalize(text) {
                out.push((start, end, canonical));
                taken = len;
                break;
            }
        }
        i += taken.max(1);
    }
    out
}

/// `kilde:x`, `år:2023`: a field filter, never part of a reference.
fn is_field(word: &str) -> bool {
    word.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(char::is_alphabetic)
            && FIELDS
                .iter()
                .any(|(alias, _)| *alias == name.to_lowercase())
    })
}

/// `§ 6-2`, `§6-2 a`, `§ 6-2a`, `paragraf 6-2a`, `paragrafen 6-2` anywhere in the query, with
/// the paragraph number in its canonical form ("§ 6-2 a").
fn bare_paragraphs(query: &str) -> Vec<(usize, usize, String)> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(?:§+\s*|\bparagraf(?:en)?\s+)(\d{1,3}(?:\s?[a-f])?(?:\s*[-‐‑–]\s*\d{1,3}(?:\s?[a-h])?)?)\b",
        )
        .expect("valid regex")
    });
    RE.captures_iter(query)
        .filter_map(|m| {
            let whole = m.get(0)?;
            let typed: String = m[1].chars().filter(|c| !c.is_whitespace()).collect();
            // The lenient reader puts the number in Lovdata's form ("6-2a" → "6-2 a").
            let canonical = crate::refs::canonicalize(&format!("§ {typed}"))
                .filter(|c| c.starts_with('§'))
                .unwrap_or_else(|| format!("§ {typed}"));
            Some((whole.start(), whole.end(), canonical))
        })
        .collect()
}

/// Numbered service agreements: "tjenesteavtale 3", "tenesteavtale nr. 3", "delavtale 3",
/// "tjenesteavtalen nr 3" (bokmål and nynorsk, any case).
fn agreements(query: &str) -> Vec<(usize, usize, u32)> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(?:tjeneste|teneste|del)avtal(?:e|en|a)\s+(?:nr\.?\s*)?(\d{1,2})\b",
        )
        .expect("valid regex")
    });
    RE.captures_iter(query)
        .filter_map(|m| {
            let whole = m.get(0)?;
            let number = m[1].parse().ok()?;
            Some((whole.start(), whole.end(), number))
        })
        .collect()
}
