//! The parts of a (section, theme) score: vocabulary in the heading, distinct entries,
//! occurrences and density, with mentions in passing discounted.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::vocabulary::{PreparedTheme, Span};
use super::{Passing, Tier, text};

const HEADING_WEIGHT: f32 = 1.5;
const DISTINCT_WEIGHT: f32 = 0.75;
const OCCURRENCE_WEIGHT: f32 = 0.25;
const DENSITY_WEIGHT: f32 = 0.5;
/// Sections shorter than this many tokens count as this long for density, so a two-line
/// section with one mention is not "dense".
const MIN_DENSITY_TOKENS: usize = 60;
const EXCLUDE_FACTOR: f32 = 0.5;
/// What a paraphrase and a context word count for, against a term's 1.
const PARAPHRASE_WEIGHT: f32 = 0.6;
const CONTEXT_WEIGHT: f32 = 0.3;
/// What a mention in passing counts for, against 1 for the same words in their own right.
const PASSING_WEIGHT: f32 = 0.25;
/// Every mention in the text in passing and none in the heading.
const PASSING_ONLY_FACTOR: f32 = 0.4;
/// The theme carried by one sentence and nothing in the heading: a side remark, most often.
const ONE_SENTENCE_FACTOR: f32 = 0.6;
/// The same in a section of four or more sentences: mainly about something else.
const SIDE_REMARK_FACTOR: f32 = 0.45;
/// A sentence naming this many themes is a list of them.
const MANY_THEMES: usize = 3;

impl Tier {
    pub(super) fn weight(self) -> f32 {
        match self {
            Tier::Term => 1.0,
            Tier::Paraphrase => PARAPHRASE_WEIGHT,
            Tier::Context => CONTEXT_WEIGHT,
        }
    }
}
/// The parts a score is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreParts {
    /// Distinct vocabulary entries in the heading.
    pub heading_terms: usize,
    /// The same, weighted by tier (counted up to 2).
    pub heading_weight: f32,
    /// Distinct vocabulary entries in heading or text.
    pub distinct_terms: usize,
    /// The same, weighted by tier and passing (counted up to 4).
    pub distinct_weight: f32,
    /// Occurrences in the text.
    pub occurrences: usize,
    /// The same, weighted by tier and passing (counted up to 8).
    pub weighted_occurrences: f32,
    /// Occurrences in the text discounted as passing.
    pub passing: usize,
    /// Sentences of the text with a term or paraphrase not in passing.
    pub sentences: usize,
    /// Sentences of the text.
    pub total_sentences: usize,
    /// Tokens in the text after analysis.
    pub tokens: usize,
    /// Weighted occurrences per 100 tokens (counted up to 6).
    pub density: f32,
    /// Every term and paraphrase in the text is in passing, and none is in the heading.
    pub passing_only: bool,
    /// Occurrences of the theme's exclude terms; any halves the score.
    pub exclude_hits: usize,
}

impl ScoreParts {
    pub fn score(&self) -> f32 {
        // A heading with nothing in the text to back it is a title page or a bare heading.
        let heading_weight = if self.sentences == 0 {
            HEADING_WEIGHT / 2.0
        } else {
            HEADING_WEIGHT
        };
        let mut score = heading_weight * self.heading_weight.min(2.0)
            + DISTINCT_WEIGHT * self.distinct_weight.min(4.0)
            + OCCURRENCE_WEIGHT * self.weighted_occurrences.min(8.0)
            + DENSITY_WEIGHT * self.density.min(6.0);
        if self.sentences == 0 {
            // Nothing in the text in its own right: mentions in passing, or a heading over
            // text about something else (a title page, a letterhead).
            score *= PASSING_ONLY_FACTOR;
        } else if self.heading_terms == 0 && self.sentences == 1 {
            score *= if self.total_sentences > 3 {
                SIDE_REMARK_FACTOR
            } else {
                ONE_SENTENCE_FACTOR
            };
        }
        if self.exclude_hits > 0 {
            score *= EXCLUDE_FACTOR;
        }
        (score * 1000.0).round() / 1000.0
    }
}

