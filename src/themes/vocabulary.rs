//! A theme's vocabulary prepared with the index's analysis, and where it occurs in a text.

use std::collections::HashMap;

use super::Tier;
use crate::index::analyzer::{self, Term};

pub(super) struct PreparedTerm {
    pub(super) written: String,
    pub(super) tier: Tier,
    /// Stemmed tokens with their offset from the first token's position.
    pub(super) tokens: Vec<(String, usize)>,
}

pub(super) struct PreparedTheme {
    pub(super) id: String,
    pub(super) threshold: f32,
    /// Terms, then paraphrases, then context words: the order in which they claim text.
    pub(super) terms: Vec<PreparedTerm>,
    pub(super) exclude: Vec<PreparedTerm>,
}

impl PreparedTheme {
    pub(super) fn of_tier(&self, tier: Tier) -> impl Iterator<Item = &PreparedTerm> {
        self.terms.iter().filter(move |t| t.tier == tier)
    }
}

pub(super) fn prepare(term: &str, tier: Tier) -> Option<PreparedTerm> {
    let analysed = analyzer::analyze(term);
    let first = analysed.first()?.position;
    Some(PreparedTerm {
        written: term.to_string(),
        tier,
        tokens: analysed
            .into_iter()
            .map(|t| (t.text, t.position - first))
            .collect(),
    })
}

/// A text analysed for matching: its stemmed tokens, and for each compound token the stems of
/// its parts ("legerekruttering" → "leg", "rekrutter"), so a theme term matches inside
/// compounds as it does in search.
pub(super) struct Analysed {
    pub(super) terms: Vec<Term>,
    pub(super) by_position: HashMap<usize, usize>,
    pub(super) parts: Vec<Vec<String>>,
}

impl Analysed {
    pub(super) fn new(text: &str) -> Analysed {
        let terms = analyzer::analyze(text);
        let by_position = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.position, i))
            .collect();
        let parts = terms
            .iter()
            .map(|t| {
                let word = text[t.from..t.to].to_lowercase();
                if word.chars().count() < 7 {
                    return Vec::new();
                }
                crate::index::decompound::decompound(&word)
                    .iter()
                    .map(|part| analyzer::stem_word(part))
                    .collect()
            })
            .collect();
        Analysed {
            terms,
            by_position,
            parts,
        }
    }
}

/// Occurrences of a term: the byte ranges of each match. A one-word term also matches as a
/// part of a compound.
fn occurrences(term: &PreparedTerm, text: &Analysed) -> Vec<(usize, usize, bool)> {
    let Some((first, _)) = term.tokens.first() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if term.tokens.len() == 1 {
        for (i, t) in text.terms.iter().enumerate() {
            if &t.text == first {
                found.push((t.from, t.to, false));
            } else if text.parts[i].iter().any(|p| p == first) {
                found.push((t.from, t.to, true));
            }
        }
        return found;
    }
    let terms = &text.terms;
    for start in terms.iter().filter(|t| &t.text == first) {
        let mut end = start.to;
        let all = term.tokens.iter().skip(1).all(|(token, offset)| {
            text.by_position
                .get(&(start.position + offset))
                .map(|&i| &terms[i])
                .is_some_and(|t| {
                    end = t.to;
                    &t.text == token
                })
        });
        if all {
            found.push((start.from, end, false));
        }
    }
    found
}

pub(super) type Span = (usize, usize, usize);

/// The occurrences of a theme's vocabulary in a text, each stretch of text counted for one
/// entry only: phrases before single words, whole words before compound parts, terms before
/// paraphrases before context words. Without this, "Helsepersonellkommisjonen" would count as
/// three terms (helsepersonell, personell and the commission) and "alvorlige psykiske lidelser"
/// as two.
pub(super) fn claim(terms: &[&PreparedTerm], text: &Analysed) -> Vec<Span> {
    let mut candidates: Vec<(bool, usize, usize, usize, usize)> = Vec::new();
    for (index, term) in terms.iter().enumerate() {
        for (from, to, is_part) in occurrences(term, text) {
            candidates.push((is_part, usize::MAX - term.tokens.len(), index, from, to));
        }
    }
    candidates.sort_unstable();
    let mut taken: Vec<Span> = Vec::new();
    for (_, _, index, from, to) in candidates {
        if taken.iter().all(|&(a, b, _)| to <= a || from >= b) {
            taken.push((from, to, index));
        }
    }
    taken.sort_unstable();
    taken
}
