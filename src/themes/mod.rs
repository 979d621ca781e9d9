//! Themes: which sections speak about which agenda theme, with evidence a reader can check.
//!
//! A theme's vocabulary goes through the same Norwegian analysis as the index, so "fastlege"
//! matches "fastlegene" and "skrøpelig" matches nynorsk "skrøpelege"; a multi-word entry matches
//! as a phrase. The vocabulary has three tiers, all data in `sources.toml`: `terms` name the
//! theme, `paraphrases` describe it without naming it ("skaffe og beholde", "ledige
//! stillinger"; weaker, but several make the theme), and `context` words only support a theme
//! already there. The score of a (section, theme) pair is built from parts that
//! `match --explain` prints: vocabulary in the heading weighs most, then how many distinct
//! entries occur, how often and how densely. Mentions in passing count little: a sentence
//! naming three or more themes, an item in an enumeration of other things, a side remark in
//! parentheses or after "blant annet"; a theme carried by one sentence only is discounted.
//!
//! Architecture invariant: scoring is a pure function of (heading, text, theme); the index
//! only narrows the candidates, so a section's themes never depend on the rest of the corpus.

mod evidence;
pub mod meaning;
mod parts;
mod text;
mod vocabulary;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::config::Theme;
use evidence::evidence_sentences;
use parts::{Mention, parts, passing};
use vocabulary::{Analysed, PreparedTerm, PreparedTheme, Span, claim, prepare};

pub use parts::ScoreParts;
pub use text::sentence_spans;

/// Changes whenever scoring changes, so the index stage re-scores every section.
pub const SCORER_VERSION: &str = "themes-2";

/// Score a section needs to carry a theme, unless the theme sets its own threshold.
pub const DEFAULT_THRESHOLD: f32 = 2.0;

/// The tier of a vocabulary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Names the theme.
    Term,
    /// Describes the theme without naming it.
    Paraphrase,
    /// Supports the theme where a term or paraphrase occurs.
    Context,
}

/// Why a mention counts as made in passing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Passing {
    /// Its sentence names three or more themes (the four priority groups, an agenda).
    ManyThemes,
    /// An item in an enumeration of mostly other things.
    Enumeration,
    /// In parentheses, or after "blant annet", "for eksempel" and the like.
    Aside,
}

/// A mention of a theme's vocabulary that was discounted, verbatim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassingMention {
    pub words: String,
    pub reason: Passing,
}

/// A theme found in a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeMatch {
    pub theme: String,
    pub score: f32,
    /// Whether the score reaches the theme's threshold.
    pub passed: bool,
    pub threshold: f32,
    /// The theme's terms and context words (as written in sources.toml) that occur.
    pub terms: Vec<String>,
    /// The theme's paraphrases (as written) that occur.
    pub paraphrases: Vec<String>,
    /// Mentions in the text discounted as passing.
    pub passing: Vec<PassingMention>,
    /// One or two sentences carrying the theme, verbatim from the section.
    pub evidence: Vec<String>,
    pub parts: ScoreParts,
    /// With embeddings: how close the section's meaning is to the theme, and what that did
    /// to `passed` ([`meaning`]). Absent when matching goes by words alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<meaning::MeaningPart>,
}

/// Scores sections against the configured themes.
pub struct ThemeMatcher {
    themes: Vec<PreparedTheme>,
}

impl ThemeMatcher {
    pub fn new(themes: &[Theme]) -> ThemeMatcher {
        ThemeMatcher {
            themes: themes
                .iter()
                .map(|theme| {
                    // Entries that analyse to the same tokens ("fastlege", "fastlegar") are
                    // one entry, in the strongest tier: otherwise one mention would count as
                    // several distinct entries.
                    let mut seen = BTreeSet::new();
                    let terms = [
                        (&theme.terms, Tier::Term),
                        (&theme.paraphrases, Tier::Paraphrase),
                        (&theme.context, Tier::Context),
                    ]
                    .into_iter()
                    .flat_map(|(list, tier)| list.iter().filter_map(move |t| prepare(t, tier)))
                    .filter(|t| seen.insert(t.tokens.clone()))
                    .collect();
                    let mut seen = BTreeSet::new();
                    PreparedTheme {
                        id: theme.id.clone(),
                        threshold: theme.threshold.unwrap_or(DEFAULT_THRESHOLD),
                        terms,
                        exclude: theme
                            .exclude
                            .iter()
                            .filter_map(|t| prepare(t, Tier::Term))
                            .filter(|t| seen.insert(t.tokens.clone()))
                            .collect(),
                    }
                })
                .collect(),
        }
    }

    /// Each theme's one-word terms, analysed: the topic vocabulary search uses to lift
    /// sections about what a query names. Paraphrases and context words are not topics.
    pub fn topics(&self) -> crate::index::Topics {
        self.themes
            .iter()
            .map(|t| {
                let words = t
                    .of_tier(Tier::Term)
                    .filter(|term| term.tokens.len() == 1)
                    .map(|term| term.tokens[0].0.clone())
                    .collect();
                (t.id.clone(), words)
            })
            .collect()
    }

    /// The analysed token sequences of a theme's terms and paraphrases (either can make the
    /// theme), for finding candidates in the index.
    pub fn analysed_terms(&self, theme_id: &str) -> Vec<Vec<String>> {
        self.themes
            .iter()
            .filter(|t| t.id == theme_id)
            .flat_map(|t| t.terms.iter())
            .filter(|term| term.tier != Tier::Context)
            .map(|term| term.tokens.iter().map(|(t, _)| t.clone()).collect())
            .collect()
    }