/// A claimed occurrence in the text, with where it stands.
#[derive(Clone, Copy)]
pub(super) struct Mention {
    pub(super) from: usize,
    pub(super) to: usize,
    /// Index of the vocabulary entry.
    pub(super) term: usize,
    pub(super) tier: Tier,
    pub(super) sentence: Option<usize>,
    pub(super) passing: Option<Passing>,
}

/// Whether a mention is made in passing, and why.
pub(super) fn passing(
    mention: &Mention,
    all: &[Mention],
    themes_in_sentence: &HashMap<usize, HashMap<usize, usize>>,
    theme: usize,
    enumerations: &[Vec<(usize, usize, usize)>],
    text: &str,
    sentences: &[(usize, usize)],
) -> Option<Passing> {
    let sentence = mention.sentence?;
    // A sentence naming many themes, where this one is named less than the others together.
    if let Some(counts) = themes_in_sentence.get(&sentence)
        && counts.len() >= MANY_THEMES
        && let Some(&own) = counts.get(&theme)
        && own < counts.values().sum::<usize>() - own
    {
        return Some(Passing::ManyThemes);
    }
    // An item in an enumeration where at most half the items are this theme's.
    for &(from, to, items) in &enumerations[sentence] {
        if mention.from >= from && mention.from < to {
            let own = all.iter().filter(|m| m.from >= from && m.from < to).count();
            if 2 * own <= items {
                return Some(Passing::Enumeration);
            }
        }
    }
    if text::in_aside(text, sentences[sentence], mention.from) {
        return Some(Passing::Aside);
    }
    None
}

/// The parts of a theme's score from its heading spans and its mentions in the text.
pub(super) fn parts(
    theme: &PreparedTheme,
    heading_spans: &[Span],
    mentions: &[Mention],
    tokens: usize,
    total_sentences: usize,
    exclude_hits: usize,
) -> ScoreParts {
    let tier = |i: usize| theme.terms[i].tier;
    let heading_ids: BTreeSet<usize> = heading_spans.iter().map(|s| s.2).collect();
    // Each distinct entry counts with its best mention: in the heading or in its own right
    // fully, only in passing a little.
    let mut best: HashMap<usize, f32> =
        heading_ids.iter().map(|&i| (i, tier(i).weight())).collect();
    let mut weighted_occurrences = 0.0;
    for m in mentions {
        let w = m.tier.weight()
            * if m.passing.is_some() {
                PASSING_WEIGHT
            } else {
                1.0
            };
        weighted_occurrences += w;
        let entry = best.entry(m.term).or_insert(0.0);
        *entry = entry.max(w);
    }
    let real = |m: &&Mention| m.tier != Tier::Context;
    let sentences: BTreeSet<usize> = mentions
        .iter()
        .filter(real)
        .filter(|m| m.passing.is_none())
        .filter_map(|m| m.sentence)
        .collect();
    ScoreParts {
        heading_terms: heading_ids.len(),
        heading_weight: round2(heading_ids.iter().map(|&i| tier(i).weight()).sum()),
        distinct_terms: best.len(),
        distinct_weight: round2(best.values().sum()),
        occurrences: mentions.len(),
        weighted_occurrences: round2(weighted_occurrences),
        passing: mentions.iter().filter(|m| m.passing.is_some()).count(),
        sentences: sentences.len(),
        total_sentences,
        tokens,
        density: round2(weighted_occurrences * 100.0 / tokens.max(MIN_DENSITY_TOKENS) as f32),
        passing_only: heading_ids.is_empty()
            && mentions.iter().any(|m| real(&m))
            && mentions.iter().filter(real).all(|m| m.passing.is_some()),
        exclude_hits,
    }
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}