    /// The free baseline the evaluation compares with: occurrences of each theme's terms in
    /// heading and text, counted with the same analysis, no paraphrases, no scoring.
    pub fn keyword_counts(&self, heading: Option<&str>, text: &str) -> Vec<(String, usize)> {
        let heading = Analysed::new(heading.unwrap_or(""));
        let body = Analysed::new(text);
        self.themes
            .iter()
            .map(|t| {
                let terms: Vec<&PreparedTerm> = t.of_tier(Tier::Term).collect();
                (
                    t.id.clone(),
                    claim(&terms, &heading).len() + claim(&terms, &body).len(),
                )
            })
            .collect()
    }

    /// Scores one section against every theme; returns the themes with a term or paraphrase
    /// present, strongest first.
    pub fn score(&self, heading: Option<&str>, text: &str) -> Vec<ThemeMatch> {
        let heading_analysed = Analysed::new(heading.unwrap_or(""));
        let body = Analysed::new(text);
        let sentences = sentence_spans(text);
        let sentence_of = |at: usize| sentences.iter().position(|&(a, b)| at >= a && at < b);
        let enumerations: Vec<Vec<(usize, usize, usize)>> = sentences
            .iter()
            .map(|&(a, b)| text::enumerations(&text[a..b], a))
            .collect();

        // First pass: each theme's claimed occurrences in heading and body.
        let claimed: Vec<(Vec<Span>, Vec<Mention>)> = self
            .themes
            .iter()
            .map(|theme| {
                let terms: Vec<&PreparedTerm> = theme.terms.iter().collect();
                let mentions = claim(&terms, &body)
                    .into_iter()
                    .map(|(from, to, term)| Mention {
                        from,
                        to,
                        term,
                        tier: theme.terms[term].tier,
                        sentence: sentence_of(from),
                        passing: None,
                    })
                    .collect();
                (claim(&terms, &heading_analysed), mentions)
            })
            .collect();
        // Sentences where three or more themes occur are lists ("barn og unge, personer med
        // psykiske lidelser og rusproblemer, skrøpelige eldre og …"): naming a group in a list
        // is not speaking about it.
        let mut themes_in_sentence: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
        for (t, (_, mentions)) in claimed.iter().enumerate() {
            for m in mentions.iter().filter(|m| m.tier != Tier::Context) {
                if let Some(sentence) = m.sentence {
                    *themes_in_sentence
                        .entry(sentence)
                        .or_default()
                        .entry(t)
                        .or_default() += 1;
                }
            }
        }

        let mut matches = Vec::new();
        for (t, (theme, (heading_spans, mentions))) in self.themes.iter().zip(claimed).enumerate() {
            // Context words alone do not make a theme.
            let makes_theme = |term: usize| theme.terms[term].tier != Tier::Context;
            if !heading_spans.iter().any(|s| makes_theme(s.2))
                && !mentions.iter().any(|m| makes_theme(m.term))
            {
                continue;
            }
            let mentions: Vec<Mention> = mentions
                .iter()
                .map(|m| Mention {
                    passing: passing(
                        m,
                        &mentions,
                        &themes_in_sentence,
                        t,
                        &enumerations,
                        text,
                        &sentences,
                    ),
                    ..*m
                })
                .collect();
            let parts = parts(
                theme,
                &heading_spans,
                &mentions,
                body.terms.len(),
                sentences.len(),
                {
                    claim(&theme.exclude.iter().collect::<Vec<_>>(), &body).len()
                        + claim(&theme.exclude.iter().collect::<Vec<_>>(), &heading_analysed).len()
                },
            );
            let score = parts.score();
            let mut ids: BTreeSet<usize> = heading_spans.iter().map(|s| s.2).collect();
            ids.extend(mentions.iter().map(|m| m.term));
            let written = |tiers: &[Tier]| -> Vec<String> {
                ids.iter()
                    .filter(|&&i| tiers.contains(&theme.terms[i].tier))
                    .map(|&i| theme.terms[i].written.clone())
                    .collect()
            };
            let full: Vec<Span> = mentions
                .iter()
                .filter(|m| m.passing.is_none())
                .map(|m| (m.from, m.to, m.term))
                .collect();
            let all: Vec<Span> = mentions.iter().map(|m| (m.from, m.to, m.term)).collect();
            let mut evidence =
                evidence_sentences(text, &sentences, if full.is_empty() { &all } else { &full });
            if evidence.is_empty()
                && let Some(heading) = heading
            {
                evidence.push(heading.trim().to_string());
            }
            matches.push(ThemeMatch {
                theme: theme.id.clone(),
                score,
                passed: score >= theme.threshold,
                threshold: theme.threshold,
                terms: written(&[Tier::Term, Tier::Context]),
                paraphrases: written(&[Tier::Paraphrase]),
                passing: mentions
                    .iter()
                    .filter_map(|m| {
                        m.passing.map(|reason| PassingMention {
                            words: text[m.from..m.to].to_string(),
                            reason,
                        })
                    })
                    .collect(),
                evidence,
                parts,
                meaning: None,
            });
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.theme.cmp(&b.theme)));
        matches
    }
}

#[cfg(test)]
mod tests;
